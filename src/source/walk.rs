//! Lists the files of the source folder in the order of a depth-first walk with each folder's
//! entries sorted by name (what `walkdir` with `sort_by_file_name` gives), reading folders in
//! parallel and taking each file's metadata from its folder's handle (`fstatat`) rather than
//! looking its whole path up again. Symbolic links are listed, never followed.

use std::cmp::Ordering;
use std::ffi::OsString;
use std::fs::{FileType, Metadata};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// A file (anything but a folder) found by [`walk`].
pub struct Found {
    /// The path inside the walked folder.
    pub rel: PathBuf,
    pub symlink: bool,
    /// The file's metadata as listed; `None` for symbolic links (whose target counts), when
    /// it could not be read, and for regular files when the walk was asked not to stat them.
    pub meta: Option<Metadata>,
    /// Listed from the last walk without a look at the disk: no file event named it since
    /// ([`relist`]). Its stat is the one the last load took.
    pub unchanged: bool,
}

/// What the walk met, in walk order.
pub enum Item {
    File(Found),
    /// A folder or entry that could not be read: the path and the message, worded as walkdir
    /// words them.
    Error {
        path: PathBuf,
        message: String,
    },
}

/// Every file under `root` (which must be a folder; anything else lists nothing). With
/// `stat_files` false, regular files (as the folder listing types them) are not stat'ed: a
/// caller that opens them anyway takes the metadata from the open handle, one `statx` per
/// file fewer. Other kinds of file are always stat'ed.
pub fn walk(root: &Path, stat_files: bool) -> Vec<Item> {
    if !std::fs::metadata(root).is_ok_and(|m| m.is_dir()) {
        return Vec::new();
    }
    let runs = walk_dir(root, Path::new(""), stat_files);
    let mut items = Vec::with_capacity(runs.iter().map(Vec::len).sum());
    for run in runs {
        items.extend(run);
    }
    items
}

/// Every file a walk listed: its path inside the folder, and whether it is a symbolic link.
pub type Listing = Vec<(PathBuf, bool)>;

/// What [`walk`] gives for `root` now, from what it gave last time (`previous`: each file's
/// path and whether it is a symbolic link) and the paths inside `root` that file events named
/// since (`changed`, relative): each named path is looked at again (a folder walked whole, a
/// file stat'ed, a path gone dropped with everything under it), every other file is listed as
/// it was, unchanged, and symbolic links are always looked at (their targets send no events
/// here). `kitei serve` lists a folder of 20,000 files this way without stat'ing each.
/// `None` when a changed path is `root` itself, or a folder to look at cannot be read: then
/// only a walk can say.
pub fn relist(root: &Path, previous: &Listing, changed: &[PathBuf]) -> Option<Vec<Item>> {
    if changed.iter().any(|c| c.as_os_str().is_empty()) {
        return None;
    }
    // By set and ancestors: a `git checkout` names thousands of paths in one batch.
    let named: rustc_hash::FxHashSet<&Path> = changed.iter().map(PathBuf::as_path).collect();
    let under_named = |rel: &Path| rel.ancestors().any(|a| named.contains(a));
    let mut files: Vec<Found> = previous
        .iter()
        .filter(|(rel, symlink)| !symlink && !under_named(rel))
        .map(|(rel, _)| Found {
            rel: rel.clone(),
            symlink: false,
            meta: None,
            unchanged: true,
        })
        .collect();
    let symlinks = previous
        .iter()
        .filter(|(rel, symlink)| *symlink && !under_named(rel))
        .map(|(rel, _)| rel.as_path());
    // A named path inside another named path is looked at with it.
    let looked_at = named
        .iter()
        .copied()
        .filter(|c| !c.ancestors().skip(1).any(|a| named.contains(a)));
    for rel in symlinks.chain(looked_at) {
        for item in look_at(root, rel) {
            match item {
                Item::File(f) => files.push(f),
                Item::Error { .. } => return None,
            }
        }
    }
    // The walk's order: depth first, each folder's entries by name, i.e. paths compared by
    // their components.
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Some(files.into_iter().map(Item::File).collect())
}

/// [`walk`]'s items for one path inside `root`: a folder's files, a file, or nothing when it is
/// gone. A folder that cannot be read is an error, as the walk reports it.
fn look_at(root: &Path, rel: &Path) -> Vec<Item> {
    let path = root.join(rel);
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return Vec::new();
    };
    if meta.is_dir() {
        return walk_dir(&path, rel, true).into_iter().flatten().collect();
    }
    let symlink = meta.file_type().is_symlink();
    vec![Item::File(Found {
        rel: rel.to_path_buf(),
        symlink,
        meta: (!symlink).then_some(meta),
        unchanged: false,
    })]
}

struct Listed {
    name: OsString,
    kind: Result<FileType, std::io::Error>,
    entry: std::fs::DirEntry,
}

fn io_error(path: &Path, err: &std::io::Error) -> Item {
    Item::Error {
        path: path.to_path_buf(),
        message: format!("IO error for operation on {}: {err}", path.display()),
    }
}

/// What [`walk_dir`] lists, as runs of consecutive items: a folder's list moves into its
/// parent's as a few vectors, not item by item (an item is the size of a `Metadata`, and
/// copying every item once per folder level was 1 % of a cold `check`).
type Runs = Vec<Vec<Item>>;

fn walk_dir(dir: &Path, rel: &Path, stat_files: bool) -> Runs {
    let reader = match std::fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) => return vec![vec![io_error(dir, &e)]],
    };
    let mut errors = Vec::new();
    let mut listed = Vec::new();
    for entry in reader {
        match entry {
            Ok(entry) => listed.push(Listed {
                name: entry.file_name(),
                kind: entry.file_type(),
                entry,
            }),
            Err(e) => errors.push(Item::Error {
                path: PathBuf::new(),
                message: e.to_string(),
            }),
        }
    }
    // walkdir puts entries that failed before the others.
    listed.sort_unstable_by(|a, b| match (&a.kind, &b.kind) {
        (Ok(_), Ok(_)) => a.name.cmp(&b.name),
        (Err(_), Err(_)) => Ordering::Equal,
        (Ok(_), Err(_)) => Ordering::Greater,
        (Err(_), Ok(_)) => Ordering::Less,
    });
    // Each folder a task of its own: folders differ in size by thousands of files, and the
    // halves rayon would otherwise split a few of them into leave a core idle.
    let dirs: Vec<&Listed> = listed
        .iter()
        .filter(|l| l.kind.as_ref().is_ok_and(FileType::is_dir))
        .collect();
    let subdirs: Vec<Runs> = dirs
        .into_par_iter()
        .with_max_len(1)
        .map(|l| walk_dir(&dir.join(&l.name), &rel.join(&l.name), stat_files))
        .collect();
    let mut subdirs = subdirs.into_iter();
    let mut runs = vec![errors];
    for l in listed {
        let out = runs.last_mut().expect("a run is open");
        match &l.kind {
            Err(e) => out.push(io_error(&dir.join(&l.name), e)),
            Ok(kind) if kind.is_dir() => {
                runs.extend(subdirs.next().unwrap_or_default());
                runs.push(Vec::new());
            }
            Ok(kind) => {
                let symlink = kind.is_symlink();
                let meta = if symlink || (kind.is_file() && !stat_files) {
                    None
                } else {
                    l.entry.metadata().ok()
                };
                out.push(Item::File(Found {
                    rel: rel.join(&l.name),
                    symlink,
                    meta,
                    unchanged: false,
                }));
            }
        }
    }
    runs.retain(|run| !run.is_empty());
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(root: &Path) -> Vec<String> {
        walk(root, true)
            .into_iter()
            .map(|i| match i {
                Item::File(f) => f.rel.display().to_string(),
                Item::Error { message, .. } => format!("error: {message}"),
            })
            .collect()
    }

    /// After files are changed, added and removed, folders added, removed and renamed, and
    /// with symbolic links about, the listing made from the last one and the paths events
    /// named is the walk's, and only files no event named are listed as unchanged.
    #[test]
    fn a_relisting_is_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |p: &str| {
            let p = root.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        };
        for p in [
            "a/1.md",
            "a/2.md",
            "b/c/3.yaml",
            "b/4.yaml",
            "d/5.md",
            "e/6.md",
            "top.yaml",
        ] {
            write(p);
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink("top.yaml", root.join("link.yaml")).unwrap();
        let previous: Vec<(PathBuf, bool)> = walk(root, true)
            .into_iter()
            .filter_map(|i| match i {
                Item::File(f) => Some((f.rel, f.symlink)),
                Item::Error { .. } => None,
            })
            .collect();
        write("a/1.md");
        write("a/0.md");
        write("new/deep/7.md");
        std::fs::remove_file(root.join("b/4.yaml")).unwrap();
        std::fs::remove_dir_all(root.join("d")).unwrap();
        std::fs::rename(root.join("e"), root.join("f")).unwrap();
        // Named twice, and inside a named folder: each file still listed once.
        let changed: Vec<PathBuf> = [
            "a/1.md",
            "a/0.md",
            "new",
            "new/deep/7.md",
            "b/4.yaml",
            "d",
            "e",
            "f",
            "a/1.md",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let names = |items: &[Item]| -> Vec<(PathBuf, bool)> {
            items
                .iter()
                .map(|i| match i {
                    Item::File(f) => (f.rel.clone(), f.symlink),
                    Item::Error { message, .. } => panic!("{message}"),
                })
                .collect()
        };
        let relisted = relist(root, &previous, &changed).unwrap();
        assert_eq!(names(&relisted), names(&walk(root, true)));
        let unchanged: Vec<String> = relisted
            .iter()
            .filter_map(|i| match i {
                Item::File(f) if f.unchanged => Some(f.rel.display().to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(unchanged, ["a/2.md", "b/c/3.yaml", "top.yaml"]);
        assert!(relist(root, &previous, &[PathBuf::new()]).is_none());
    }

    #[test]
    fn same_order_as_walkdir() {
        let dir = tempfile::tempdir().unwrap();
        for p in [
            "b/z.yaml",
            "b/a.yaml",
            "a-b/x",
            "a/y",
            "a/b/c/d",
            "c",
            "B",
            "a.md",
            "évidence/é",
        ] {
            let p = dir.path().join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        std::fs::create_dir_all(dir.path().join("empty/inner")).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("a", dir.path().join("link-to-dir")).unwrap();
            std::os::unix::fs::symlink("c", dir.path().join("link-to-file")).unwrap();
        }
        let expected: Vec<String> = walkdir::WalkDir::new(dir.path())
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| !e.file_type().is_dir())
            .map(|e| {
                e.path()
                    .strip_prefix(dir.path())
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(listing(dir.path()), expected);
        let found = walk(dir.path(), true);
        let Item::File(c) = &found[expected.iter().position(|p| p == "c").unwrap()] else {
            panic!()
        };
        assert!(!c.symlink && c.meta.as_ref().unwrap().len() == 1);
        // Unasked, regular files are listed without their metadata.
        let unstated = walk(dir.path(), false);
        let Item::File(c) = &unstated[expected.iter().position(|p| p == "c").unwrap()] else {
            panic!()
        };
        assert!(!c.symlink && c.meta.is_none());
        #[cfg(unix)]
        {
            let Item::File(l) = &found[expected.iter().position(|p| p == "link-to-dir").unwrap()]
            else {
                panic!()
            };
            assert!(l.symlink && l.meta.is_none());
        }
    }

    #[test]
    fn a_file_as_root_lists_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f"), "x").unwrap();
        assert!(walk(&dir.path().join("f"), true).is_empty());
        assert!(walk(&dir.path().join("missing"), true).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_folders_are_reported_like_walkdir() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::write(locked.join("x.yaml"), "x").unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read_dir(&locked).is_ok() {
            // Running as root: permissions do not stop reading.
            std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
            return;
        }
        let ours = listing(dir.path());
        let theirs: Vec<String> = walkdir::WalkDir::new(dir.path())
            .sort_by_file_name()
            .into_iter()
            .filter_map(|e| e.err())
            .map(|e| format!("error: {e}"))
            .collect();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(ours, theirs);
    }
}
