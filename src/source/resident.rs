//! What a process that loads the same source folder again and again (`kitei serve`) keeps of
//! its last load, so that the next load reads only the files whose stat changed.
//!
//! The loader's cache on disk ([`super::cache`]) saves the parsing of unchanged files but not
//! their decoding: after one changed file at 10,000 documents and as many incidents, reading
//! the 100 MB cache and decoding its 20,000 records was a fifth of a build's CPU. A process
//! that has just built keeps the records themselves instead. When its build is done, the
//! corpus is taken apart again ([`Resident::keep`]): each record goes back to its file, beside
//! the stat the loader took and the file's digest, and the next load ([`super::load_resident_then`])
//! moves the records of files whose stat is unchanged into the new corpus. Nothing is copied
//! or decoded; the kept records are exactly the values the loader made from the same bytes.
//!
//! A kept file is trusted as the cache trusts an entry ([`super::cache::stat_trusted`]): the
//! same stat, and modified more than [`super::cache::RACY`] before the load that took the
//! stat started. Files that failed to parse, and the few table files (roles, contacts,
//! systems, severity, roster), are not kept: they are read again each time.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use super::walk::Listing;
use super::{FileClass, Parsed, cache};
use crate::model::{Corpus, SourceFile};

/// What one load saw of its files, beside its corpus: with it the corpus can be kept.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The source folder (canonical) and its path as shown in messages.
    canonical_root: PathBuf,
    display_root: PathBuf,
    /// When the scan started (the moment the racy rule measures against).
    started: cache::Time,
    /// The stat the loader took of each file of the corpus (`None` where there is none), and
    /// the file's class; empty for a load that was not asked to keep anything (see
    /// [`super::load_resident_then`]).
    stats: Vec<(Option<cache::Stat>, FileClass)>,
    /// Every file the load listed (whether it is a symbolic link), for a next listing made
    /// from file events ([`Resident::seeing`]); `None` when the walk met an unreadable folder.
    listing: Option<Listing>,
}

impl Seen {
    pub(super) fn new(
        canonical_root: PathBuf,
        display_root: PathBuf,
        started: cache::Time,
        stats: Vec<(Option<cache::Stat>, FileClass)>,
        listing: Option<Listing>,
    ) -> Seen {
        Seen {
            canonical_root,
            display_root,
            started,
            stats,
            listing,
        }
    }
}

/// The records of the last load, by file, for the next load of the same folder.
pub struct Resident {
    canonical_root: PathBuf,
    display_root: PathBuf,
    started: cache::Time,
    /// By path inside the source folder. Boxed: the loader lines up a slot per walked file,
    /// most of them empty.
    files: FxHashMap<OsString, Box<Kept>>,
    /// Every file the last load listed (see [`Seen`]).
    listing: Option<Listing>,
    /// What file events said since the last load.
    events: Events,
}

/// What file events said about the source folder since a resident's load.
enum Events {
    /// Nothing: no one said they were watching. The next load walks the folder.
    Unwatched,
    /// The paths events named ([`Resident::seeing`]).
    Named(Vec<PathBuf>),
    /// Some may have been lost ([`Resident::walk_next`]): the next load walks the folder.
    Lost,
}

/// One file kept: its stat when it was read, the file as the corpus lists it, and its record.
pub(super) struct Kept {
    pub stat: cache::Stat,
    pub file: SourceFile,
    pub parsed: Parsed,
}

impl Resident {
    /// Nothing kept yet: handed to a first load, it asks that load to collect what keeping its
    /// corpus needs.
    pub fn empty() -> Resident {
        Resident {
            canonical_root: PathBuf::new(),
            display_root: PathBuf::new(),
            started: (0, 0),
            files: FxHashMap::default(),
            listing: None,
            events: Events::Unwatched,
        }
    }

    /// The resident with more paths (absolute) that file events named since its load, by a
    /// watcher that was watching before that load began: the next load stats only those and
    /// lists every other file as the last load found it ([`super::walk::relist`]), instead of
    /// walking the folder. Events that may have been lost (a watcher's queue overflowed) must
    /// not be given: say [`Resident::walk_next`].
    pub fn seeing(mut self, changes: Vec<PathBuf>) -> Resident {
        match &mut self.events {
            Events::Unwatched => self.events = Events::Named(changes),
            Events::Named(named) => named.extend(changes),
            Events::Lost => {}
        }
        self
    }

    /// The next load walks the folder (file events may have been lost since this one's load).
    pub fn walk_next(mut self) -> Resident {
        self.events = Events::Lost;
        self
    }

    /// What the last load listed, and the paths inside the source folder that events named
    /// since (relative); `None` when the folder has to be walked (no events given, or one
    /// named the folder itself or a folder above it).
    pub(super) fn changes(&self) -> Option<(&Listing, Vec<PathBuf>)> {
        let listing = self.listing.as_ref()?;
        let Events::Named(named) = &self.events else {
            return None;
        };
        let mut inside = Vec::new();
        for path in named {
            if self.canonical_root.starts_with(path) {
                return None;
            }
            if let Ok(rel) = path.strip_prefix(&self.canonical_root) {
                inside.push(rel.to_path_buf());
            }
        }
        Some((listing, inside))
    }

    /// Takes `corpus` apart into its files' records. `seen` must be the one its load returned.
    pub fn keep(corpus: Corpus, seen: Seen) -> Resident {
        let Corpus {
            files,
            documents,
            incidents,
            drills,
            reviews,
            exceptions,
            acknowledgements,
            ..
        } = corpus;
        if seen.stats.len() != files.len() {
            // A load that was not asked to keep anything.
            return Resident::empty();
        }
        let classes: Vec<FileClass> = seen.stats.iter().map(|(_, class)| *class).collect();
        let mut parsed: Vec<Option<Parsed>> = classes
            .iter()
            .map(|class| {
                matches!(class, FileClass::Attachment | FileClass::Unknown)
                    .then_some(Parsed::Nothing)
            })
            .collect();
        for d in documents {
            parsed[d.file] = Some(Parsed::Document(Box::new(d.item)));
        }
        for i in incidents {
            parsed[i.file] = Some(Parsed::Incident(i.item));
        }
        for d in drills {
            parsed[d.file] = Some(Parsed::Drill(d.item));
        }
        for r in reviews {
            parsed[r.file] = Some(Parsed::Review(r.item));
        }
        for e in exceptions {
            parsed[e.file] = Some(Parsed::Exception(e.item));
        }
        for a in acknowledgements {
            let slot = &mut parsed[a.file];
            match (classes[a.file], slot) {
                (FileClass::Acknowledgements, slot) => {
                    *slot = Some(Parsed::Acknowledgements(a.item))
                }
                (FileClass::AckTable, Some(Parsed::AckTable(rows))) => rows.push(a.item),
                (FileClass::AckTable, slot) => *slot = Some(Parsed::AckTable(vec![a.item])),
                _ => {}
            }
        }
        let mut kept = FxHashMap::default();
        kept.reserve(files.len());
        for ((file, stat), parsed) in files.into_iter().zip(seen.stats).zip(parsed) {
            if let ((Some(stat), _), Some(parsed)) = (stat, parsed) {
                let path = file.rel_path.clone().into_os_string();
                kept.insert(path, Box::new(Kept { stat, file, parsed }));
            }
        }
        Resident {
            canonical_root: seen.canonical_root,
            display_root: seen.display_root,
            started: seen.started,
            files: kept,
            listing: seen.listing,
            events: Events::Unwatched,
        }
    }

    /// How many files are kept.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Whether the records were loaded from the same folder, shown under the same path.
    pub(super) fn fits(&self, canonical_root: &Path, display_root: &Path) -> bool {
        self.canonical_root == canonical_root && self.display_root == display_root
    }

    /// The kept file at each of `paths` (in walk order) that may be used as it is: `stats`
    /// are the stats the walk took. Whatever is left in the resident goes with it.
    /// A file listed `unchanged` ([`super::walk::relist`]) has the stat it was kept with.
    pub(super) fn take<'p>(
        mut self,
        paths: impl Iterator<Item = (&'p Path, Option<cache::Stat>, bool)>,
    ) -> Vec<Option<Box<Kept>>> {
        paths
            .map(|(path, now, unchanged)| {
                let kept = self.files.remove(path.as_os_str())?;
                let now = if unchanged { Some(kept.stat) } else { now };
                cache::stat_trusted(&kept.stat, now.as_ref(), self.started).then_some(kept)
            })
            .collect()
    }
}
