//! `kitei-floor`: the least work a site build or a seal of the same inputs could do, as the
//! baseline `benches/run.sh` divides kitei's times by (issue 18, "within 2× of the floor").
//!
//! * `kitei-floor site SRC OUT`: every file under SRC is read and hashed (SHA-256); every
//!   Markdown file has its YAML front matter parsed and its body turned into HTML, every YAML
//!   record is parsed; each of them is put through one template and written to OUT. The same
//!   crates as kitei (walkdir, serde-saphyr, pulldown-cmark, tera, sha2, rayon), none of
//!   kitei's own work: no rules, links, navigation, search index, atomic swap or cache.
//! * `kitei-floor seal LIST OUT`: the files named in LIST (one path a line) are read, hashed
//!   and appended to one file OUT, which is then fsync'ed: what sealing cannot avoid.
//!
//! Both run on `--threads` threads (default: one per core, as kitei) and print one summary
//! line. OUT must not exist.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use clap::{Parser, Subcommand};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

#[derive(Parser)]
#[command(
    name = "kitei-floor",
    about = "Baseline work of a site build or a seal (benchmarks)"
)]
struct Args {
    /// Worker threads (default: one per core, like kitei).
    #[arg(long, global = true)]
    threads: Option<usize>,
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// Read, hash, parse front matter and Markdown (or YAML), template and write every file.
    Site { src: PathBuf, out: PathBuf },
    /// Read, hash and append the listed files to one output file, then fsync it.
    Seal { list: PathBuf, out: PathBuf },
}

/// The one template every page goes through.
const PAGE: &str = r#"<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><header><a href="/">{{ site }}</a></header>
<main><h1>{{ title }}</h1>
{{ body | safe }}
</main><footer>{{ path }} · {{ digest }}</footer></body></html>
"#;

fn main() {
    let args = Args::parse();
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        pool = pool.num_threads(n);
    }
    let pool = pool
        .build()
        .unwrap_or_else(|e| fail(format!("thread pool: {e}")));
    let result = pool.install(|| match &args.what {
        What::Site { src, out } => site(src, out),
        What::Seal { list, out } => seal(list, out),
    });
    match result {
        Ok(line) => println!("{line}"),
        Err(e) => fail(e),
    }
}

fn fail(message: String) -> ! {
    eprintln!("kitei-floor: error: {message}");
    std::process::exit(1)
}

fn must_be_new(out: &Path) -> Result<(), String> {
    if out.exists() {
        return Err(format!("{} exists; give a new path", out.display()));
    }
    Ok(())
}

fn site(src: &Path, out: &Path) -> Result<String, String> {
    must_be_new(out)?;
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(src).sort_by_file_name() {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.file_type().is_file() {
            files.push(entry.into_path());
        }
    }
    let mut engine = tera::Tera::default();
    engine
        .add_raw_template("page.html", PAGE)
        .map_err(|e| format!("template: {e}"))?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let done: Vec<Result<(u64, bool), String>> = files
        .par_iter()
        .map(|path| one_file(src, out, path, &engine))
        .collect();
    let (mut bytes, mut pages) = (0u64, 0usize);
    for r in done {
        let (b, page) = r?;
        bytes += b;
        pages += usize::from(page);
    }
    Ok(format!(
        "kitei-floor site: {} files, {bytes} bytes read and hashed, {pages} pages written",
        files.len()
    ))
}

/// Reads and hashes one file; renders and writes a page for Markdown and YAML files.
/// Returns (bytes read, whether a page was written).
fn one_file(
    src: &Path,
    out: &Path,
    path: &Path,
    engine: &tera::Tera,
) -> Result<(u64, bool), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let digest = hex(&Sha256::digest(&bytes));
    let rel = path.strip_prefix(src).unwrap_or(path);
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let (meta, body) = match ext {
        "md" => {
            let text =
                std::str::from_utf8(&bytes).map_err(|e| format!("{}: {e}", rel.display()))?;
            let (front, body) = split_front_matter(text);
            let meta = parse_yaml(front, rel)?;
            (meta, markdown(body))
        }
        "yaml" | "yml" => {
            let text =
                std::str::from_utf8(&bytes).map_err(|e| format!("{}: {e}", rel.display()))?;
            (parse_yaml(text, rel)?, String::new())
        }
        _ => return Ok((bytes.len() as u64, false)),
    };
    let title = meta
        .get("title")
        .and_then(|t| t.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| rel.display().to_string());
    let mut ctx = tera::Context::new();
    ctx.insert("title", &title);
    ctx.insert("site", "floor");
    ctx.insert("body", &body);
    ctx.insert("path", &rel.display().to_string());
    ctx.insert("digest", &digest);
    let html = engine
        .render("page.html", &ctx)
        .map_err(|e| format!("{}: {e}", rel.display()))?;
    let target = out.join(rel).with_extension("html");
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(&target, html).map_err(|e| format!("{}: {e}", target.display()))?;
    Ok((bytes.len() as u64, true))
}

/// (front matter, body) of a Markdown file: the YAML between a first line `---` and the next.
fn split_front_matter(text: &str) -> (&str, &str) {
    let Some(rest) = text.strip_prefix("---\n") else {
        return ("", text);
    };
    match rest.find("\n---\n") {
        Some(end) => (&rest[..end + 1], &rest[end + 5..]),
        None => ("", text),
    }
}

fn parse_yaml(text: &str, rel: &Path) -> Result<serde_json::Value, String> {
    if text.trim().is_empty() {
        return Ok(serde_json::Value::Null);
    }
    serde_saphyr::from_str::<serde_json::Value>(text).map_err(|e| format!("{}: {e}", rel.display()))
}

fn markdown(body: &str) -> String {
    use pulldown_cmark::{Options, Parser};
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(body, options));
    html
}

fn seal(list: &Path, out: &Path) -> Result<String, String> {
    must_be_new(out)?;
    let names = std::fs::read_to_string(list).map_err(|e| format!("{}: {e}", list.display()))?;
    let files: Vec<&str> = names.lines().filter(|l| !l.is_empty()).collect();
    let file = std::fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let sink = Mutex::new(std::io::BufWriter::with_capacity(1 << 20, file));
    let total: Result<Vec<u64>, String> = files
        .par_iter()
        .map(|name| {
            let bytes = std::fs::read(name).map_err(|e| format!("{name}: {e}"))?;
            let digest = Sha256::digest(&bytes);
            let mut w = sink.lock().unwrap_or_else(|e| e.into_inner());
            w.write_all(&bytes)
                .and_then(|_| w.write_all(&digest))
                .map_err(|e| format!("{}: {e}", out.display()))?;
            Ok(bytes.len() as u64)
        })
        .collect();
    let total: u64 = total?.iter().sum();
    let file = sink
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_inner()
        .map_err(|e| format!("{}: {e}", out.display()))?;
    file.sync_all()
        .map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(format!(
        "kitei-floor seal: {} files, {total} bytes read, hashed, written and fsync'ed",
        files.len()
    ))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
