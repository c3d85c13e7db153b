//! The catalogue of rule codes: name, default level, one-line summary and the explanation
//! that `kitei explain` prints. Codes are stable: never reuse or renumber one.

use crate::diag::Level;

#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
    pub summary: &'static str,
    pub explanation: &'static str,
}

const E: Level = Level::Error;
const W: Level = Level::Warning;

macro_rules! rules {
    ($( $code:literal $name:literal $level:ident $summary:literal $explanation:literal ;)*) => {
        pub const RULES: &[RuleInfo] = &[ $( RuleInfo {
            code: $code, name: $name, level: $level, summary: $summary, explanation: $explanation,
        }, )* ];
    };
}

rules! {
    "K0101" "unreadable-file" E "a file or folder cannot be read"
        "kitei could not open a file or folder of the project (missing folder, permissions). Nothing \
         else can be checked about it. Fix the path or the permissions.";
    "K0102" "not-utf8" E "a source file is not UTF-8"
        "Sources must be UTF-8 (a byte-order mark is accepted). Files saved as Shift_JIS (CP932), \
         EUC-JP or UTF-16 are refused rather than guessed, because a wrong guess silently changes \
         the regulation's text. The message names the likely encoding and an iconv command.";
    "K0103" "invalid-yaml" E "YAML that cannot be read into the record's schema"
        "Covers YAML syntax errors, wrong value types, duplicate keys, unknown fields and unknown \
         values. Unknown fields are errors on purpose: a misspelt `closed_at` must not quietly \
         leave an incident without a closing time. The help line suggests the closest allowed name.";
    "K0104" "front-matter" E "a Markdown document without valid front matter"
        "Regulations and runbooks start with YAML front matter between two `---` lines at the very \
         top of the file. kitei splits it itself (pulldown-cmark's metadata option can delete body \
         text), so the first line must be exactly `---`.";
    "K0105" "unknown-file" E "a Markdown or YAML file in a place kitei does not read"
        "Records are found by where they live (docs/formats.md). A YAML or Markdown file anywhere \
         else would otherwise be dropped silently; move it or delete it.";
    "K0106" "evidence-path" E "an evidence path that leaves the source folder"
        "Evidence paths are relative to the source folder and may not use `..`, be absolute, or \
         pass through a symbolic link that leads outside: a bundle must only ever contain files \
         that are part of the reviewed repository.";
    "K0107" "symlink-escape" E "a symbolic link that leads outside the source folder"
        "A link to a file outside the source folder would let unreviewed content into the site \
         and the evidence bundles. Copy the file in instead.";
    "K0110" "invalid-config" E "kitei.toml cannot be read"
        "kitei.toml has an unknown key, a wrong type, an unknown rule level, time zone or period.";

    "K0201" "duplicate-id" E "two records share an id"
        "Ids are unique across the whole corpus (documents, roles, contacts, systems, incidents, \
         drills, reviews, exceptions), so that a typed reference can never be ambiguous.";
    "K0202" "unresolved-reference" E "a typed reference that points at nothing"
        "A `role:`, `contact:`, `system:`, `runbook:`, `doc:`, `incident:`, `drill:`, `review:` or \
         `exception:` reference (in YAML or as a Markdown link) must name an existing record of \
         that kind. Dangling references are how a contact table drifts away from the regulation.";
    "K0203" "wrong-reference-kind" E "a reference of the wrong kind for its field"
        "Each field accepts only some kinds of reference: an owner is a `role:`, a role is held by \
         a `contact:` person, a notification goes to a `contact:`, and so on (docs/formats.md).";
    "K0204" "type-without-runbook" E "an incident type that no runbook handles"
        "Every incident's `type` must be listed in some runbook's `incident_types`, so that each \
         incident can be traced to the procedure that governs it (ISO/IEC 27001 A.5.24, A.5.26).";
    "K0205" "runbook-phases" E "a runbook that does not cover the five response phases"
        "A runbook must have a heading for each phase: detection {#detection}, initial response \
         {#initial-response}, investigation and containment {#containment}, reporting and \
         publication {#reporting}, recovery {#recovery} (the response flow of the regulation).";
    "K0206" "system-inventory" E "a system without owner or valid recovery priority"
        "Every system has an owner role and a recovery priority 0–3 that appears in the \
         recovery-priority table (3: must never stop, 2: within 24 h, 1: within 3 days, 0: may stop).";
    "K0207" "role-unheld" E "a role nobody holds, or a committee without members"
        "A role that nobody holds cannot act during an incident. Roles need `held_by`, committees \
         need `members`.";
    "K0208" "missing-table" E "a required table is missing or incomplete"
        "roles.yaml, contacts.yaml, systems.yaml and severity.yaml must exist; severity levels 0–3 \
         must each be defined exactly once.";
    "K0209" "unknown-severity" E "an incident severity that the severity table does not define"
        "An incident's severity must be one of the levels in severity.yaml.";
    "K0210" "document-metadata" E "a regulation without approval, effective date, version or review cycle"
        "A regulation document needs `version`, `owner`, `approved_by`, `approved_on`, \
         `effective_on` (not before approval) and `review_every`: every change must be approved, \
         dated and communicated (clause 改訂 of the regulation).";
    "K0211" "exception-approver" E "an exception not approved by a committee"
        "Exceptions (例外事項) need the security committee's approval: `approved_by` must name a role \
         with `committee: true`. Until then the exception waives nothing.";
    "K0212" "incident-now" E "a regulation without a valid `incident_now` (first call and first steps)"
        "The home page of the site always shows what to do when something happens: the first number \
         to call and the first things to do. They come from the regulation's front matter, \
         `incident_now: { call: role:… or contact:…, steps: [...] }`, so that they are approved with \
         the regulation instead of guessed: `call` is whom the regulation says to report to first \
         and must reach someone with a `phone` or `mobile` channel; `steps` are one to three short, \
         non-empty texts (the reporting duties of the regulation, in order).";

    "K0301" "lifecycle-order" E "incident timestamps out of order"
        "occurred_at ≤ detected_at ≤ reported_at ≤ contained_at ≤ closed_at. A record whose times \
         run backwards cannot prove any deadline.";
    "K0302" "status-timestamps" E "status and closing time disagree"
        "A closed incident has `closed_at`; an open or contained one has none. A contained incident \
         has `contained_at`.";
    "K0303" "prevention-plan" E "closed incident without a complete prevention plan"
        "After the response ends a prevention plan (再発防止計画) covers both technical and \
         organisational aspects: at least one technical and one organisational measure, each with \
         an owner role and a due date (seed regulations §4.4 / §8; ISO/IEC 27001 A.5.27).";
    "K0304" "lessons" E "closed incident without lessons for the procedure"
        "Learning from incidents includes improvements to the procedure itself: record at least one \
         entry under `lessons.procedure_changes` (write that none is needed if so, and why).";
    "K0305" "board-report" E "no board report for an incident involving outsiders"
        "When the company was the victim of an outside party, or harmed outsiders (customers, \
         partners), the incident is reported to the board (取締役会) with the prevention plan \
         before it is closed: `board_report.on` on or before the closing date.";
    "K0306" "leak-severity" E "a personal-data incident below severity 2"
        "A leak of personal data is always severity 2 or above (severity scheme of the regulation).";
    "K0307" "root-cause" E "closed incident without a root cause"
        "A closed incident records its root cause (ISO/IEC 27001 A.5.26: root-cause analysis).";

    "K0401" "appi-preliminary" E "APPI preliminary report (速報) to the PPC late or missing"
        "Where personal data leaked (or may have) and the case meets the APPI criteria \
         (要配慮個人情報; risk of financial damage; malicious purpose; more than 1,000 people; \
         not if highly encrypted), a preliminary report goes to the Personal Information \
         Protection Commission 速やかに: kitei warns from day 3 and errs after day 5 (calendar \
         days; the day the company knew is day 1). Basis: 個人情報保護法26条1項, 施行規則7条・8条1項, \
         通則編ガイドライン 3-5-3-3 (概ね3〜5日). Late or missing is an error on closed incidents; open \
         ones get a warning with the remaining time until the deadline passes.";
    "K0402" "appi-final" E "APPI final report (確報) to the PPC late or missing"
        "The final report is due within 30 days of the day the company knew, 60 days when the case \
         involves a malicious purpose (施行規則8条2項). Day counting: calendar days, the day of \
         knowledge is day 1 (configurable in [appi]; the official counting is to be confirmed).";
    "K0403" "appi-individuals" E "affected individuals not notified"
        "A reportable personal-data incident also requires notifying the individuals \
         (法26条2項; 施行規則10条), or a public announcement with an inquiry desk where that is \
         impossible. Record it as a notification of kind `individuals`.";
    "K0404" "my-number-report" W "My Number (特定個人情報) report late or missing"
        "Leaks of 特定個人情報 are reportable under the My Number Act when more than 100 people are \
         affected, the purpose was malicious, or the data was exposed to an unspecified number of \
         people (番号法29条の4; 特定個人情報漏えい等報告規則2条). The deadlines mirror the APPI but \
         are not confirmed against the primary text, so this rule warns by default.";
    "K0405" "notice-deadline" E "a body with a notice deadline was told late or not at all"
        "A contact with `notice_deadline` (e.g. a marketplace operator's 24 hours) must be \
         notified within that time of detection (or of knowledge, with `deadline_from: known`) \
         for every incident that lists it in `must_notify` or notifies it.";

    "K0501" "review-overdue" E "the regulation's periodic review is overdue"
        "A regulation is reviewed every `review_every` (the seeds: once or twice a year). The last \
         approval or review record must fall within that period of the evaluation date.";
    "K0502" "drill-overdue" E "no drill within the configured period"
        "Response procedures are drilled regularly (平時の準備): the latest drill record must fall \
         within `duties.drill_every` (default 12 months) of the evaluation date.";
    "K0503" "contact-stale" E "a contact not verified recently"
        "Every person and body in the contact table has `last_verified` within \
         `duties.contact_verify_every` (default 6 months): an outdated number is found during an \
         incident otherwise (ISO/IEC 27001 A.5.5).";
    "K0504" "exception-expired" W "an exception past its expiry date"
        "An expired exception no longer waives its rule (the rule fires again); renew it with a new \
         approval or remove it.";
    "K0505" "measure-overdue" E "a prevention measure past its due date"
        "A prevention measure that is not `done` by its due date is an overdue duty. Finish it, or \
         record an approved exception with a new expiry.";

    "K0601" "required-sections" E "the regulation lacks a required section or has them out of order"
        "A `kind: regulation` document has every section of the configured skeleton \
         ([regulation] required_sections; default: the common skeleton 趣旨 … 改訂 of DOMAIN.md) as \
         headings, in that order.";
    "K0602" "unresolved-clause" E "a cross-reference to a clause that does not exist"
        "A `clause:` link must name an anchor of a heading: `clause:anchor` in the same document or \
         `clause:doc-id#anchor` in another one.";
    "K0603" "duplicate-clause-number" E "a clause number used twice in one document"
        "Clause numbers (第5条, 4.3, 【4.3】) identify clauses in references and amendments; using one \
         twice makes every reference to it ambiguous (seed 000 uses 【4.3】 twice).";
    "K0604" "placeholder" E "placeholder text left in a document"
        "○○, 〇〇, ××, xx/ｘｘ in dates, TODO, TBD and FIXME mark text that was never filled in (seed \
         001 was approved on 令和ｘｘ年ｘｘ月ｘｘ日).";
    "K0605" "era-date" E "an impossible Japanese era date"
        "Dates written in 和暦 must exist: 平成 ended on 平成31年4月30日 and 令和 began on 令和元年5月1日; \
         an era year is never a four-digit Western year (平成2020年); months and days must exist.";
    "K0606" "clause-mention" W "a plain-text mention of a clause number that does not exist"
        "Text such as 「第15条に定める」 in a regulation should name a clause of the same document \
         (mentions directly after a law's name, such as 個人情報保護法第26条, are skipped). Prefer a \
         typed link `[第15条](clause:anchor)`, which is checked exactly.";

    "K0701" "evidence-missing" E "an evidence file named by a record does not exist"
        "Every file listed under an incident's `evidence` must exist at its path inside the source \
         folder.";
    "K0702" "evidence-hash" E "an evidence file does not match its recorded SHA-256"
        "The recorded `sha256` is the file's fingerprint at collection time; a mismatch means the \
         file changed since (or the digest was mistyped). Restore the original file.";
}

/// Looks a rule up by code (`K0301`) or name (`lifecycle-order`).
pub fn rule(code_or_name: &str) -> Option<&'static RuleInfo> {
    RULES
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique() {
        let mut codes: Vec<_> = RULES.iter().map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), RULES.len());
        let mut names: Vec<_> = RULES.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), RULES.len());
    }

    #[test]
    fn every_code_used_in_the_source_is_registered() {
        let src = concat!(
            include_str!("structure.rs"),
            include_str!("incidents.rs"),
            include_str!("notifications.rs"),
            include_str!("duties.rs"),
            include_str!("text.rs"),
            include_str!("evidence.rs"),
            include_str!("../source/mod.rs"),
            include_str!("../source/yaml.rs"),
            include_str!("../config.rs"),
        );
        for (i, _) in src.match_indices("\"K0") {
            let code = &src[i + 1..i + 6];
            assert!(rule(code).is_some(), "{code} is used but not registered");
        }
    }
}
