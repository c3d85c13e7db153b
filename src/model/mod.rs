//! The typed policy corpus. Every record knows the file it came from ([`FileId`]) and every
//! value that a rule may point at carries its line ([`At`]).

pub mod document;
pub mod incident;
pub mod records;
pub mod tables;
pub mod values;

use std::collections::BTreeMap;
use std::path::PathBuf;

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

    pub fn document(&self, id: &str) -> Option<&Sourced<Document>> {
        self.documents.iter().find(|d| d.id() == id)
    }

    pub fn role(&self, id: &str) -> Option<&Sourced<Role>> {
        self.roles.iter().find(|r| r.id.value == id)
    }

    pub fn organisation(&self, id: &str) -> Option<&Sourced<Organisation>> {
        self.organisations.iter().find(|o| o.id.value == id)
    }
}
