//! Rules the loader reports (files, encodings, YAML, front matter, kitei.toml). Their logic
//! lives in `source/` and `config.rs`, which sit below `check` and emit these codes as
//! strings; a unit test in registry.rs keeps every emitted code declared here.

use super::Rule;
use crate::diag::Level;

/// The rules of this family, in code order.
pub(super) static RULES: &[&Rule] = &[
    &UNREADABLE_FILE,
    &NOT_UTF8,
    &INVALID_YAML,
    &FRONT_MATTER,
    &UNKNOWN_FILE,
    &EVIDENCE_PATH,
    &SYMLINK_ESCAPE,
    &INVALID_CONFIG,
];

pub static UNREADABLE_FILE: Rule = Rule {
    code: "K0101",
    name: "unreadable-file",
    level: Level::Error,
    summary: "a file or folder cannot be read",
    explanation: "kitei could not open a file or folder of the project (missing folder, permissions). Nothing \
         else can be checked about it. Fix the path or the permissions.",
};

pub static NOT_UTF8: Rule = Rule {
    code: "K0102",
    name: "not-utf8",
    level: Level::Error,
    summary: "a source file is not UTF-8",
    explanation: "Sources must be UTF-8 (a byte-order mark is accepted). Files saved as Shift_JIS (CP932), \
         EUC-JP or UTF-16 are refused rather than guessed, because a wrong guess silently changes \
         the regulation's text. The message names the likely encoding and an iconv command.",
};

pub static INVALID_YAML: Rule = Rule {
    code: "K0103",
    name: "invalid-yaml",
    level: Level::Error,
    summary: "YAML (or an acknowledgement table) that cannot be read into the record's schema",
    explanation: "Covers YAML syntax errors, wrong value types, duplicate keys, unknown fields and unknown \
         values. Unknown fields are errors on purpose: a misspelt `closed_at` must not quietly \
         leave an incident without a closing time. The help line suggests the closest allowed name. \
         Acknowledgement tables (acknowledgements/**/*.csv) are held to the same: an unknown, \
         repeated or missing column, a row with the wrong number of cells, an empty required cell, \
         a cell that is not a date, method or `doc:` reference, each at its line and column.",
};

pub static FRONT_MATTER: Rule = Rule {
    code: "K0104",
    name: "front-matter",
    level: Level::Error,
    summary: "a Markdown document without valid front matter",
    explanation: "Regulations and runbooks start with YAML front matter between two `---` lines at the very \
         top of the file. kitei splits it itself (pulldown-cmark's metadata option can delete body \
         text), so the first line must be exactly `---`.",
};

pub static UNKNOWN_FILE: Rule = Rule {
    code: "K0105",
    name: "unknown-file",
    level: Level::Error,
    summary: "a Markdown or YAML file in a place kitei does not read",
    explanation: "Records are found by where they live (docs/formats.md). A YAML or Markdown file anywhere \
         else would otherwise be dropped silently; move it or delete it.",
};

pub static EVIDENCE_PATH: Rule = Rule {
    code: "K0106",
    name: "evidence-path",
    level: Level::Error,
    summary: "an evidence path that leaves the source folder",
    explanation: "Evidence paths are relative to the source folder and may not use `..`, be absolute, or \
         pass through a symbolic link that leads outside: a bundle must only ever contain files \
         that are part of the reviewed repository.",
};

pub static SYMLINK_ESCAPE: Rule = Rule {
    code: "K0107",
    name: "symlink-escape",
    level: Level::Error,
    summary: "a symbolic link that leads outside the source folder",
    explanation: "A link to a file outside the source folder would let unreviewed content into the site \
         and the evidence bundles. Copy the file in instead.",
};

pub static INVALID_CONFIG: Rule = Rule {
    code: "K0110",
    name: "invalid-config",
    level: Level::Error,
    summary: "kitei.toml cannot be read",
    explanation: "kitei.toml has an unknown key, a wrong type, an unknown rule level, time zone or period.",
};
