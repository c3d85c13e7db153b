//! The typed policy corpus. Every record knows the file it came from ([`FileId`]) and every
//! value that a rule may point at carries its line ([`At`]).

pub mod acknowledgement;
pub mod document;
pub mod hours;
pub mod incident;
pub mod reach;
pub mod receipt;
pub mod records;
pub mod schema;
pub mod tables;
pub mod values;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

pub use acknowledgement::{AckFile, AckMethod, Acknowledgement, Binding, RosterPerson};
pub use document::{DocKind, Document};
pub use incident::Incident;
pub use records::{Drill, Exception, Review};
pub use tables::{Organisation, Person, RecoveryPriority, Role, SeverityLevel, System};
pub use values::{At, Date, Period, Ref, RefKind, Timestamp, Visibility};

use rustc_hash::FxHashMap;

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
    /// Boxed as the loader parsed them: moving 100,000 of these large records out of their
    /// boxes into one vector took 100 ms of a cold `check`, on one thread while the others
    /// waited.
    pub incidents: Vec<Sourced<Box<Incident>>>,
    pub drills: Vec<Sourced<Drill>>,
    pub reviews: Vec<Sourced<Review>>,
    pub exceptions: Vec<Sourced<Exception>>,
    /// The roster (`roster.yaml`): people bound by documents, and which documents bind whom.
    pub roster: Vec<Sourced<RosterPerson>>,
    pub bindings: Vec<Sourced<Binding>>,
    /// Acknowledgement files (`acknowledgements/**/*.yaml`), one revision of one document each.
    pub acknowledgements: Vec<Sourced<AckFile>>,
    /// Which table files were present (a missing `contacts.yaml` is itself a finding).
    pub tables_present: BTreeMap<&'static str, FileId>,
    /// Lookup tables by id, built on the first lookup (the corpus is not changed after
    /// loading): rules look records up once per reference, which must not scan every record.
    pub index: OnceLock<Index>,
}

/// Where a record with a given id was defined.
#[derive(Debug, Clone)]
pub struct Defined {
    pub kind: RefKind,
    pub file: FileId,
    pub line: u32,
    pub column: u32,
}

/// The corpus's one index by id: where every id was first defined (ids are unique
/// corpus-wide; the rules check that), and positions in [`Corpus`]'s vectors for the records
/// looked up by id. The first record wins, as a linear search would. Fx-hashed: the rules look
/// up every reference of every record (ids are the repository's own, no denial-of-service
/// concern).
#[derive(Debug, Default)]
pub struct Index {
    ids: FxHashMap<String, Defined>,
    documents: FxHashMap<String, usize>,
    roles: FxHashMap<String, usize>,
    people: FxHashMap<String, usize>,
    organisations: FxHashMap<String, usize>,
    systems: FxHashMap<String, usize>,
    incidents: FxHashMap<String, usize>,
    drills: FxHashMap<String, usize>,
    reviews: FxHashMap<String, usize>,
    exceptions: FxHashMap<String, usize>,
}

fn first_by_id<'a>(ids: impl Iterator<Item = &'a str>) -> FxHashMap<String, usize> {
    let mut map = FxHashMap::default();
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

    /// Every record id with its kind and position, in corpus order (duplicates included).
    pub fn all_ids<'a>(&'a self) -> Vec<(&'a str, Defined)> {
        let mut ids = Vec::new();
        let mut add = |kind, file: FileId, id: &'a At<String>| {
            ids.push((
                id.value.as_str(),
                Defined {
                    kind,
                    file,
                    line: id.line,
                    column: id.column,
                },
            ));
        };
        for d in &self.documents {
            let kind = if d.kind() == DocKind::Runbook {
                RefKind::Runbook
            } else {
                RefKind::Doc
            };
            add(kind, d.file, &d.meta.id);
        }
        self.roles
            .iter()
            .for_each(|r| add(RefKind::Role, r.file, &r.id));
        self.people
            .iter()
            .for_each(|p| add(RefKind::Contact, p.file, &p.id));
        self.organisations
            .iter()
            .for_each(|o| add(RefKind::Contact, o.file, &o.id));
        self.systems
            .iter()
            .for_each(|s| add(RefKind::System, s.file, &s.id));
        self.incidents
            .iter()
            .for_each(|i| add(RefKind::Incident, i.file, &i.id));
        self.drills
            .iter()
            .for_each(|d| add(RefKind::Drill, d.file, &d.id));
        self.reviews
            .iter()
            .for_each(|r| add(RefKind::Review, r.file, &r.id));
        self.exceptions
            .iter()
            .for_each(|e| add(RefKind::Exception, e.file, &e.id));
        ids
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index {
            ids: self
                .all_ids()
                .into_iter()
                .fold(FxHashMap::default(), |mut map, (id, def)| {
                    map.entry(id.to_string()).or_insert(def);
                    map
                }),
            documents: first_by_id(self.documents.iter().map(|d| d.id())),
            roles: first_by_id(self.roles.iter().map(|r| r.id.value.as_str())),
            people: first_by_id(self.people.iter().map(|p| p.id.value.as_str())),
            organisations: first_by_id(self.organisations.iter().map(|o| o.id.value.as_str())),
            systems: first_by_id(self.systems.iter().map(|s| s.id.value.as_str())),
            incidents: first_by_id(self.incidents.iter().map(|i| i.id.value.as_str())),
            drills: first_by_id(self.drills.iter().map(|d| d.id.value.as_str())),
            reviews: first_by_id(self.reviews.iter().map(|r| r.id.value.as_str())),
            exceptions: first_by_id(self.exceptions.iter().map(|e| e.id.value.as_str())),
        })
    }

    /// Where the record with this id was first defined.
    pub fn defined(&self, id: &str) -> Option<&Defined> {
        self.index().ids.get(id)
    }

    /// Every id with where it was first defined, in no particular order.
    pub fn ids(&self) -> impl Iterator<Item = (&str, &Defined)> {
        self.index().ids.iter().map(|(id, d)| (id.as_str(), d))
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

    pub fn system(&self, id: &str) -> Option<&Sourced<System>> {
        let found = self.index().systems.get(id).map(|&i| &self.systems[i]);
        debug_assert!(found.is_none_or(|r| r.id.value == id), "stale corpus index");
        found
    }

    pub fn incident(&self, id: &str) -> Option<&Sourced<Box<Incident>>> {
        let found = self.index().incidents.get(id).map(|&i| &self.incidents[i]);
        debug_assert!(found.is_none_or(|r| r.id.value == id), "stale corpus index");
        found
    }

    pub fn drill(&self, id: &str) -> Option<&Sourced<Drill>> {
        let found = self.index().drills.get(id).map(|&i| &self.drills[i]);
        debug_assert!(found.is_none_or(|r| r.id.value == id), "stale corpus index");
        found
    }

    pub fn review(&self, id: &str) -> Option<&Sourced<Review>> {
        let found = self.index().reviews.get(id).map(|&i| &self.reviews[i]);
        debug_assert!(found.is_none_or(|r| r.id.value == id), "stale corpus index");
        found
    }

    pub fn exception(&self, id: &str) -> Option<&Sourced<Exception>> {
        let found = self
            .index()
            .exceptions
            .get(id)
            .map(|&i| &self.exceptions[i]);
        debug_assert!(found.is_none_or(|r| r.id.value == id), "stale corpus index");
        found
    }
}
