//! Markdown documents: regulations, guidelines and runbooks. The front matter is typed; the
//! body is kept as text plus the structure the rules need (headings, clauses, typed links,
//! checklist steps), each with its line in the file.

use serde::{Deserialize, Serialize};

use super::hours::WeeklyHours;
use super::tables::{Channel, ChannelKind};
use super::values::{At, Date, Period, Ref, Visibility};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    /// The regulation itself: checked against the required-section skeleton.
    Regulation,
    /// Any other regulation-like document (appendix, emergency organisation).
    Guideline,
    /// Step-by-step response for one or more incident types.
    Runbook,
}

/// A hand-written revision history entry.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEntry {
    pub version: String,
    #[serde(default)]
    pub approved_on: Option<At<Date>>,
    #[serde(default)]
    pub effective_on: Option<At<Date>>,
    #[serde(default)]
    pub approved_by: Option<At<Ref>>,
    pub summary: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub id: At<String>,
    pub kind: At<DocKind>,
    pub title: String,
    #[serde(default)]
    pub version: Option<At<String>>,
    #[serde(default)]
    pub owner: Option<At<Ref>>,
    #[serde(default)]
    pub approved_by: Option<At<Ref>>,
    #[serde(default)]
    pub approved_on: Option<At<Date>>,
    #[serde(default)]
    pub effective_on: Option<At<Date>>,
    #[serde(default)]
    pub review_every: Option<At<Period>>,
    #[serde(default)]
    pub visibility: Visibility,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub changes: Vec<ChangeEntry>,
    #[serde(default)]
    pub incident_types: Vec<At<String>>,
    #[serde(default)]
    pub severity_min: Option<u8>,
    /// The home page's "incident now?" box (read from the `kind: regulation` document).
    #[serde(default)]
    pub incident_now: Option<At<IncidentNow>>,
}

/// What an employee does first when something happens: whom to call, and up to three steps.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentNow {
    /// The first number to call: `role:` (its holders' phones) or `contact:`.
    pub call: At<Ref>,
    /// The numbers to call by time of day (business hours, nights and weekends, 24 hours), in
    /// the order the home page lists them; each says when it answers (`open`). Empty: the
    /// first phone of `call`.
    #[serde(default)]
    pub channels: Vec<NamedChannel>,
    /// One to three short texts, in order.
    #[serde(default)]
    pub steps: At<Vec<At<String>>>,
}

/// A channel with the name of who answers it (`夜間・休日当番`).
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedChannel {
    pub name: String,
    pub kind: ChannelKind,
    pub value: String,
    #[serde(default)]
    pub hours: Option<String>,
    #[serde(default)]
    pub open: Option<At<WeeklyHours>>,
    #[serde(default)]
    pub note: Option<String>,
}

impl NamedChannel {
    /// The channel without its name (for the code that formats any channel).
    pub fn channel(&self) -> Channel {
        Channel {
            kind: self.kind,
            value: self.value.clone(),
            hours: self.hours.clone(),
            open: self.open.clone(),
            note: self.note.clone(),
        }
    }
}

/// A heading of the body. `anchor` is the explicit `{#id}` or one derived from the text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub explicit_id: Option<String>,
    pub anchor: String,
    pub line: u32,
    /// The clause number when the heading starts with one (`第5条`, `4.3`).
    pub clause_number: Option<String>,
}

/// A link in the body whose destination is a typed reference (`role:ciso`, `clause:report`)
/// or an ordinary URL / relative path.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Link {
    pub dest: String,
    pub text: String,
    pub line: u32,
    pub column: u32,
}

/// A run of body text with its first line, for text rules (placeholders, era dates). Nearly
/// always the text is a slice of the document's body, kept as a byte range (a copy of every
/// body was a sixth of a large build's memory); text that Markdown decoded (entities, escapes)
/// is kept as it is.
/// The text runs of a body that the text rules read, in order: each a byte range of the body
/// with its line in the file (12 bytes a run; a 10,000-document corpus has about a million
/// runs). The rare run whose text is not a slice of the body (Markdown decoded an entity or an
/// escape) is kept decoded beside them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TextRuns {
    runs: Vec<TextRun>,
    decoded: Vec<Box<str>>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct TextRun {
    line: u32,
    /// Byte offset in the body, or [`DECODED`]: then `end` is the index in `decoded`.
    start: u32,
    end: u32,
}

const DECODED: u32 = u32::MAX;

impl TextRuns {
    /// Adds `text` found on `line`: a range of `body` when it is a slice of it.
    pub fn push(&mut self, text: &str, body: &str, line: u32) {
        let (at, base) = (text.as_ptr() as usize, body.as_ptr() as usize);
        let run = match at.checked_sub(base) {
            Some(start)
                if start + text.len() <= body.len() && start + text.len() < DECODED as usize =>
            {
                TextRun {
                    line,
                    start: start as u32,
                    end: (start + text.len()) as u32,
                }
            }
            _ => {
                self.decoded.push(text.into());
                TextRun {
                    line,
                    start: DECODED,
                    end: (self.decoded.len() - 1) as u32,
                }
            }
        };
        self.runs.push(run);
    }

    /// Each run's text (read from `body`, the body the runs were made from) and line.
    pub fn iter<'a>(&'a self, body: &'a str) -> impl Iterator<Item = (&'a str, u32)> + 'a {
        self.runs.iter().map(move |r| {
            let text = match r.start {
                DECODED => self.decoded.get(r.end as usize).map_or("", |t| t),
                start => body.get(start as usize..r.end as usize).unwrap_or_default(),
            };
            (text, r.line)
        })
    }

    pub fn len(&self) -> usize {
        self.runs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// Gives back the room left by growing (the runs are kept as long as the corpus).
    pub fn shrink_to_fit(&mut self) {
        self.runs.shrink_to_fit();
        self.decoded.shrink_to_fit();
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    pub meta: FrontMatter,
    /// The Markdown body without the front matter.
    #[serde(deserialize_with = "crate::text::encoding::deserialize_string")]
    pub body: String,
    /// Line of the file on which `body` starts.
    pub body_line: u32,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    pub text_runs: TextRuns,
}

impl Document {
    pub fn id(&self) -> &str {
        &self.meta.id.value
    }

    pub fn kind(&self) -> DocKind {
        self.meta.kind.value
    }

    pub fn clauses(&self) -> impl Iterator<Item = &Heading> {
        self.headings.iter().filter(|h| h.clause_number.is_some())
    }

    /// The runs of body text with their lines.
    pub fn text_runs(&self) -> impl Iterator<Item = (&str, u32)> {
        self.text_runs.iter(&self.body)
    }

    /// Finds a heading by its anchor.
    pub fn anchor(&self, anchor: &str) -> Option<&Heading> {
        self.headings.iter().find(|h| h.anchor == anchor)
    }
}
