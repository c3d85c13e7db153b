//! `kitei new KIND`: writes the next record of a kind (or a runbook) with its required fields
//! and placeholders, and prints the path it wrote.

use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Timelike};

use crate::files::{How, write_atomically};
use crate::render::new_record::{Kind, new_record};

/// Returns the exit code (0 written, 2 the project cannot be opened or the file not written).
pub fn run(root: &Path, as_of: Option<NaiveDate>, kind: Kind, title: Option<&str>) -> u8 {
    let ws = match super::open(root, as_of) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let now = match now(ws.as_of, ws.project.tz) {
        Ok(now) => now,
        Err(e) => {
            eprintln!("error: {e}");
            return super::UNUSABLE;
        }
    };
    let file = new_record(&ws.project, &ws.corpus, kind, title, now);
    let path = root.join(&file.path);
    if let Err(e) = write_atomically(&path, file.text.as_bytes(), How::FILE.new_only()) {
        eprintln!("error: cannot write {}: {e}", path.display());
        return super::UNUSABLE;
    }
    println!("{}", path.display());
    eprintln!(
        "kitei new: wrote {} dated {} ({}); replace each 【要記入】, then `kitei check` shows what is still missing",
        file.id,
        now.format("%Y-%m-%d %H:%M %:z"),
        ws.as_of_source
    );
    ws.leak();
    0
}

/// The record's time: the evaluation date (`--as-of`, `as_of` in kitei.toml,
/// `SOURCE_DATE_EPOCH` or today: the date `kitei check` judges by, so the new record is never
/// in its future) at the clock's time of day (`SOURCE_DATE_EPOCH` or now), to the minute, in
/// the project's zone.
fn now(date: NaiveDate, tz: FixedOffset) -> Result<DateTime<FixedOffset>, String> {
    let clock = crate::config::source_date_epoch()?
        .unwrap_or_else(chrono::Utc::now)
        .with_timezone(&tz);
    let time = clock
        .time()
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0));
    let at = NaiveDateTime::new(date, time.unwrap_or_default());
    tz.from_local_datetime(&at)
        .single()
        .ok_or_else(|| format!("{at} does not exist in the zone {tz}"))
}
