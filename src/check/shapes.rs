//! The YAML a finding's help shows, so that one round of editing fixes it: the shape of each
//! record field a rule asks for (a prevention plan and its measures, lessons, a board report,
//! a notification, a timestamp in the project's offset). The helps of K0302–K0307 and
//! K0401–K0405 use these, so a new user copies the shape instead of looking up the formats.

use chrono::FixedOffset;

use crate::model::incident::NotificationKind;

/// A help line: the sentence, then the YAML to write, indented under `help:`.
pub fn help(sentence: &str, yaml: &str) -> String {
    let mut s = format!("{sentence}:");
    for line in yaml.lines() {
        s.push_str("\n    ");
        s.push_str(line);
    }
    s
}

/// A timestamp to fill in, in the project's offset (`YYYY-MM-DDThh:mm:00+09:00`).
pub fn timestamp(tz: FixedOffset) -> String {
    format!("YYYY-MM-DDThh:mm:00{tz}")
}

pub const PREVENTION_PLAN: &str = "prevention_plan:
  technical:
    - { measure: …, owner: role:…, due: YYYY-MM-DD, status: planned }
  organizational:
    - { measure: …, owner: role:…, due: YYYY-MM-DD, status: planned }";

pub const LESSONS: &str = "lessons:
  procedure_changes:
    - …   # what changes in the regulation or runbooks (or why nothing needs to)";

pub const ROOT_CAUSE: &str = "root_cause: …   # why it happened, not what happened";

pub const BOARD_REPORT: &str = "board_report: { on: YYYY-MM-DD, note: … }";

/// One measure of `aspect` (`technical`, `organizational`), with its text when it has one.
pub fn measure(aspect: &str, text: &str) -> String {
    let text = if text.is_empty() {
        "…".to_string()
    } else {
        serde_json::to_string(text).expect("a string serialises")
    };
    format!(
        "prevention_plan:\n  {aspect}:\n    - {{ measure: {text}, owner: role:…, due: YYYY-MM-DD, status: planned }}"
    )
}

/// One entry of `notifications:` of `kind`, to `to` when known.
pub fn notification(kind: NotificationKind, to: Option<&str>, tz: FixedOffset) -> String {
    let kind_word = match kind {
        NotificationKind::Preliminary => "preliminary",
        NotificationKind::Final => "final",
        NotificationKind::Individuals => "individuals",
        NotificationKind::Notice => "notice",
    };
    let at = timestamp(tz);
    match (kind, to) {
        (NotificationKind::Individuals, _) => format!(
            "notifications:\n  - {{ kind: individuals, at: {at}, note: … }}   # note: how they were told"
        ),
        (_, Some(to)) => {
            format!("notifications:\n  - {{ to: contact:{to}, kind: {kind_word}, at: {at} }}")
        }
        (_, None) => format!(
            "notifications:\n  - {{ to: contact:…, kind: {kind_word}, at: {at}, reference: … }}   # reference: the receipt number"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::incident::Incident;

    /// Every shape parses as what it stands for once the `…` and dates are filled in, so a
    /// help never shows YAML that kitei would refuse.
    #[test]
    fn every_shape_is_valid_once_filled_in() {
        let tz = FixedOffset::east_opt(9 * 3600).unwrap();
        let fill = |s: &str| {
            s.replace("YYYY-MM-DDThh:mm:00", "2026-01-02T03:04:00")
                .replace("YYYY-MM-DD", "2026-01-02")
                .replace("role:…", "role:ciso")
                .replace("contact:…", "contact:ppc")
                .replace('…', "x")
        };
        let base = "id: INC-1\ntitle: t\ntype: malware\nseverity: 1\nstatus: closed\ndetected_at: 2026-01-01T00:00:00+09:00\n";
        for shape in [
            PREVENTION_PLAN.to_string(),
            LESSONS.to_string(),
            ROOT_CAUSE.to_string(),
            BOARD_REPORT.to_string(),
            measure("technical", "VPN \"only\": yes"),
            notification(NotificationKind::Preliminary, None, tz),
            notification(NotificationKind::Notice, Some("mall"), tz),
            notification(NotificationKind::Individuals, None, tz),
            format!("closed_at: {}", timestamp(tz)),
        ] {
            let yaml = format!("{base}{}\n", fill(&shape));
            let parsed: Result<Incident, _> =
                crate::source::yaml::parse(&yaml, std::path::Path::new("t.yaml"), 1);
            assert!(parsed.is_ok(), "{yaml}\n{parsed:?}");
        }
        assert_eq!(help("add it", "a: 1\nb: 2"), "add it:\n    a: 1\n    b: 2");
    }
}
