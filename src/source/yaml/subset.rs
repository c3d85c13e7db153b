//! A reader for the plain, block-style YAML that records are written in: block mappings and
//! sequences, one-line flow collections, plain and quoted one-line scalars, `|` and `>` block
//! scalars, comments. It is several times faster than the full parser because it does little:
//! no anchors, tags, multi-line flow or plain scalars, tabs, directives or document markers,
//! and it never reports an error. Whatever it does not read with certainty it declines, and the
//! caller parses the text with serde-saphyr, which then also words every error. So the reader
//! only has to be right about the texts it accepts; `tests` hold it to serde-saphyr's results
//! on the example policy and on thousands of mutated copies of it.

use std::borrow::Cow;

/// The reader does not take this text (or this value for that type): parse it fully instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decline;

type Read<T> = Result<T, Decline>;

/// Nesting deeper than this is declined: records nest a few levels, and a hostile text
/// (`[[[[…`) must not exhaust the stack; serde-saphyr's own limits then apply.
const MAX_DEPTH: usize = 64;

/// At most this many nodes are reserved for a text before it is read (a record has a few
/// hundred; a text of a million lines must not reserve 160 MB up front).
const MAX_GUESSED_NODES: usize = 4096;

/// A YAML node with the line and column (1-based, in characters) where serde-saphyr places it.
#[derive(Debug)]
pub struct Node<'a> {
    pub line: u32,
    pub column: u32,
    pub value: Value<'a>,
}

#[derive(Debug)]
pub enum Value<'a> {
    /// A plain (unquoted) scalar: its type is decided by what the record asks for.
    Plain(&'a str),
    /// A quoted or block scalar: always a string.
    Text(Cow<'a, str>),
    /// Nothing written after `key:`.
    Null,
    /// `len` entries: key and value alternate in [`Tree::nodes`] from `first` on.
    Map { first: u32, len: u32 },
    /// `len` items in [`Tree::nodes`] from `first` on. `indentless`: the `-` lines stand at
    /// their key's indentation, where serde-saphyr places the sequence differently; its
    /// position is then not given.
    Seq {
        first: u32,
        len: u32,
        indentless: bool,
    },
}

/// What [`read`] read: the top mapping, and the nodes of every collection in one vector, each
/// collection's children side by side (stored when the collection is complete, so inner ones
/// come first). One vector per text instead of one per collection: allocating, filling and
/// freeing a vector for each of the two dozen collections of an incident record was a tenth
/// of the reader's time.
#[derive(Debug)]
pub struct Tree<'a> {
    pub root: Node<'a>,
    nodes: Vec<Node<'a>>,
}

impl<'a> Tree<'a> {
    /// A mapping's entries as (key, value); none for other nodes.
    pub fn entries(&self, node: &Node<'a>) -> std::slice::ChunksExact<'_, Node<'a>> {
        let (first, len) = match node.value {
            Value::Map { first, len } => (first as usize, 2 * len as usize),
            _ => (0, 0),
        };
        self.nodes[first..first + len].chunks_exact(2)
    }

    /// A sequence's items; none for other nodes.
    pub fn items(&self, node: &Node<'a>) -> &[Node<'a>] {
        match node.value {
            Value::Seq { first, len, .. } => &self.nodes[first as usize..(first + len) as usize],
            _ => &[],
        }
    }
}

/// Where the reader puts nodes: the children of the collections being read, innermost last,
/// and the children of those complete, in [`Tree::nodes`].
struct Store<'a> {
    open: Vec<Node<'a>>,
    done: Vec<Node<'a>>,
}

impl<'a> Store<'a> {
    /// The children that collection opened at `base` (a length of `open`) left in `open`,
    /// moved to `done`: where they start there.
    fn close(&mut self, base: usize) -> Read<u32> {
        let first = u32::try_from(self.done.len()).map_err(|_| Decline)?;
        self.done.extend(self.open.drain(base..));
        Ok(first)
    }

    /// The mapping whose entries (key, value, key, …) were pushed on `open` from `base` on.
    fn map(&mut self, base: usize) -> Read<Value<'a>> {
        no_duplicate_keys(&self.open[base..])?;
        let len = ((self.open.len() - base) / 2) as u32;
        let first = self.close(base)?;
        Ok(Value::Map { first, len })
    }

    /// The sequence whose items were pushed on `open` from `base` on.
    fn seq(&mut self, base: usize, indentless: bool) -> Read<Value<'a>> {
        let len = (self.open.len() - base) as u32;
        let first = self.close(base)?;
        Ok(Value::Seq {
            first,
            len,
            indentless,
        })
    }
}

impl Node<'_> {
    /// Whether the position is the one serde-saphyr would give (see [`Value::Seq`]).
    pub fn has_position(&self) -> bool {
        !matches!(
            self.value,
            Value::Null
                | Value::Seq {
                    indentless: true,
                    ..
                }
        )
    }
}

/// Reads `text` if it is within the subset, else declines.
pub fn read(text: &str) -> Read<Tree<'_>> {
    let breaks = plain_characters(text)?;
    let mut lines: Vec<&str> = Vec::with_capacity(breaks + 1);
    // `text.split('\n')`, with the vectorised search of `memchr` (the standard library's
    // searcher per line was a twentieth of a cold `check`).
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        lines.push(&text[start..end]);
        start = end + 1;
    }
    lines.push(&text[start..]);
    // The empty piece after a final line break is not a line.
    let ends_with_break = text.ends_with('\n');
    if ends_with_break {
        lines.pop();
    }
    for line in &mut lines {
        if let Some(l) = line.strip_suffix('\r') {
            *line = l;
        }
    }
    let mut reader = Reader {
        lines,
        next: 0,
        ends_with_break,
        depth: 0,
        // A record's lines hold a few nodes each; growing the vector by doubling from
        // nothing showed in profiles. The guess is capped: a long text grows it as it needs.
        store: Store {
            open: Vec::with_capacity(64),
            done: Vec::with_capacity((4 * (breaks + 1)).min(MAX_GUESSED_NODES)),
        },
    };
    reader.skip_blank();
    let first = reader.lines.get(reader.next).ok_or(Decline)?;
    if indent_of(first) != 0 || !is_key_at(first, 0) {
        return Err(Decline);
    }
    let node = reader.map(0, None)?;
    reader.skip_blank();
    if reader.next < reader.lines.len() {
        return Err(Decline);
    }
    Ok(Tree {
        root: node,
        nodes: reader.store.done,
    })
}

/// Declines characters whose treatment differs between YAML versions and parsers: tabs,
/// control characters, a byte-order mark, line and paragraph separators, non-characters,
/// and a carriage return that does not end a line. Returns the number of line breaks.
///
/// Blocks of bytes are screened first for any byte that can start such a character (a loop
/// the compiler vectorises); only blocks with one are looked at byte by byte.
fn plain_characters(text: &str) -> Read<usize> {
    const BLOCK: usize = 32;
    let bytes = text.as_bytes();
    let mut breaks = 0;
    for (n, block) in bytes.chunks(BLOCK).enumerate() {
        // Counted in a byte per block, so the loop stays in byte lanes (widening every
        // comparison to a usize showed in profiles).
        let mut newlines = 0u8;
        let mut suspect = false;
        for &b in block {
            newlines += u8::from(b == b'\n');
            suspect |=
                (b < 0x20 && b != b'\n') | (b == 0x7f) | (b == 0xc2) | (b == 0xe2) | (b == 0xef);
        }
        breaks += usize::from(newlines);
        if suspect {
            let start = n * BLOCK;
            for i in start..start + block.len() {
                declined_at(bytes, i)?;
            }
        }
    }
    Ok(breaks)
}

/// Whether the character at byte `i` is one [`plain_characters`] declines.
fn declined_at(bytes: &[u8], i: usize) -> Read<()> {
    match bytes[i] {
        b'\n' => Ok(()),
        b'\r' if bytes.get(i + 1) == Some(&b'\n') => Ok(()),
        0..=0x1f | 0x7f => Err(Decline),
        // C1 controls (U+0080..U+009F) are 0xC2 0x80..0x9F.
        0xc2 if matches!(bytes.get(i + 1), Some(0x80..=0x9f)) => Err(Decline),
        // U+2028, U+2029 (E2 80 A8/A9); U+FEFF (EF BB BF); U+FFFE, U+FFFF (EF BF BE/BF).
        0xe2 if bytes.get(i + 1) == Some(&0x80)
            && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9)) =>
        {
            Err(Decline)
        }
        0xef if (bytes.get(i + 1) == Some(&0xbb) && bytes.get(i + 2) == Some(&0xbf))
            || (bytes.get(i + 1) == Some(&0xbf)
                && matches!(bytes.get(i + 2), Some(0xbe | 0xbf))) =>
        {
            Err(Decline)
        }
        _ => Ok(()),
    }
}

struct Reader<'a> {
    lines: Vec<&'a str>,
    /// The first line not yet read.
    next: usize,
    ends_with_break: bool,
    /// Block collections open around the one being read.
    depth: usize,
    store: Store<'a>,
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Blank or only a comment.
fn is_blank(line: &str) -> bool {
    let rest = line.trim_start_matches(' ');
    rest.is_empty() || rest.starts_with('#')
}

/// The 1-based column in characters of byte offset `at` of `line`.
fn column(line: &str, at: usize) -> u32 {
    let prefix = &line[..at];
    let chars = if prefix.is_ascii() {
        prefix.len()
    } else {
        prefix.chars().count()
    };
    chars as u32 + 1
}

/// The columns of byte offsets of one line, asked for left to right: each is counted on from
/// the one before. A flow collection asks for each of its nodes', and counting every one from
/// the line's start (as [`column`] does) was quadratic in the line's length: 1.4 % of the
/// samples of a cold `check` of 100,000 incidents, whose flow lists carry Japanese text.
struct Columns<'a> {
    line: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> Columns<'a> {
    fn new(line: &'a str) -> Self {
        Columns {
            line,
            byte: 0,
            chars: 0,
        }
    }

    /// The 1-based column in characters of byte offset `at`; an offset left of the last one
    /// asked for is counted from the line's start again.
    fn at(&mut self, at: usize) -> u32 {
        if at < self.byte {
            (self.byte, self.chars) = (0, 0);
        }
        let piece = &self.line[self.byte..at];
        self.chars += if piece.is_ascii() {
            piece.len()
        } else {
            piece.chars().count()
        };
        self.byte = at;
        self.chars as u32 + 1
    }
}

/// A sequence entry starts at `at`: `-` followed by a space or the end of the line.
fn is_entry_at(line: &str, at: usize) -> bool {
    let rest = &line.as_bytes()[at..];
    rest.first() == Some(&b'-') && matches!(rest.get(1), None | Some(b' '))
}

/// A plain key starts at `at`: `key:` followed by a space or the end of the line.
fn is_key_at(line: &str, at: usize) -> bool {
    plain_key_end(&line[at..]).is_some()
}

/// For `key: …`, the byte length of `key` (before the colon); `None` if `text` does not start
/// with a plain key this reader takes (short, no indicator first, no comment, no quotes).
fn plain_key_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let first = *bytes.first()?;
    if KEY_NO_START[usize::from(first)] {
        return None;
    }
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b':' if matches!(bytes.get(i + 1), None | Some(b' ')) => {
                let key = text[..i].trim_end_matches(' ');
                // serde-saphyr limits implicit keys; keep far from that.
                return (!key.is_empty() && key.len() <= 512 && key != "<<").then_some(i);
            }
            b'#' if bytes[i - 1] == b' ' => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

impl<'a> Reader<'a> {
    fn skip_blank(&mut self) {
        while self.next < self.lines.len() && is_blank(self.lines[self.next]) {
            self.next += 1;
        }
    }

    /// Indentation of the next non-blank line, if any.
    fn peek_indent(&mut self) -> Option<usize> {
        self.skip_blank();
        self.lines.get(self.next).map(|l| indent_of(l))
    }

    /// A block mapping whose keys stand at `indent`; `first` is the line and byte offset of a
    /// first key that follows a sequence's `- ` on the same line.
    fn map(&mut self, indent: usize, first: Option<(usize, usize)>) -> Read<Node<'a>> {
        self.depth += 1;
        let map = self.map_entries(indent, first);
        self.depth -= 1;
        map
    }

    fn map_entries(&mut self, indent: usize, first: Option<(usize, usize)>) -> Read<Node<'a>> {
        if self.depth > MAX_DEPTH {
            return Err(Decline);
        }
        let (mut line, mut at) = first.unwrap_or((self.next, indent));
        let base = self.store.open.len();
        loop {
            let text = self.lines[line];
            let key_len = plain_key_end(&text[at..]).ok_or(Decline)?;
            let key = Node {
                line: line as u32 + 1,
                column: column(text, at),
                value: Value::Plain(text[at..at + key_len].trim_end_matches(' ')),
            };
            self.store.open.push(key);
            let value = self.value_after_key(line, at + key_len + 1, indent)?;
            self.store.open.push(value);
            match self.peek_indent() {
                Some(i) if i == indent => {
                    line = self.next;
                    at = indent;
                }
                Some(i) if i > indent => return Err(Decline),
                _ => break,
            }
        }
        let (line, column) = (self.store.open[base].line, self.store.open[base].column);
        Ok(Node {
            line,
            column,
            value: self.store.map(base)?,
        })
    }

    /// The value after `key:` (byte `at` of `line` is just past the colon) of a mapping at
    /// `indent`: on the same line, or a block on the lines below.
    fn value_after_key(&mut self, line: usize, at: usize, indent: usize) -> Read<Node<'a>> {
        let text = self.lines[line];
        let rest = &text[at..];
        let start = at + (rest.len() - rest.trim_start_matches(' ').len());
        self.next = line + 1;
        if start == text.len() || text.as_bytes()[start] == b'#' {
            let Some(below) = self.peek_indent() else {
                return Ok(null());
            };
            let below_text = self.lines[self.next];
            if below > indent {
                return self.block(below);
            }
            if below == indent && is_entry_at(below_text, below) {
                return self.seq(below, true);
            }
            return Ok(null());
        }
        self.inline(line, start, indent)
    }

    /// A block node (mapping or sequence) starting on the next line, at `indent`.
    fn block(&mut self, indent: usize) -> Read<Node<'a>> {
        let text = self.lines[self.next];
        if is_entry_at(text, indent) {
            self.seq(indent, false)
        } else if is_key_at(text, indent) {
            self.map(indent, None)
        } else {
            // A scalar alone on the lines below its key: not in the subset.
            Err(Decline)
        }
    }

    /// A block sequence whose `-` stand at `indent`.
    fn seq(&mut self, indent: usize, indentless: bool) -> Read<Node<'a>> {
        self.depth += 1;
        let seq = self.seq_items(indent, indentless);
        self.depth -= 1;
        seq
    }

    fn seq_items(&mut self, indent: usize, indentless: bool) -> Read<Node<'a>> {
        if self.depth > MAX_DEPTH {
            return Err(Decline);
        }
        let first_line = self.next;
        let base = self.store.open.len();
        loop {
            let line = self.next;
            let text = self.lines[line];
            let after = indent + 1;
            let rest = &text[after..];
            let start = after + (rest.len() - rest.trim_start_matches(' ').len());
            self.next = line + 1;
            let item = if start == text.len() || text.as_bytes()[start] == b'#' {
                match self.peek_indent() {
                    Some(below) if below > indent => self.block(below)?,
                    _ => null(),
                }
            } else if is_entry_at(text, start) {
                return Err(Decline);
            } else if is_key_at(text, start) {
                self.map(start, Some((line, start)))?
            } else {
                self.inline(line, start, indent)?
            };
            self.store.open.push(item);
            match self.peek_indent() {
                Some(i) if i == indent && is_entry_at(self.lines[self.next], i) => {}
                Some(i) if i > indent => return Err(Decline),
                _ => break,
            }
        }
        Ok(Node {
            line: first_line as u32 + 1,
            column: indent as u32 + 1,
            value: self.store.seq(base, indentless)?,
        })
    }

    /// A value that starts at byte `at` of `line` after a key or `- ` of a block at `indent`.
    /// `self.next` is the line after `line`.
    fn inline(&mut self, line: usize, at: usize, indent: usize) -> Read<Node<'a>> {
        let text = self.lines[line];
        let node = match text.as_bytes()[at] {
            b'|' | b'>' => return self.block_scalar(line, at, indent),
            b'[' | b'{' | b'"' | b'\'' => {
                let mut i = at;
                let mut columns = Columns::new(text);
                let node = flow_node(
                    text,
                    line,
                    &mut i,
                    self.depth + 1,
                    &mut columns,
                    &mut self.store,
                )?;
                end_of_line(text, i)?;
                node
            }
            _ => {
                let end = comment_start(&text[at..]).map_or(text.len(), |i| at + i);
                let value = text[at..end].trim_end_matches(' ');
                plain_block_scalar(value)?;
                Node {
                    line: line as u32 + 1,
                    column: column(text, at),
                    value: Value::Plain(value),
                }
            }
        };
        // A more-indented line below continues a multi-line scalar: not in the subset.
        if self.peek_indent().is_some_and(|i| i > indent) {
            return Err(Decline);
        }
        Ok(node)
    }

    /// `|` or `>` with an optional chomping indicator; the content is the more-indented lines
    /// below. serde-saphyr places the scalar at its first content line.
    fn block_scalar(&mut self, line: usize, at: usize, indent: usize) -> Read<Node<'a>> {
        let text = self.lines[line];
        let literal = text.as_bytes()[at] == b'|';
        let mut header = &text[at + 1..];
        let chomp = match header.as_bytes().first() {
            Some(b'-') => Some(false),
            Some(b'+') => Some(true),
            _ => None,
        };
        if chomp.is_some() {
            header = &header[1..];
        }
        end_of_line(header, 0)?;
        // The first content line fixes the indentation; blank lines before it are declined.
        let first = line + 1;
        let body_text = *self.lines.get(first).ok_or(Decline)?;
        let body_indent = indent_of(body_text);
        if body_indent <= indent || body_indent == body_text.len() {
            return Err(Decline);
        }
        let mut parts: Vec<&'a str> = Vec::new();
        let mut next = first;
        while let Some(&l) = self.lines.get(next) {
            let own = indent_of(l);
            if own == l.len() {
                // A blank line: part of the scalar unless it carries spaces past the
                // indentation (content in a literal scalar: declined).
                if own > body_indent {
                    return Err(Decline);
                }
                parts.push("");
            } else if own >= body_indent {
                if !literal && own > body_indent {
                    return Err(Decline);
                }
                parts.push(&l[body_indent..]);
            } else {
                break;
            }
            next += 1;
        }
        // Trailing blank lines count for `+` only.
        let trailing = parts.iter().rev().take_while(|p| p.is_empty()).count();
        let content = &parts[..parts.len() - trailing];
        // Without a break after the last line the chomping rules differ: not in the subset.
        if next == self.lines.len() && !self.ends_with_break {
            return Err(Decline);
        }
        let mut value = if literal {
            content.join("\n")
        } else {
            fold_runs(content)
        };
        match chomp {
            Some(false) => {}
            None => value.push('\n'),
            Some(true) => {
                value.push('\n');
                value.extend(std::iter::repeat_n('\n', trailing));
            }
        }
        self.next = next;
        Ok(Node {
            line: first as u32 + 1,
            column: body_indent as u32 + 1,
            value: Value::Text(Cow::Owned(value)),
        })
    }
}

/// The lines of a folded scalar joined: neighbouring lines by a space, and a run of n empty
/// lines between two lines by n line breaks.
fn fold_runs(content: &[&str]) -> String {
    let mut value = String::new();
    let mut empties = 0;
    for (i, part) in content.iter().enumerate() {
        if part.is_empty() {
            empties += 1;
            continue;
        }
        if i > 0 {
            if empties == 0 {
                value.push(' ');
            } else {
                value.extend(std::iter::repeat_n('\n', empties));
            }
        }
        empties = 0;
        value.push_str(part);
    }
    value
}

/// Nothing written: no position ([`Node::has_position`]).
fn null() -> Node<'static> {
    Node {
        line: 0,
        column: 0,
        value: Value::Null,
    }
}

/// Only spaces or a comment (after a space) from byte `at` on.
fn end_of_line(text: &str, at: usize) -> Read<()> {
    let rest = &text[at..];
    let trimmed = rest.trim_start_matches(' ');
    if trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < rest.len()) {
        Ok(())
    } else {
        Err(Decline)
    }
}

/// A plain scalar of block context as this reader takes it: no indicator first, no `: ` or
/// final `:` (a nested key: an error in YAML).
fn plain_block_scalar(value: &str) -> Read<()> {
    let bytes = value.as_bytes();
    let Some(&first) = bytes.first() else {
        return Err(Decline);
    };
    if BLOCK_PLAIN_NO_START[usize::from(first)] {
        return Err(Decline);
    }
    if first == b'-' && matches!(bytes.get(1), None | Some(b' ')) {
        return Err(Decline);
    }
    if memchr::memchr_iter(b':', bytes).any(|i| bytes.get(i + 1).is_none_or(|&b| b == b' ')) {
        return Err(Decline);
    }
    Ok(())
}

/// A node of a one-line flow collection (or a quoted scalar) at byte `*at` of `text`.
/// `depth`: collections open around it, block ones included.
fn flow_node<'a>(
    text: &'a str,
    line: usize,
    at: &mut usize,
    depth: usize,
    columns: &mut Columns<'a>,
    store: &mut Store<'a>,
) -> Read<Node<'a>> {
    if depth > MAX_DEPTH {
        return Err(Decline);
    }
    skip_spaces(text, at);
    let start = *at;
    let bytes = text.as_bytes();
    // Taken before the nodes inside, so that the columns are asked for left to right.
    let column = columns.at(start);
    let position = |value| Node {
        line: line as u32 + 1,
        column,
        value,
    };
    match bytes.get(start).ok_or(Decline)? {
        b'[' => {
            *at += 1;
            let base = store.open.len();
            while !closes(text, at, b']') {
                let item = flow_node(text, line, at, depth + 1, columns, store)?;
                store.open.push(item);
                if after_item(text, at, b']')? {
                    break;
                }
            }
            Ok(position(store.seq(base, false)?))
        }
        b'{' => {
            *at += 1;
            let base = store.open.len();
            while !closes(text, at, b'}') {
                let key = flow_node(text, line, at, depth + 1, columns, store)?;
                if !matches!(key.value, Value::Plain(_) | Value::Text(_)) {
                    return Err(Decline);
                }
                // `key: value`, the colon right after the key and a space after it.
                if bytes.get(*at) != Some(&b':') || bytes.get(*at + 1) != Some(&b' ') {
                    return Err(Decline);
                }
                *at += 1;
                store.open.push(key);
                let value = flow_node(text, line, at, depth + 1, columns, store)?;
                store.open.push(value);
                if after_item(text, at, b'}')? {
                    break;
                }
            }
            Ok(position(store.map(base)?))
        }
        b'"' => {
            let (value, end) = double_quoted(text, start)?;
            *at = end;
            Ok(position(Value::Text(value)))
        }
        b'\'' => {
            let (value, end) = single_quoted(text, start)?;
            *at = end;
            Ok(position(Value::Text(value)))
        }
        _ => {
            // A plain scalar in flow context ends at a flow indicator, `: ` or ` #`.
            let mut end = start;
            while end < bytes.len() {
                if !FLOW_PLAIN_STOP[usize::from(bytes[end])] {
                    end += 1;
                    continue;
                }
                match bytes[end] {
                    b',' | b'[' | b']' | b'{' | b'}' => break,
                    b':' if matches!(
                        bytes.get(end + 1),
                        None | Some(b' ' | b',' | b']' | b'}')
                    ) =>
                    {
                        break;
                    }
                    b'#' if end > start && bytes[end - 1] == b' ' => break,
                    _ => end += 1,
                }
            }
            let value = text[start..end].trim_end_matches(' ');
            plain_flow_scalar(value)?;
            *at = start + value.len();
            Ok(position(Value::Plain(value)))
        }
    }
}

/// The bytes at which a plain scalar in flow context may end ([`flow_node`]); every other
/// byte is skipped with one look-up.
static FLOW_PLAIN_STOP: [bool; 256] = byte_set(b",[]{}:#");

/// The bytes that may not start a plain key ([`plain_key_end`]).
static KEY_NO_START: [bool; 256] = byte_set(b"-?:,[]{}#&*!|>'\"%@` ");
/// The bytes that may not start a plain scalar in block context ([`plain_block_scalar`]).
static BLOCK_PLAIN_NO_START: [bool; 256] = byte_set(b"?:,[]{}#&*!|>'\"%@`");
/// The bytes that may not start a plain scalar in flow context ([`plain_flow_scalar`]).
static FLOW_PLAIN_NO_START: [bool; 256] = byte_set(b"?:#&*!|>%@`-");

/// A table with `true` at the given bytes: one look-up per byte tested, where
/// `slice.contains(&byte)` calls the standard library's `memchr` (a cost in profiles, called
/// once per key and scalar).
const fn byte_set(bytes: &[u8]) -> [bool; 256] {
    let mut set = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        set[bytes[i] as usize] = true;
        i += 1;
    }
    set
}

/// Where a comment starts in what follows a plain scalar's first byte: at the first ` #`.
fn comment_start(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    memchr::memchr_iter(b'#', bytes)
        .find(|&i| i > 0 && bytes[i - 1] == b' ')
        .map(|i| i - 1)
}

fn plain_flow_scalar(value: &str) -> Read<()> {
    let bytes = value.as_bytes();
    let Some(&first) = bytes.first() else {
        return Err(Decline);
    };
    if FLOW_PLAIN_NO_START[usize::from(first)] {
        return Err(Decline);
    }
    Ok(())
}

/// Skips spaces and, if the collection ends here with `close`, the bracket too.
fn closes(text: &str, at: &mut usize, close: u8) -> bool {
    skip_spaces(text, at);
    let closed = text.as_bytes().get(*at) == Some(&close);
    *at += usize::from(closed);
    closed
}

/// After an item of a flow collection: a comma (false: more may follow) or the collection's
/// `close` (true); anything else is declined.
fn after_item(text: &str, at: &mut usize, close: u8) -> Read<bool> {
    skip_spaces(text, at);
    match text.as_bytes().get(*at) {
        Some(b',') => {
            *at += 1;
            Ok(false)
        }
        Some(&b) if b == close => {
            *at += 1;
            Ok(true)
        }
        _ => Err(Decline),
    }
}

fn skip_spaces(text: &str, at: &mut usize) {
    while text.as_bytes().get(*at) == Some(&b' ') {
        *at += 1;
    }
}

/// A quoted scalar's value: the text before its last run (`rest`) as unescaped so far, if an
/// escape made it differ from the source, then the run.
fn unescaped(text: &str, before: Option<String>, rest: std::ops::Range<usize>) -> Cow<'_, str> {
    match before {
        Some(mut s) => {
            s.push_str(&text[rest]);
            Cow::Owned(s)
        }
        None => Cow::Borrowed(&text[rest]),
    }
}

/// `'…'` on one line (`''` is a quote); returns the value and the byte after the closing quote.
fn single_quoted(text: &str, start: usize) -> Read<(Cow<'_, str>, usize)> {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    let mut owned: Option<String> = None;
    let mut run = i;
    loop {
        match bytes.get(i) {
            None => return Err(Decline),
            Some(b'\'') if bytes.get(i + 1) == Some(&b'\'') => {
                let s = owned.get_or_insert_with(String::new);
                s.push_str(&text[run..=i]);
                i += 2;
                run = i;
            }
            Some(b'\'') => return Ok((unescaped(text, owned, run..i), i + 1)),
            Some(_) => i += 1,
        }
    }
}

/// `"…"` on one line with YAML's escapes; returns the value and the byte after the closing
/// quote. An escape this reader does not know is declined.
fn double_quoted(text: &str, start: usize) -> Read<(Cow<'_, str>, usize)> {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    let mut owned: Option<String> = None;
    let mut run = i;
    loop {
        match bytes.get(i) {
            None => return Err(Decline),
            Some(b'"') => return Ok((unescaped(text, owned, run..i), i + 1)),
            Some(b'\\') => {
                let s = owned.get_or_insert_with(String::new);
                s.push_str(&text[run..i]);
                let (c, len) = match bytes.get(i + 1).ok_or(Decline)? {
                    b'0' => ('\0', 2),
                    b'a' => ('\u{7}', 2),
                    b'b' => ('\u{8}', 2),
                    b't' => ('\t', 2),
                    b'n' => ('\n', 2),
                    b'v' => ('\u{b}', 2),
                    b'f' => ('\u{c}', 2),
                    b'r' => ('\r', 2),
                    b'e' => ('\u{1b}', 2),
                    b' ' => (' ', 2),
                    b'"' => ('"', 2),
                    b'/' => ('/', 2),
                    b'\\' => ('\\', 2),
                    b'N' => ('\u{85}', 2),
                    b'_' => ('\u{a0}', 2),
                    b'L' => ('\u{2028}', 2),
                    b'P' => ('\u{2029}', 2),
                    b'x' => (hex_char(text, i + 2, 2)?, 4),
                    b'u' => (hex_char(text, i + 2, 4)?, 6),
                    b'U' => (hex_char(text, i + 2, 8)?, 10),
                    _ => return Err(Decline),
                };
                s.push(c);
                i += len;
                run = i;
            }
            Some(_) => i += 1,
        }
    }
}

fn hex_char(text: &str, at: usize, digits: usize) -> Read<char> {
    let hex = text.get(at..at + digits).ok_or(Decline)?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Decline);
    }
    let code = u32::from_str_radix(hex, 16).map_err(|_| Decline)?;
    char::from_u32(code).ok_or(Decline)
}

/// The text a scalar key stands for.
fn key_text<'n>(node: &'n Node<'_>) -> &'n str {
    match &node.value {
        Value::Plain(s) => s,
        Value::Text(s) => s,
        _ => "",
    }
}

/// A key written twice is an error serde-saphyr words well: declined. `entries`: key, value,
/// key, value, …
fn no_duplicate_keys(entries: &[Node<'_>]) -> Read<()> {
    let keys = || entries.iter().step_by(2);
    for (i, key) in keys().enumerate() {
        let text = key_text(key);
        if keys().take(i).any(|k| key_text(k) == text) {
            return Err(Decline);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain<'n>(node: &'n Node<'_>) -> &'n str {
        match &node.value {
            Value::Plain(s) => s,
            other => panic!("not plain: {other:?}"),
        }
    }

    /// A mapping's (key, value) pairs.
    fn entries<'n, 'a>(
        tree: &'n Tree<'a>,
        node: &'n Node<'a>,
    ) -> Vec<(&'n Node<'a>, &'n Node<'a>)> {
        assert!(
            matches!(node.value, Value::Map { .. }),
            "not a map: {node:?}"
        );
        tree.entries(node).map(|kv| (&kv[0], &kv[1])).collect()
    }

    #[test]
    fn reads_nested_blocks_and_flow_collections_with_positions() {
        let text = "id: INC-1\nlist:\n  - { at: 2024-01-01T10:00:00+09:00, what: 検知 }\n  - a: b\n    c: d\nsummary: >-\n  一行目\n  二行目\n";
        let tree = read(text).unwrap();
        let e = entries(&tree, &tree.root);
        assert_eq!(plain(e[0].1), "INC-1");
        let Value::Seq { indentless, .. } = e[1].1.value else {
            panic!()
        };
        assert!(!indentless);
        assert_eq!((e[1].1.line, e[1].1.column), (3, 3));
        let items = tree.items(e[1].1);
        assert_eq!(items.len(), 2);
        let flow = entries(&tree, &items[0]);
        assert_eq!(plain(flow[0].1), "2024-01-01T10:00:00+09:00");
        assert_eq!((flow[1].1.line, flow[1].1.column), (3, 44));
        assert_eq!(entries(&tree, &items[1]).len(), 2);
        let Value::Text(s) = &e[2].1.value else {
            panic!()
        };
        assert_eq!(s, "一行目 二行目");
        assert_eq!((e[2].1.line, e[2].1.column), (7, 3));
    }

    #[test]
    fn folds_and_chomps_block_scalars() {
        let text = |v: &str| {
            let tree = read(v).unwrap();
            match &entries(&tree, &tree.root)[0].1.value {
                Value::Text(s) => s.to_string(),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(text("v: >\n  a\n  b\n\n  c\n"), "a b\nc\n");
        assert_eq!(text("v: |\n  a\n\n  b\n\n\n"), "a\n\nb\n");
        assert_eq!(text("v: |+\n  a\n\n"), "a\n\n");
        assert_eq!(text("v: |-\n  a\n   b\n"), "a\n b");
    }

    #[test]
    fn declines_what_it_does_not_read_with_certainty() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !tag 1\n",
            "---\na: 1\n",
            "a: b\n  c\n",
            "a:\n\tb: 1\n",
            "a: [1,\n  2]\n",
            "a: 1\na: 2\n",
            "a: b: c\n",
            "? a\n: b\n",
            "a: \"x\\q\"\n",
            "a: >2\n   x\n",
            "a: >\n  x\n   y\n",
            "- a\n",
            "plain\n",
            "\u{feff}a: 1\n",
            "a: 1\n  b: 2\n",
            "a: 'open\n",
        ] {
            assert!(read(text).is_err(), "{text:?} should be declined");
        }
    }

    #[test]
    fn declined_characters_are_found_at_every_offset_of_the_screened_blocks() {
        // The screen looks at 32-byte blocks; a character may start at any offset of one and
        // end in the next.
        for bad in [
            "\t", "\u{7}", "\u{85}", "\u{2028}", "\u{2029}", "\u{feff}", "\u{ffff}", "\r ",
        ] {
            for pad in 0..70 {
                let text = format!("key: {}{bad}値\n", "x".repeat(pad));
                assert!(
                    read(&text).is_err(),
                    "{bad:?} after {pad} bytes should be declined"
                );
            }
        }
        // Neighbours of those lead bytes that are fine: the line breaks are counted right.
        for pad in 0..70 {
            let text = format!("key: {}（値）…\r\nnext: ¥\n", "x".repeat(pad));
            let tree = read(&text).unwrap();
            assert_eq!(entries(&tree, &tree.root)[1].0.line, 2);
        }
    }

    #[test]
    fn deep_nesting_is_declined_without_exhausting_the_stack() {
        let flow = format!("a: {}\n", "[".repeat(200_000));
        assert!(read(&flow).is_err());
        let mut block = String::new();
        for depth in 0..2_000 {
            block.push_str(&" ".repeat(depth));
            block.push_str("k:\n");
        }
        assert!(read(&block).is_err());
        let shallow = "a:\n  b:\n    c: [[1], {d: [2]}]\n";
        assert!(read(shallow).is_ok());
    }

    #[test]
    fn columns_counted_on_equal_columns_counted_from_the_start() {
        let line = "- { at: 2023-05-02, what: 監視アラートにより検知, by: role:ａ, n: [1, 「2」] }";
        let offsets: Vec<usize> = line.char_indices().map(|(i, _)| i).collect();
        let mut columns = Columns::new(line);
        for &at in &offsets {
            assert_eq!(columns.at(at), column(line, at), "at byte {at}");
        }
        // Out of order: an earlier offset starts the count again.
        let mut columns = Columns::new(line);
        for &at in offsets.iter().rev().step_by(3) {
            assert_eq!(columns.at(at), column(line, at), "at byte {at}");
        }
        // Through the reader: every flow node placed as if counted from the line's start.
        let text = "k: [{a: 値, b: [「x」, y]}, ｚ, {c: 'ー'}]\n";
        let tree = read(text).unwrap();
        fn walk<'a>(tree: &Tree<'a>, node: &Node<'a>, line: &str, seen: &mut usize) {
            if node.has_position() && node.line == 1 {
                let byte = line
                    .char_indices()
                    .nth(node.column as usize - 1)
                    .map(|(i, _)| i)
                    .unwrap();
                assert!(
                    !line[byte..].starts_with(' '),
                    "column {} is on a space",
                    node.column
                );
                *seen += 1;
            }
            for child in tree.entries(node).flatten().chain(tree.items(node)) {
                walk(tree, child, line, seen);
            }
        }
        let mut seen = 0;
        walk(&tree, &tree.root, text.trim_end(), &mut seen);
        assert_eq!(seen, 14);
    }

    #[test]
    fn comment_start_is_the_first_space_before_a_hash() {
        for t in [
            "a #b",
            "a#b #c",
            "#a",
            " #",
            "a # b # c",
            "値 #注",
            "a  ##",
            "",
            "a#",
            "値#値 ",
        ] {
            assert_eq!(comment_start(t), t.find(" #"), "{t:?}");
        }
    }
}
