//! `kitei.toml`: the project's settings. Every field has a default, so a project without the
//! file still works; an unknown key is an error (a typo must not silently change nothing).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{FixedOffset, NaiveDate};
use serde::Deserialize;

use crate::diag::{Diagnostic, Level, Loc};
use crate::model::Period;

pub const FILE_NAME: &str = "kitei.toml";

/// The folder in the project root for caches kitei may delete and rebuild at any time
/// (git-ignored): the loader's, the build stamp and the archived releases'.
pub const CACHE_DIR: &str = ".kitei-cache";

/// The skeleton every regulation of this kind has (DOMAIN.md), in order.
pub const DEFAULT_SECTIONS: [&str; 14] = [
    "趣旨",
    "対象者",
    "対象システム",
    "遵守事項",
    "平時の準備",
    "事象の検知・報告・分析",
    "封じ込め・根絶・復旧",
    "報告・公表",
    "インシデントからの学習",
    "運用確認事項",
    "例外事項",
    "罰則事項",
    "公開事項",
    "改訂",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ja,
    En,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Name of the organisation, shown on the site and in bundles.
    pub organisation: String,
    pub lang: Lang,
    /// `Asia/Tokyo`, another zone without daylight saving, `UTC`, or an offset like `+09:00`.
    pub time_zone: String,
    /// The source folder, relative to the project root.
    pub source: PathBuf,
    /// Pins the evaluation date ("as of") for reproducible checks. Leave unset in a real
    /// repository so that overdue duties fail its CI.
    pub as_of: Option<String>,
    /// Rule levels by code or name: `allow`, `warn` or `deny`.
    pub rules: BTreeMap<String, String>,
    pub regulation: RegulationConfig,
    pub duties: DutiesConfig,
    pub appi: AppiConfig,
    pub versions: VersionsConfig,
    pub evidence: EvidenceConfig,
    pub search: SearchConfig,
    /// Names of incident types shown on the site (id → name), added to and overriding the
    /// shipped table (`src/render/incident_types.toml`).
    pub incident_types: BTreeMap<String, String>,
    pub acknowledgements: AcknowledgementsConfig,
    pub pdf: PdfConfig,
}

/// Site search.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    /// More spellings of one word, added to the shipped table (`src/render/spelling_variants.toml`):
    /// each list's first spelling is the one the others are searched as.
    pub variants: Vec<Vec<String>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            organisation: String::new(),
            lang: Lang::Ja,
            time_zone: "Asia/Tokyo".into(),
            source: PathBuf::from("policy-src"),
            as_of: None,
            rules: BTreeMap::new(),
            regulation: RegulationConfig::default(),
            duties: DutiesConfig::default(),
            appi: AppiConfig::default(),
            versions: VersionsConfig::default(),
            evidence: EvidenceConfig::default(),
            search: SearchConfig::default(),
            incident_types: BTreeMap::new(),
            acknowledgements: AcknowledgementsConfig::default(),
            pdf: PdfConfig::default(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegulationConfig {
    /// Section titles every `kind: regulation` document must have, in this order.
    pub required_sections: Vec<String>,
    /// More names for a required section (title → synonyms), added to the shipped table.
    pub section_synonyms: BTreeMap<String, Vec<String>>,
    /// Documents the regulation may name that are not in the corpus (就業規則, …).
    pub external_documents: Vec<String>,
    /// prh-style wording dictionaries (paths relative to kitei.toml), read after kitei's own.
    pub dictionaries: Vec<PathBuf>,
}

impl Default for RegulationConfig {
    fn default() -> Self {
        RegulationConfig {
            required_sections: DEFAULT_SECTIONS.iter().map(|s| s.to_string()).collect(),
            section_synonyms: BTreeMap::new(),
            external_documents: Vec::new(),
            dictionaries: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DutiesConfig {
    /// How often the response procedures must be drilled.
    pub drill_every: String,
    /// How recently every contact must have been verified.
    pub contact_verify_every: String,
    /// The review cycle of a regulation that states none (`review_every`).
    pub review_every: String,
}

impl Default for DutiesConfig {
    fn default() -> Self {
        DutiesConfig {
            drill_every: "12 months".into(),
            contact_verify_every: "6 months".into(),
            review_every: "12 months".into(),
        }
    }
}

/// Deadlines for acknowledging a revision (周知, `[acknowledgements]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AcknowledgementsConfig {
    /// Everyone bound acknowledges a new revision within this period of its effective date.
    pub within: String,
    /// A person who joins after a revision took effect acknowledges it within this period of
    /// joining.
    pub joiners_within: String,
    /// The mailbox of the site's "I have read this revision" button (a `mailto:` receipt);
    /// without it the button is not shown.
    pub receipt_to: Option<String>,
}

impl Default for AcknowledgementsConfig {
    fn default() -> Self {
        AcknowledgementsConfig {
            within: "30 days".into(),
            joiners_within: "14 days".into(),
            receipt_to: None,
        }
    }
}

/// How evidence bundles are sealed (`[evidence]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EvidenceConfig {
    /// Every seal (`kitei seal` and the one `kitei build` makes) must be signed: without a
    /// usable key it is an error, never an unsigned bundle.
    pub sign: bool,
    /// The secret key file (relative to the project folder), used when the environment
    /// variable `key_env` is not set.
    pub key: Option<PathBuf>,
    /// The environment variable holding the secret key's text (for CI secrets); its password
    /// comes from `KITEI_SIGN_PASSWORD`.
    pub key_env: String,
    /// Where `kitei publish` keeps the chain: `s3://bucket/prefix` or a folder.
    pub store: Option<String>,
    /// How long the store keeps every published object (`7 years`): the Object Lock
    /// retain-until is the publish time plus this.
    pub retention: Option<String>,
}

impl Default for EvidenceConfig {
    fn default() -> Self {
        EvidenceConfig {
            sign: false,
            key: None,
            key_env: "KITEI_SIGN_KEY".into(),
            store: None,
            retention: None,
        }
    }
}

/// The PDFs (`[pdf]`).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct PdfConfig {
    /// Font files or folders (relative to the project folder) to set the PDFs in; at least
    /// one must cover Japanese. Empty: the system's IPAex, Noto CJK or IPA fonts.
    pub fonts: Vec<PathBuf>,
}

/// Released versions: git tags that `kitei build` renders as archived versions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VersionsConfig {
    /// Tags that are releases of the policy (a glob; the part matched by `*` names the
    /// version: `policy-v2026.1` → `2026.1`).
    pub tag_pattern: String,
    /// Where the site is published (`https://intranet.example.jp/policy/`): makes the links
    /// of the Atom feed absolute. Optional; without it they are relative to the feed.
    pub site_url: Option<String>,
}

impl Default for VersionsConfig {
    fn default() -> Self {
        VersionsConfig {
            tag_pattern: "policy-v*".into(),
            site_url: None,
        }
    }
}

/// Day counting for the APPI reports (施行規則 8条). Calendar days; the day the company knew
/// is day 1 by default (the conservative reading, see README).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AppiConfig {
    pub preliminary_warn_days: u32,
    pub preliminary_days: u32,
    pub final_days: u32,
    pub final_days_malicious: u32,
    pub count_knowledge_day: bool,
    /// Persons above which a leak is reportable (APPI: more than 1,000).
    pub threshold: u64,
    /// Persons above which a My Number leak is reportable (more than 100).
    pub my_number_threshold: u64,
}

impl Default for AppiConfig {
    fn default() -> Self {
        AppiConfig {
            preliminary_warn_days: 3,
            preliminary_days: 5,
            final_days: 30,
            final_days_malicious: 60,
            count_knowledge_day: true,
            threshold: 1000,
            my_number_threshold: 100,
        }
    }
}

/// A project: its root folder and settings, with the derived values checked once.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub config: Config,
    pub tz: FixedOffset,
    pub drill_every: Period,
    pub contact_verify_every: Period,
    /// The default review cycle (`duties.review_every`).
    pub review_every: Period,
    /// `[acknowledgements] within` and `joiners_within`.
    pub ack_within: Period,
    pub ack_joiners_within: Period,
    pub rule_levels: BTreeMap<String, Level>,
    /// The SHA-256 of `kitei.toml` as it was read (of nothing when there is none): the
    /// settings in one value, for the keys of what is made from them (page reuse).
    pub config_digest: crate::digest::Hash,
}

impl Project {
    /// Reads `kitei.toml` from `root` (defaults when absent).
    pub fn open(root: &Path) -> Result<Project, Diagnostic> {
        let path = root.join(FILE_NAME);
        let display = PathBuf::from(FILE_NAME);
        let mut config_digest = crate::digest::key(&[b"no kitei.toml"]);
        let config = match crate::files::read_regular(&path) {
            Ok(bytes) => {
                config_digest = crate::digest::key(&[b"kitei.toml", &bytes]);
                let text = crate::text::encoding::decode_utf8(bytes)
                    .map_err(|m| Diagnostic::error("K0102", m).at(Loc::file(&display)))?;
                toml::from_str::<Config>(&text).map_err(|e| toml_diagnostic(&e, &text, &display))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(e) => {
                return Err(Diagnostic::error(
                    "K0101",
                    format!("cannot read {}: {e}", path.display()),
                )
                .help("check the file's permissions"));
            }
        };
        let bad = |field: &str, message: String| {
            Diagnostic::error("K0110", message)
                .at(Loc::file(&display))
                .help(format!("fix `{field}` in {FILE_NAME}"))
        };
        let tz = parse_time_zone(&config.time_zone).map_err(|m| bad("time_zone", m))?;
        let drill_every = config
            .duties
            .drill_every
            .parse()
            .map_err(|m| bad("duties.drill_every", m))?;
        let contact_verify_every = config
            .duties
            .contact_verify_every
            .parse()
            .map_err(|m| bad("duties.contact_verify_every", m))?;
        let review_every = config
            .duties
            .review_every
            .parse()
            .map_err(|m| bad("duties.review_every", m))?;
        let ack_within = config
            .acknowledgements
            .within
            .parse()
            .map_err(|m| bad("acknowledgements.within", m))?;
        let ack_joiners_within = config
            .acknowledgements
            .joiners_within
            .parse()
            .map_err(|m| bad("acknowledgements.joiners_within", m))?;
        let mut rule_levels = BTreeMap::new();
        for (rule, word) in &config.rules {
            let level = Level::parse_setting(word).ok_or_else(|| {
                bad(
                    "rules",
                    format!("`{word}` is not a rule level; use allow, warn or deny"),
                )
            })?;
            rule_levels.insert(rule.clone(), level);
        }
        if let Some(as_of) = &config.as_of {
            parse_date(as_of).map_err(|m| bad("as_of", m))?;
        }
        Ok(Project {
            root: root.to_path_buf(),
            config,
            tz,
            drill_every,
            contact_verify_every,
            review_every,
            ack_within,
            ack_joiners_within,
            rule_levels,
            config_digest,
        })
    }

    /// The evaluation date and where it came from: `--as-of`, then `as_of` in kitei.toml, then
    /// `SOURCE_DATE_EPOCH`, then today, each read in the configured time zone.
    pub fn as_of(&self, cli: Option<NaiveDate>) -> Result<(NaiveDate, &'static str), Diagnostic> {
        if let Some(date) = cli {
            return Ok((date, "--as-of"));
        }
        if let Some(pinned) = &self.config.as_of {
            let date = parse_date(pinned).map_err(|m| Diagnostic::error("K0110", m))?;
            return Ok((date, "pinned by as_of in kitei.toml"));
        }
        if let Some(when) = source_date_epoch().map_err(|m| {
            Diagnostic::error("K0110", m)
                .help("set it to a Unix time, e.g. `git log -1 --format=%ct`, or unset it")
        })? {
            return Ok((
                when.with_timezone(&self.tz).date_naive(),
                "SOURCE_DATE_EPOCH",
            ));
        }
        Ok((
            chrono::Utc::now().with_timezone(&self.tz).date_naive(),
            "today",
        ))
    }

    pub fn source_dir(&self) -> PathBuf {
        self.root.join(&self.config.source)
    }

    /// The files and folders kitei.toml names that a build reads besides the source folder,
    /// `templates/` and kitei.toml itself: the wording dictionaries and the PDF fonts (as
    /// written, under the project folder). A build's fingerprint and `kitei serve`'s watch
    /// must cover them: they may live anywhere in the repository (`style/wording.yml`).
    pub fn named_inputs(&self) -> Vec<PathBuf> {
        self.config
            .regulation
            .dictionaries
            .iter()
            .chain(&self.config.pdf.fonts)
            .map(|path| self.root.join(path))
            .collect()
    }
}

fn toml_diagnostic(e: &toml::de::Error, text: &str, display: &Path) -> Diagnostic {
    let (line, column) = match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() as u32 + 1;
            let column = before
                .rsplit('\n')
                .next()
                .map(|l| l.chars().count())
                .unwrap_or(0) as u32
                + 1;
            (line, column)
        }
        None => (0, 0),
    };
    Diagnostic::error("K0110", e.message().to_string())
        .at(Loc::new(display, line, column))
        .help("see the README's kitei.toml section for the allowed keys")
}

/// `SOURCE_DATE_EPOCH` (reproducible builds) as an instant, `None` when unset. The one place
/// that reads it: the evaluation date, the build date, the scaffold's date and the seal's
/// timestamps all come from here.
pub fn source_date_epoch() -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
    let Ok(v) = std::env::var("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    let secs: i64 = v
        .trim()
        .parse()
        .map_err(|_| format!("SOURCE_DATE_EPOCH=`{v}` is not a number of seconds"))?;
    chrono::DateTime::from_timestamp(secs, 0)
        .map(Some)
        .ok_or_else(|| format!("SOURCE_DATE_EPOCH=`{v}` is out of range"))
}

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date; write YYYY-MM-DD"))
}

/// Zones without daylight saving that can be named, plus plain offsets. (A zone with DST
/// would need the tz database; an offset is explicit and enough for deadline arithmetic.)
pub fn parse_time_zone(name: &str) -> Result<FixedOffset, String> {
    const ZONES: [(&str, i32); 8] = [
        ("Asia/Tokyo", 9 * 3600),
        ("Asia/Seoul", 9 * 3600),
        ("Asia/Shanghai", 8 * 3600),
        ("Asia/Taipei", 8 * 3600),
        ("Asia/Singapore", 8 * 3600),
        ("Asia/Kolkata", 5 * 3600 + 1800),
        ("UTC", 0),
        ("Etc/UTC", 0),
    ];
    if let Some((_, secs)) = ZONES.iter().find(|(n, _)| *n == name) {
        return Ok(FixedOffset::east_opt(*secs).expect("valid offset"));
    }
    let bytes = name.as_bytes();
    if bytes.len() == 6 && (bytes[0] == b'+' || bytes[0] == b'-') && bytes[3] == b':' {
        let h: i32 = name[1..3]
            .parse()
            .map_err(|_| format!("bad offset `{name}`"))?;
        let m: i32 = name[4..6]
            .parse()
            .map_err(|_| format!("bad offset `{name}`"))?;
        let secs = (h * 3600 + m * 60) * if bytes[0] == b'-' { -1 } else { 1 };
        return FixedOffset::east_opt(secs)
            .ok_or_else(|| format!("offset `{name}` is out of range"));
    }
    Err(format!(
        "unknown time zone `{name}`; use Asia/Tokyo, UTC, another zone without daylight saving, or an offset like +09:00"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = Project::open(dir.path()).unwrap();
        assert_eq!(p.tz, FixedOffset::east_opt(9 * 3600).unwrap());
        assert_eq!(p.config.source, PathBuf::from("policy-src"));
        assert_eq!(p.config.regulation.required_sections.len(), 14);
    }

    #[test]
    fn unknown_key_is_located() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            "organisation = \"x\"\nlanguage = \"ja\"\n",
        )
        .unwrap();
        let d = Project::open(dir.path()).unwrap_err();
        assert_eq!(d.code, "K0110");
        assert_eq!(d.location.unwrap().line, 2);
        assert!(d.message.contains("language"), "{}", d.message);
    }

    #[test]
    fn bad_levels_and_zones_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "[rules]\nK0301 = \"loud\"\n").unwrap();
        assert!(
            Project::open(dir.path())
                .unwrap_err()
                .message
                .contains("loud")
        );
        assert!(parse_time_zone("Europe/Berlin").is_err());
        assert_eq!(
            parse_time_zone("-05:30").unwrap().local_minus_utc(),
            -(5 * 3600 + 1800)
        );
    }
}
