//! `kitei status`: the security team's terminal summary — open incidents with their next
//! deadline, duties due within a period, and overdue ones — from the check's own deadline
//! computations ([`crate::check::agenda`]).

use std::path::Path;

use chrono::NaiveDate;

use crate::check::Ctx;
use crate::check::agenda::{Item, OpenIncident, agenda, open_incidents};
use crate::model::values::Period;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// Returns the exit code: 0 (the summary is information, not a verdict: `kitei check` fails on
/// missed duties), 2 when the project cannot be loaded.
pub fn run(root: &Path, as_of: Option<NaiveDate>, within: Period, format: Format) -> u8 {
    let ws = match super::open(root, as_of) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let ctx = Ctx::new(&ws.corpus, &ws.project, ws.as_of);
    let all = agenda(&ctx);
    let open = open_incidents(&ctx, &all);
    let until = within.after_date(ws.as_of);
    let overdue: Vec<&Item> = all.iter().filter(|i| i.overdue).collect();
    let upcoming: Vec<&Item> = all
        .iter()
        .filter(|i| !i.overdue && i.due.is_some_and(|d| d <= until))
        .collect();
    match format {
        Format::Json => {
            let json = serde_json::json!({
                "schema": "kitei-status/1",
                "as_of": ws.as_of,
                "as_of_source": ws.as_of_source,
                "within": within.to_string(),
                "until": until,
                "open_incidents": open,
                "overdue": overdue,
                "upcoming": upcoming,
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&json).expect("serialises")
            );
        }
        Format::Text => print!(
            "{}",
            text(
                ws.as_of,
                ws.as_of_source,
                within,
                &open,
                &overdue,
                &upcoming
            )
        ),
    }
    ws.leak();
    0
}

fn text(
    as_of: NaiveDate,
    source: &str,
    within: Period,
    open: &[OpenIncident],
    overdue: &[&Item],
    upcoming: &[&Item],
) -> String {
    let mut s = format!("kitei status as of {as_of} ({source})\n\n");
    s += &format!("Open incidents: {}\n", open.len());
    for i in open {
        let next = match &i.next {
            Some(item) => format!("next: {}", line(as_of, item)),
            None => "next: no dated duty".into(),
        };
        s += &format!(
            "  {}  {:<9}  severity {}  {}\n      {next}\n",
            i.id,
            format!("{:?}", i.status).to_lowercase(),
            i.severity,
            i.title
        );
    }
    s += &format!("\nOverdue: {}\n", overdue.len());
    for item in overdue {
        s += &format!("  {}\n", line(as_of, item));
    }
    s += &format!("\nDue within {within}: {}\n", upcoming.len());
    for item in upcoming {
        s += &format!("  {}\n", line(as_of, item));
    }
    s
}

/// `2026-11-05 (in 4 days)  K0402  what  subject  [waived by EXC-…]`
fn line(as_of: NaiveDate, item: &Item) -> String {
    let when = match item.due {
        None => "never done".to_string(),
        Some(d) => {
            let days = (d - as_of).num_days();
            let rel = match days {
                0 => "today".to_string(),
                1 => "tomorrow".to_string(),
                -1 => "1 day ago".to_string(),
                n if n < 0 => format!("{} days ago", -n),
                n => format!("in {n} days"),
            };
            let day = item.due_at.as_deref().unwrap_or("");
            if day.is_empty() {
                format!("{d} ({rel})")
            } else {
                format!("{day} ({rel})")
            }
        }
    };
    let mut s = format!("{when}  {}  {}", item.code, item.what);
    if !item.subject.is_empty() {
        s += &format!("  [{}]", item.subject);
    }
    if let Some(e) = &item.waived_by {
        s += &format!("  (waived by {e})");
    }
    s
}
