//! Search that works for Japanese (no spaces between words) and from `file://`: a character
//! bigram index written as `.js` files that `assets/search.js` loads piecemeal with `<script>`
//! tags (`fetch` of a JSON file is blocked on `file://`). Each file calls
//! `KITEI_SEARCH_DATA(name, data)`.
//!
//! | file | holds |
//! |---|---|
//! | `assets/search/pages.js` | every page's URL and title, the number of shards, the first page of each text chunk |
//! | `assets/search/g/XX.js` | the posting lists of the bigrams whose [`shard_of`] is `XX` (hex) |
//! | `assets/search/t/N.js` | the text of a run of consecutive pages (about [`CHUNK_BYTES`]) |
//!
//! A query loads `pages.js`, the shards of its bigrams, intersects their posting lists and then
//! loads the text chunks of candidate pages (title hits first) only until it has confirmed
//! enough results; see `templates/assets/search.js`.
//!
//! A posting list is a string over [`ALPHABET`] (64 characters, none of them needing escapes in
//! a JS string): either the first page number and then each gap minus one, as numbers of 5-bit
//! digits (most significant first, every digit but the last offset by 32), or, when shorter,
//! `!` and a bitmap of 6 pages per character (page `6k + b` is bit `b` of character `k`).
//!
//! Only pages that were rendered for the audience are indexed, from their `<main>` element,
//! so the index can hold nothing a page does not show.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::spelling::Spelling;
use crate::digest::{Hash, KeyBuilder};

/// One indexed page.
#[derive(Debug, Clone)]
pub struct Entry {
    pub url: String,
    pub title: String,
    pub text: String,
    /// The page's bigrams when they are known already ([`Grams::of`] its title and text with
    /// the same spelling table); `None`: found from the title and text while indexing.
    pub grams: Option<Grams>,
}

/// The distinct bigrams of one page (its title and its text, each on its own) as the index
/// keys them: sorted, each written as its distance from the one before in LEB128 (about 2
/// bytes a bigram). A build keeps them per page ([`super::reuse`]) so that the next build
/// indexes an unchanged page without normalising its text again, which is most of the cost of
/// the index.
/// Kept as a byte string rather than a sequence of numbers: postcard writes both as the length
/// and the bytes, so the page memo's bytes are the same, but a byte string is copied in one go
/// where a sequence is decoded a byte at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Grams(#[serde(with = "serde_bytes")] Vec<u8>);

impl Grams {
    /// The bigrams of `title` and `text` after [`Spelling::normalise`], whitespace left out.
    pub fn of(spelling: &Spelling, title: &str, text: &str) -> Grams {
        let mut keys = Vec::new();
        for text in [title, text] {
            let mut prev: Option<char> = None;
            for c in spelling.normalise(text).chars().filter(|&c| !skipped(c)) {
                if let Some(p) = prev {
                    // A long page repeats its bigrams: dropping the repeats whenever the list
                    // is full keeps it near the distinct ones (8 bytes a character otherwise;
                    // the dashboard of 10,000 documents held 26 MiB of them).
                    if keys.len() == keys.capacity() && keys.len() >= 1 << 14 {
                        keys.sort_unstable();
                        keys.dedup();
                        // Room for as many again, so a page of mostly distinct bigrams is not
                        // sorted again after a few more.
                        keys.reserve(keys.len());
                    }
                    keys.push(key(p, c));
                }
                prev = Some(c);
            }
        }
        keys.sort_unstable();
        keys.dedup();
        let mut out = Vec::with_capacity(keys.len() * 2);
        let mut last = 0u64;
        for k in keys {
            let mut d = k - last;
            last = k;
            while d >= 0x80 {
                out.push((d as u8) | 0x80);
                d >>= 7;
            }
            out.push(d as u8);
        }
        out.shrink_to_fit();
        Grams(out)
    }

    /// The encoded bigrams, to be stored and read back with [`Grams::from_bytes`].
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Grams {
        Grams(bytes)
    }

    /// The bigram keys, increasing.
    fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        let mut bytes = self.0.iter();
        let mut last = 0u64;
        std::iter::from_fn(move || {
            let (mut d, mut shift) = (0u64, 0);
            loop {
                let b = *bytes.next()?;
                d |= u64::from(b & 0x7f) << shift;
                if b < 0x80 {
                    break;
                }
                shift += 7;
            }
            last += d;
            Some(last)
        })
    }
}

/// The pages an index is made from, in URL order, their texts read one at a time (a site's
/// texts wait on disk until the index is written: [`super::text_spool`]).
pub trait Pages: Sync {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn url(&self, i: usize) -> &str;
    fn title(&self, i: usize) -> &str;
    /// Page `i`'s bigrams, if they are known.
    fn grams(&self, i: usize) -> Option<Cow<'_, Grams>>;
    /// Calls `f` with page `i`'s text (read only where it is needed: a page whose bigrams are
    /// known is indexed without it).
    fn with_text(&self, i: usize, f: &mut dyn FnMut(&str));
    /// The length of page `i`'s text in bytes (known without reading it).
    fn text_len(&self, i: usize) -> usize;
    /// A digest that determines page `i`'s text, when one is known (the digest of the page's
    /// bytes: its text is taken from them): the text chunks of pages whose digests are all
    /// known can be reused from the previous build ([`IndexFiles::keep`]).
    fn text_key(&self, _i: usize) -> Option<Hash> {
        None
    }
}

/// Where the index files go.
pub trait IndexFiles: Sync {
    /// Stores one file. `key`, when given, digests everything its bytes were made from, for a
    /// later build's [`IndexFiles::keep`].
    fn put(&self, path: String, bytes: Vec<u8>, key: Option<Hash>);
    /// Puts the previous build's file at `path` into this build if it was made from `key`;
    /// false when there is none (then the file is made and [`IndexFiles::put`]).
    fn keep(&self, _path: &str, _key: &Hash) -> bool {
        false
    }
}

/// A function that stores each file (nothing is reused).
impl<F: Fn(String, Vec<u8>) + Sync> IndexFiles for F {
    fn put(&self, path: String, bytes: Vec<u8>, _key: Option<Hash>) {
        self(path, bytes)
    }
}

impl Pages for &[Entry] {
    fn len(&self) -> usize {
        <[Entry]>::len(self)
    }
    fn url(&self, i: usize) -> &str {
        &self[i].url
    }
    fn title(&self, i: usize) -> &str {
        &self[i].title
    }
    fn grams(&self, i: usize) -> Option<Cow<'_, Grams>> {
        self[i].grams.as_ref().map(Cow::Borrowed)
    }
    fn with_text(&self, i: usize, f: &mut dyn FnMut(&str)) {
        f(&self[i].text);
    }
    fn text_len(&self, i: usize) -> usize {
        self[i].text.len()
    }
}

/// Where the index files are written, relative to the site root.
pub const DIR: &str = "assets/search/";

/// The size text chunks aim at: one may end once it holds half of this, and must at twice
/// (a longer page ends its chunk on its own; see `chunk_starts`).
pub const CHUNK_BYTES: usize = 64 * 1024;

/// The number of shards aims at this many bytes of posting lists per shard.
pub const SHARD_BYTES: usize = 64 * 1024;

/// At most this many shards (a power of two).
pub const MAX_SHARDS: u32 = 256;

/// The digits of posting lists: values 0–31 end a number, 32–63 continue it.
pub const ALPHABET: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// The value of each digit of [`ALPHABET`] (other bytes: 0).
static DIGIT: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 64 {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

// ---- page text ---------------------------------------------------------------------------

/// Elements that do not separate words: `個人<a>情報</a>` reads 個人情報.
const INLINE: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd", "mark",
    "q", "rb", "rp", "rt", "ruby", "s", "samp", "strong", "sub", "sup", "u", "var", "wbr",
];

/// Bytes that start something other than plain text: `<`, `&`, ASCII whitespace, and the lead
/// bytes of the non-ASCII whitespace characters (U+0085, U+00A0, U+1680, U+2000–U+205F, U+3000).
const fn special_bytes() -> [bool; 256] {
    let mut t = [false; 256];
    let list = [
        b'<', b'&', b' ', b'\t', b'\n', b'\r', 0x0b, 0x0c, 0xc2, 0xe1, 0xe2, 0xe3,
    ];
    let mut i = 0;
    while i < list.len() {
        t[list[i] as usize] = true;
        i += 1;
    }
    t
}
static SPECIAL: [bool; 256] = special_bytes();

/// The text of a page's `<main>` element: tags, comments, scripts and styles removed (a tag
/// other than an inline one separates words), entities decoded, whitespace collapsed to one
/// space. One pass over the bytes.
pub fn main_text(html: &str) -> String {
    // The page's end is short: `</main>` is looked for from there.
    let start = html.find("<main").unwrap_or(0);
    let end = html
        .rfind("</main>")
        .filter(|&e| e >= start)
        .unwrap_or(html.len());
    let src = &html[start..end];
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len() / 2);
    // A separator seen since the last character written: written before the next one only,
    // so that the text neither starts nor ends with a space.
    let mut space = false;
    let mut i = 0;
    while i < b.len() {
        // A run of plain text is copied at once.
        let run = i;
        while i < b.len() {
            let c = b[i];
            if !SPECIAL[c as usize] {
                i += 1;
            } else if c == 0xe3 && (b.get(i + 1) != Some(&0x80) || b.get(i + 2) != Some(&0x80)) {
                // Kana and CJK punctuation other than U+3000.
                i += 3;
            } else if c >= 0x80 {
                match src[i..].chars().next() {
                    Some(ch) if !ch.is_whitespace() => i += ch.len_utf8(),
                    _ => break,
                }
            } else {
                break;
            }
        }
        if i > run {
            push_sep(&mut out, &mut space);
            out.push_str(&src[run..i]);
            continue;
        }
        match b[i] {
            b'<' => {
                let (next, separates) = skip_tag(src, i);
                space |= separates;
                i = next;
            }
            b'&' => match entity(&src[i..]) {
                Some((c, len)) => {
                    if c.is_whitespace() {
                        space = true;
                    } else {
                        push_sep(&mut out, &mut space);
                        out.push(c);
                    }
                    i += len;
                }
                None => {
                    push_sep(&mut out, &mut space);
                    out.push('&');
                    i += 1;
                }
            },
            _ => {
                // Whitespace.
                space = true;
                i += src[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    out
}

fn push_sep(out: &mut String, space: &mut bool) {
    if *space && !out.is_empty() {
        out.push(' ');
    }
    *space = false;
}

/// Skips the tag (or comment, or `<script>`/`<style>` element) at `at`: where the text goes on
/// and whether it separates words.
fn skip_tag(src: &str, at: usize) -> (usize, bool) {
    let b = src.as_bytes();
    let rest = &src[at..];
    if let Some(comment) = rest.strip_prefix("<!--") {
        let end = comment.find("-->").map_or(src.len(), |e| at + 4 + e + 3);
        return (end, false);
    }
    let name_start = at + 1 + usize::from(b.get(at + 1) == Some(&b'/'));
    let mut name_end = name_start;
    while name_end < b.len() && b[name_end].is_ascii_alphanumeric() {
        name_end += 1;
    }
    let name = &src[name_start..name_end];
    // The end of the tag: the first `>` outside quoted attribute values.
    let mut i = name_end;
    let mut quote = 0u8;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'') if quote == 0 => quote = q,
            q if q == quote => quote = 0,
            b'>' if quote == 0 => break,
            _ => {}
        }
        i += 1;
    }
    let mut next = (i + 1).min(src.len());
    let opening = name_start == at + 1;
    if opening && (name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style")) {
        // Up to the end tag (`</script` or `</style`, in any case).
        let rest = &b[next..];
        next = (0..rest.len())
            .find(|&i| {
                rest[i] == b'<'
                    && rest.get(i + 1) == Some(&b'/')
                    && rest
                        .get(i + 2..i + 2 + name.len())
                        .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
            })
            .map_or(src.len(), |e| next + e);
        return (next, true);
    }
    (next, !INLINE.iter().any(|i| i.eq_ignore_ascii_case(name)))
}

/// The character an entity at the start of `s` stands for, and the entity's length.
fn entity(s: &str) -> Option<(char, usize)> {
    let end = s.as_bytes().iter().take(12).position(|&c| c == b';')?;
    let body = &s[1..end];
    let c = match body {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => {
            let num = body.strip_prefix('#')?;
            let n = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(n)?
        }
    };
    Some((c, end + 1))
}

// ---- bigrams -------------------------------------------------------------------------------

/// Whether `c` is left out of bigrams (whitespace and the byte-order mark): `個人 情報` is
/// searched as `個人情報`.
#[inline]
fn skipped(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// The bigrams of `text` as the index holds them (for tests and tools that read the index):
/// of its [`Spelling::normalise`]d form, whitespace left out.
pub fn bigrams(spelling: &Spelling, text: &str) -> BTreeSet<String> {
    let chars: Vec<char> = spelling
        .normalise(text)
        .chars()
        .filter(|&c| !skipped(c))
        .collect();
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

/// The shard of the bigram `ab` among `shards` (a power of two). `assets/search.js` computes
/// the same with `Math.imul`.
pub fn shard_of(a: char, b: char, shards: u32) -> u32 {
    debug_assert!(shards.is_power_of_two());
    let mut h = (a as u32).wrapping_mul(0x9e37_79b1).wrapping_add(b as u32);
    h = (h ^ (h >> 16)).wrapping_mul(0x85eb_ca6b);
    h = (h ^ (h >> 13)).wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h & (shards - 1)
}

fn key(a: char, b: char) -> u64 {
    (u64::from(a as u32) << 21) | u64::from(b as u32)
}

fn unkey(k: u64) -> (char, char) {
    let c = |n: u64| char::from_u32(n as u32).expect("a character");
    (c(k >> 21), c(k & 0x1f_ffff))
}

fn push_number(out: &mut Vec<u8>, v: u32) {
    let mut shift = 0;
    while shift < 30 && v >> (shift + 5) != 0 {
        shift += 5;
    }
    while shift > 0 {
        out.push(ALPHABET[(32 | ((v >> shift) & 31)) as usize]);
        shift -= 5;
    }
    out.push(ALPHABET[(v & 31) as usize]);
}

fn number_len(v: u32) -> usize {
    (32 - v.leading_zeros() as usize).max(1).div_ceil(5)
}

/// The pages of 64-page blocks: `(block, mask)` has page `64 * block + i` if bit `i` is set.
fn pages_of(items: &[(u32, u64)]) -> impl Iterator<Item = u32> + '_ {
    items.iter().flat_map(|&(block, mut mask)| {
        std::iter::from_fn(move || {
            (mask != 0).then(|| {
                let i = mask.trailing_zeros();
                mask &= mask - 1;
                block * 64 + i
            })
        })
    })
}

/// A posting list given as 64-page blocks (increasing, not empty): the gaps or, when shorter,
/// a bitmap. `words` is scratch space.
fn encode(items: &[(u32, u64)], out: &mut Vec<u8>, words: &mut Vec<u64>) {
    let &(last_block, last_mask) = items.last().expect("a page");
    let last = last_block as usize * 64 + 63 - last_mask.leading_zeros() as usize;
    let bitmap_len = 1 + last / 6 + 1;
    let count: usize = items.iter().map(|i| i.1.count_ones() as usize).sum();
    // Every gap takes at least one digit.
    let bitmap = count > bitmap_len || {
        let mut len = 0;
        let mut next = 0;
        for p in pages_of(items) {
            len += number_len(p - next);
            next = p + 1;
            if len > bitmap_len {
                break;
            }
        }
        len > bitmap_len
    };
    if bitmap {
        words.clear();
        words.resize(last_block as usize + 2, 0);
        for &(block, mask) in items {
            words[block as usize] = mask;
        }
        out.push(b'!');
        for k in 0..=last / 6 {
            let (w, o) = (k * 6 / 64, k * 6 % 64);
            let mut v = words[w] >> o;
            if o > 58 {
                v |= words[w + 1] << (64 - o);
            }
            out.push(ALPHABET[(v & 63) as usize]);
        }
    } else {
        let mut next = 0;
        for p in pages_of(items) {
            push_number(out, p - next);
            next = p + 1;
        }
    }
}

/// The pages of an encoded posting list (the reverse of what the index writes; for tests and
/// for tools that read the index).
pub fn decode(code: &[u8]) -> Vec<u32> {
    let value = |c: u8| u32::from(DIGIT[usize::from(c)]);
    let mut pages = Vec::new();
    if let Some(bits) = code.strip_prefix(b"!") {
        for (k, &c) in bits.iter().enumerate() {
            let v = value(c);
            pages.extend(
                (0..6)
                    .filter(|b| v & (1 << b) != 0)
                    .map(|b| k as u32 * 6 + b),
            );
        }
        return pages;
    }
    let mut n = 0u32;
    let mut next = 0u32;
    for &c in code {
        let v = value(c);
        n = (n << 5) | (v & 31);
        if v < 32 {
            let page = next + n;
            pages.push(page);
            next = page + 1;
            n = 0;
        }
    }
    pages
}

/// Bigram keys to their ids: open addressing (faster than a `HashMap` here).
struct Table {
    slots: Vec<Slot>,
    /// The key of each id.
    keys: Vec<u64>,
    shift: u32,
}

#[derive(Clone, Copy)]
struct Slot {
    key: u64,
    id: u32,
}

const EMPTY: Slot = Slot {
    key: u64::MAX,
    id: 0,
};

impl Table {
    fn new() -> Table {
        Table {
            slots: vec![EMPTY; 1 << 12],
            keys: Vec::new(),
            shift: 64 - 12,
        }
    }

    #[inline]
    fn home(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    /// The id of `key` (the next one if it is new).
    #[inline]
    fn id(&mut self, key: u64) -> u32 {
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        loop {
            let slot = &mut self.slots[i];
            if slot.key == key {
                return slot.id;
            }
            if slot.key == EMPTY.key {
                let id = self.keys.len() as u32;
                *slot = Slot { key, id };
                self.keys.push(key);
                if self.keys.len() * 2 > self.slots.len() {
                    self.grow();
                }
                return id;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; size]);
        self.shift -= 1;
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|s| s.key != EMPTY.key) {
            let mut i = self.home(slot.key);
            while self.slots[i].key != EMPTY.key {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }
}

/// Every bigram of every page (title and text, each on its own) and its encoded posting
/// list: the keys, and the lists one after the other with where each one ends.
struct Postings {
    keys: Vec<u64>,
    ends: Vec<usize>,
    code: Vec<u8>,
}

impl Postings {
    fn code(&self, id: usize) -> &[u8] {
        &self.code[if id == 0 { 0 } else { self.ends[id - 1] }..self.ends[id]]
    }
}

/// The bigrams of the current block of 64 pages.
struct Block {
    /// Bigram keys to ids.
    table: Table,
    /// The mask of each id in the current block.
    masks: Vec<u64>,
    /// The ids with a mask in the current block.
    touched: Vec<u32>,
    /// The number of blocks each id has a mask in.
    counts: Vec<u32>,
}

impl Block {
    /// Notes bigram `key` on the page of bit `bit`.
    #[inline]
    fn mark(&mut self, key: u64, bit: u64) {
        let id = self.table.id(key) as usize;
        if id == self.masks.len() {
            self.masks.push(0);
            self.counts.push(0);
        }
        let m = &mut self.masks[id];
        if *m == 0 {
            self.touched.push(id as u32);
        }
        *m |= bit;
    }
}

/// The masks of one run of consecutive pages: its own bigram table, and every `(id, mask)` of
/// every block, block after block.
struct Partial {
    table: Table,
    /// The number of blocks each id has a mask in.
    counts: Vec<u32>,
    item_ids: Vec<u32>,
    item_masks: Vec<u64>,
    /// Where each block's items end.
    block_ends: Vec<usize>,
}

/// Pages per block: one bit of a mask each.
const BLOCK: usize = 64;

/// Pages are taken 64 at a time: each bigram seen in such a block gets a mask of its pages
/// there (one probe and one OR per character, or per distinct bigram of a page whose
/// [`Grams`] are known), then the masks are sorted into posting lists
/// by counting, then encoded. Runs of whole blocks are marked on all threads, each with a table
/// of its own, and joined by bigram in page order.
fn postings(pages: &dyn Pages, spelling: &Spelling) -> Postings {
    let blocks = pages.len().div_ceil(BLOCK);
    let runs = rayon::current_num_threads().clamp(1, blocks.max(1));
    let per_run = blocks.div_ceil(runs);
    let partials: Vec<Partial> = {
        use rayon::prelude::*;
        (0..runs)
            .into_par_iter()
            .map(|r| {
                let first = (r * per_run * BLOCK).min(pages.len());
                let end = ((r + 1) * per_run * BLOCK).min(pages.len());
                mark_pages(pages, spelling, first..end)
            })
            .collect()
    };
    let mut partials = partials.into_iter();
    let Some(mut joined) = partials.next() else {
        return Postings {
            keys: Vec::new(),
            ends: Vec::new(),
            code: Vec::new(),
        };
    };
    // The other runs' ids in the first run's table, their items after its own.
    for part in partials {
        let ids: Vec<u32> = part
            .table
            .keys
            .iter()
            .map(|&k| joined.table.id(k))
            .collect();
        joined.counts.resize(joined.table.keys.len(), 0);
        for (local, &n) in part.counts.iter().enumerate() {
            joined.counts[ids[local] as usize] += n;
        }
        let offset = joined.item_ids.len();
        joined
            .item_ids
            .extend(part.item_ids.iter().map(|&id| ids[id as usize]));
        joined.item_masks.extend(part.item_masks);
        joined
            .block_ends
            .extend(part.block_ends.iter().map(|&e| e + offset));
    }
    let Partial {
        table,
        counts,
        item_ids,
        item_masks,
        block_ends,
    } = joined;
    // Items by id (counting sort), in block order: list `id` is `starts[id]..starts[id + 1]`.
    let mut starts = Vec::with_capacity(counts.len() + 1);
    let mut total = 0usize;
    starts.push(0);
    for &n in &counts {
        total += n as usize;
        starts.push(total);
    }
    let mut sorted: Vec<(u32, u64)> = vec![(0, 0); total];
    let mut cursor = starts.clone();
    let mut from = 0;
    for (block, &to) in block_ends.iter().enumerate() {
        for (&id, &mask) in item_ids[from..to].iter().zip(&item_masks[from..to]) {
            sorted[cursor[id as usize]] = (block as u32, mask);
            cursor[id as usize] += 1;
        }
        from = to;
    }
    drop((item_ids, item_masks));
    let mut code = Vec::with_capacity(total * 2);
    let mut ends = Vec::with_capacity(counts.len());
    let mut words = Vec::new();
    for w in starts.windows(2) {
        encode(&sorted[w[0]..w[1]], &mut code, &mut words);
        ends.push(code.len());
    }
    Postings {
        keys: table.keys,
        ends,
        code,
    }
}

/// The masks of the pages `range` (it starts at a block's first page).
fn mark_pages(pages: &dyn Pages, spelling: &Spelling, range: std::ops::Range<usize>) -> Partial {
    let mut b = Block {
        table: Table::new(),
        masks: Vec::new(),
        touched: Vec::new(),
        counts: Vec::new(),
    };
    let mut item_ids: Vec<u32> = Vec::new();
    let mut item_masks: Vec<u64> = Vec::new();
    let mut block_ends: Vec<usize> = Vec::new();
    for first in range.clone().step_by(BLOCK) {
        for n in first..range.end.min(first + BLOCK) {
            let bit = 1u64 << (n - first);
            if let Some(grams) = pages.grams(n) {
                for k in grams.keys() {
                    b.mark(k, bit);
                }
                continue;
            }
            pages.with_text(n, &mut |text| {
                for text in [pages.title(n), text] {
                    let mut prev: Option<char> = None;
                    for c in spelling.normalise(text).chars() {
                        if skipped(c) {
                            continue;
                        }
                        if let Some(p) = prev {
                            b.mark(key(p, c), bit);
                        }
                        prev = Some(c);
                    }
                }
            });
        }
        for &id in &b.touched {
            item_ids.push(id);
            item_masks.push(std::mem::take(&mut b.masks[id as usize]));
            b.counts[id as usize] += 1;
        }
        b.touched.clear();
        block_ends.push(item_ids.len());
    }
    Partial {
        table: b.table,
        counts: b.counts,
        item_ids,
        item_masks,
        block_ends,
    }
}

// ---- files ---------------------------------------------------------------------------------

/// Bytes that may need an escape in a JS string: controls, `"`, `\\`, and the lead byte of
/// U+2028 and U+2029 (line terminators in older engines).
static JSON_SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[0xe2] = true;
    t
};

/// `s` as a JSON (and JS) string literal.
fn push_json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push(b'"');
    let b = s.as_bytes();
    let mut run = 0;
    let mut i = 0;
    loop {
        while i < b.len() && !JSON_SPECIAL[usize::from(b[i])] {
            i += 1;
        }
        let Some(&c) = b.get(i) else { break };
        let code = match c {
            b'"' | b'\\' => None,
            0xe2 if b[i + 1] == 0x80 && matches!(b[i + 2], 0xa8 | 0xa9) => {
                Some(0x2028 + u16::from(b[i + 2] - 0xa8))
            }
            0xe2 => {
                i += 1;
                continue;
            }
            _ => Some(u16::from(c)),
        };
        out.extend_from_slice(&b[run..i]);
        match code {
            None => out.extend_from_slice(&[b'\\', c]),
            Some(code) => {
                out.extend_from_slice(b"\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[usize::from((code >> shift) & 15)]);
                }
            }
        }
        i += if c == 0xe2 { 3 } else { 1 };
        run = i;
    }
    out.extend_from_slice(&b[run..]);
    out.push(b'"');
}

fn file(name: &str, data: impl FnOnce(&mut Vec<u8>), capacity: usize) -> (String, Vec<u8>) {
    let mut out = Vec::with_capacity(capacity + 40);
    out.extend_from_slice(b"KITEI_SEARCH_DATA(\"");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\",");
    data(&mut out);
    out.extend_from_slice(b");\n");
    (format!("{DIR}{name}.js"), out)
}

/// The shard file name of shard `i`.
pub fn shard_name(i: u32) -> String {
    format!("g/{i:02x}")
}

/// The first page of each text chunk. A chunk may end after a page whose URL hashes to a
/// multiple of [`CUT_EVERY`] once it holds half of [`CHUNK_BYTES`] (and must at twice that): the end of a chunk depends on the pages around it, not on all the pages before it,
/// so a page that grows or shrinks moves at most the ends of a chunk or two, and the chunks
/// after those hold the pages they held.
fn chunk_starts(pages: &dyn Pages) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut size = 0;
    for i in 0..pages.len() {
        if size == 0 {
            starts.push(i);
        }
        // The text, its quotes and a comma (escapes aside).
        size += pages.text_len(i) + 3;
        let cut = url_hash(pages.url(i)).is_multiple_of(CUT_EVERY);
        if (cut && size >= CHUNK_BYTES / 2) || size >= 2 * CHUNK_BYTES {
            size = 0;
        }
    }
    starts
}

/// A page may end a text chunk once in this many pages, on average ([`chunk_starts`]).
const CUT_EVERY: u32 = 4;

/// FNV-1a of a URL (stable across builds and platforms).
fn url_hash(url: &str) -> u32 {
    url.bytes().fold(0x811c_9dc5, |h: u32, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// The text of consecutive pages, about [`CHUNK_BYTES`] a file: the first page of each chunk,
/// and the files. Where a chunk ends depends on the pages' text lengths and URLs only, and
/// only near it ([`chunk_starts`]), so after an edit the chunks of unchanged pages hold the
/// same pages; each one whose pages' [`Pages::text_key`] are all known and unchanged is kept
/// from the previous build without reading its texts. The others are made on all threads,
/// each page's text read once.
fn text_chunks(pages: &dyn Pages, files: &dyn IndexFiles) -> Vec<usize> {
    use rayon::prelude::*;
    let starts = chunk_starts(pages);
    (0..starts.len()).into_par_iter().for_each(|n| {
        let range = starts[n]..starts.get(n + 1).copied().unwrap_or(pages.len());
        let path = format!("{DIR}t/{n}.js");
        let key = range
            .clone()
            .map(|i| pages.text_key(i))
            .collect::<Option<Vec<Hash>>>()
            .map(|keys| {
                let mut key = KeyBuilder::new("search-text-chunk/1");
                key.part(&(n as u64).to_le_bytes());
                for k in &keys {
                    key.part(k);
                }
                key.finish()
            });
        if key.as_ref().is_some_and(|key| files.keep(&path, key)) {
            return;
        }
        let bytes: usize = range.clone().map(|i| pages.text_len(i) + 3).sum();
        let mut chunk = Vec::with_capacity(bytes + bytes / 8 + 40);
        chunk.extend_from_slice(format!("KITEI_SEARCH_DATA(\"t/{n}\",[").as_bytes());
        for (j, i) in range.enumerate() {
            if j > 0 {
                chunk.push(b',');
            }
            pages.with_text(i, &mut |text| push_json_str(&mut chunk, text));
        }
        chunk.extend_from_slice(b"]);\n");
        files.put(path, chunk, key);
    });
    starts
}

/// The index files of `entries` (paths relative to the site root, sorted, and their bytes):
/// `pages.js`, the posting-list shards `g/XX.js` and the text chunks `t/N.js`. The same
/// entries give the same bytes.
pub fn index_files(entries: &[Entry], spelling: &Spelling) -> Vec<(String, Vec<u8>)> {
    let files = std::sync::Mutex::new(Vec::new());
    write_index(&entries, spelling, &|path: String, bytes: Vec<u8>| {
        files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path, bytes))
    });
    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    files
}

/// [`index_files`], each file handed to `files` as soon as it is made (in no particular order),
/// so that the index is never in memory as a whole; text chunks `files` still has from the
/// previous build are kept instead ([`IndexFiles::keep`]).
pub fn write_index(pages: &dyn Pages, spelling: &Spelling, files: &dyn IndexFiles) {
    // The text chunks and the posting lists do not depend on each other.
    let (chunk_starts, postings) =
        rayon::join(|| text_chunks(pages, files), || postings(pages, spelling));

    // Posting lists, sharded by their bigram, sorted by it in each shard.
    let bytes = postings.code.len() + postings.keys.len() * 12;
    let shards = (bytes.div_ceil(SHARD_BYTES) as u32)
        .max(1)
        .next_power_of_two()
        .min(MAX_SHARDS);
    let mut order: Vec<(u32, u64, usize)> = postings
        .keys
        .iter()
        .enumerate()
        .map(|(id, &k)| {
            let (a, b) = unkey(k);
            (shard_of(a, b, shards), k, id)
        })
        .collect();
    order.sort_unstable();
    let mut gram = String::new();
    let mut rest = &order[..];
    for shard in 0..shards {
        let n = rest.iter().take_while(|o| o.0 == shard).count();
        let (these, more) = rest.split_at(n);
        rest = more;
        let size: usize = these.iter().map(|o| postings.code(o.2).len() + 12).sum();
        let (path, bytes) = file(
            &shard_name(shard),
            |o| {
                o.push(b'{');
                for (j, &(_, k, id)) in these.iter().enumerate() {
                    if j > 0 {
                        o.push(b',');
                    }
                    let (a, b) = unkey(k);
                    gram.clear();
                    gram.push(a);
                    gram.push(b);
                    push_json_str(o, &gram);
                    o.extend_from_slice(b":\"");
                    o.extend_from_slice(postings.code(id));
                    o.push(b'"');
                }
                o.push(b'}');
            },
            size,
        );
        files.put(path, bytes, None);
    }

    // Page list: URLs, titles, shards and chunks.
    let (path, bytes) = file(
        "pages",
        |o| {
            o.extend_from_slice(format!("{{\"shards\":{shards},\"chunks\":[").as_bytes());
            for (j, s) in chunk_starts.iter().enumerate() {
                if j > 0 {
                    o.push(b',');
                }
                o.extend_from_slice(s.to_string().as_bytes());
            }
            for (field, title) in [("u", false), ("t", true)] {
                o.extend_from_slice(format!("],\"{field}\":[").as_bytes());
                for j in 0..pages.len() {
                    if j > 0 {
                        o.push(b',');
                    }
                    push_json_str(o, if title { pages.title(j) } else { pages.url(j) });
                }
            }
            // The variant table, for the browser to normalise queries and page text alike.
            o.extend_from_slice(b"],\"v\":[");
            for (j, (from, to)) in spelling.pairs().iter().enumerate() {
                if j > 0 {
                    o.push(b',');
                }
                o.push(b'[');
                push_json_str(o, from);
                o.push(b',');
                push_json_str(o, to);
                o.push(b']');
            }
            o.extend_from_slice(b"]}");
        },
        pages.len() * 64,
    );
    files.put(path, bytes, None);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigrams_are_stored_as_the_bytes_a_sequence_of_bytes_was() {
        let spelling = Spelling::new(&[]).unwrap();
        let grams = Grams::of(
            &spelling,
            "報告",
            "インシデントを検知した者は、直ちに報告する。",
        );
        let bytes = postcard::to_stdvec(&grams).unwrap();
        assert_eq!(bytes, postcard::to_stdvec(&grams.0).unwrap());
        assert_eq!(postcard::from_bytes::<Grams>(&bytes).unwrap(), grams);
        let json = serde_json::to_string(&grams).unwrap();
        assert_eq!(serde_json::from_str::<Grams>(&json).unwrap(), grams);
    }

    fn plain() -> Spelling {
        Spelling::new(&[]).unwrap()
    }

    fn entry(url: &str, title: &str, text: &str) -> Entry {
        Entry {
            url: url.into(),
            title: title.into(),
            text: text.into(),
            grams: None,
        }
    }

    /// The payload of an index file, as JSON.
    fn payload(bytes: &[u8]) -> serde_json::Value {
        let s = std::str::from_utf8(bytes).unwrap();
        let s = s.strip_prefix("KITEI_SEARCH_DATA(").unwrap();
        let s = s.strip_suffix(");\n").unwrap();
        let (_, data) = s.split_once(',').unwrap();
        serde_json::from_str(data).unwrap()
    }

    /// The pages whose posting lists hold every bigram of `term`, read back from the files.
    fn lookup(files: &[(String, Vec<u8>)], term: &str) -> Vec<u32> {
        let get = |name: &str| {
            payload(
                &files
                    .iter()
                    .find(|(p, _)| p == &format!("{DIR}{name}.js"))
                    .unwrap()
                    .1,
            )
        };
        let shards = get("pages")["shards"].as_u64().unwrap() as u32;
        let chars: Vec<char> = plain()
            .normalise(term)
            .chars()
            .filter(|&c| !skipped(c))
            .collect();
        let mut hits: Option<BTreeSet<u32>> = None;
        for w in chars.windows(2) {
            let shard = get(&shard_name(shard_of(w[0], w[1], shards)));
            let gram: String = w.iter().collect();
            let pages: BTreeSet<u32> = shard[&gram]
                .as_str()
                .map(|c| decode(c.as_bytes()).into_iter().collect())
                .unwrap_or_default();
            hits = Some(match hits {
                None => pages,
                Some(h) => h.intersection(&pages).copied().collect(),
            });
        }
        hits.unwrap_or_default().into_iter().collect()
    }

    #[test]
    fn main_text_strips_tags() {
        let html = "<header>nav</header><main id=\"c\"><h1>規程</h1><p>A &amp; B</p></main><footer>f</footer>";
        assert_eq!(main_text(html), "規程 A & B");
    }

    #[test]
    fn main_text_joins_inline_elements_and_decodes_entities() {
        let html = "<main>\n <p>第5条<a href=\"doc.html#x\" title=\"a>b\">個人<strong>情報</strong></a>に基づき</p>\
                    <!-- <p>comment</p> --><style>p{}</style><ul><li>&lt;x&gt;&#x27;&#39;&quot;&#x2F;</li>\
                    <li>A&nbsp;&nbsp;B\u{3000}C &amp;lt; &unknown; &</li></ul>\n</main>";
        assert_eq!(
            main_text(html),
            "第5条個人情報に基づき <x>''\"/ A B C &lt; &unknown; &"
        );
        assert_eq!(main_text("<main></main>"), "");
        assert_eq!(main_text("<main><p>unclosed <b"), "unclosed");
    }

    #[test]
    fn japanese_bigrams() {
        let g = bigrams(&plain(), "個人情報 保護");
        assert!(g.contains("個人") && g.contains("情報") && g.contains("報保"));
        // Full-width ASCII is searched as ASCII, lowercased.
        assert!(bigrams(&plain(), "ＰＣ").contains("pc"));
    }

    /// `pages` (increasing) encoded.
    fn encoded(pages: &[u32]) -> Vec<u8> {
        let mut items: Vec<(u32, u64)> = Vec::new();
        for &p in pages {
            match items.last_mut() {
                Some((b, m)) if *b == p / 64 => *m |= 1 << (p % 64),
                _ => items.push((p / 64, 1 << (p % 64))),
            }
        }
        let mut code = Vec::new();
        encode(&items, &mut code, &mut Vec::new());
        code
    }

    #[test]
    fn numbers_and_bitmaps_round_trip() {
        for pages in [
            vec![0u32],
            vec![5, 6, 7, 40, 1000, 33_000, 1 << 26],
            (0..500).collect::<Vec<_>>(),
            (0..500).step_by(3).collect(),
            (0..500).step_by(7).collect(),
            (60..70).chain(120..130).collect(),
        ] {
            let code = encoded(&pages);
            assert_eq!(decode(&code), pages, "{}", String::from_utf8_lossy(&code));
        }
        // Dense lists are bitmaps.
        let code = encoded(&(0..600).collect::<Vec<_>>());
        assert_eq!(code.len(), 101);
        assert_eq!(code[0], b'!');
        assert_eq!(encoded(&[0, 2, 70]), b"01Y3");
    }

    #[test]
    fn shards_match_the_javascript_hash() {
        // shardOf in assets/search.js gives these (run in node and in Chromium).
        for (a, b, n, shard) in [
            ('個', '人', 256, 59),
            ('情', '報', 256, 245),
            ('a', 'b', 256, 14),
            ('𠮷', '野', 256, 112),
            ('\u{10ffff}', '\u{10ffff}', 256, 57),
            ('個', '人', 2, 1),
            ('a', 'b', 1, 0),
        ] {
            assert_eq!(shard_of(a, b, n), shard, "{a}{b} of {n}");
        }
        let spread: BTreeSet<u32> = "個人情報保護委員会への報告"
            .chars()
            .zip("人情報保護委員会への報告は".chars())
            .map(|(a, b)| shard_of(a, b, 16))
            .collect();
        assert!(spread.len() >= 6, "{spread:?}");
    }

    #[test]
    fn known_grams_give_the_same_index_as_the_text() {
        let spelling = Spelling::new(&[vec!["漏えい".into(), "漏洩".into()]]).unwrap();
        let entries: Vec<Entry> = (0..150)
            .map(|i| {
                entry(
                    &format!("p{i:03}.html"),
                    &format!("手順{i} ウイルス"),
                    &format!(
                        "個人情報の漏洩{i}を　速やかに報告する。Ｔｅｓｔ {} 々",
                        i * 7919
                    ),
                )
            })
            .collect();
        let known: Vec<Entry> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| Entry {
                // Some pages with their grams, some without: both in one index.
                grams: (i % 3 != 0).then(|| Grams::of(&spelling, &e.title, &e.text)),
                ..e.clone()
            })
            .collect();
        assert_eq!(
            index_files(&entries, &spelling),
            index_files(&known, &spelling)
        );
        // Whitespace joins (`bc ab` is `bcab`); each bigram once, in order of its key.
        let g = Grams::of(&spelling, "ab", "bc ab");
        assert_eq!(
            g.keys().collect::<Vec<_>>(),
            vec![key('a', 'b'), key('b', 'c'), key('c', 'a')]
        );
    }

    #[test]
    fn a_long_page_has_each_bigram_once() {
        // Long enough for the repeats to be dropped several times on the way.
        let spelling = plain();
        let mut x = 1u32;
        let half: String = (0..100_000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                char::from_u32(0x4e00 + (x >> 8) % 2000).unwrap()
            })
            .collect();
        let text = format!("{half}{half}");
        let mut all: Vec<u64> = Vec::new();
        let chars: Vec<char> = "題名".chars().chain(text.chars()).collect();
        for pair in chars.windows(2) {
            all.push(key(pair[0], pair[1]));
        }
        // The title's last character and the text's first do not make a bigram.
        all.remove(1);
        all.sort_unstable();
        all.dedup();
        let got: Vec<u64> = Grams::of(&spelling, "題名", &text).keys().collect();
        assert!(got.len() > 1 << 14, "{}", got.len());
        assert_eq!(got, all);
    }

    #[test]
    fn index_files_find_pages_and_are_deterministic() {
        let entries = vec![
            entry(
                "a.html",
                "個人情報の取扱い",
                "個人情報を漏えいしたときは報告する。",
            ),
            entry(
                "b.html",
                "マルウェア",
                "端末を隔離する。ＰＣの電源は切らない。",
            ),
            entry(
                "c.html",
                "Contacts",
                "CISO \"quote\" back\\slash line\u{2028}sep",
            ),
        ];
        let files = index_files(&entries, &plain());
        assert_eq!(files, index_files(&entries, &plain()));
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted);
        assert!(paths.contains(&"assets/search/pages.js"));
        assert!(paths.contains(&"assets/search/g/00.js"));
        assert!(paths.contains(&"assets/search/t/0.js"));
        assert_eq!(lookup(&files, "個人情報"), [0]);
        assert_eq!(lookup(&files, "隔離"), [1]);
        assert_eq!(lookup(&files, "pcの"), [1]);
        assert_eq!(lookup(&files, "ciso"), [2]);
        assert!(lookup(&files, "存在しない").is_empty());
        let t = payload(&files.iter().find(|(p, _)| p.ends_with("t/0.js")).unwrap().1);
        assert_eq!(t[2], entries[2].text.as_str());
        let pages = payload(
            &files
                .iter()
                .find(|(p, _)| p.ends_with("pages.js"))
                .unwrap()
                .1,
        );
        assert_eq!(pages["u"][1], "b.html");
        assert_eq!(pages["t"][0], "個人情報の取扱い");
        assert_eq!(pages["chunks"], serde_json::json!([0]));
        // Nothing but these files, and nothing empty.
        assert!(
            index_files(&[], &plain())
                .iter()
                .all(|(p, b)| p.starts_with(DIR) && !b.is_empty())
        );
    }

    /// A corpus of `n` pages of about 5 KB of Japanese text each (varied vocabulary).
    fn corpus(n: usize) -> Vec<Entry> {
        let words: Vec<String> = {
            let kanji: Vec<char> = "個人情報保護委員会報告対応規程事故連絡責任者管理部門確認記録証跡\
                                    復旧調査原因再発防止計画訓練見直承認例外期限通知本人漏洩遮断隔離"
                .chars()
                .collect();
            let mut seed = 7u64;
            (0..4000)
                .map(|_| {
                    let len = 2 + (seed % 3) as usize;
                    (0..len)
                        .map(|_| {
                            seed = seed
                                .wrapping_mul(6364136223846793005)
                                .wrapping_add(1442695040888963407);
                            kanji[(seed >> 33) as usize % kanji.len()]
                        })
                        .collect()
                })
                .collect()
        };
        let mut seed = 11u64;
        let mut next = move |m: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % m
        };
        (0..n)
            .map(|i| {
                let mut text = String::new();
                while text.len() < 5000 {
                    text.push_str(&words[next(words.len())]);
                    text.push_str(["は", "を", "に", "の", "、", "。", " "][next(7)]);
                }
                entry(
                    &format!("doc-{i}.html"),
                    &format!("文書{i} {}", words[i % 4000]),
                    &text,
                )
            })
            .collect()
    }

    /// Pages whose texts are keyed by their digest, as a build's are.
    struct Keyed<'e>(&'e [Entry]);

    impl Pages for Keyed<'_> {
        fn len(&self) -> usize {
            self.0.len()
        }
        fn url(&self, i: usize) -> &str {
            &self.0[i].url
        }
        fn title(&self, i: usize) -> &str {
            &self.0[i].title
        }
        fn grams(&self, _i: usize) -> Option<Cow<'_, Grams>> {
            None
        }
        fn with_text(&self, i: usize, f: &mut dyn FnMut(&str)) {
            f(&self.0[i].text)
        }
        fn text_len(&self, i: usize) -> usize {
            self.0[i].text.len()
        }
        fn text_key(&self, i: usize) -> Option<Hash> {
            Some(crate::digest::key(&[self.0[i].text.as_bytes()]))
        }
    }

    /// An index file and the key it was made from.
    type Made = (Option<Hash>, Vec<u8>);

    /// Index files as a build stores them: each with its key; `previous` is the last build's,
    /// from which a file is kept when its key is the same.
    #[derive(Default)]
    struct Build {
        previous: std::collections::HashMap<String, Made>,
        files: std::sync::Mutex<std::collections::BTreeMap<String, Made>>,
        made: std::sync::Mutex<Vec<String>>,
    }

    impl IndexFiles for Build {
        fn put(&self, path: String, bytes: Vec<u8>, key: Option<Hash>) {
            self.made.lock().unwrap().push(path.clone());
            self.files.lock().unwrap().insert(path, (key, bytes));
        }
        fn keep(&self, path: &str, key: &Hash) -> bool {
            match self.previous.get(path) {
                Some((Some(k), bytes)) if k == key => {
                    let kept = (Some(*key), bytes.clone());
                    self.files.lock().unwrap().insert(path.to_string(), kept);
                    true
                }
                _ => false,
            }
        }
    }

    fn build_after(previous: Option<Build>, entries: &[Entry]) -> Build {
        let build = Build {
            previous: previous
                .map(|b| b.files.into_inner().unwrap().into_iter().collect())
                .unwrap_or_default(),
            ..Build::default()
        };
        write_index(&Keyed(entries), &plain(), &build);
        build
    }

    /// After one page's text changes, only the text chunks around it are made again, and the
    /// index (kept chunks and all) is byte for byte the index made from nothing.
    #[test]
    fn an_edit_remakes_the_chunks_near_it_and_the_index_is_as_made_afresh() {
        let mut entries = corpus(600);
        let chunks = |b: &Build| {
            let files = b.files.lock().unwrap();
            files.keys().filter(|p| p.contains("/t/")).count()
        };
        for (step, page) in [(1, 5), (2, 300), (3, 599)] {
            let previous = build_after(None, &entries);
            let total = chunks(&previous);
            assert!(total > 20, "{total} chunks");
            // Longer by a few paragraphs.
            entries[page]
                .text
                .push_str(&"追記された文章が長くなる。".repeat(200 * step));
            let next = build_after(Some(previous), &entries);
            let made = next.made.lock().unwrap().clone();
            let made: Vec<&String> = made.iter().filter(|p| p.contains("/t/")).collect();
            assert!(
                !made.is_empty() && made.len() <= 3,
                "page {page}: {} of {total} chunks made again: {made:?}",
                made.len()
            );
            let fresh = index_files(&entries, &plain());
            let files: Vec<(String, Vec<u8>)> = (next.files.into_inner().unwrap().into_iter())
                .map(|(p, (_, b))| (p, b))
                .collect();
            assert!(
                files == fresh,
                "page {page}: the index differs from a fresh one"
            );
        }
    }

    #[test]
    fn index_is_smaller_than_the_text_and_shards_are_bounded() {
        let entries = corpus(300);
        let text: usize = entries.iter().map(|e| e.text.len()).sum();
        let files = index_files(&entries, &plain());
        let total: usize = files.iter().map(|(_, b)| b.len()).sum();
        assert!(
            total < text * 3 / 2,
            "index {total} bytes for {text} bytes of text"
        );
        for (path, bytes) in &files {
            if path.contains("/g/") {
                assert!(bytes.len() < 4 * SHARD_BYTES, "{path}: {}", bytes.len());
            }
            if path.contains("/t/") {
                assert!(
                    bytes.len() < 2 * CHUNK_BYTES + 6000,
                    "{path}: {}",
                    bytes.len()
                );
            }
        }
        let shards = files.iter().filter(|(p, _)| p.contains("/g/")).count();
        assert!(shards.is_power_of_two() && shards > 1, "{shards} shards");
    }

    /// `RAYON_NUM_THREADS=1 cargo test --release --lib index_speed -- --ignored --nocapture`
    /// (one core: about 0.25 s for 50 MB of text on a shared 2-vCPU machine).
    #[test]
    #[ignore]
    fn index_speed_10000_pages() {
        let entries = corpus(10_000);
        let text: usize = entries.iter().map(|e| e.text.len()).sum();
        // CPU time of the process, all threads (the machine may be busy with other work).
        let cpu = || {
            let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
            let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split(' ').collect();
            let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
            // utime and stime, in clock ticks of 10 ms.
            ticks(12)
                .zip(ticks(13))
                .map_or(f64::NAN, |(u, s)| (u + s) / 100.0)
        };
        let (started, cpu_started) = (std::time::Instant::now(), cpu());
        let files = index_files(&entries, &plain());
        let (took, cpu_took) = (started.elapsed(), cpu() - cpu_started);
        eprintln!("CPU time of index_files, all threads: {cpu_took:.2} s");
        let total: usize = files.iter().map(|(_, b)| b.len()).sum();
        let size = |kind: &str| -> usize {
            files
                .iter()
                .filter(|(p, _)| p.contains(kind))
                .map(|(_, b)| b.len())
                .sum()
        };
        eprintln!(
            "10000 pages, {} MB of text: {:.3} s, {} files, {:.1} MB (pages {:.2} MB, postings {:.1} MB, text {:.1} MB)",
            text / 1_000_000,
            took.as_secs_f64(),
            files.len(),
            total as f64 / 1e6,
            size("pages.js") as f64 / 1e6,
            size("/g/") as f64 / 1e6,
            size("/t/") as f64 / 1e6,
        );
        assert!(total < text * 3 / 2);
    }
}
