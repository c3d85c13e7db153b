//! The few git operations the version history needs, through the `git` command line (no
//! library: CI has git, and the plumbing commands below are stable). Nothing here checks out
//! a commit or touches the working tree or the index: release files are read from the object
//! database (`ls-tree`, `cat-file --batch`).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use chrono::{DateTime, FixedOffset};

/// The git repository that holds the project.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The project root (every command runs with `git -C root`).
    pub root: PathBuf,
    /// Where the project root lies inside the repository (`""` or `"sub/dir/"`).
    pub prefix: String,
    /// A shallow clone: tags and commits of earlier releases may be missing.
    pub shallow: bool,
}

/// A tag that matched the release pattern.
#[derive(Debug, Clone)]
pub struct Tag {
    pub name: String,
    /// The commit it points at (annotated tags are peeled).
    pub commit: String,
    /// The tagger date of an annotated tag, else the commit date.
    pub date: DateTime<FixedOffset>,
    /// The tag message (annotated) or the commit message (lightweight): subject and body.
    pub subject: String,
    pub body: String,
    /// Who made the tag (annotated tags only).
    pub tagger: Option<String>,
}

/// An object read from the database: its type (`blob`, `tree`, …) and content.
pub type Object = (String, Vec<u8>);

/// One entry of `git ls-tree -r`.
#[derive(Debug, Clone)]
pub struct TreeEntry {
    pub mode: String,
    pub kind: String,
    pub object: String,
    /// Path relative to the listed tree, with `/`.
    pub path: String,
}

fn command(root: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(root);
    // Never ask for credentials or open a pager from a build.
    c.env("GIT_TERMINAL_PROMPT", "0").env("GIT_PAGER", "cat");
    c
}

/// Runs git and returns stdout, or a message with git's own stderr.
pub fn run(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = command(root)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git ({e})"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn run_text(root: &Path, args: &[&str]) -> Result<String, String> {
    run(root, args).map(|b| String::from_utf8_lossy(&b).trim_end().to_string())
}

/// The trimmed output of a git command that succeeded with some output; `None` otherwise (no
/// git, not a repository, no commit yet). For values that are optional (the source commit, the
/// HEAD commit time).
pub fn query(root: &Path, args: &[&str]) -> Option<String> {
    run_text(root, args)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Why there is no repository to read releases from.
#[derive(Debug, Clone)]
pub enum NoRepo {
    /// The `git` program could not be started.
    NoGit(String),
    /// The project is not inside a git work tree.
    NotARepository,
}

impl Repo {
    /// The repository that contains `root`.
    pub fn open(root: &Path) -> Result<Repo, NoRepo> {
        let out = command(root)
            .args([
                "rev-parse",
                "--is-inside-work-tree",
                "--show-prefix",
                "--is-shallow-repository",
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| NoRepo::NoGit(e.to_string()))?;
        if !out.status.success() {
            return Err(NoRepo::NotARepository);
        }
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let lines: Vec<&str> = text.lines().collect();
        if lines.first() != Some(&"true") {
            return Err(NoRepo::NotARepository);
        }
        // `--show-prefix` prints an empty line at the top level.
        let (prefix, shallow) = match lines.len() {
            3 => (lines[1].to_string(), lines[2] == "true"),
            2 => (String::new(), lines[1] == "true"),
            _ => (String::new(), false),
        };
        Ok(Repo {
            root: root.to_path_buf(),
            prefix,
            shallow,
        })
    }

    /// Tags matching `pattern` (a glob on the tag name, e.g. `policy-v*`), unsorted. A tag
    /// that matches but cannot be a release is skipped with a warning in `skipped` saying why:
    /// markup or `/` in its name (git's own pattern would not even list `policy-v<b>1</b>`,
    /// whose `/` makes it a folder), a tag of a tree or blob, an unreadable date.
    pub fn tags(&self, pattern: &str, skipped: &mut Vec<String>) -> Result<Vec<Tag>, String> {
        let format = "%(refname:strip=2)%1f%(objecttype)%1f%(objectname)%1f%(*objectname)%1f\
                      %(creatordate:iso-strict)%1f%(taggername)%1f%(contents)%1e";
        // Every tag, matched here: git's pattern stops `*` at a `/`.
        let out = run(
            &self.root,
            &["for-each-ref", &format!("--format={format}"), "refs/tags/"],
        )?;
        let skip = |skipped: &mut Vec<String>, name: &str, why: &str| {
            skipped.push(format!(
                "release tag `{name}` matches `{pattern}` but is skipped: {why}"
            ));
        };
        let text = String::from_utf8_lossy(&out);
        let mut tags = Vec::new();
        for record in text.split('\u{1e}') {
            let record = record.trim_start_matches('\n');
            if record.is_empty() {
                continue;
            }
            let f: Vec<&str> = record.split('\u{1f}').collect();
            if f.len() < 7 || !glob_match(pattern, f[0]) {
                continue;
            }
            if let Some(why) = unusable_tag_name(f[0]) {
                skip(skipped, f[0], &why);
                continue;
            }
            let commit = match f[1] {
                "tag" if !f[3].is_empty() => f[3].to_string(),
                "commit" => f[2].to_string(),
                // A tag of a tree or blob, or of another tag: not a release.
                kind => {
                    skip(
                        skipped,
                        f[0],
                        &format!("it tags a {kind}, not a commit; tag the approved commit"),
                    );
                    continue;
                }
            };
            let Ok(date) = DateTime::parse_from_rfc3339(f[4]) else {
                skip(
                    skipped,
                    f[0],
                    &format!("its date `{}` cannot be read", f[4]),
                );
                continue;
            };
            let message = f[6].trim();
            // An annotated tag's message may end in a PGP signature: not part of the notice.
            let message = message
                .split("-----BEGIN PGP SIGNATURE-----")
                .next()
                .unwrap_or("")
                .split("-----BEGIN SSH SIGNATURE-----")
                .next()
                .unwrap_or("")
                .trim();
            let (subject, body) = match message.split_once("\n\n") {
                Some((s, b)) => (s.replace('\n', " "), b.trim().to_string()),
                None => (message.replace('\n', " "), String::new()),
            };
            tags.push(Tag {
                name: f[0].to_string(),
                commit,
                date,
                subject,
                body,
                tagger: (f[1] == "tag" && !f[5].is_empty()).then(|| f[5].to_string()),
            });
        }
        Ok(tags)
    }

    /// The object a `rev:path` (relative to the project root) names, if it exists.
    pub fn object(&self, rev: &str, path: &str) -> Option<String> {
        let spec = format!("{rev}:{}", self.repo_path(path));
        run_text(&self.root, &["rev-parse", "--verify", "--quiet", &spec])
            .ok()
            .filter(|s| !s.is_empty())
    }

    /// The path of `path` (relative to the project root) from the repository's top.
    pub fn repo_path(&self, path: &str) -> String {
        let path = path.trim_start_matches("./").trim_end_matches('/');
        if path.is_empty() || path == "." {
            self.prefix.trim_end_matches('/').to_string()
        } else {
            format!("{}{path}", self.prefix)
        }
    }

    /// Every blob below a tree object, recursively.
    pub fn ls_tree(&self, tree: &str) -> Result<Vec<TreeEntry>, String> {
        let out = run(&self.root, &["ls-tree", "-r", "-z", tree])?;
        let mut entries = Vec::new();
        for record in out.split(|b| *b == 0) {
            if record.is_empty() {
                continue;
            }
            let text = String::from_utf8_lossy(record);
            let Some((meta, path)) = text.split_once('\t') else {
                continue;
            };
            let mut parts = meta.split(' ');
            let (Some(mode), Some(kind), Some(object)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            entries.push(TreeEntry {
                mode: mode.into(),
                kind: kind.into(),
                object: object.into(),
                path: path.into(),
            });
        }
        Ok(entries)
    }

    /// The contents of these blobs, in order, through one `git cat-file --batch`.
    pub fn read_blobs(&self, objects: &[String]) -> Result<Vec<Vec<u8>>, String> {
        self.cat_file(objects)?
            .into_iter()
            .zip(objects)
            .map(|(found, object)| match found {
                Some((kind, bytes)) if kind == "blob" => Ok(bytes),
                _ => Err(format!("git cannot read blob {object}")),
            })
            .collect()
    }

    /// Objects by name (`<oid>`, `<rev>:<path>`), in order, through one `git cat-file
    /// --batch`: `(type, content)`, or None when missing.
    pub fn cat_file(&self, specs: &[String]) -> Result<Vec<Option<Object>>, String> {
        self.batch(specs, true).map(|v| {
            v.into_iter()
                .map(|o| o.map(|(_, kind, bytes)| (kind, bytes)))
                .collect()
        })
    }

    /// What these names resolve to, through one `git cat-file --batch-check`: `(oid, type)`,
    /// or None when missing.
    pub fn check(&self, specs: &[String]) -> Result<Vec<Option<(String, String)>>, String> {
        self.batch(specs, false).map(|v| {
            v.into_iter()
                .map(|o| o.map(|(oid, kind, _)| (oid, kind)))
                .collect()
        })
    }

    #[allow(clippy::type_complexity)]
    fn batch(
        &self,
        specs: &[String],
        contents: bool,
    ) -> Result<Vec<Option<(String, String, Vec<u8>)>>, String> {
        if specs.is_empty() {
            return Ok(Vec::new());
        }
        if specs.iter().any(|s| s.contains('\n')) {
            return Err("a git object name contains a line break".into());
        }
        let mut child = command(&self.root)
            .args([
                "cat-file",
                if contents { "--batch" } else { "--batch-check" },
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run git ({e})"))?;
        let mut stdin = child.stdin.take().expect("piped stdin");
        let list: String = specs.iter().map(|o| format!("{o}\n")).collect();
        // Write from another thread: git answers while it reads, and both pipes are bounded.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(list.as_bytes());
        });
        let mut reader = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut out = Vec::with_capacity(specs.len());
        for spec in specs {
            let mut header = String::new();
            reader
                .read_line(&mut header)
                .map_err(|e| format!("git cat-file: {e}"))?;
            let parts: Vec<&str> = header.split_whitespace().collect();
            if parts.len() != 3 {
                // `<spec> missing` (or ambiguous): nothing follows.
                out.push(None);
                continue;
            }
            let size: usize = parts[2]
                .parse()
                .map_err(|_| format!("git cat-file: bad header `{}` for {spec}", header.trim()))?;
            let mut data = Vec::new();
            if contents {
                data = vec![0; size + 1];
                reader
                    .read_exact(&mut data)
                    .map_err(|e| format!("git cat-file: {e}"))?;
                data.pop();
            }
            out.push(Some((parts[0].to_string(), parts[1].to_string(), data)));
        }
        let _ = writer.join();
        let _ = child.wait();
        Ok(out)
    }

    /// Writes the blobs of `tree` into `dest` (created). Symbolic links and submodules are
    /// skipped (the loader refuses links that leave the folder anyway).
    pub fn write_tree(&self, tree: &str, dest: &Path) -> Result<(), String> {
        let entries: Vec<TreeEntry> = self
            .ls_tree(tree)?
            .into_iter()
            .filter(|e| e.kind == "blob" && e.mode != "120000")
            .collect();
        let objects: Vec<String> = entries.iter().map(|e| e.object.clone()).collect();
        let blobs = self.read_blobs(&objects)?;
        for (entry, bytes) in entries.iter().zip(blobs) {
            let mut path = dest.to_path_buf();
            for part in entry.path.split('/') {
                if part.is_empty() || part == "." || part == ".." {
                    return Err(format!("refusing the path `{}` in git", entry.path));
                }
                path.push(part);
            }
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            std::fs::write(&path, bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok(())
    }
}

/// The entries of a raw tree object (`<mode> <name>\0<binary oid>`…): `(mode, name, oid hex)`.
/// `oid_len` is 20 (SHA-1 repositories) or 32 (SHA-256).
pub fn parse_tree(bytes: &[u8], oid_len: usize) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let Some(nul) = bytes[pos..].iter().position(|b| *b == 0) else {
            break;
        };
        let head = String::from_utf8_lossy(&bytes[pos..pos + nul]).into_owned();
        let start = pos + nul + 1;
        let Some(oid) = bytes.get(start..start + oid_len) else {
            break;
        };
        if let Some((mode, name)) = head.split_once(' ') {
            out.push((mode.to_string(), name.to_string(), crate::digest::hex(oid)));
        }
        pos = start + oid_len;
    }
    out
}

/// Why a tag name cannot name a release, if it cannot: the version name appears in pages,
/// URLs, the feed and bag-info, so markup characters and `/` are refused rather than quietly
/// rewritten.
pub fn unusable_tag_name(name: &str) -> Option<String> {
    let bad: Vec<String> = name
        .chars()
        .filter(|c| matches!(c, '<' | '>' | '&' | '"' | '\'' | '/' | '`') || c.is_whitespace())
        .map(|c| format!("`{c}`"))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    (!bad.is_empty()).then(|| {
        format!(
            "its name contains {} (markup or a path separator), which a version name cannot carry; \
             tag the same commit under a plain name, e.g. `git tag -a policy-v2026.1 -m … '{name}^{{}}'`",
            bad.join(" ")
        )
    })
}

/// Matches a tag name against a glob with `*` and `?` (what `git for-each-ref` does with
/// the pattern); used to name versions and to tell tags from version names.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("policy-v*", "policy-v2025.1"));
        assert!(!glob_match("policy-v*", "v2025.1"));
        assert!(glob_match("v?", "v1"));
        assert!(glob_match("*-rel", "2025-rel"));
        // `*` crosses `/` (git's pattern does not): such tags are found and then refused.
        assert!(glob_match("policy-v*", "policy-v<b>1</b>"));
    }

    #[test]
    fn markup_in_a_tag_name_is_named() {
        let why = unusable_tag_name("policy-v<b>1</b>").unwrap();
        assert!(
            why.contains("`<` `>` `/`") || why.contains("`/` `<` `>`"),
            "{why}"
        );
        assert!(unusable_tag_name("policy-v2026.1").is_none());
        assert!(unusable_tag_name("policy-v2026.1-rc_2").is_none());
        assert!(unusable_tag_name("policy-v1&2").is_some());
    }
}
