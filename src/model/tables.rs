//! The tables that do not accumulate: roles, contacts, systems and severity levels.
//! One YAML file each (see docs/formats.md).

use serde::{Deserialize, Serialize};

use super::hours::WeeklyHours;
use super::values::{At, Date, Period, Ref, Visibility};

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RolesFile {
    pub roles: Vec<Role>,
}

/// A role (情報セキュリティ責任者) or a committee (情報セキュリティ委員会).
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub id: At<String>,
    pub name: String,
    #[serde(default)]
    pub committee: bool,
    #[serde(default)]
    pub chair: Option<At<Ref>>,
    #[serde(default)]
    pub members: Vec<At<Ref>>,
    #[serde(default)]
    pub held_by: Vec<At<Ref>>,
    #[serde(default)]
    pub deputy: Option<At<Ref>>,
    #[serde(default)]
    pub responsibilities: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub visibility: Visibility,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactsFile {
    #[serde(default)]
    pub people: Vec<Person>,
    #[serde(default)]
    pub organisations: Vec<Organisation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    Phone,
    Mobile,
    Email,
    Web,
    Fax,
    Chat,
    Postal,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    pub kind: ChannelKind,
    pub value: String,
    /// When it answers, as people read it (`平日 9:00-18:00（秘書室経由）`).
    #[serde(default)]
    pub hours: Option<String>,
    /// When it answers, for the site's "call now" highlight and the first-call coverage check
    /// (K0214): `mon-fri 08:30-19:00`, `daily 19:00-08:30, weekends`, `24h`, in the
    /// regulation's time zone.
    #[serde(default)]
    pub open: Option<At<WeeklyHours>>,
    #[serde(default)]
    pub note: Option<String>,
}

/// An internal person who can be called.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub id: At<String>,
    pub name: String,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub channels: Vec<Channel>,
    pub last_verified: Option<At<Date>>,
    #[serde(default)]
    pub visibility: Visibility,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrgCategory {
    Regulator,
    Police,
    Csirt,
    Partner,
    Platform,
    Vendor,
    Insurer,
    Other,
}

/// From which moment an organisation's notice deadline runs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum DeadlineFrom {
    #[default]
    Detected,
    Known,
}

/// An outside body: regulator, police, CSIRT, platform operator, vendor…
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub id: At<String>,
    pub name: String,
    pub category: OrgCategory,
    #[serde(default)]
    pub channels: Vec<Channel>,
    #[serde(default)]
    pub notice_deadline: Option<At<Period>>,
    #[serde(default)]
    pub deadline_from: DeadlineFrom,
    #[serde(default)]
    pub basis: Option<String>,
    #[serde(default)]
    pub hours: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    pub last_verified: Option<At<Date>>,
    #[serde(default)]
    pub visibility: Visibility,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemsFile {
    #[serde(default)]
    pub recovery_priorities: Vec<RecoveryPriority>,
    pub systems: Vec<System>,
}

/// One row of the recovery-priority table (3 = must never stop … 0 = may stop).
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryPriority {
    pub level: At<u8>,
    pub meaning: String,
    #[serde(default)]
    pub max_downtime: Option<Period>,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct System {
    pub id: At<String>,
    pub name: String,
    /// Optional in the schema so that a missing owner is reported by its rule, with its code.
    #[serde(default)]
    pub owner: Option<At<Ref>>,
    #[serde(default)]
    pub priority: Option<At<u8>>,
    #[serde(default)]
    pub personal_data: bool,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub visibility: Visibility,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeverityFile {
    pub levels: Vec<SeverityLevel>,
}

/// A severity level (事故レベル) 0–3 with its scope and the role responsible.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeverityLevel {
    pub level: At<u8>,
    pub name: String,
    pub scope: String,
    pub responsible: At<Ref>,
    #[serde(default)]
    pub examples: Vec<String>,
}
