//! The acknowledgement state (周知) for an evidence bundle: per revision of each bound
//! document, `acknowledgements/<document>-<version>.json` (schema `kitei-acknowledgements/1`)
//! and the same rows as `.csv` for a spreadsheet. Computed from the working tree's roster and
//! records, which outlive the release they acknowledge.

use serde_json::json;

use crate::check::Ctx;
use crate::check::acknowledgements::{AckState, RevisionProgress, progress};

/// One file of the state: its path inside `data/` and its bytes.
pub struct StateFile {
    pub virtual_path: String,
    pub bytes: Vec<u8>,
}

/// The state files of every revision (`version` None) or of one version.
pub fn state_files(ctx: &Ctx, version: Option<&str>) -> Vec<StateFile> {
    let mut out = Vec::new();
    for rev in progress(ctx) {
        if version.is_some_and(|v| v != rev.revision.version) {
            continue;
        }
        let stem = format!(
            "acknowledgements/{}-{}",
            rev.document.id(),
            rev.revision.version
        );
        out.push(StateFile {
            virtual_path: format!("{stem}.json"),
            bytes: json_bytes(ctx, &rev),
        });
        out.push(StateFile {
            virtual_path: format!("{stem}.csv"),
            bytes: csv_bytes(&rev),
        });
    }
    out
}

fn json_bytes(ctx: &Ctx, rev: &RevisionProgress) -> Vec<u8> {
    let people: Vec<_> = rev
        .people
        .iter()
        .map(|p| {
            json!({
                "id": p.person.id.value,
                "name": p.person.name,
                "department": p.person.department.value,
                "due": p.due.to_string(),
                "state": p.state.as_str(),
                "acknowledged_on": p.state.acknowledged_on().map(|d| d.to_string()),
                "method": p.ack.map(|(_, a)| a.method.value.as_str()),
                "record": p.ack.map(|(f, a)| format!("{}:{}", ctx.corpus.files[f.file].display_path.display(), a.person.line)),
                "evidence": p.ack.and_then(|(_, a)| a.evidence.as_ref()).map(|e| json!({"path": e.path.value, "sha256": e.sha256.value})),
            })
        })
        .collect();
    let count = |pred: fn(AckState) -> bool| rev.count(pred);
    let value = json!({
        "schema": "kitei-acknowledgements/1",
        "document": rev.document.id(),
        "title": rev.document.meta.title,
        "version": rev.revision.version,
        "effective_on": rev.revision.effective_on.to_string(),
        "superseded_on": rev.revision.superseded_on.map(|d| d.to_string()),
        "as_of": ctx.as_of.to_string(),
        "within": ctx.project.ack_within.to_string(),
        "joiners_within": ctx.project.ack_joiners_within.to_string(),
        "summary": {
            "bound": rev.people.len(),
            "on_time": count(|s| matches!(s, AckState::OnTime { .. })),
            "late": count(|s| matches!(s, AckState::Late { .. })),
            "pending": count(|s| s == AckState::Pending),
            "overdue": count(|s| s == AckState::Overdue),
            "missed": count(|s| s == AckState::Missed),
        },
        "people": people,
    });
    let mut bytes = serde_json::to_vec_pretty(&value).expect("JSON serialises");
    bytes.push(b'\n');
    bytes
}

/// The rows as CSV (UTF-8 with a BOM, so that Excel opens the Japanese names correctly).
fn csv_bytes(rev: &RevisionProgress) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let header = [
        "id",
        "name",
        "department",
        "document",
        "version",
        "due",
        "state",
        "acknowledged_on",
        "method",
    ];
    w.write_record(header).expect("writing to memory");
    for p in &rev.people {
        let on = p
            .state
            .acknowledged_on()
            .map(|d| d.to_string())
            .unwrap_or_default();
        let method = p.ack.map(|(_, a)| a.method.value.as_str()).unwrap_or("");
        w.write_record([
            p.person.id.value.as_str(),
            p.person.name.as_str(),
            p.person.department.value.as_str(),
            rev.document.id(),
            rev.revision.version.as_str(),
            &p.due.to_string(),
            p.state.as_str(),
            &on,
            method,
        ])
        .expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}
