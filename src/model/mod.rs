//! The typed policy corpus. Every record knows the file it came from ([`FileId`]) and every
//! value that a rule may point at carries its line ([`At`]).

pub mod document;
pub mod incident;
pub mod records;
pub mod tables;
pub mod values;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

pub use document::{DocKind, Document};
pub use incident::Incident;
pub use records::{Drill, Exception, Review};
pub use tables::{Organisation, Person, RecoveryPriority, Role, SeverityLevel, System};
pub use values::{At, Date, Period, Ref, RefKind, Timestamp, Visibility};

use crate::diag::Loc;

/// Index of a file in [`Corpus::files`].
pub type FileId = usize;

/// A source file as read: its path relative to the project root (for messages) and inside
/// the source folder (for evidence paths and bundles), and its bytes' SHA-256.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub display_path: PathBuf,
    pub rel_path: PathBuf,
    pub sha256: String,
    pub len: u64,
}

/// A record with the file it came from.
#[derive(Debug, Clone)]
pub struct Sourced<T> {
    pub file: FileId,
    pub item: T,
}

impl<T> std::ops::Deref for Sourced<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.item
    }
}

/// Everything loaded from the source folder.
#[derive(Debug, Default)]
pub struct Corpus {
    /// The source folder on disk.
    pub root: PathBuf,
    pub files: Vec<SourceFile>,
    pub documents: Vec<Sourced<Document>>,
    pub roles: Vec<Sourced<Role>>,
    pub people: Vec<Sourced<Person>>,
    pub organisations: Vec<Sourced<Organisation>>,
    pub systems: Vec<Sourced<System>>,
    pub recovery_priorities: Vec<Sourced<RecoveryPriority>>,
    pub severity_levels: Vec<Sourced<SeverityLevel>>,
    pub incidents: Vec<Sourced<Incident>>,
    pub drills: Vec<Sourced<Drill>>,
    pub reviews: Vec<Sourced<Review>>,
    pub exceptions: Vec<Sourced<Exception>>,
    /// Which table files were present (a missing `contacts.yaml` is itself a finding).
    pub tables_present: BTreeMap<&'static str, FileId>,
    /// Lookup tables by id, built on the first lookup (the corpus is not changed after
    /// loading): rules look records up once per reference, which must not scan every record.
    pub index: OnceLock<Index>,
}

/// Positions in [`Corpus`]'s vectors by id; the first record wins, as a linear search would.
#[derive(Debug, Default)]
pub struct Index {
    documents: HashMap<String, usize>,
    roles: HashMap<String, usize>,
    people: HashMap<String, usize>,
    organisations: HashMap<String, usize>,
}

fn first_by_id<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<String, usize> {
    let mut map = HashMap::new();
    for (i, id) in ids.enumerate() {
        map.entry(id.to_string()).or_insert(i);
    }
    map
}

impl Corpus {
    /// A location for a positioned value of a record from `file`.
    pub fn loc<T>(&self, file: FileId, at: &At<T>) -> Loc {
        Loc::new(self.files[file].display_path.clone(), at.line, at.column)
    }

    pub fn loc_line(&self, file: FileId, line: u32) -> Loc {
        Loc::new(self.files[file].display_path.clone(), line, 0)
    }

    pub fn file_loc(&self, file: FileId) -> Loc {
        Loc::file(self.files[file].display_path.clone())
    }

    pub fn runbooks(&self) -> impl Iterator<Item = &Sourced<Document>> {
        self.documents
            .iter()
            .filter(|d| d.kind() == DocKind::Runbook)
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index {
            documents: first_by_id(self.documents.iter().map(|d| d.id())),
            roles: first_by_id(self.roles.iter().map(|r| r.id.value.as_str())),
            people: first_by_id(self.people.iter().map(|p| p.id.value.as_str())),
            organisations: first_by_id(self.organisations.iter().map(|o| o.id.value.as_str())),
        })
    }

    pub fn document(&self, id: &str) -> Option<&Sourced<Document>> {
        let found = self.index().documents.get(id).map(|&i| &self.documents[i]);
        debug_assert!(found.is_none_or(|d| d.id() == id), "stale corpus index");
        found
    }

    pub fn role(&self, id: &str) -> Option<&Sourced<Role>> {
        let found = self.index().roles.get(id).map(|&i| &self.roles[i]);
        debug_assert!(found.is_none_or(|r| r.id.value == id), "stale corpus index");
        found
    }

    pub fn person(&self, id: &str) -> Option<&Sourced<Person>> {
        let found = self.index().people.get(id).map(|&i| &self.people[i]);
        debug_assert!(found.is_none_or(|p| p.id.value == id), "stale corpus index");
        found
    }

    pub fn organisation(&self, id: &str) -> Option<&Sourced<Organisation>> {
        let found = self
            .index()
            .organisations
            .get(id)
            .map(|&i| &self.organisations[i]);
        debug_assert!(found.is_none_or(|o| o.id.value == id), "stale corpus index");
        found
    }
}
