//! Portable payload names. Every path segment inside a bundle uses only `[A-Za-z0-9._-]`,
//! never starts with `.` or `-`, never ends with `.`, is not a Windows device name, and no two
//! siblings differ only in case. Names that break a rule (Japanese file names, spaces, `%`) are
//! replaced by `NNN-<ascii-slug>.<ext>`; the original name is kept in `metadata/bundle.json`.
//! This keeps every stock tool in agreement (bagit.py, sha256sum, unzip on any OS): no
//! escaping ever happens.

use std::collections::{BTreeMap, BTreeSet};

/// Longest segment kept as written; longer ones are shortened like non-portable names.
const MAX_SEGMENT: usize = 100;
/// Longest slug in a generated name.
const MAX_SLUG: usize = 40;

/// True when `s` may be used as a path segment in a bundle unchanged.
pub fn is_portable_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_SEGMENT
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && !s.starts_with('.')
        && !s.starts_with('-')
        && !s.ends_with('.')
        && !is_windows_reserved(s)
}

/// CON, PRN, AUX, NUL, COM1–9, LPT1–9, with or without an extension.
pub fn is_windows_reserved(s: &str) -> bool {
    let stem = s.split('.').next().unwrap_or("").to_ascii_uppercase();
    match stem.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" => true,
        _ => {
            let b = stem.as_bytes();
            b.len() == 4
                && (stem.starts_with("COM") || stem.starts_with("LPT"))
                && (b'1'..=b'9').contains(&b[3])
        }
    }
}

/// A lowercase ASCII slug of `s`: letters and digits kept, every other run becomes one `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out = out.trim_matches('-').to_string();
    if out.len() > MAX_SLUG {
        out.truncate(MAX_SLUG);
        out = out.trim_end_matches('-').to_string();
    }
    out
}

/// The extension worth keeping: 1–10 ASCII letters or digits, lowercased.
fn portable_ext(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty()
        || ext.is_empty()
        || ext.len() > 10
        || !ext.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return None;
    }
    Some(ext.to_ascii_lowercase())
}

/// Maps original relative paths (segments separated by `/`) to portable ones. Deterministic:
/// the result depends only on the set of paths, never on the order they are given in.
/// Within a folder, names that are already portable (and unique ignoring case) are kept;
/// the others get `NNN-<slug>[.ext]`, numbered in bytewise order of their original names.
pub fn portable_paths<'a>(paths: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, String> {
    let paths: BTreeSet<&str> = paths.into_iter().collect();
    // children of every folder (by its original path), and which children are folders
    let mut children: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut folders: BTreeSet<String> = BTreeSet::new();
    for path in &paths {
        let segments: Vec<&str> = path.split('/').collect();
        for i in 0..segments.len() {
            let parent = segments[..i].join("/");
            children
                .entry(parent)
                .or_default()
                .insert(segments[i].to_string());
            if i + 1 < segments.len() {
                folders.insert(segments[..=i].join("/"));
            }
        }
    }
    // (parent original path, child original name) → portable child name
    let mut renamed: BTreeMap<(String, String), String> = BTreeMap::new();
    for (parent, names) in &children {
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut pending = Vec::new();
        for name in names {
            if is_portable_segment(name) && taken.insert(name.to_ascii_lowercase()) {
                renamed.insert((parent.clone(), name.clone()), name.clone());
            } else {
                pending.push(name);
            }
        }
        let mut counter = 0u32;
        for name in pending {
            let full = if parent.is_empty() {
                name.clone()
            } else {
                format!("{parent}/{name}")
            };
            let is_folder = folders.contains(&full);
            let ext = if is_folder { None } else { portable_ext(name) };
            let stem = match &ext {
                Some(_) => name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name),
                None => name.as_str(),
            };
            let mut base = slug(stem);
            if base.is_empty() {
                base = if is_folder {
                    "folder".into()
                } else {
                    "file".into()
                };
            }
            let candidate = loop {
                counter += 1;
                let c = match &ext {
                    Some(ext) => format!("{counter:03}-{base}.{ext}"),
                    None => format!("{counter:03}-{base}"),
                };
                if taken.insert(c.to_ascii_lowercase()) {
                    break c;
                }
            };
            renamed.insert((parent.clone(), name.clone()), candidate);
        }
    }
    paths
        .iter()
        .map(|path| {
            let segments: Vec<&str> = path.split('/').collect();
            let mapped: Vec<&str> = (0..segments.len())
                .map(|i| renamed[&(segments[..i].join("/"), segments[i].to_string())].as_str())
                .collect();
            (path.to_string(), mapped.join("/"))
        })
        .collect()
}

/// The media type for a file name, by extension (for the index; never sniffed).
pub fn media_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "txt" | "log" => "text/plain",
        "md" => "text/markdown",
        "csv" => "text/csv",
        "tsv" => "text/tab-separated-values",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "json" => "application/json",
        "yaml" | "yml" => "application/yaml",
        "toml" => "application/toml",
        "xml" => "application/xml",
        "eml" => "message/rfc822",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" | "tgz" => "application/gzip",
        "xz" => "application/x-xz",
        "bz2" => "application/x-bzip2",
        "zst" => "application/zstd",
        "7z" => "application/x-7z-compressed",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pcap" => "application/vnd.tcpdump.pcap",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

/// Formats that are compressed already: stored in the zip as they are.
pub fn is_compressed_format(name: &str) -> bool {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    matches!(
        ext.as_str(),
        "png"
            | "jpg"
            | "jpeg"
            | "gif"
            | "webp"
            | "pdf"
            | "zip"
            | "gz"
            | "tgz"
            | "xz"
            | "bz2"
            | "zst"
            | "7z"
            | "docx"
            | "xlsx"
            | "pptx"
            | "mp4"
    )
}

/// The slug of an organisation name for bundle names (`kitei-<slug>-000001`); "evidence"
/// when the name has no ASCII letters or digits.
pub fn org_slug(organisation: &str) -> String {
    let mut s = slug(organisation);
    s.truncate(32);
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() { "evidence".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portable_segments() {
        assert!(is_portable_segment("waf-2025-06-07.log"));
        assert!(!is_portable_segment("報告書.txt"));
        assert!(!is_portable_segment(".hidden"));
        assert!(!is_portable_segment("-x"));
        assert!(!is_portable_segment("a b"));
        assert!(!is_portable_segment("100%.txt"));
        assert!(!is_portable_segment("trailing."));
        assert!(!is_portable_segment("CON.txt"));
        assert!(!is_portable_segment("com1"));
        assert!(is_portable_segment("com10"));
    }

    #[test]
    fn japanese_and_case_collisions_are_renamed() {
        let m = portable_paths([
            "evidence/INC-1/報告書.txt",
            "evidence/INC-1/a.log",
            "evidence/INC-1/A.log",
            "evidence/INC-1/議事録 final.PDF",
            "証跡/x.txt",
        ]);
        assert_eq!(m["evidence/INC-1/A.log"], "evidence/INC-1/A.log");
        assert_eq!(m["evidence/INC-1/a.log"], "evidence/INC-1/001-a.log");
        assert_eq!(
            m["evidence/INC-1/報告書.txt"],
            "evidence/INC-1/002-file.txt"
        );
        assert_eq!(
            m["evidence/INC-1/議事録 final.PDF"],
            "evidence/INC-1/003-final.pdf"
        );
        assert_eq!(m["証跡/x.txt"], "001-folder/x.txt");
        let lower: BTreeSet<String> = m.values().map(|v| v.to_ascii_lowercase()).collect();
        assert_eq!(lower.len(), m.len());
    }

    #[test]
    fn order_independent() {
        let a = portable_paths(["b/報告.txt", "b/議事.txt", "a.txt"]);
        let b = portable_paths(["a.txt", "b/議事.txt", "b/報告.txt"]);
        assert_eq!(a, b);
    }

    #[test]
    fn org_slugs() {
        assert_eq!(org_slug("株式会社みなと商会"), "evidence");
        assert_eq!(org_slug("ACME Corp."), "acme-corp");
    }
}
