//! Acknowledgements (周知の記録): the roster of people bound by the policy's documents
//! (`roster.yaml`) and the records of who confirmed reading which revision
//! (`acknowledgements/**/*.yaml`). Both hold personal data and are always `restricted`.

use serde::{Deserialize, Serialize};

use super::incident::EvidenceFile;
use super::values::{At, Date, Ref};

/// `roster.yaml`: who works here, and which documents bind whom.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RosterFile {
    /// Which documents each person must acknowledge.
    #[serde(default)]
    pub binding: Vec<Binding>,
    #[serde(default)]
    pub people: Vec<RosterPerson>,
}

/// One person on the roster (an employee, officer or agency worker), as the HR export has them.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RosterPerson {
    /// The HR system's id (社員番号); what acknowledgements name.
    pub id: At<String>,
    pub name: String,
    pub department: At<String>,
    /// Job roles as HR names them (管理職, 開発者, …); bindings may select by them.
    #[serde(default)]
    pub roles: Vec<String>,
    pub joined: At<Date>,
    #[serde(default)]
    pub left: Option<At<Date>>,
    /// Their mail address: a site receipt must come from it (`kitei ack import-mail`).
    #[serde(default)]
    pub email: Option<String>,
}

/// A document binds everyone, or the people of some departments or roles.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Binding {
    /// `doc:<id>` of a versioned document.
    pub document: At<Ref>,
    /// The first version that must be acknowledged (earlier revisions predate the roster);
    /// default: every revision.
    #[serde(default)]
    pub since: Option<At<String>>,
    #[serde(default)]
    pub everyone: bool,
    #[serde(default)]
    pub departments: Vec<At<String>>,
    #[serde(default)]
    pub roles: Vec<At<String>>,
}

impl Binding {
    /// Whether this binding selects `person`.
    pub fn binds(&self, person: &RosterPerson) -> bool {
        self.everyone
            || self
                .departments
                .iter()
                .any(|d| d.value == person.department.value)
            || self.roles.iter().any(|r| person.roles.contains(&r.value))
    }
}

/// One file of acknowledgements: all of one revision of one document.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AckFile {
    /// `doc:<id>` of the document acknowledged.
    pub document: At<Ref>,
    /// The version acknowledged (`2026.1`; the release tag `policy-v2026.1` names it).
    pub release: At<String>,
    #[serde(default)]
    pub acknowledgements: Vec<Acknowledgement>,
}

/// "Person P confirmed reading this revision on date D, by method M."
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Acknowledgement {
    pub person: At<String>,
    pub on: At<Date>,
    pub method: At<AckMethod>,
    /// The scanned paper or the minutes, for `paper` and `meeting` (required for those).
    #[serde(default)]
    pub evidence: Option<EvidenceFile>,
    /// The receipt code of a site-button receipt (`kitei ack import-mail`), for tracing.
    #[serde(default)]
    pub receipt: Option<String>,
}

/// How the acknowledgement was given.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum AckMethod {
    /// The "I have read revision X" button on the site (a mailed receipt).
    SiteReceipt,
    /// An LMS / e-learning completion export.
    Lms,
    /// A signed paper form (evidence: the scan).
    Paper,
    /// Read out at a meeting (evidence: the minutes).
    Meeting,
}

impl AckMethod {
    pub const ALL: [AckMethod; 4] = [
        AckMethod::SiteReceipt,
        AckMethod::Lms,
        AckMethod::Paper,
        AckMethod::Meeting,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AckMethod::SiteReceipt => "site-receipt",
            AckMethod::Lms => "lms",
            AckMethod::Paper => "paper",
            AckMethod::Meeting => "meeting",
        }
    }

    /// Manual records must name an evidence file.
    pub fn needs_evidence(self) -> bool {
        matches!(self, AckMethod::Paper | AckMethod::Meeting)
    }

    pub fn parse(s: &str) -> Option<AckMethod> {
        AckMethod::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }
}
