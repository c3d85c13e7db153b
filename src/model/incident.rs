//! Incident records: the lifecycle, the facts that decide legal duties (personal data,
//! outside parties), what was done, and what will keep it from happening again.

use serde::{Deserialize, Serialize};

use super::values::{At, Date, Ref, Timestamp, Visibility};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Contained,
    Closed,
}

/// Whether an outside party was involved; decides the duty to report to the board.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OutsideParty {
    #[default]
    None,
    /// The company was the victim of an outside party's breach.
    Victim,
    /// The company harmed outsiders (customers, partners).
    HarmedOutsiders,
    Both,
}

impl OutsideParty {
    pub fn needs_board_report(self) -> bool {
        self != OutsideParty::None
    }
}

fn default_restricted() -> Visibility {
    Visibility::Restricted
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    pub id: At<String>,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: At<String>,
    pub severity: At<u8>,
    pub status: At<Status>,
    #[serde(default = "default_restricted")]
    pub visibility: Visibility,
    #[serde(default)]
    pub summary: Option<String>,
    pub occurred_at: Option<At<Timestamp>>,
    pub detected_at: At<Timestamp>,
    /// 知った日時 under the APPI: when anyone in the company first knew. Defaults to detection.
    #[serde(default)]
    pub known_at: Option<At<Timestamp>>,
    #[serde(default)]
    pub reported_at: Option<At<Timestamp>>,
    #[serde(default)]
    pub contained_at: Option<At<Timestamp>>,
    #[serde(default)]
    pub closed_at: Option<At<Timestamp>>,
    #[serde(default)]
    pub systems: Vec<At<Ref>>,
    #[serde(default)]
    pub reported_by: Option<Reporter>,
    #[serde(default)]
    pub outside_party: At<OutsideParty>,
    #[serde(default)]
    pub personal_data: Option<At<PersonalData>>,
    #[serde(default)]
    pub must_notify: Vec<At<Ref>>,
    #[serde(default)]
    pub notifications: Vec<Notification>,
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
    #[serde(default)]
    pub root_cause: Option<String>,
    #[serde(default)]
    pub actions: Vec<Action>,
    #[serde(default)]
    pub prevention_plan: Option<At<PreventionPlan>>,
    #[serde(default)]
    pub board_report: Option<At<BoardReport>>,
    #[serde(default)]
    pub lessons: Option<At<Lessons>>,
    #[serde(default)]
    pub evidence: Vec<EvidenceFile>,
}

impl Incident {
    /// 知った日時: `known_at`, or detection when not recorded separately.
    pub fn known_at(&self) -> &At<Timestamp> {
        self.known_at.as_ref().unwrap_or(&self.detected_at)
    }

    pub fn is_closed(&self) -> bool {
        self.status.value == Status::Closed
    }

    pub fn reference(&self) -> String {
        format!("incident:{}", self.id.value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReporterKind {
    Internal,
    Outsider,
    Monitoring,
}

/// Who reported the event; when an outsider did, who they were and what they saw.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reporter {
    pub kind: ReporterKind,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub what_they_saw: Option<String>,
}

/// The facts that decide the APPI / My Number Act reporting duty.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonalData {
    pub affected_people: At<u64>,
    #[serde(default)]
    pub items: Vec<String>,
    /// 要配慮個人情報.
    #[serde(default)]
    pub sensitive: bool,
    /// 不正利用により財産的被害が生じるおそれ.
    #[serde(default)]
    pub financial_risk: bool,
    /// 不正の目的をもって行われたおそれ.
    #[serde(default)]
    pub malicious: bool,
    /// 高度な暗号化その他の措置: exempts the APPI duty.
    #[serde(default)]
    pub highly_encrypted: bool,
    /// 特定個人情報 (My Number).
    #[serde(default)]
    pub my_number: bool,
    /// My Number: viewable by an unspecified number of people.
    #[serde(default)]
    pub publicly_exposed: bool,
    /// Names and contacts of affected people: restricted audience only.
    #[serde(default)]
    pub affected_individuals: Vec<AffectedIndividual>,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AffectedIndividual {
    pub name: String,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NotificationKind {
    /// 速報 to the PPC.
    Preliminary,
    /// 確報 to the PPC.
    Final,
    /// 本人通知.
    Individuals,
    /// Any other notice (platform operator, partner, police…).
    Notice,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    /// The recipient; optional only for `individuals` (the affected people themselves).
    #[serde(default)]
    pub to: Option<At<Ref>>,
    pub kind: At<NotificationKind>,
    pub at: At<Timestamp>,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimelineEntry {
    pub at: At<Timestamp>,
    pub what: String,
    #[serde(default)]
    pub by: Option<At<Ref>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Action {
    pub what: String,
    #[serde(default)]
    pub by: Option<At<Ref>>,
    #[serde(default)]
    pub at: Option<At<Timestamp>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreventionPlan {
    #[serde(default)]
    pub technical: Vec<Measure>,
    #[serde(default)]
    pub organizational: Vec<Measure>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MeasureStatus {
    #[default]
    Planned,
    InProgress,
    Done,
}

/// One prevention measure (再発防止策) with who owns it and by when.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub measure: At<String>,
    #[serde(default)]
    pub owner: Option<At<Ref>>,
    #[serde(default)]
    pub due: Option<At<Date>>,
    #[serde(default)]
    pub status: MeasureStatus,
    #[serde(default)]
    pub done_on: Option<At<Date>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BoardReport {
    pub on: At<Date>,
    #[serde(default)]
    pub note: Option<String>,
}

/// What the response taught about the procedure itself.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lessons {
    #[serde(default)]
    pub went_well: Vec<String>,
    #[serde(default)]
    pub to_improve: Vec<String>,
    #[serde(default)]
    pub procedure_changes: Vec<String>,
}

/// A file attached as evidence, with the digest recorded when it was collected.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceFile {
    pub path: At<String>,
    pub sha256: At<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub controls: Vec<String>,
}
