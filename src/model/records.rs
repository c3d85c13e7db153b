//! Records that accumulate beside incidents: drills, reviews and exceptions.

use serde::{Deserialize, Serialize};

use super::values::{At, Date, Ref, Visibility};

/// A drill (訓練) of one or more runbooks.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Drill {
    pub id: At<String>,
    pub title: String,
    pub held_on: At<Date>,
    #[serde(default)]
    pub runbooks: Vec<At<Ref>>,
    #[serde(default)]
    pub participants: Vec<At<Ref>>,
    #[serde(default)]
    pub scenario: Option<String>,
    #[serde(default)]
    pub findings: Vec<String>,
    #[serde(default)]
    pub follow_up: Vec<String>,
    #[serde(default)]
    pub visibility: Visibility,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    NoChange,
    Amended,
}

/// A periodic review of a regulation document.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub id: At<String>,
    pub document: At<Ref>,
    pub reviewed_on: At<Date>,
    pub reviewer: At<Ref>,
    pub outcome: ReviewOutcome,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub visibility: Visibility,
}

/// An exception (例外事項): a committee-approved, time-limited waiver of one rule for one record.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    pub id: At<String>,
    pub rule: At<String>,
    pub record: At<Ref>,
    pub reason: String,
    pub approved_by: At<Ref>,
    pub approved_on: At<Date>,
    pub expires_on: At<Date>,
    #[serde(default)]
    pub visibility: Visibility,
}
