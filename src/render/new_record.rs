//! `kitei new`: the text of a new record (incident, drill, review, exception) or runbook, with
//! the next free id, the current time in the project's zone, every required field present with
//! a comment saying what to write, and the fields a later status needs listed as comments.
//!
//! Where only a person can say what belongs (a title, an incident type, a reason), the value is
//! [`FILL_IN`] (or [`FILL_IN_ID`] inside a reference): `kitei check` then fails with a "fill
//! this in" finding at each one (K0608 in records, K0604 in a runbook's text) and nothing else.
//! Where the project has one obvious value (the regulation under review, the committee that
//! approves), it is written, with the alternatives in the comment.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};

use crate::config::Project;
use crate::model::values::{FILL_IN, FILL_IN_ID};
use crate::model::{Corpus, DocKind};

/// What `kitei new` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Incident,
    Drill,
    Review,
    Exception,
    Runbook,
}

impl Kind {
    pub fn parse(word: &str) -> Option<Kind> {
        Some(match word {
            "incident" => Kind::Incident,
            "drill" => Kind::Drill,
            "review" => Kind::Review,
            "exception" => Kind::Exception,
            "runbook" => Kind::Runbook,
            _ => return None,
        })
    }

    /// The id prefix and the folder under the source folder (incidents add the year).
    fn prefix_and_folder(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Kind::Incident => ("INC", "incidents", "incident"),
            Kind::Drill => ("DRL", "drills", "drill"),
            Kind::Review => ("REV", "reviews", "review"),
            Kind::Exception => ("EXC", "exceptions", "exception"),
            Kind::Runbook => ("runbook", "runbooks", "front-matter-runbook"),
        }
    }
}

/// A new file: where (relative to the project root) and its text.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub id: String,
    pub path: PathBuf,
    pub text: String,
}

/// The new record of `kind` at `now` (already in the project's zone).
pub fn new_record(
    project: &Project,
    corpus: &Corpus,
    kind: Kind,
    title: Option<&str>,
    now: DateTime<FixedOffset>,
) -> NewFile {
    let source = PathBuf::from(&project.config.source);
    let year = now.format("%Y").to_string();
    let (prefix, folder, schema) = kind.prefix_and_folder();
    let dir = match kind {
        Kind::Incident => source.join(folder).join(&year),
        _ => source.join(folder),
    };
    let ext = if kind == Kind::Runbook { "md" } else { "yaml" };
    let id = next_id(project, corpus, kind, prefix, &year, &dir, ext);
    let path = dir.join(format!("{id}.{ext}"));
    let modeline = modeline(&project.root, &dir, schema);
    let title = title
        .map(yaml_string)
        .unwrap_or_else(|| format!("{FILL_IN}件名"));
    let today = now.date_naive();
    let stamp = now.to_rfc3339();
    let committee = first_committee(corpus);
    let body = match kind {
        Kind::Incident => incident(corpus, &id, &title, &stamp),
        Kind::Drill => drill(corpus, &id, &title, today),
        Kind::Review => review(corpus, &id, today, &committee),
        Kind::Exception => exception(&id, today, &committee),
        Kind::Runbook => runbook(corpus, &id, &title),
    };
    NewFile {
        id,
        path,
        text: format!("{modeline}{body}"),
    }
}

/// The next free id: one more than the highest number in use for this kind (and, for
/// incidents, drills, reviews and exceptions, this year), skipping files that exist already
/// even when they did not load.
fn next_id(
    project: &Project,
    corpus: &Corpus,
    kind: Kind,
    prefix: &str,
    year: &str,
    dir: &Path,
    ext: &str,
) -> String {
    let stem = match kind {
        Kind::Runbook => format!("{prefix}-"),
        _ => format!("{prefix}-{year}-"),
    };
    let highest = corpus
        .ids()
        .filter_map(|(id, _)| id.strip_prefix(stem.as_str()))
        .filter_map(|n| n.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    let width = if kind == Kind::Incident { 3 } else { 2 };
    (highest + 1..)
        .map(|n| match kind {
            Kind::Runbook => format!("{stem}{n}"),
            _ => format!("{stem}{n:0width$}"),
        })
        .find(|id| {
            corpus.defined(id).is_none()
                && !project.root.join(dir).join(format!("{id}.{ext}")).exists()
        })
        .expect("an unused number exists")
}

/// `# yaml-language-server: $schema=…` for the schema folder `kitei init` (schemas/) or the
/// example (docs/schemas/) has, relative to the new file's folder; nothing when neither exists.
fn modeline(root: &Path, dir: &Path, schema: &str) -> String {
    let name = format!("{schema}.schema.json");
    let Some(schemas) = ["schemas", "docs/schemas"]
        .into_iter()
        .find(|d| root.join(d).join(&name).is_file())
    else {
        return String::new();
    };
    let up = "../".repeat(dir.components().count());
    if schema.starts_with("front-matter") {
        return String::new(); // front matter lives in Markdown, which the YAML server does not read
    }
    format!("# yaml-language-server: $schema={up}{schemas}/{name}\n")
}

/// A title given on the command line, as a YAML scalar.
fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

fn first_committee(corpus: &Corpus) -> String {
    corpus
        .roles
        .iter()
        .find(|r| r.committee)
        .map(|r| format!("role:{}", r.id.value))
        .unwrap_or_else(|| format!("role:{FILL_IN_ID}"))
}

/// `a, b, c` of the project's values, for a comment.
fn listed<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = values.collect();
    if v.is_empty() {
        "(none defined yet)".into()
    } else {
        v.join(", ")
    }
}

fn incident(corpus: &Corpus, id: &str, title: &str, now: &str) -> String {
    let types = listed(
        corpus
            .runbooks()
            .flat_map(|r| r.meta.incident_types.iter().map(|t| t.value.as_str())),
    );
    let levels = corpus
        .severity_levels
        .iter()
        .map(|l| format!("{} {}", l.level.value, l.name))
        .collect::<Vec<_>>()
        .join(", ");
    let lowest = corpus
        .severity_levels
        .iter()
        .map(|l| l.level.value)
        .min()
        .unwrap_or(0);
    let systems = listed(corpus.systems.iter().map(|s| s.id.value.as_str()));
    format!(
        "# インシデント記録（kitei new incident）。{FILL_IN} を書き換え、状況に応じて下のコメントの項目を足す。\n\
id: {id}\n\
title: {title}  # 何が起きたかを一行で\n\
type: {FILL_IN}  # 種別: 手順書の incident_types のどれか: {types}\n\
severity: {lowest}  # 事故レベル（severity.yaml）: {levels} — 判定して書き直す\n\
status: open  # open → contained（封じ込め済み）→ closed（完了）\n\
visibility: restricted  # restricted | employees | public\n\
detected_at: {now}  # 検知した日時（書いた時刻。実際の検知時刻に直す）\n\
\n\
# --- 分かったら書く ---\n\
# summary: 概要（数行）\n\
# occurred_at: 発生した日時\n\
# known_at: 社内の誰かが最初に知った日時（個人情報保護法の「知った日」。既定は detected_at）\n\
# reported_at: 責任者へ報告した日時\n\
# systems: [system:…]  # {systems}\n\
# reported_by: {{ kind: internal, name: …, what_they_saw: … }}  # kind: internal | outsider | monitoring\n\
# outside_party: none  # none | victim | harmed_outsiders | both（none 以外は board_report が必要）\n\
# personal_data: {{ affected_people: 0, items: [氏名], sensitive: false, financial_risk: false, malicious: false }}\n\
# must_notify: [contact:…]  # 期限つきで知らせる相手\n\
# notifications:\n\
#   - {{ to: contact:ppc, kind: preliminary, at: … }}  # preliminary（速報）| final（確報）| individuals | notice\n\
# timeline:\n\
#   - {{ at: {now}, what: …, by: role:… }}\n\
# actions:\n\
#   - {{ what: …, by: role:…, at: … }}\n\
#\n\
# --- status: contained にしたら ---\n\
# contained_at: 封じ込めた日時\n\
#\n\
# --- status: closed にしたら（K0302–K0307）---\n\
# closed_at: 完了した日時\n\
# root_cause: 根本原因\n\
# prevention_plan:\n\
#   technical:\n\
#     - {{ measure: …, owner: role:…, due: YYYY-MM-DD, status: planned }}  # planned | in_progress | done（done_on も）\n\
#   organizational:\n\
#     - {{ measure: …, owner: role:…, due: YYYY-MM-DD, status: planned }}\n\
# lessons:\n\
#   went_well: [ … ]\n\
#   to_improve: [ … ]\n\
#   procedure_changes: [ … ]  # 規程・手順書で変えること\n\
# board_report: {{ on: YYYY-MM-DD, note: … }}  # outside_party が none 以外のとき\n\
# evidence:\n\
#   - {{ path: evidence/{id}/…, sha256: …, description: … }}\n"
    )
}

fn drill(corpus: &Corpus, id: &str, title: &str, today: NaiveDate) -> String {
    let runbooks = listed(corpus.runbooks().map(|r| r.id()));
    format!(
        "# 訓練の記録（kitei new drill）。{FILL_IN} を書き換える。\n\
id: {id}\n\
title: {title}  # 訓練の名前（例: ランサムウェア感染を想定した机上訓練）\n\
held_on: {today}  # 実施日\n\
\n\
# --- 書けるものを書く ---\n\
# runbooks: [runbook:…]  # 訓練した手順書: {runbooks}\n\
# participants: [role:…]\n\
# scenario: 想定したシナリオ\n\
# findings: [ … ]  # 分かったこと\n\
# follow_up: [ … ]  # 手順をどう変えるか\n"
    )
}

fn review(corpus: &Corpus, id: &str, today: NaiveDate, committee: &str) -> String {
    let docs: Vec<&str> = corpus
        .documents
        .iter()
        .filter(|d| d.kind() == DocKind::Regulation)
        .map(|d| d.id())
        .collect();
    let document = docs
        .first()
        .map(|d| format!("doc:{d}"))
        .unwrap_or_else(|| format!("doc:{FILL_IN_ID}"));
    let others = listed(docs.iter().copied());
    format!(
        "# 規程の見直しの記録（kitei new review）。{FILL_IN} を書き換える。\n\
id: {id}\n\
document: {document}  # 見直した規程: {others}\n\
reviewed_on: {today}  # 見直した日\n\
reviewer: {committee}  # 見直した役割・委員会\n\
outcome: no_change  # no_change（変更なし）| amended（改訂した）\n\
notes: {FILL_IN}見直した内容と結論\n"
    )
}

fn exception(id: &str, today: NaiveDate, committee: &str) -> String {
    let expires = today + Duration::days(90);
    format!(
        "# 例外の記録（kitei new exception）。{FILL_IN} と {FILL_IN_ID} を書き換える。\n\
id: {id}\n\
rule: {FILL_IN}  # 例外とするルールのコード（kitei rules）: 例 K0401\n\
record: incident:{FILL_IN_ID}  # 例外の対象の記録: incident:… | drill:… | doc:…\n\
reason: {FILL_IN}理由\n\
approved_by: {committee}  # 承認した委員会（committee: true の役割）\n\
approved_on: {today}  # 承認日\n\
expires_on: {expires}  # 期限（この日まで有効）: 決めた日に直す\n"
    )
}

fn runbook(corpus: &Corpus, id: &str, title: &str) -> String {
    let owner = corpus
        .roles
        .iter()
        .find(|r| !r.committee)
        .map(|r| format!("role:{}", r.id.value))
        .unwrap_or_else(|| format!("role:{FILL_IN_ID}"));
    format!(
        "---\n\
id: {id}  # 手順書の id（英数字とハイフン。ファイル名と揃える）\n\
kind: runbook\n\
title: {title}  # 手順書の名前（例: マルウェア感染）\n\
owner: {owner}  # 手順書の責任者（役割）\n\
incident_types: [{FILL_IN}]  # この手順書で対応するインシデントの種別（incident の type）\n\
summary: {FILL_IN}いつ使う手順書か\n\
---\n\
## 事象の検知 {{#detection}}\n\
- [ ] {FILL_IN}気づいたときにすること、誰に報告するか\n\
\n\
## 初動対応 {{#initial-response}}\n\
- [ ] {FILL_IN}被害を広げないための最初の行動\n\
\n\
## 調査・封じ込め {{#containment}}\n\
- [ ] {FILL_IN}保全するもの、調べること\n\
\n\
## 報告・公表 {{#reporting}}\n\
- [ ] {FILL_IN}事故レベルの判定と報告先\n\
\n\
## 復旧 {{#recovery}}\n\
- [ ] {FILL_IN}復旧と再発防止\n"
    )
}
