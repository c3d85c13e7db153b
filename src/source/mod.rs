//! Loading: walk the source folder, decode each file, split front matter, parse YAML into the
//! typed model. Every problem becomes a diagnostic and loading goes on, so that one run
//! reports all of them. Files are read and parsed in parallel; the corpus is assembled in
//! sorted path order so that results never depend on the file system.

pub mod ack_table;
pub mod cache;
pub mod frontmatter;
pub mod markdown;
pub mod resident;
pub mod walk;
pub mod yaml;

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use sha2::Digest as _;

use crate::config::Project;
use crate::diag::{Diagnostic, Loc, SourceMap};
use crate::model::acknowledgement::{AckFile, RosterFile};
use crate::model::document::{Document, FrontMatter};
use crate::model::tables::{ContactsFile, RolesFile, SeverityFile, SystemsFile};
use crate::model::{Corpus, Drill, Exception, FileId, Incident, Review, SourceFile, Sourced};
pub use resident::{Resident, Seen};

/// What a file is, decided by where it lives (docs/formats.md, "Where files go").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileClass {
    Document,
    Roles,
    Contacts,
    Systems,
    Severity,
    Incident,
    Drill,
    Review,
    Exception,
    Roster,
    Acknowledgements,
    /// Acknowledgements as a table (`acknowledgements/**/*.csv`).
    AckTable,
    /// Attachments and assets: hashed, never parsed.
    Attachment,
    /// A `.md`/`.yaml` file in a place kitei does not read: reported, not dropped silently.
    Unknown,
    /// Files kitei has no use for (editor droppings, the folder's own README).
    Ignored,
}

impl FileClass {
    /// Whether files of this class are parsed (and their text may be quoted).
    fn is_parsed(self) -> bool {
        !matches!(
            self,
            FileClass::Attachment | FileClass::Unknown | FileClass::Ignored
        )
    }
}

fn classify(rel: &Path) -> FileClass {
    let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
    {
        return FileClass::Ignored;
    }
    let ext = rel.extension().and_then(|e| e.to_str()).unwrap_or("");
    let is_yaml = ext == "yaml" || ext == "yml";
    let first = rel
        .components()
        .next()
        .and_then(|c| c.as_os_str().to_str())
        .unwrap_or("");
    let top_level = rel.components().count() == 1;
    match (first, top_level) {
        ("evidence" | "assets", false) => FileClass::Attachment,
        ("regulation" | "runbooks", false) if ext == "md" => FileClass::Document,
        ("incidents", false) if is_yaml => FileClass::Incident,
        ("drills", false) if is_yaml => FileClass::Drill,
        ("reviews", false) if is_yaml => FileClass::Review,
        ("exceptions", false) if is_yaml => FileClass::Exception,
        ("acknowledgements", false) if is_yaml => FileClass::Acknowledgements,
        ("acknowledgements", false) if ext == "csv" => FileClass::AckTable,
        (_, true) if is_yaml => match rel.file_stem().and_then(|s| s.to_str()) {
            Some("roles") => FileClass::Roles,
            Some("contacts") => FileClass::Contacts,
            Some("systems") => FileClass::Systems,
            Some("severity") => FileClass::Severity,
            Some("roster") => FileClass::Roster,
            _ => FileClass::Unknown,
        },
        ("README.md", true) => FileClass::Ignored,
        _ if is_yaml || ext == "md" => FileClass::Unknown,
        _ => FileClass::Ignored,
    }
}

/// The result of reading and parsing one file (stored in the cache as postcard).
#[derive(Serialize, Deserialize)]
enum Parsed {
    Document(Box<Document>),
    Roles(RolesFile),
    Contacts(ContactsFile),
    Systems(SystemsFile),
    Severity(SeverityFile),
    Incident(Box<Incident>),
    Drill(Drill),
    Review(Review),
    Exception(Exception),
    Roster(RosterFile),
    Acknowledgements(AckFile),
    AckTable(Vec<AckFile>),
    Nothing,
}

/// A [`Parsed`] document or incident by reference, encoded exactly as [`Parsed`] encodes it
/// (see the test `deferred_records_encode_as_parsed_ones`): the records parsed in this run are
/// encoded for the cache from the loaded corpus while the cache is written, a few at a time,
/// instead of all of them being held encoded until then (at 10,000 documents and as many
/// incidents, ≈ 100 MB on top of the corpus).
enum ParsedRef<'a> {
    Document(&'a Document),
    Incident(&'a Incident),
}

impl Serialize for ParsedRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The variant indices of `Parsed::Document` and `Parsed::Incident`.
        match self {
            ParsedRef::Document(d) => s.serialize_newtype_variant("Parsed", 0, "Document", d),
            ParsedRef::Incident(i) => s.serialize_newtype_variant("Parsed", 5, "Incident", i),
        }
    }
}

/// Which record of the corpus a cache entry's parsed value is encoded from at write time.
#[derive(Clone, Copy)]
enum Deferred {
    Document(usize),
    Incident(usize),
}

/// What is kept of a file's text for quoting it in messages.
enum Text {
    /// Nothing to quote (attachments, unknown files).
    None,
    /// The text as read: kept when parsing failed, for the diagnostic about to be shown.
    Kept(String),
    /// Parsed cleanly: read again from disk if a rule's finding quotes it (see
    /// [`SourceMap::on_disk`]).
    OnDisk,
}

/// A file as read: its record, its text and the parse outcome; the outer error means the
/// file could not be read or decoded at all.
type ReadResult = Result<(SourceFile, Text, Result<Parsed, Diagnostic>), Diagnostic>;

/// A loaded corpus, the source texts (for quoting in messages) and what went wrong.
pub struct Loaded {
    pub corpus: Corpus,
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    /// What the loader's cache saved (with the cache off, every file counts as read).
    pub cache: CacheStats,
    /// What the load saw of each file (to keep the corpus for the next load: [`Resident`]).
    pub seen: Seen,
}

/// How the files of one load were obtained.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Files not opened at all: their stat was unchanged (digest and parsed value reused).
    pub unchanged: usize,
    /// Files read and hashed whose digest was unchanged (parsed value reused).
    pub same_digest: usize,
    /// Files read, hashed and (when parseable) parsed.
    pub read: usize,
    /// Whether the cache was written.
    pub written: bool,
    /// Whether what was written was the delta (see [`cache`]), not the whole file.
    pub delta: bool,
}

/// How one file was obtained (see [`CacheStats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    /// Not looked at (see [`FileClass::Ignored`]).
    Ignored,
    Stat,
    Digest,
    Read,
}

/// One file's result and what to store about it in the cache.
struct Read<'a> {
    result: ReadResult,
    via: Via,
    /// The entry for the next run (none for ignored and unreadable files).
    entry: Option<cache::Entry<'a>>,
    /// The entry is the stored one, unchanged.
    same_entry: bool,
    /// The entry's parsed value is encoded from the corpus when the cache is written
    /// ([`ParsedRef`]).
    deferred: bool,
    /// The file's stat, taken before it was read, when the load keeps what it saw (none for
    /// ignored and unreadable files). Boxed: a load of 110,000 files holds every `Read` at once,
    /// and most loads keep nothing.
    stat: Option<Box<cache::Stat>>,
}

/// Loads the project's source folder, using and updating the loader's cache
/// (`.kitei-cache/source.bin`) unless `KITEI_CACHE=off`.
pub fn load(project: &Project) -> Result<Loaded, Diagnostic> {
    load_with(project, cache::Mode::from_env())
}

/// Loads the project's source folder without reading or writing the cache (for sources that
/// are loaded once, such as a release's tree in a temporary folder).
pub fn load_uncached(project: &Project) -> Result<Loaded, Diagnostic> {
    load_with(project, cache::Mode::Off)
}

/// How many source trees this process has loaded (the working tree and any release trees):
/// `KITEI_TIMINGS=1` prints it, and a test holds `kitei build` to one load.
pub fn load_count() -> usize {
    LOADS.load(std::sync::atomic::Ordering::Relaxed)
}

static LOADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Loads the project's source folder with the cache in the given mode.
pub fn load_with(project: &Project, mode: cache::Mode) -> Result<Loaded, Diagnostic> {
    load_at(project, mode, cache::now())
}

/// [`load_with`] for a scan that started at `started`: the moment the racy rule of the cache
/// measures against (see [`cache`]). Tests pass chosen moments, so that whether a file counts
/// as too recent never depends on how fast the machine is.
pub fn load_at(
    project: &Project,
    mode: cache::Mode,
    started: cache::Time,
) -> Result<Loaded, Diagnostic> {
    load_at_then(project, mode, started, None, |_| ()).map(|(loaded, ())| loaded)
}

/// [`load_with`], running `alongside` on the loaded corpus while the cache is written.
///
/// Writing the cache (encoding every parsed record, then the file) is a sixth of a cold load
/// and nothing after the load needs it, so the rules run beside it (`kitei check` and
/// `kitei build` pass them here) instead of after it.
pub fn load_then<R: Send>(
    project: &Project,
    mode: cache::Mode,
    alongside: impl FnOnce(&Loaded) -> R + Send,
) -> Result<(Loaded, R), Diagnostic> {
    load_at_then(project, mode, cache::now(), None, alongside)
}

/// [`load_then`] in a process that loads the same folder again and again (`kitei serve`): the
/// files whose stat is unchanged since `resident` was kept are not read, their records are
/// moved from it, and the cache on disk is neither read nor written. An empty resident (the
/// first load), one of another folder, or `KITEI_CACHE=off` loads as [`load_then`] does; the
/// result can be kept ([`Resident::keep`]) unless the cache is off.
pub fn load_resident_then<R: Send>(
    project: &Project,
    mode: cache::Mode,
    resident: Resident,
    alongside: impl FnOnce(&Loaded) -> R + Send,
) -> Result<(Loaded, R), Diagnostic> {
    load_at_then(project, mode, cache::now(), Some(resident), alongside)
}

/// [`load_at`] with a resident (see [`load_resident_then`]), for tests that choose the moment.
#[cfg(test)]
pub(crate) fn load_resident_at(
    project: &Project,
    resident: Resident,
    started: cache::Time,
) -> Result<Loaded, Diagnostic> {
    load_at_then(project, cache::Mode::On, started, Some(resident), |_| ())
        .map(|(loaded, ())| loaded)
}

fn load_at_then<R: Send>(
    project: &Project,
    mode: cache::Mode,
    started: cache::Time,
    resident: Option<Resident>,
    alongside: impl FnOnce(&Loaded) -> R + Send,
) -> Result<(Loaded, R), Diagnostic> {
    LOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut parts = crate::timings::Parts::start("load");
    let root = project.source_dir();
    let display_root = project.config.source.clone();
    let canonical_root = root.canonicalize().map_err(|e| {
        Diagnostic::error(
            "K0101",
            format!("cannot open the source folder {}: {e}", root.display()),
        )
        .help("create it, or set `source` in kitei.toml to the folder that holds the policy")
    })?;

    // What the load saw of each file is collected only for a load that was handed a resident
    // (an empty one the first time), to be kept in turn: 21,000 files' stats would be 1 MB
    // held for nothing by every other command.
    let keeping = resident.is_some() && mode != cache::Mode::Off;
    let resident = resident.filter(|r| {
        mode != cache::Mode::Off && !r.is_empty() && r.fits(&canonical_root, &display_root)
    });
    // What a resident keeps is newer than the cache on disk: with one, the disk is left alone.
    let key = (mode != cache::Mode::Off && resident.is_none())
        .then(cache::key)
        .flatten();
    let cache_path = cache::path(&project.root);
    let delta_path = cache::delta_path(&project.root);
    // Without a stored cache (or resident) no file is compared by its stat: the walk leaves
    // regular files unstat'ed and each read takes the stat from its open handle.
    let stat_files =
        resident.is_some() || key.is_some() && (cache_path.exists() || delta_path.exists());
    // In a process that watches the folder (`kitei serve`), the files are listed from the last
    // load's listing and the paths file events named since, not walked.
    let relisted = resident
        .as_ref()
        .and_then(Resident::changes)
        .and_then(|(listing, changed)| walk::relist(&root, listing, &changed));
    let walked = relisted.is_none();
    // The cache and its delta are read while the folder is walked.
    let ((stored, stored_delta), found) = rayon::join(
        || match &key {
            Some(key) => (
                cache::Stored::read(&cache_path, key),
                cache::Stored::read(&delta_path, key),
            ),
            None => (None, None),
        },
        || relisted.unwrap_or_else(|| walk::walk(&root, stat_files)),
    );
    let index = stored.as_ref().and_then(cache::Stored::index);
    let delta = stored_delta.as_ref().and_then(cache::Stored::index);
    parts.lap(if walked {
        "walk + cache read"
    } else {
        "listing from file events"
    });

    let mut diagnostics = Vec::new();
    let mut files = Vec::with_capacity(found.len());
    // What a next listing from file events starts from (see `Resident::seeing`).
    let mut listing = keeping.then(|| Vec::with_capacity(found.len()));
    for item in found {
        match item {
            walk::Item::File(f) => {
                if let Some(listing) = listing.as_mut() {
                    listing.push((f.rel.clone(), f.symlink));
                }
                if f.symlink
                    && let Err(d) = check_symlink(
                        &root.join(&f.rel),
                        &canonical_root,
                        &display_root.join(&f.rel),
                    )
                {
                    diagnostics.push(d);
                    continue;
                }
                files.push(f);
            }
            walk::Item::Error { path, message } => {
                listing = None;
                diagnostics.push(
                    Diagnostic::error(
                        "K0101",
                        format!("cannot read {}: {message}", path.display()),
                    )
                    .help("check the file's permissions"),
                );
            }
        }
    }

    let caching = key.is_some();
    let paths: Vec<&Path> = files.iter().map(|f| f.rel.as_path()).collect();
    let priors = cache::priors(index.as_ref(), delta.as_ref(), &paths);
    let kept: Vec<Option<Box<resident::Kept>>> = match resident {
        Some(resident) => resident.take(files.iter().map(|f| {
            let stat = f.meta.as_ref().and_then(cache::Stat::of);
            (f.rel.as_path(), stat, f.unchanged)
        })),
        None => files.iter().map(|_| None).collect(),
    };
    let results: Vec<(FileClass, Read, Option<bool>)> = files
        .into_par_iter()
        .zip(priors)
        .zip(kept)
        .map(|((f, prior), kept)| {
            let class = classify(&f.rel);
            if let Some(kept) = kept {
                return (class, read_kept(kept, class), None);
            }
            let in_delta = prior.map(|p| p.in_delta);
            let cached = Cached {
                prior: prior.map(|p| p.entry),
                made: prior.map(|p| p.made),
                caching,
                started,
                keeping,
            };
            let read = read_one(&root, &display_root, f, class, cached);
            (class, read, in_delta)
        })
        .collect();
    parts.lap("read + parse");

    // Sized up front: growing these by doubling would copy every record several times.
    let count = |class| results.iter().filter(|(c, ..)| *c == class).count();
    let mut corpus = Corpus {
        root: root.clone(),
        files: Vec::with_capacity(results.len()),
        documents: Vec::with_capacity(count(FileClass::Document)),
        incidents: Vec::with_capacity(count(FileClass::Incident)),
        ..Corpus::default()
    };
    // Files of the kinds that are parsed are quoted from disk when a finding needs them; texts
    // that failed to parse are kept (below), the rest were never text.
    let display_prefix = display_root.clone();
    let mut sources = SourceMap::on_disk(&project.root, move |path| {
        path.strip_prefix(&display_prefix)
            .is_ok_and(|rel| classify(rel).is_parsed())
    });
    let mut stats = CacheStats::default();
    let mut new_entries = Vec::with_capacity(if caching { results.len() } else { 0 });
    // How each of `new_entries` stands to the stored files.
    let mut kept = Vec::with_capacity(new_entries.capacity());
    // (index in `new_entries`, record), in increasing index order.
    let mut deferred: Vec<(usize, Deferred)> = Vec::new();
    // Aligned with `corpus.files` when keeping.
    let mut file_stats = Vec::with_capacity(if keeping { results.len() } else { 0 });
    for (class, read, in_delta) in results {
        match read.via {
            Via::Ignored => {}
            Via::Stat => stats.unchanged += 1,
            Via::Digest => stats.same_digest += 1,
            Via::Read => stats.read += 1,
        }
        let defer = read.deferred && read.entry.is_some();
        if read.entry.is_some() {
            kept.push(match (read.same_entry, in_delta) {
                (true, Some(false)) => cache::Kept::Main,
                (true, Some(true)) => cache::Kept::Delta,
                _ => cache::Kept::Changed,
            });
        }
        new_entries.extend(read.entry);
        let (file, text, parsed) = match read.result {
            Ok(ok) => ok,
            Err(d) => {
                diagnostics.push(d);
                continue;
            }
        };
        if class == FileClass::Ignored {
            continue;
        }
        let id: FileId = corpus.files.len();
        if class == FileClass::Unknown {
            diagnostics.push(
                Diagnostic::error("K0105", format!("kitei does not know what {} is", file.display_path.display()))
                    .at(Loc::file(&file.display_path))
                    .help(
                        "move it to regulation/ or runbooks/ (Markdown), incidents/, drills/, reviews/, exceptions/ \
                         (YAML records), or name it roles/contacts/systems/severity.yaml; see docs/formats.md",
                    ),
            );
        }
        if let Text::Kept(text) = text {
            sources.insert(file.display_path.clone(), text);
        }
        corpus.files.push(file);
        if keeping {
            file_stats.push((read.stat.map(|s| *s), class));
        }
        match parsed {
            Ok(parsed) => {
                let record = match &parsed {
                    Parsed::Document(_) => Some(Deferred::Document(corpus.documents.len())),
                    Parsed::Incident(_) => Some(Deferred::Incident(corpus.incidents.len())),
                    _ => None,
                };
                add_parsed(&mut corpus, id, parsed);
                if let (true, Some(record)) = (defer, record) {
                    deferred.push((new_entries.len() - 1, record));
                }
            }
            Err(d) => diagnostics.push(d),
        }
    }

    parts.lap("assemble");
    check_evidence_paths(&corpus, &canonical_root, &mut diagnostics);
    parts.lap("evidence paths");
    let mut loaded = Loaded {
        corpus,
        sources,
        diagnostics,
        cache: stats,
        seen: Seen::new(
            canonical_root.clone(),
            display_root,
            started,
            file_stats,
            listing,
        ),
    };
    let plan = match key {
        Some(_) => cache::plan(
            &kept,
            index.as_ref().map(cache::Index::len),
            delta.as_ref().map_or(0, cache::Index::len),
        ),
        None => cache::Plan::Nothing,
    };
    let (written, beside) = match (key, plan) {
        (Some(key), plan @ (cache::Plan::Whole | cache::Plan::Delta(_))) => {
            let corpus = &loaded.corpus;
            let encode_deferred = |entry: usize| {
                let at = deferred.binary_search_by_key(&entry, |(i, _)| *i).ok()?;
                match deferred[at].1 {
                    Deferred::Document(i) => {
                        cache::encode(&ParsedRef::Document(&corpus.documents[i]))
                    }
                    Deferred::Incident(i) => {
                        cache::encode(&ParsedRef::Incident(&corpus.incidents[i]))
                    }
                }
            };
            let write_cache = || {
                let written = match &plan {
                    cache::Plan::Delta(changed) => {
                        let entries: Vec<cache::Entry<'_>> =
                            changed.iter().map(|&i| new_entries[i].reborrow()).collect();
                        let encode = |k: usize| encode_deferred(changed[k]);
                        cache::write(&delta_path, &key, started, &entries, &encode)
                    }
                    _ => cache::write(&cache_path, &key, started, &new_entries, &encode_deferred)
                        .map(|()| {
                            // Stale entries would only cost reads (see [`cache`]).
                            let _ = std::fs::remove_file(&delta_path);
                        }),
                };
                match written {
                    Ok(()) => Some(matches!(plan, cache::Plan::Delta(_))),
                    Err(e) => {
                        if mode == cache::Mode::Debug {
                            eprintln!("kitei: source cache: {e}");
                        }
                        None
                    }
                }
            };
            rayon::join(write_cache, || alongside(&loaded))
        }
        _ => {
            // Nothing to write: the stored cache (the whole file, read into memory) goes now,
            // not after what runs next.
            drop(new_entries);
            drop((index, delta));
            drop((stored, stored_delta));
            (None, alongside(&loaded))
        }
    };
    loaded.cache.written = written.is_some();
    loaded.cache.delta = written == Some(true);
    let stats = loaded.cache;
    if mode == cache::Mode::Debug {
        eprintln!(
            "kitei: source cache {}: {} file(s) unchanged, {} with the same digest, {} read; {}",
            cache_path.display(),
            stats.unchanged,
            stats.same_digest,
            stats.read,
            match (stats.written, stats.delta) {
                (true, true) => "its delta written",
                (true, false) => "written",
                _ => "not written",
            },
        );
    }
    parts.lap("cache write (and what ran beside it)");
    Ok((loaded, beside))
}

fn check_symlink(path: &Path, canonical_root: &Path, display: &Path) -> Result<(), Diagnostic> {
    match path.canonicalize() {
        Ok(target) if target.starts_with(canonical_root) => Ok(()),
        Ok(target) => Err(Diagnostic::error(
            "K0107",
            format!(
                "symbolic link points outside the source folder (to {})",
                target.display()
            ),
        )
        .at(Loc::file(display))
        .help("copy the file into the source folder instead of linking to it")),
        Err(e) => Err(
            Diagnostic::error("K0107", format!("broken symbolic link: {e}"))
                .at(Loc::file(display))
                .help("remove the link or point it at a file inside the source folder"),
        ),
    }
}

/// What the cache says about one file.
struct Cached<'a> {
    /// The stored entry for the file's path.
    prior: Option<&'a cache::Entry<'a>>,
    /// When the stored file holding `prior` was made (see [`cache::Index::made`]).
    made: Option<cache::Time>,
    /// Whether to prepare an entry for the next run.
    caching: bool,
    /// When this scan started.
    started: cache::Time,
    /// Whether the load keeps each file's stat ([`Seen`]).
    keeping: bool,
}

/// Reads and parses one file, or takes what the cache knows about it (see [`cache`]). The text
/// is kept when parsing fails, so that the diagnostic can quote the offending line.
fn read_one<'a>(
    root: &Path,
    display_root: &Path,
    found: walk::Found,
    class: FileClass,
    cached: Cached<'a>,
) -> Read<'a> {
    let Cached {
        prior,
        made,
        caching,
        started,
        keeping,
    } = cached;
    let rel = found.rel;
    let display = display_root.join(&rel);
    let display = display.as_path();
    let path = root.join(&rel);
    let path = path.as_path();
    let source_file = |sha256: String, len: u64| SourceFile {
        display_path: display.into(),
        rel_path: rel.clone(),
        sha256,
        len,
    };
    // For a file that is ignored or could not be read: nothing to store, and nothing changes
    // if nothing was stored for it either.
    let read = |via, result, entry: Option<cache::Entry<'a>>| Read {
        same_entry: entry.is_none() && prior.is_none(),
        result,
        via,
        entry,
        deferred: false,
        stat: None,
    };
    if class == FileClass::Ignored {
        let file = source_file(String::new(), 0);
        return read(
            Via::Ignored,
            Ok((file, Text::None, Ok(Parsed::Nothing))),
            None,
        );
    }
    let fail = |e: std::io::Error| {
        Diagnostic::error("K0101", format!("cannot read file: {e}"))
            .at(Loc::file(display))
            .help("check the file's permissions")
    };
    let rel_str = rel.to_str().filter(|_| caching);
    // The walk's stat (the link's target for a link), taken before the file is read: a change
    // after it shows in the next run's stat. A regular file the walk did not stat (there was
    // no stored entry to compare with) is read here, with the stat of its open handle.
    let mut read_early = None;
    let from_handle = !found.symlink && prior.is_none() && class != FileClass::Attachment;
    let meta = match found.meta {
        Some(meta) => Ok(meta),
        None if from_handle => match crate::files::read_regular_stat(path) {
            Ok((bytes, meta)) => {
                read_early = Some(bytes);
                Ok(meta)
            }
            Err(e) => return read(Via::Read, Err(fail(e)), None),
        },
        None => std::fs::metadata(path),
    };
    // Only regular files are read: a FIFO, socket or device (or a link to one) is a finding,
    // never an open that could block.
    if let Ok(m) = &meta
        && !m.is_file()
    {
        let d = Diagnostic::error(
            "K0101",
            format!("cannot read file: {}", crate::files::kind_of(&m.file_type()) ),
        )
        .at(Loc::file(display))
        .help("kitei reads only regular files and folders; remove it or move it out of the source folder");
        return read(Via::Read, Err(d), None);
    }
    let stat = meta.as_ref().ok().and_then(cache::Stat::of);
    let kept_stat = stat.filter(|_| keeping).map(Box::new);
    let new_entry = |sha256: [u8; 32], parsed: Option<cache::Blob<'a>>| {
        rel_str.map(|r| cache::Entry {
            path: r.to_string().into(),
            stat,
            sha256,
            parsed,
        })
    };
    let reuse = |p: &'a cache::Entry<'a>, stat| cache::Entry {
        stat,
        ..p.reborrow()
    };

    // (a) Unchanged by stat: nothing is read.
    if let Some(p) = prior
        && let Some(made) = made
        && p.trusted(stat.as_ref(), made)
    {
        let len = stat.map_or(0, |s| s.len);
        let hit = match class {
            FileClass::Attachment | FileClass::Unknown => Some((Text::None, Parsed::Nothing)),
            _ => decode_parsed(p, class).map(|parsed| (Text::OnDisk, parsed)),
        };
        if let Some((text, parsed)) = hit {
            let file = source_file(crate::digest::hex(&p.sha256), len);
            return Read {
                result: Ok((file, text, Ok(parsed))),
                via: Via::Stat,
                entry: Some(p.reborrow()),
                same_entry: true,
                deferred: false,
                stat: kept_stat,
            };
        }
    }
    // Whether storing `entry` changes nothing. An entry that could be used without reading the
    // file but was too recent to be trusted is stored again once it no longer is (relative to
    // this scan), so that the next run trusts it. (A file that failed to parse has nothing to
    // reuse: it is read every time, and its unchanged entry is not written again.)
    let unchanged = |entry: &Option<cache::Entry<'_>>| match (prior, entry) {
        (Some(p), Some(e)) => {
            let usable = e.parsed.is_some() || !class.is_parsed();
            let trustable_now = e.stat.is_some_and(|s| !cache::is_racy(&s, started));
            p == e && !(usable && trustable_now)
        }
        _ => false,
    };

    // Attachments can be GiBs (disk images, packet captures): hash them streaming, never
    // holding them in memory (`kitei seal` re-checks length and digest as it copies them).
    if class == FileClass::Attachment {
        let result = meta.map_err(fail).and_then(|meta| {
            let sha256 = crate::digest::sha256_file_raw(path).map_err(fail)?;
            Ok((meta.len(), sha256))
        });
        return match result {
            Ok((len, sha256)) => {
                let entry = new_entry(sha256, None);
                let file = source_file(crate::digest::hex(&sha256), len);
                let same_entry = unchanged(&entry);
                let via = if prior.is_some_and(|p| p.sha256 == sha256) {
                    Via::Digest
                } else {
                    Via::Read
                };
                Read {
                    result: Ok((file, Text::None, Ok(Parsed::Nothing))),
                    via,
                    entry,
                    same_entry,
                    deferred: false,
                    stat: kept_stat,
                }
            }
            Err(d) => read(Via::Read, Err(d), None),
        };
    }
    let bytes = match read_early.map_or_else(|| crate::files::read_regular(path), Ok) {
        Ok(b) => b,
        Err(e) => return read(Via::Read, Err(fail(e)), None),
    };
    let sha256: [u8; 32] = sha2::Sha256::digest(&bytes).into();
    let file = source_file(crate::digest::hex(&sha256), bytes.len() as u64);
    if class == FileClass::Unknown {
        let entry = new_entry(sha256, None);
        let same_entry = unchanged(&entry);
        let via = if prior.is_some_and(|p| p.sha256 == sha256) {
            Via::Digest
        } else {
            Via::Read
        };
        return Read {
            result: Ok((file, Text::None, Ok(Parsed::Nothing))),
            via,
            entry,
            same_entry,
            deferred: false,
            stat: kept_stat,
        };
    }
    // (b) Same digest: the stored parsed value is used.
    if let Some(p) = prior.filter(|p| p.sha256 == sha256)
        && let Some(parsed) = decode_parsed(p, class)
    {
        let entry = Some(reuse(p, stat));
        let same_entry = unchanged(&entry);
        return Read {
            result: Ok((file, Text::OnDisk, Ok(parsed))),
            via: Via::Digest,
            entry,
            same_entry,
            deferred: false,
            stat: kept_stat,
        };
    }
    // (c) Parsed as if there were no cache.
    let text = match crate::text::encoding::decode_utf8(bytes) {
        Ok(text) => text,
        Err(m) => {
            let d = Diagnostic::error("K0102", m).at(Loc::file(display)).help(
                "kitei reads UTF-8 only (with or without BOM); convert the file and commit it again",
            );
            return read(Via::Read, Err(d), None);
        }
    };
    match parse_text(&text, display, class) {
        Ok(parsed) => {
            // Documents and incidents, the bulk of a corpus, are encoded when the cache is
            // written (see `ParsedRef`).
            let deferred = matches!(parsed, Parsed::Document(_) | Parsed::Incident(_));
            let blob = rel_str
                .filter(|_| !deferred)
                .and_then(|_| cache::encode(&parsed))
                .map(|b| cache::Blob(b.into()));
            let entry = new_entry(sha256, blob);
            // Never the stored entry: that one has a parsed value for a different digest, or
            // one that did not decode.
            let same_entry = !deferred && unchanged(&entry);
            Read {
                result: Ok((file, Text::OnDisk, Ok(parsed))),
                via: Via::Read,
                entry,
                same_entry,
                deferred,
                stat: kept_stat,
            }
        }
        Err(d) => {
            let entry = new_entry(sha256, None);
            let same_entry = unchanged(&entry);
            Read {
                result: Ok((file, Text::Kept(text), Err(d))),
                via: Via::Read,
                entry,
                same_entry,
                deferred: false,
                stat: kept_stat,
            }
        }
    }
}

/// A file kept by a [`Resident`] whose stat is unchanged: its record, not read.
fn read_kept<'a>(kept: Box<resident::Kept>, class: FileClass) -> Read<'a> {
    let kept = *kept;
    let text = if class.is_parsed() {
        Text::OnDisk
    } else {
        Text::None
    };
    Read {
        result: Ok((kept.file, text, Ok(kept.parsed))),
        via: Via::Stat,
        entry: None,
        same_entry: true,
        deferred: false,
        stat: Some(Box::new(kept.stat)),
    }
}

/// The parsed value stored in `entry`, if it decodes to what a file of `class` holds.
fn decode_parsed(entry: &cache::Entry<'_>, class: FileClass) -> Option<Parsed> {
    let parsed: Parsed = entry.parsed()?;
    let fits = matches!(
        (class, &parsed),
        (FileClass::Document, Parsed::Document(_))
            | (FileClass::Roles, Parsed::Roles(_))
            | (FileClass::Contacts, Parsed::Contacts(_))
            | (FileClass::Systems, Parsed::Systems(_))
            | (FileClass::Severity, Parsed::Severity(_))
            | (FileClass::Incident, Parsed::Incident(_))
            | (FileClass::Drill, Parsed::Drill(_))
            | (FileClass::Review, Parsed::Review(_))
            | (FileClass::Exception, Parsed::Exception(_))
            | (FileClass::Roster, Parsed::Roster(_))
            | (FileClass::Acknowledgements, Parsed::Acknowledgements(_))
            | (FileClass::AckTable, Parsed::AckTable(_))
    );
    fits.then_some(parsed)
}

fn parse_text(text: &str, display: &Path, class: FileClass) -> Result<Parsed, Diagnostic> {
    fn record<T: DeserializeOwned>(text: &str, display: &Path) -> Result<T, Diagnostic> {
        yaml::parse(text, display, 1)
    }
    Ok(match class {
        FileClass::Document => Parsed::Document(Box::new(parse_document(text, display)?)),
        FileClass::Roles => Parsed::Roles(record(text, display)?),
        FileClass::Contacts => Parsed::Contacts(record(text, display)?),
        FileClass::Systems => Parsed::Systems(record(text, display)?),
        FileClass::Severity => Parsed::Severity(record(text, display)?),
        FileClass::Incident => Parsed::Incident(Box::new(record(text, display)?)),
        FileClass::Drill => Parsed::Drill(record(text, display)?),
        FileClass::Review => Parsed::Review(record(text, display)?),
        FileClass::Exception => Parsed::Exception(record(text, display)?),
        FileClass::Roster => Parsed::Roster(record(text, display)?),
        FileClass::Acknowledgements => Parsed::Acknowledgements(record(text, display)?),
        FileClass::AckTable => Parsed::AckTable(ack_table::parse(text, display)?),
        FileClass::Attachment | FileClass::Unknown | FileClass::Ignored => Parsed::Nothing,
    })
}

/// A Markdown document: front matter, body and its structure (also used for the documents of
/// releases read from git).
pub(crate) fn parse_document(text: &str, display: &Path) -> Result<Document, Diagnostic> {
    let split = frontmatter::split(text).map_err(|e| {
        let (message, help) = match e {
            frontmatter::SplitError::Missing => (
                "document has no front matter",
                "start the file with a `---` line, the YAML fields (id, kind, title, …), and another `---` line",
            ),
            frontmatter::SplitError::Unclosed => {
                ("front matter is not closed", "end the front matter with a line that is exactly `---`")
            }
        };
        Diagnostic::error("K0104", message).at(Loc::new(display, 1, 1)).help(help)
    })?;
    let meta: FrontMatter = yaml::parse(split.yaml, display, split.yaml_line)?;
    let scanned = markdown::scan(split.body, split.body_line);
    Ok(Document {
        meta,
        body: split.body.to_string(),
        body_line: split.body_line,
        headings: scanned.headings,
        links: scanned.links,
        text_runs: scanned.text_runs,
    })
}

fn add_parsed(corpus: &mut Corpus, file: FileId, parsed: Parsed) {
    let mut table = |name: &'static str| {
        corpus.tables_present.insert(name, file);
    };
    match parsed {
        Parsed::Roles(_) => table("roles"),
        Parsed::Contacts(_) => table("contacts"),
        Parsed::Systems(_) => table("systems"),
        Parsed::Severity(_) => table("severity"),
        Parsed::Roster(_) => table("roster"),
        _ => {}
    }
    let wrap = |item| Sourced { file, item };
    match parsed {
        Parsed::Document(d) => corpus.documents.push(Sourced { file, item: *d }),
        Parsed::Roles(r) => corpus.roles.extend(r.roles.into_iter().map(wrap)),
        Parsed::Contacts(c) => {
            corpus
                .people
                .extend(c.people.into_iter().map(|item| Sourced { file, item }));
            corpus.organisations.extend(
                c.organisations
                    .into_iter()
                    .map(|item| Sourced { file, item }),
            );
        }
        Parsed::Systems(s) => {
            corpus
                .systems
                .extend(s.systems.into_iter().map(|item| Sourced { file, item }));
            corpus.recovery_priorities.extend(
                s.recovery_priorities
                    .into_iter()
                    .map(|item| Sourced { file, item }),
            );
        }
        Parsed::Severity(s) => corpus
            .severity_levels
            .extend(s.levels.into_iter().map(|item| Sourced { file, item })),
        Parsed::Incident(i) => corpus.incidents.push(Sourced { file, item: i }),
        Parsed::Drill(d) => corpus.drills.push(Sourced { file, item: d }),
        Parsed::Review(r) => corpus.reviews.push(Sourced { file, item: r }),
        Parsed::Exception(e) => corpus.exceptions.push(Sourced { file, item: e }),
        Parsed::Roster(r) => {
            corpus
                .bindings
                .extend(r.binding.into_iter().map(|item| Sourced { file, item }));
            corpus
                .roster
                .extend(r.people.into_iter().map(|item| Sourced { file, item }));
        }
        Parsed::Acknowledgements(a) => corpus.acknowledgements.push(Sourced { file, item: a }),
        Parsed::AckTable(t) => corpus
            .acknowledgements
            .extend(t.into_iter().map(|item| Sourced { file, item })),
        Parsed::Nothing => {}
    }
}

/// Resolves an evidence path written in a record to a file inside the source folder.
/// Refuses absolute paths, `..` and links that lead outside.
pub fn resolve_evidence_path(root: &Path, written: &str) -> Result<PathBuf, String> {
    resolve_evidence_path_in(root, None, written)
}

/// [`resolve_evidence_path`] with the source folder's canonical path already known, for
/// callers that resolve many paths (canonicalising the root once instead of per path).
pub fn resolve_evidence_path_in(
    root: &Path,
    canonical_root: Option<&Path>,
    written: &str,
) -> Result<PathBuf, String> {
    let rel = Path::new(written);
    if written.is_empty() {
        return Err("evidence path is empty".into());
    }
    for c in rel.components() {
        match c {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => {
                return Err(format!("evidence path `{written}` climbs out with `..`"));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!("evidence path `{written}` is absolute"));
            }
        }
    }
    let full = root.join(rel);
    match full.canonicalize() {
        Ok(real) => {
            let owned;
            let canonical_root = match canonical_root {
                Some(c) => c,
                None => {
                    owned = root.canonicalize().map_err(|e| e.to_string())?;
                    owned.as_path()
                }
            };
            if real.starts_with(canonical_root) {
                Ok(full)
            } else {
                Err(format!(
                    "evidence path `{written}` is a link to {} outside the source folder",
                    real.display()
                ))
            }
        }
        // A missing file is reported by the evidence rule, with its own code.
        Err(_) => Ok(full),
    }
}

/// `written` as the key of a file the loader read ([`SourceFile::rel_path`]), when it is
/// written exactly that way: relative, no `.`, `..`, repeated or trailing separators. Such a
/// path names that file, inside the source folder (the walk lists links but never enters
/// linked folders, and refuses links that lead outside), so it needs no resolving on disk.
pub fn loaded_key(written: &str) -> Option<&OsStr> {
    let normal: PathBuf = Path::new(written)
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect();
    (!written.is_empty() && normal.as_os_str() == OsStr::new(written)).then(|| OsStr::new(written))
}

fn check_evidence_paths(corpus: &Corpus, canonical_root: &Path, diagnostics: &mut Vec<Diagnostic>) {
    let loaded: rustc_hash::FxHashSet<&OsStr> =
        if corpus.incidents.iter().any(|i| !i.evidence.is_empty()) {
            corpus
                .files
                .iter()
                .map(|f| f.rel_path.as_os_str())
                .collect()
        } else {
            Default::default()
        };
    for incident in &corpus.incidents {
        for ev in &incident.evidence {
            if loaded_key(&ev.path.value).is_some_and(|k| loaded.contains(k)) {
                continue;
            }
            if let Err(message) =
                resolve_evidence_path_in(&corpus.root, Some(canonical_root), &ev.path.value)
            {
                diagnostics.push(
                    Diagnostic::error("K0106", message)
                        .at(corpus.loc(incident.file, &ev.path))
                        .help("keep evidence files inside the source folder (e.g. evidence/<incident id>/) and name them by a relative path")
                        .subject(incident.reference()),
                );
            }
        }
    }
}

#[cfg(test)]
mod yaml_subset_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_by_location() {
        let c = |p: &str| classify(Path::new(p));
        assert_eq!(c("regulation/main.md"), FileClass::Document);
        assert_eq!(c("runbooks/a/b.md"), FileClass::Document);
        assert_eq!(c("contacts.yaml"), FileClass::Contacts);
        assert_eq!(c("roles.yml"), FileClass::Roles);
        assert_eq!(c("incidents/2025/INC-1.yaml"), FileClass::Incident);
        assert_eq!(c("evidence/INC-1/a.yaml"), FileClass::Attachment);
        assert_eq!(c("misc/notes.md"), FileClass::Unknown);
        assert_eq!(c("people.yaml"), FileClass::Unknown);
        assert_eq!(c("incidents/.INC-1.yaml.swp"), FileClass::Ignored);
        assert_eq!(c("README.md"), FileClass::Ignored);
    }

    #[test]
    fn deferred_records_encode_as_parsed_ones() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policy-src");
        let incident = std::fs::read_dir(root.join("incidents/2025"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "yaml"))
            .unwrap();
        for (rel, class) in [
            (
                root.join("regulation/incident-response-regulation.md"),
                FileClass::Document,
            ),
            (incident, FileClass::Incident),
        ] {
            let text = std::fs::read_to_string(&rel).unwrap();
            let parsed = parse_text(&text, &rel, class).unwrap();
            let by_ref = match &parsed {
                Parsed::Document(d) => ParsedRef::Document(d),
                Parsed::Incident(i) => ParsedRef::Incident(i),
                _ => unreachable!(),
            };
            let bytes = cache::encode(&by_ref).unwrap();
            assert_eq!(bytes, cache::encode(&parsed).unwrap(), "{}", rel.display());
            assert!(
                decode_parsed(
                    &cache::Entry {
                        path: "x".into(),
                        stat: None,
                        sha256: [0; 32],
                        parsed: Some(cache::Blob(bytes.into()))
                    },
                    class
                )
                .is_some()
            );
        }
    }

    #[test]
    fn loaded_keys_are_plain_relative_paths() {
        assert_eq!(
            loaded_key("evidence/a.log"),
            Some(OsStr::new("evidence/a.log"))
        );
        assert_eq!(loaded_key("a"), Some(OsStr::new("a")));
        for written in [
            "", "./a", "a/./b", "a//b", "a/", "/a", "../a", "a/../b", ".",
        ] {
            assert_eq!(loaded_key(written), None, "{written}");
        }
    }

    #[test]
    fn evidence_paths_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("evidence")).unwrap();
        std::fs::write(dir.path().join("evidence/a.log"), "x").unwrap();
        assert!(resolve_evidence_path(dir.path(), "evidence/a.log").is_ok());
        assert!(
            resolve_evidence_path(dir.path(), "../secret")
                .unwrap_err()
                .contains("..")
        );
        assert!(
            resolve_evidence_path(dir.path(), "/etc/passwd")
                .unwrap_err()
                .contains("absolute")
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/hostname", dir.path().join("evidence/link")).unwrap();
            assert!(
                resolve_evidence_path(dir.path(), "evidence/link")
                    .unwrap_err()
                    .contains("outside")
            );
        }
    }
}
