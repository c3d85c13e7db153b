//! The subset YAML reader (`yaml::subset`) held to serde-saphyr: every file of the example
//! policy, and thousands of mutated copies of them, must give the same record (positions
//! included, compared as the loader's cache encodes it) or the same diagnostic either way.

use std::path::{Path, PathBuf};

use super::*;

/// Every parsed file of the example policy with its class.
fn example_files() -> Vec<(PathBuf, FileClass, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policy-src");
    let mut files: Vec<_> = walkdir::WalkDir::new(&root)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(&root).unwrap().to_path_buf();
            let class = classify(&rel);
            let parsed_as_yaml = class.is_parsed() && class != FileClass::AckTable;
            parsed_as_yaml.then(|| {
                let text = std::fs::read_to_string(e.path()).unwrap();
                (rel, class, text)
            })
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

/// The outcome of parsing, comparable across the two readers.
fn outcome(text: &str, rel: &Path, class: FileClass) -> Result<Vec<u8>, String> {
    match parse_text(text, rel, class) {
        Ok(parsed) => Ok(cache::encode(&parsed).expect("records encode")),
        Err(d) => Err(format!("{d:?}")),
    }
}

fn same_either_way(text: &str, rel: &Path, class: FileClass) -> Result<(), String> {
    let fast = outcome(text, rel, class);
    let full = yaml::without_subset(|| outcome(text, rel, class));
    if fast == full {
        return Ok(());
    }
    let show = |o: &Result<Vec<u8>, String>| match o {
        Ok(bytes) => format!("a record ({} bytes encoded)", bytes.len()),
        Err(d) => d.clone(),
    };
    Err(format!(
        "{}: the two readers differ on\n---\n{text}\n---\nsubset first: {}\nserde-saphyr only: {}",
        rel.display(),
        show(&fast),
        show(&full)
    ))
}

#[test]
fn the_example_policy_reads_the_same_with_the_subset_reader() {
    let files = example_files();
    assert!(files.len() >= 20, "example policy not found");
    let mut taken = 0;
    for (rel, class, text) in &files {
        same_either_way(text, rel, *class).unwrap_or_else(|e| panic!("{e}"));
        let yaml = match class {
            FileClass::Document => frontmatter::split(text).map(|s| s.yaml).unwrap_or(""),
            _ => text,
        };
        taken += usize::from(yaml::subset_takes(yaml));
    }
    // The point of the reader: the example's records are in the subset (not all declined).
    assert!(
        taken * 10 >= files.len() * 9,
        "the subset reader took only {taken} of {} files",
        files.len()
    );
}

/// A small deterministic generator (xorshift), seeded from `KITEI_SUBSET_SEED` to replay.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Pieces of YAML syntax and values whose reading differs by context or YAML version.
const TOKENS: &[&str] = &[
    ":",
    ": ",
    "#",
    " #",
    "-",
    "- ",
    "'",
    "\"",
    "[",
    "]",
    "{",
    "}",
    ",",
    " ",
    "  ",
    "\n",
    "\n  ",
    "|",
    ">",
    "|-",
    ">+",
    "&a ",
    "*a",
    "!x ",
    "~",
    "null",
    "Null",
    "true",
    "True",
    "yes",
    "no",
    "on",
    "0",
    "012",
    "1.5",
    "1e3",
    "0x1F",
    "+5",
    "-1",
    "1_000",
    "\t",
    "\\",
    "\\n",
    "：",
    "\u{3000}",
    "é",
    "日本",
    "? ",
    "%",
    "@",
    "`",
    "---",
    "...",
    "''",
    "\"\"",
    "\r",
    "\u{85}",
    "\u{feff}",
    "<<: ",
    "[a, b]",
    "{ a: b }",
    "{}",
    "[]",
    "2024-01-01",
    "2024-13-40",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let at = |rng: &mut Rng| {
        boundaries
            .get(rng.below(boundaries.len().max(1)))
            .copied()
            .unwrap_or(0)
    };
    let token = |rng: &mut Rng| TOKENS[rng.below(TOKENS.len())];
    let mut out = text.to_string();
    match rng.below(6) {
        0 if !boundaries.is_empty() => {
            let i = at(rng);
            let len = text[i..].chars().next().map_or(0, char::len_utf8);
            out.replace_range(i..i + len, "");
        }
        1 => out.insert_str(at(rng), token(rng)),
        2 => {
            let n = rng.below(lines.len());
            let mut l = lines.clone();
            l.insert(n, lines[n]);
            out = l.join("\n");
        }
        3 => {
            let mut l = lines.clone();
            l.remove(rng.below(lines.len()));
            out = l.join("\n");
        }
        4 => {
            let n = rng.below(lines.len());
            let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            l[n] = if rng.below(2) == 0 {
                format!("  {}", l[n])
            } else {
                l[n].strip_prefix(' ').unwrap_or(&l[n]).to_string()
            };
            out = l.join("\n");
        }
        _ => {
            // Replace what follows a `key: ` on some line.
            let n = rng.below(lines.len());
            let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            if let Some(i) = l[n].find(": ") {
                l[n] = format!("{}{}", &l[n][..i + 2], token(rng));
            }
            out = l.join("\n");
        }
    }
    out
}

#[test]
fn mutated_copies_read_the_same_with_the_subset_reader() {
    let seed: u64 = std::env::var("KITEI_SUBSET_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_2026);
    println!("KITEI_SUBSET_SEED={seed}");
    let mut rng = Rng(seed | 1);
    let mut failures = Vec::new();
    let (mut tried, mut read_by_subset) = (0, 0);
    for (rel, class, text) in example_files() {
        // Documents: mutate the front matter only (the Markdown body is not YAML).
        let (head, body) = match class {
            FileClass::Document => match text.match_indices("\n---\n").next() {
                Some((i, _)) => text.split_at(i),
                None => (text.as_str(), ""),
            },
            _ => (text.as_str(), ""),
        };
        for _ in 0..100 {
            let mut mutated = head.to_string();
            for _ in 0..=rng.below(3) {
                mutated = mutate(&mutated, &mut rng);
            }
            mutated.push_str(body);
            tried += 1;
            let yaml = match class {
                FileClass::Document => frontmatter::split(&mutated).map(|s| s.yaml).unwrap_or(""),
                _ => &mutated,
            };
            read_by_subset += usize::from(yaml::subset_takes(yaml));
            if let Err(e) = same_either_way(&mutated, &rel, class) {
                failures.push(e);
            }
        }
    }
    println!("{read_by_subset} of {tried} mutated files were in the subset");
    // Mutations must exercise the reader, not only its refusals.
    assert!(read_by_subset * 3 >= tried, "{read_by_subset} of {tried}");
    assert!(
        failures.is_empty(),
        "{} mutated files read differently (seed {seed}); the first:\n{}",
        failures.len(),
        failures[0]
    );
}
