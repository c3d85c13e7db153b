//! Diagnostics: what every loader error and rule finding becomes, and how they are printed
//! (rustc-style for people, JSON for tools, GitHub annotations for CI).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

pub mod codequality;
pub mod sarif;

/// How serious a finding is. `Allow` never reaches the output; it exists so that
/// `kitei.toml` can switch a rule off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Allow,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }

    /// Parses the words used in `kitei.toml` (`allow`, `warn`, `deny`, and the level names).
    pub fn parse_setting(word: &str) -> Option<Level> {
        match word {
            "allow" | "off" => Some(Level::Allow),
            "warn" | "warning" => Some(Level::Warning),
            "deny" | "error" => Some(Level::Error),
            _ => None,
        }
    }
}

/// A position in a source file. `path` is shown as given (relative to the project root),
/// lines and columns are 1-based; 0 means "the whole file".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Loc {
    pub path: PathBuf,
    pub line: u32,
    pub column: u32,
    /// How many characters from `column` the finding is about; 0 when not known (the token
    /// at the column is underlined). Japanese prose has no spaces to end a token at, so a
    /// rule that matched a word in it says how long the word is.
    #[serde(skip_serializing_if = "is_zero")]
    pub length: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Loc {
    pub fn new(path: impl Into<PathBuf>, line: u32, column: u32) -> Self {
        Loc {
            path: path.into(),
            line,
            column,
            length: 0,
        }
    }

    /// The same position, about `length` characters from its column.
    pub fn spanning(mut self, length: u32) -> Self {
        self.length = length;
        self
    }

    pub fn file(path: impl Into<PathBuf>) -> Self {
        Loc::new(path, 0, 0)
    }
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.path.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        Ok(())
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Diagnostic {
    pub code: String,
    pub level: Level,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Loc>,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The record the finding is about (`incident:INC-2025-003`); exceptions match on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

impl Diagnostic {
    pub fn new(code: impl Into<String>, level: Level, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.into(),
            level,
            message: message.into(),
            location: None,
            help: None,
            subject: None,
        }
    }

    pub fn error(code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic::new(code, Level::Error, message)
    }

    pub fn at(mut self, loc: Loc) -> Self {
        self.location = Some(loc);
        self
    }

    pub fn at_opt(mut self, loc: Option<Loc>) -> Self {
        self.location = loc;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// [`Diagnostic::subject`] when there is one.
    pub fn subject_opt(mut self, subject: Option<String>) -> Self {
        if subject.is_some() {
            self.subject = subject;
        }
        self
    }

    /// Stable order for output: by file, line, column, then code (the length a location may
    /// give comes last: findings at one place stay in the order of their codes).
    pub fn sort_key(&self) -> (Option<(&Path, u32, u32)>, &str, &str, u32) {
        let at = self.location.as_ref();
        (
            at.map(|l| (l.path.as_path(), l.line, l.column)),
            &self.code,
            &self.message,
            at.map_or(0, |l| l.length),
        )
    }
}

/// Sorts `items` (each with its diagnostic, `of`) stably by [`Diagnostic::sort_key`], the
/// order `sort_by` with that key gives. Comparing paths component by component in every
/// comparison, and moving large values while sorting, made this a tenth of a `kitei serve`
/// rebuild at 13,000 findings: here each distinct path is compared once, to rank it, and the
/// items are sorted as (rank, line, column, index) with the rest of the key only for ties.
pub fn sort_by_location<T>(items: &mut Vec<T>, of: impl Fn(&T) -> &Diagnostic) {
    use rustc_hash::FxHashMap;
    use std::ffi::OsStr;
    let mut paths: Vec<&OsStr> = items
        .iter()
        .filter_map(|t| of(t).location.as_ref().map(|l| l.path.as_os_str()))
        .collect();
    paths.sort_unstable();
    paths.dedup();
    paths.sort_by(|a, b| Path::new(a).cmp(Path::new(b)));
    // Spellings of one path that compare equal as paths (`a//b`, `a/b`) share a rank.
    let mut rank: FxHashMap<&OsStr, u32> = FxHashMap::default();
    let mut next = 0u32;
    for (i, p) in paths.iter().enumerate() {
        if i > 0 && Path::new(paths[i - 1]) != Path::new(p) {
            next += 1;
        }
        rank.insert(p, next);
    }
    // (path rank, line, column) of each item, and its index.
    type Place = Option<(u32, u32, u32)>;
    let mut order: Vec<(Place, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let at = of(t).location.as_ref();
            (at.map(|l| (rank[l.path.as_os_str()], l.line, l.column)), i)
        })
        .collect();
    order.sort_unstable_by(|(a, i), (b, j)| {
        a.cmp(b)
            .then_with(|| {
                let (x, y) = (of(&items[*i]), of(&items[*j]));
                (
                    &x.code,
                    &x.message,
                    x.location.as_ref().map_or(0, |l| l.length),
                )
                    .cmp(&(
                        &y.code,
                        &y.message,
                        y.location.as_ref().map_or(0, |l| l.length),
                    ))
            })
            .then(i.cmp(j))
    });
    drop(rank);
    let mut slots: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    items.extend(order.iter().filter_map(|&(_, i)| slots[i].take()));
}

/// Which paths may be read from disk, see [`SourceMap::on_disk`].
type Readable = Box<dyn Fn(&Path) -> bool + Send + Sync>;

/// The text of source files, so that human output can quote the offending line. Texts are
/// either given ([`SourceMap::insert`]) or read from disk when a diagnostic quotes them
/// ([`SourceMap::on_disk`]): the loader keeps no file's text in memory once it is parsed.
/// Only the last [`RECENT_FILES`] texts read from disk are kept: diagnostics come sorted by
/// file, so each file is read once per listing, and the map never holds the whole corpus
/// (at 10,000 documents with warnings in most of them, that was 44 MB until the process ended).
#[derive(Default)]
pub struct SourceMap {
    /// Folder that the paths read from disk are relative to.
    root: PathBuf,
    /// Which paths may be read from `root` when asked for.
    readable: Option<Readable>,
    /// Texts given (kept for the map's lifetime).
    given: HashMap<PathBuf, Arc<str>>,
    /// Texts read from disk most recently, newest last (`None`: could not be read or is not
    /// UTF-8).
    recent: Mutex<std::collections::VecDeque<(PathBuf, Option<Arc<str>>)>>,
}

/// How many texts read from disk a [`SourceMap`] keeps.
pub const RECENT_FILES: usize = 4;

impl std::fmt::Debug for SourceMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceMap")
            .field("root", &self.root)
            .field("given", &self.given.keys())
            .finish_non_exhaustive()
    }
}

impl SourceMap {
    /// A map that reads the text of a path (relative to `root`) from disk when a diagnostic
    /// quotes it, if `readable` says so: as UTF-8 without a BOM, the way the loader reads.
    pub fn on_disk(
        root: impl Into<PathBuf>,
        readable: impl Fn(&Path) -> bool + Send + Sync + 'static,
    ) -> Self {
        SourceMap {
            root: root.into(),
            readable: Some(Box::new(readable)),
            ..SourceMap::default()
        }
    }

    /// The text of `path`, already in memory.
    pub fn insert(&mut self, path: impl Into<PathBuf>, text: String) {
        self.given.insert(path.into(), Arc::from(text));
    }

    /// The text of `path`, if it is known or readable.
    pub fn get(&self, path: &Path) -> Option<Arc<str>> {
        if let Some(text) = self.given.get(path) {
            return Some(text.clone());
        }
        if !self.readable.as_ref().is_some_and(|r| r(path)) {
            return None;
        }
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, text)) = recent.iter().find(|(p, _)| p == path) {
            return text.clone();
        }
        let text = std::fs::read(self.root.join(path))
            .ok()
            .and_then(|bytes| crate::text::encoding::decode_utf8(bytes).ok())
            .map(Arc::from);
        if recent.len() == RECENT_FILES {
            recent.pop_front();
        }
        recent.push_back((path.to_path_buf(), text.clone()));
        text
    }
}

/// Renders one diagnostic the way rustc does, quoting the source line when known.
pub fn render_human(diag: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    use annotate_snippets::{AnnotationKind, Group, Level as AL, Renderer, Snippet};

    let level = match diag.level {
        Level::Error => AL::ERROR,
        Level::Warning | Level::Allow => AL::WARNING,
    };
    let title = level
        .primary_title(diag.message.as_str())
        .id(diag.code.as_str());
    let mut groups = Vec::new();
    let path_text = diag.location.as_ref().map(|l| l.path.display().to_string());
    let text = diag
        .location
        .as_ref()
        .filter(|loc| loc.line > 0)
        .and_then(|loc| sources.get(&loc.path));
    let snippet_line = diag.location.as_ref().and_then(|loc| {
        let text = text.as_deref()?;
        text.lines().nth(loc.line as usize - 1).map(|l| (loc, l))
    });
    let main = match (&diag.location, snippet_line, &path_text) {
        (_, Some((loc, line)), Some(path)) => {
            let (start, end) = underline_range(line, loc.column, loc.length);
            title.element(
                Snippet::source(line)
                    .line_start(loc.line as usize)
                    .path(path.as_str())
                    .annotation(AnnotationKind::Primary.span(start..end)),
            )
        }
        (Some(loc), None, _) => title.element(annotate_snippets::Origin::path(loc.to_string())),
        _ => Group::with_title(title),
    };
    groups.push(main);
    if let Some(help) = &diag.help {
        groups.push(Group::with_title(AL::HELP.secondary_title(help.as_str())));
    }
    if let Some(subject) = &diag.subject {
        let note = format!("record: {subject}");
        groups.push(Group::with_title(AL::NOTE.secondary_title(note)));
    }
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    renderer.render(&groups)
}

/// Byte range to underline: from the column (1-based, in characters) `length` characters on,
/// or when that is not known (0) to the end of the token that starts there; the whole trimmed
/// line when the column is unknown.
fn underline_range(line: &str, column: u32, length: u32) -> (usize, usize) {
    if column == 0 {
        let start = line.len() - line.trim_start().len();
        return (start, line.trim_end().len().max(start));
    }
    let start = line
        .char_indices()
        .nth(column as usize - 1)
        .map(|(i, _)| i)
        .unwrap_or(line.len());
    let rest = &line[start..];
    if length > 0 {
        let end = rest
            .char_indices()
            .nth(length as usize)
            .map_or(rest.len(), |(i, _)| i);
        return (start, start + end);
    }
    let len = rest
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || *c == ',' || *c == ']' || *c == '}')
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    (
        start,
        start
            + len.max(if rest.is_empty() {
                0
            } else {
                rest.chars().next().unwrap().len_utf8()
            }),
    )
}

/// `::error file=…,line=…,col=…,title=…::message` as GitHub Actions reads it.
pub fn render_github(diag: &Diagnostic) -> String {
    let command = match diag.level {
        Level::Error => "error",
        _ => "warning",
    };
    let mut props = Vec::new();
    if let Some(loc) = &diag.location {
        props.push(format!(
            "file={}",
            escape_property(&loc.path.display().to_string())
        ));
        if loc.line > 0 {
            props.push(format!("line={}", loc.line));
        }
        if loc.column > 0 {
            props.push(format!("col={}", loc.column));
        }
    }
    props.push(format!("title={}", escape_property(&diag.code)));
    let mut message = diag.message.clone();
    if let Some(help) = &diag.help {
        let _ = write!(message, "\nhelp: {help}");
    }
    format!("::{command} {}::{}", props.join(","), escape_data(&message))
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast sort gives exactly the order of a stable sort by `sort_key`, with paths that
    /// order differently as bytes and as paths (`a-b` < `a/b` as bytes, `a/b` < `a-b` as
    /// paths), spellings of one path, findings without a place and exact duplicates.
    #[test]
    fn sorting_by_location_is_the_stable_sort_by_key() {
        let paths = [
            "a/b.md", "a-b.md", "a//b.md", "a/b/c.md", "b.md", "a.md", "a/b.md/",
        ];
        let codes = ["K0301", "K0202", "K0810"];
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let mut items: Vec<Diagnostic> = (0..400)
            .map(|i| {
                let d = Diagnostic::new(
                    codes[next(3) as usize],
                    Level::Warning,
                    format!("finding {}", next(4)),
                )
                .help(format!("item {i}"));
                if next(8) == 0 {
                    return d;
                }
                let mut loc = Loc::new(paths[next(7) as usize], next(3) as u32, next(2) as u32);
                loc.length = next(2) as u32;
                d.at(loc)
            })
            .collect();
        let mut expected = items.clone();
        expected.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        sort_by_location(&mut items, |d| d);
        assert_eq!(items, expected);
    }

    #[test]
    fn github_annotation_escapes_separators() {
        let d = Diagnostic::error("K0101", "bad: thing, here\nnext")
            .at(Loc::new("a,b.yaml", 3, 7))
            .help("fix it");
        assert_eq!(
            render_github(&d),
            "::error file=a%2Cb.yaml,line=3,col=7,title=K0101::bad: thing, here%0Anext%0Ahelp: fix it"
        );
    }

    #[test]
    fn human_output_quotes_the_line_and_help() {
        let mut map = SourceMap::default();
        map.insert("x.yaml", "id: A\nstatus: clsoed\n".into());
        let d = Diagnostic::error("K0103", "unknown variant")
            .at(Loc::new("x.yaml", 2, 9))
            .help("did you mean `closed`?");
        let out = render_human(&d, &map, false);
        assert!(out.contains("error[K0103]: unknown variant"), "{out}");
        assert!(out.contains("x.yaml:2:9"), "{out}");
        assert!(out.contains("status: clsoed"), "{out}");
        assert!(out.contains("did you mean `closed`?"), "{out}");
    }

    #[test]
    fn texts_on_disk_are_read_when_quoted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(
            dir.path().join("src/x.yaml"),
            "\u{feff}id: A\nstatus: clsoed\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("src/y.yaml"), "id: B\n").unwrap();
        let mut map = SourceMap::on_disk(dir.path(), |p| p.ends_with("x.yaml"));
        map.insert("given.yaml", "a: b\n".into());
        assert_eq!(map.get(Path::new("given.yaml")).as_deref(), Some("a: b\n"));
        assert_eq!(map.get(Path::new("src/y.yaml")), None, "not registered");
        assert_eq!(
            map.get(Path::new("src/x.yaml")).as_deref(),
            Some("id: A\nstatus: clsoed\n")
        );
        let d = Diagnostic::error("K0103", "unknown variant").at(Loc::new("src/x.yaml", 2, 9));
        assert!(render_human(&d, &map, false).contains("status: clsoed"));
        // Read once while it is among the recent files: a change on disk in between does not
        // change what is quoted.
        std::fs::write(dir.path().join("src/x.yaml"), "changed\n").unwrap();
        assert!(render_human(&d, &map, false).contains("status: clsoed"));
    }

    #[test]
    fn only_the_most_recent_texts_read_from_disk_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let names: Vec<String> = (0..=RECENT_FILES).map(|i| format!("f{i}.md")).collect();
        for n in &names {
            std::fs::write(dir.path().join(n), format!("{n} first\n")).unwrap();
        }
        let mut map = SourceMap::on_disk(dir.path(), |_| true);
        map.insert("given.md", "given\n".into());
        let text = |map: &SourceMap, n: &str| map.get(Path::new(n)).unwrap().to_string();
        for n in &names {
            assert_eq!(text(&map, n), format!("{n} first\n"));
        }
        for n in &names {
            std::fs::write(dir.path().join(n), format!("{n} second\n")).unwrap();
        }
        // The first file fell out when the last one was read; the others are still kept.
        assert_eq!(
            text(&map, &names[RECENT_FILES]),
            format!("f{RECENT_FILES}.md first\n")
        );
        assert_eq!(text(&map, &names[1]), "f1.md first\n");
        assert_eq!(text(&map, &names[0]), "f0.md second\n", "read again");
        assert_eq!(text(&map, "given.md"), "given\n", "given texts stay");
    }

    #[test]
    fn underline_counts_characters_not_bytes() {
        let line = "title: 会員 データ";
        let (s, e) = underline_range(line, 8, 0);
        assert_eq!(&line[s..e], "会員");
    }

    #[test]
    fn a_known_length_is_underlined_in_prose_without_spaces() {
        let line = "関係するガイドラインに基づき、報告する。";
        // Without a length the token runs to the end of the line (no space ends it).
        let (s, e) = underline_range(line, 5, 0);
        assert_eq!(&line[s..e], "ガイドラインに基づき、報告する。");
        let (s, e) = underline_range(line, 5, 6);
        assert_eq!(&line[s..e], "ガイドライン");
        // A length past the end stops at the end.
        let (s, e) = underline_range(line, 20, 5);
        assert_eq!(&line[s..e], "。");
        let mut sources = SourceMap::default();
        sources.insert("a.md", format!("{line}\n"));
        let shown = render_human(
            &Diagnostic::error("K0804", "「ガイドライン」 is not a document of the corpus")
                .at(Loc::new("a.md", 1, 5).spanning(6)),
            &sources,
            false,
        );
        let carets: Vec<&str> = shown.lines().filter(|l| l.contains('^')).collect();
        assert_eq!(carets.len(), 1, "{shown}");
        // Six characters of two columns each.
        assert_eq!(carets[0].matches('^').count(), 12, "{shown}");
    }
}
