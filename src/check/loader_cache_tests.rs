//! The loader's cache seen by the rules: a load from the cache (cold, racy, warm, damaged,
//! read-only) gives the same corpus, loader diagnostics and check report as a load without it.
//! (Here rather than in `source`: the report is the rules', and `source` never uses `check`.)

use std::path::Path;

use crate::config::Project;
use crate::source::{Loaded, cache, load_with};

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

#[test]
fn cached_loads_equal_uncached_ones() {
    let dir = example();
    let project = Project::open(dir.path()).unwrap();
    let plain = load_with(&project, cache::Mode::Off).unwrap();
    let expected = outcome(&project, &plain);
    let files = plain.corpus.files.len();
    assert_eq!((plain.cache.read, plain.cache.written), (files, false));
    assert!(!cache::path(dir.path()).exists(), "off means off");
    assert!(plain.corpus.documents.len() >= 2 && !plain.corpus.incidents.is_empty());

    // Cold: everything read and parsed, the cache written.
    let cold = load_with(&project, cache::Mode::On).unwrap();
    assert_eq!(cold.cache.read, files);
    assert!(cold.cache.written);
    assert_eq!(outcome(&project, &cold), expected);

    // The files were just written: too recent to be trusted by their stat, they are read
    // and hashed again, and their parsed values reused.
    let racy = load_with(&project, cache::Mode::On).unwrap();
    assert_eq!((racy.cache.unchanged, racy.cache.same_digest), (0, files));
    assert!(!racy.cache.written, "nothing to store yet");
    assert_eq!(outcome(&project, &racy), expected);

    // Once they are older than the racy window the cache is stored again, and from then on
    // no file is opened.
    std::thread::sleep(cache::RACY + std::time::Duration::from_millis(200));
    let settle = load_with(&project, cache::Mode::On).unwrap();
    assert_eq!(settle.cache.same_digest, files);
    assert!(settle.cache.written);
    let warm = load_with(&project, cache::Mode::On).unwrap();
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
    let after = load_with(&project, cache::Mode::On).unwrap();
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
