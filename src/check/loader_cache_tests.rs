//! The loader's cache seen by the rules: a load from the cache (cold, racy, warm, damaged,
//! read-only) gives the same corpus, loader diagnostics and check report as a load without it.
//! (Here rather than in `source`: the report is the rules', and `source` never uses `check`.)

use std::path::Path;

use crate::config::Project;
use crate::source::{Loaded, Resident, cache, load_at, load_resident_at, load_with};

/// A temporary copy of the example project (kitei.toml and policy-src/).
fn example() -> tempfile::TempDir {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(from.join("kitei.toml"), dir.path().join("kitei.toml")).unwrap();
    for e in walkdir::WalkDir::new(from.join("policy-src")) {
        let e = e.unwrap();
        let to = dir.path().join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
    dir
}

/// What a load produced, comparable across loads: the corpus (every value with its line
/// and column), the loader's diagnostics and the report of the rules.
fn outcome(project: &Project, loaded: &Loaded) -> Outcome {
    // The corpus before the rules run: they fill its lookup index (a hash map).
    let corpus = format!("{:#?}\n{:#?}", loaded.corpus, loaded.diagnostics);
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let ctx = crate::check::Ctx::new(&loaded.corpus, project, as_of);
    let report = crate::check::run(&ctx, loaded.diagnostics.clone(), false);
    Outcome(format!("{corpus}\n{report:#?}"))
}

/// [`outcome`]'s text, compared with a short message (the whole corpus is long).
#[derive(PartialEq)]
struct Outcome(String);

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut start = self.0.len().saturating_sub(300);
        while !self.0.is_char_boundary(start) {
            start -= 1;
        }
        write!(
            f,
            "{} bytes ending with {:?}",
            self.0.len(),
            &self.0[start..]
        )
    }
}

/// `t` moved by `secs` seconds.
fn later(t: cache::Time, secs: i64) -> cache::Time {
    (t.0 + secs, t.1)
}

/// Sets the cache file's mtime: the cache counts as made no later than its file was written.
fn cache_written_at(root: &Path, t: cache::Time) {
    let at = std::time::UNIX_EPOCH + std::time::Duration::new(t.0 as u64, t.1);
    std::fs::File::options()
        .write(true)
        .open(cache::path(root))
        .unwrap()
        .set_times(std::fs::FileTimes::new().set_modified(at))
        .unwrap();
}

/// Every step passes the moment its scan starts (`load_at`), so which files are too recent
/// to trust is decided by the test, never by how fast a loaded machine copies and parses.
#[test]
fn cached_loads_equal_uncached_ones() {
    // Before the copy: every file of the example changed after this moment.
    let before = cache::now();
    let dir = example();
    // Well after the copy: every file changed more than the racy window before this moment.
    let settled = later(cache::now(), cache::RACY.as_secs() as i64 + 2);
    let project = Project::open(dir.path()).unwrap();
    let plain = load_with(&project, cache::Mode::Off).unwrap();
    let expected = outcome(&project, &plain);
    let files = plain.corpus.files.len();
    assert_eq!((plain.cache.read, plain.cache.written), (files, false));
    assert!(!cache::path(dir.path()).exists(), "off means off");
    assert!(plain.corpus.documents.len() >= 2 && !plain.corpus.incidents.is_empty());

    // Cold: everything read and parsed, the cache written (made at `before`).
    let cold = load_at(&project, cache::Mode::On, before).unwrap();
    assert_eq!(cold.cache.read, files);
    assert!(cold.cache.written);
    assert_eq!(outcome(&project, &cold), expected);

    // The files changed within the racy window of the cache: they cannot be trusted by their
    // stat, so they are read and hashed again, and their parsed values reused.
    let racy = load_at(&project, cache::Mode::On, before).unwrap();
    assert_eq!((racy.cache.unchanged, racy.cache.same_digest), (0, files));
    assert!(!racy.cache.written, "nothing to store yet");
    assert_eq!(outcome(&project, &racy), expected);

    // A scan that starts once they are older than the racy window stores the cache again, and
    // from then on (the cache file written then too) no file is opened.
    let settle = load_at(&project, cache::Mode::On, settled).unwrap();
    assert_eq!(settle.cache.same_digest, files);
    assert!(settle.cache.written);
    cache_written_at(dir.path(), settled);
    let warm = load_at(&project, cache::Mode::On, later(settled, 1)).unwrap();
    assert_eq!(warm.cache.unchanged, files);
    assert!(!warm.cache.written);
    assert_eq!(outcome(&project, &warm), expected);

    // A file changed in place, same length, its mtime set back: its ctime gives it away.
    let incident = &warm.corpus.incidents[0];
    let path = dir
        .path()
        .join(&warm.corpus.files[incident.file].display_path);
    let text = std::fs::read_to_string(&path).unwrap();
    let title = &incident.title;
    let changed_title: String = title.chars().rev().collect();
    assert_ne!(
        &changed_title, title,
        "the example's first title is not a palindrome"
    );
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::fs::write(&path, text.replacen(title.as_str(), &changed_title, 1)).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_times(std::fs::FileTimes::new().set_modified(mtime))
        .unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), mtime);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), text.len() as u64);
    let after = load_at(&project, cache::Mode::On, later(settled, 2)).unwrap();
    assert_eq!((after.cache.unchanged, after.cache.read), (files - 1, 1));
    assert_eq!(after.corpus.incidents[0].title, changed_title);
    let plain_after = load_with(&project, cache::Mode::Off).unwrap();
    assert_eq!(outcome(&project, &after), outcome(&project, &plain_after));
}

#[test]
fn a_damaged_or_foreign_cache_is_a_miss() {
    let dir = example();
    let project = Project::open(dir.path()).unwrap();
    let expected = outcome(&project, &load_with(&project, cache::Mode::Off).unwrap());
    load_with(&project, cache::Mode::On).unwrap();
    let file = cache::path(dir.path());
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&file, &bytes).unwrap();
    let damaged = load_with(&project, cache::Mode::On).unwrap();
    assert_eq!(
        damaged.cache.read,
        damaged.corpus.files.len(),
        "nothing reused"
    );
    assert!(damaged.cache.written, "rebuilt");
    assert_eq!(outcome(&project, &damaged), expected);
    std::fs::write(&file, b"not a cache").unwrap();
    let garbage = load_with(&project, cache::Mode::On).unwrap();
    assert_eq!(outcome(&project, &garbage), expected);
}

#[cfg(unix)]
#[test]
fn a_read_only_project_still_loads() {
    use std::os::unix::fs::PermissionsExt;
    let dir = example();
    let project = Project::open(dir.path()).unwrap();
    let expected = outcome(&project, &load_with(&project, cache::Mode::Off).unwrap());
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let loaded = load_with(&project, cache::Mode::On).unwrap();
    let writable = std::fs::create_dir(dir.path().join("probe")).is_ok();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(outcome(&project, &loaded), expected);
    if !writable {
        // (As root, permissions do not stop writing.)
        assert!(!loaded.cache.written);
    }
}

/// A change to a few files writes their entries to the delta and leaves the main cache file
/// as it is; loads through the delta, through a delta older than the files it describes and
/// after many changes (the main file rewritten, the delta removed) equal loads without cache.
#[test]
fn a_few_changes_go_to_the_delta() {
    let before = cache::now();
    let dir = example();
    let settled = later(cache::now(), cache::RACY.as_secs() as i64 + 2);
    let project = Project::open(dir.path()).unwrap();
    let plain =
        |project: &Project| outcome(project, &load_with(project, cache::Mode::Off).unwrap());
    load_at(&project, cache::Mode::On, before).unwrap();
    let settle = load_at(&project, cache::Mode::On, settled).unwrap();
    assert!(
        settle.cache.written && !settle.cache.delta,
        "{:?}",
        settle.cache
    );
    cache_written_at(dir.path(), settled);
    let (main, delta) = (cache::path(dir.path()), cache::delta_path(dir.path()));
    let main_bytes = std::fs::read(&main).unwrap();
    assert!(!delta.exists());

    // One incident retitled: only its entry is written, to the delta.
    let incidents: Vec<_> = settle
        .corpus
        .incidents
        .iter()
        .map(|i| {
            (
                dir.path().join(&settle.corpus.files[i.file].display_path),
                i.title.clone(),
            )
        })
        .collect();
    let retitle = |(path, title): &(std::path::PathBuf, String), to: &str| {
        let text = std::fs::read_to_string(path).unwrap();
        std::fs::write(path, text.replacen(title.as_str(), to, 1)).unwrap();
    };
    retitle(&incidents[0], "題名を変えた事案");
    let changed = load_at(&project, cache::Mode::On, later(settled, 3)).unwrap();
    assert_eq!(changed.cache.read, 1);
    assert!(
        changed.cache.written && changed.cache.delta,
        "{:?}",
        changed.cache
    );
    assert_eq!(
        std::fs::read(&main).unwrap(),
        main_bytes,
        "the main file is untouched"
    );
    assert!(delta.exists());
    assert_eq!(outcome(&project, &changed), plain(&project));
    let stale_delta = std::fs::read(&delta).unwrap();

    // Through the delta: the changed file's parsed value comes from it.
    let through = load_at(&project, cache::Mode::On, later(settled, 4)).unwrap();
    assert_eq!(through.cache.read, 0, "{:?}", through.cache);
    assert_eq!(outcome(&project, &through), plain(&project));

    // A delta that describes an earlier state of its file only costs a read.
    retitle(
        &(incidents[0].0.clone(), "題名を変えた事案".into()),
        "もう一度変えた事案",
    );
    load_at(&project, cache::Mode::On, later(settled, 5)).unwrap();
    std::fs::write(&delta, &stale_delta).unwrap();
    let stale = load_at(&project, cache::Mode::On, later(settled, 6)).unwrap();
    assert_eq!(stale.cache.read, 1, "{:?}", stale.cache);
    assert_eq!(outcome(&project, &stale), plain(&project));

    // Many files changed: the main file is written whole and the delta removed.
    for (i, incident) in incidents.iter().enumerate().skip(1) {
        retitle(incident, &format!("変えた事案{i}"));
    }
    let docs: Vec<_> = settle
        .corpus
        .documents
        .iter()
        .map(|d| dir.path().join(&settle.corpus.files[d.file].display_path))
        .collect();
    for path in &docs {
        let mut text = std::fs::read_to_string(path).unwrap();
        text.push_str("\n追記。\n");
        std::fs::write(path, text).unwrap();
    }
    let many = incidents.len() - 1 + docs.len();
    let files = settle.corpus.files.len();
    assert!(
        many * 8 > files,
        "{many} of {files} files: more than an eighth"
    );
    let rewritten = load_at(&project, cache::Mode::On, later(settled, 7)).unwrap();
    assert!(
        rewritten.cache.written && !rewritten.cache.delta,
        "{:?}",
        rewritten.cache
    );
    assert!(!delta.exists(), "the delta is removed");
    assert_ne!(std::fs::read(&main).unwrap(), main_bytes);
    assert_eq!(outcome(&project, &rewritten), plain(&project));
}

/// A process that loads the same folder again (`kitei serve`) keeps the last corpus's records
/// ([`Resident`]): after edits of every kind of file, a load from them equals a load without
/// any cache, reads only what changed (and the table files, which are never kept), and leaves
/// the cache on disk alone.
#[test]
fn resident_loads_equal_uncached_ones() {
    let dir = example();
    // Every file of the copy changed more than the racy window before the first load.
    let settled = later(cache::now(), cache::RACY.as_secs() as i64 + 2);
    let project = Project::open(dir.path()).unwrap();
    // A load that was handed no resident keeps nothing.
    let plain = load_at(&project, cache::Mode::On, settled).unwrap();
    assert_eq!(Resident::keep(plain.corpus, plain.seen).len(), 0);
    // An empty resident: the cache on disk is used (and written) as without one, and what
    // keeping needs is collected. From here on the disk is left alone.
    let first = load_resident_at(&project, Resident::empty(), settled).unwrap();
    assert_eq!(first.cache.read, 0, "the cache on disk was used");
    std::fs::remove_file(cache::path(dir.path())).unwrap();
    let expected = outcome(&project, &first);
    let files = first.corpus.files.len();
    // roles, contacts, systems, severity and roster.yaml: read every time.
    let tables = first
        .corpus
        .files
        .iter()
        .filter(|f| f.rel_path.parent() == Some(Path::new("")))
        .count();
    assert_eq!(tables, 5);
    let resident = Resident::keep(first.corpus, first.seen);
    assert_eq!(resident.len(), files - tables);

    let again = load_resident_at(&project, resident, later(settled, 1)).unwrap();
    assert_eq!(
        (again.cache.unchanged, again.cache.read),
        (files - tables, tables)
    );
    assert_eq!(outcome(&project, &again), expected);

    // A document retitled, an incident removed, a drill added, an attachment and a roles
    // table changed, an acknowledgement table edited, and a review broken.
    let src = dir.path().join("policy-src");
    let edit = |rel: &str, f: &dyn Fn(String) -> String| {
        let path = src.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        let changed = f(text.clone());
        assert_ne!(changed, text, "{rel}");
        std::fs::write(&path, changed).unwrap();
    };
    edit("regulation/incident-response-regulation.md", &|t| {
        t.replacen("title: ", "title: 改訂版", 1)
    });
    std::fs::remove_file(src.join("incidents/2025/INC-2025-001.yaml")).unwrap();
    std::fs::copy(
        src.join("drills/DRL-2026-01.yaml"),
        src.join("drills/DRL-2026-09.yaml"),
    )
    .unwrap();
    edit("drills/DRL-2026-09.yaml", &|t| {
        t.replace("DRL-2026-01", "DRL-2026-09")
    });
    edit("evidence/INC-2025-002/報告書.txt", &|t| t + "追記\n");
    edit("roles.yaml", &|t| t + "\n");
    edit(
        "acknowledgements/incident-response-regulation-2026.1-elearning.csv",
        &|t| {
            let mut lines: Vec<&str> = t.lines().collect();
            lines.pop();
            lines.join("\n") + "\n"
        },
    );
    let review = std::fs::read_dir(src.join("reviews"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    std::fs::write(review.path(), "id: [unclosed\n").unwrap();

    let resident = Resident::keep(again.corpus, again.seen);
    let after = load_resident_at(&project, resident, later(settled, 2)).unwrap();
    let plain = load_with(&project, cache::Mode::Off).unwrap();
    assert_eq!(outcome(&project, &after), outcome(&project, &plain));
    let broken = after.diagnostics.iter().any(|d| {
        d.level == crate::diag::Level::Error
            && d.location
                .as_ref()
                .is_some_and(|l| l.path.ends_with(review.file_name()))
    });
    assert!(broken, "{:#?}", after.diagnostics);
    // The document, the new drill, the attachment, the acknowledgement table, the review and
    // the five tables (roles.yaml among them).
    assert_eq!(after.cache.read, 5 + tables);

    // The broken review is read again until it is fixed; nothing was written to disk.
    let resident = Resident::keep(after.corpus, after.seen);
    let fixed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(review.path().strip_prefix(dir.path()).unwrap()),
    )
    .unwrap();
    std::fs::write(review.path(), fixed).unwrap();
    let last = load_resident_at(&project, resident, later(settled, 3)).unwrap();
    assert_eq!(
        outcome(&project, &last),
        outcome(&project, &load_with(&project, cache::Mode::Off).unwrap())
    );
    assert!(!cache::path(dir.path()).exists() && !cache::delta_path(dir.path()).exists());
}

/// A load in a process that watches the folder (`kitei serve`) lists the files from the last
/// load and the paths file events named since ([`Resident::seeing`]): after a file edited,
/// one removed, one added, a folder of records added and a stray file in a new folder, it
/// equals a load without any cache. A file no event named is taken as it was (that is what
/// the events are trusted for); with events lost ([`Resident::walk_next`]) the folder is
/// walked and the file is read again.
#[test]
fn a_load_from_file_events_equals_a_walk() {
    let dir = example();
    let settled = later(cache::now(), cache::RACY.as_secs() as i64 + 2);
    let project = Project::open(dir.path()).unwrap();
    let first = load_resident_at(&project, Resident::empty(), settled).unwrap();
    let resident = Resident::keep(first.corpus, first.seen);

    let src = dir.path().join("policy-src").canonicalize().unwrap();
    let retitle = |rel: &str, title: &str| {
        let path = src.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            text.replacen("title: ", &format!("title: {title}"), 1),
        )
        .unwrap();
    };
    retitle("regulation/incident-response-regulation.md", "改訂版");
    std::fs::remove_file(src.join("incidents/2025/INC-2025-001.yaml")).unwrap();
    let drill = std::fs::read_to_string(src.join("drills/DRL-2026-01.yaml")).unwrap();
    std::fs::write(
        src.join("drills/DRL-2026-09.yaml"),
        drill.replace("DRL-2026-01", "DRL-2026-09"),
    )
    .unwrap();
    std::fs::create_dir_all(src.join("incidents/2027")).unwrap();
    let incident = std::fs::read_to_string(src.join("incidents/2025/INC-2025-002.yaml")).unwrap();
    std::fs::write(
        src.join("incidents/2027/INC-2027-001.yaml"),
        incident.replace("INC-2025-002", "INC-2027-001"),
    )
    .unwrap();
    std::fs::create_dir_all(src.join("misc/notes")).unwrap();
    std::fs::write(src.join("misc/notes/todo.txt"), "x\n").unwrap();
    let changes: Vec<std::path::PathBuf> = [
        "regulation/incident-response-regulation.md",
        "incidents/2025/INC-2025-001.yaml",
        "drills/DRL-2026-09.yaml",
        "incidents/2027",
        "misc",
    ]
    .iter()
    .map(|rel| src.join(rel))
    .collect();
    let after = load_resident_at(&project, resident.seeing(changes), later(settled, 1)).unwrap();
    let plain = load_with(&project, cache::Mode::Off).unwrap();
    assert_eq!(outcome(&project, &after), outcome(&project, &plain));

    // Edited without an event: kept as it was, until a load walks.
    let title = |loaded: &Loaded| {
        loaded
            .corpus
            .documents
            .iter()
            .find(|d| d.id() == "emergency-organisation")
            .map(|d| d.meta.title.clone())
            .unwrap()
    };
    let before = title(&after);
    retitle("regulation/emergency-organisation.md", "無通知");
    let resident = Resident::keep(after.corpus, after.seen);
    let unseen =
        load_resident_at(&project, resident.seeing(Vec::new()), later(settled, 2)).unwrap();
    assert_eq!(title(&unseen), before);
    let resident = Resident::keep(unseen.corpus, unseen.seen);
    let walked = load_resident_at(&project, resident.walk_next(), later(settled, 3)).unwrap();
    assert_eq!(title(&walked), format!("無通知{before}"));
    assert_eq!(
        outcome(&project, &walked),
        outcome(&project, &load_with(&project, cache::Mode::Off).unwrap())
    );
}
