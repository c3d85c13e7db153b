//! The development server behind `kitei serve` (`cmd/serve.rs`): serves the output
//! folder on 127.0.0.1, rebuilds when the project changes and reloads open pages.
//!
//! * Building is the callback the command passes in (`kitei build`'s own site build), so the
//!   files on disk are exactly what `kitei build` writes; a build that fails (policy errors without `--allow-errors`, broken
//!   templates) leaves the last good site in place and serving goes on, the errors on stderr.
//! * Reloading: every HTML response (never the file on disk) gets one `<script>` that polls
//!   `/__kitei/version` once a second and reloads the page when a newer build is published.
//! * Watching: `kitei.toml`, the source folder and `templates/` through `notify` (debounced),
//!   or by polling modification times (`--poll`, or when file events are unavailable).
//! * Only files inside the output folder are served: `..` (raw or percent-encoded) is refused,
//!   hidden files are not served and symbolic links that lead out of the folder are 404.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, SystemTime};

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use tiny_http::{Header, Method, Request, Response, Server, StatusCode};

use crate::config::Project;

/// How long the project must be quiet before a rebuild starts: long enough for an editor's
/// save to arrive as one change (a temporary file written then renamed, or a file truncated
/// then written: the steps follow each other within a few milliseconds, an `fsync` comes after
/// the content is in place), short beside what a user waits for. A burst longer than this (a
/// `git checkout`) costs one more rebuild, never a missed change. The debouncer looks every
/// quarter of it, so a rebuild starts 50–63 ms after the last event (it was 100 ms: half of a
/// save's 0.2 s at 1,000 documents).
const DEBOUNCE: Duration = Duration::from_millis(50);
/// The polling interval (`--poll`).
const POLL_EVERY: Duration = Duration::from_secs(1);
/// Threads answering requests.
const WORKERS: usize = 4;

/// What the request threads share with the build loop.
struct State {
    /// The output folder (absolute).
    out: PathBuf,
    /// Counts published builds; pages reload when it changes.
    version: AtomicU64,
    /// The last build failed (its errors are on the terminal); the last good site stays.
    failed: AtomicBool,
    stop: AtomicBool,
}

enum Msg {
    Fs(DebounceEventResult),
    Stop,
}

/// Serves `out` (absolute) for the project at `root` (canonical) on 127.0.0.1:`port` (0: any
/// free port), calling `build` first and after every change (`poll`: by polling modification
/// times instead of file-system events). `build` is given every path file events named since
/// its last call, or `None` when they may not be all (the first build, polling, a watcher that
/// reported an error or lost events): then it must look at everything. Returns the exit code
/// (0 after Ctrl-C, 2 when it cannot start).
pub fn run(
    root: &Path,
    out: &Path,
    port: u16,
    poll: bool,
    build: &dyn Fn(Option<Vec<PathBuf>>) -> u8,
) -> u8 {
    let root = root.to_path_buf();
    // Bind first: a port in use is reported before the (slower) build.
    let server = match Server::http(("127.0.0.1", port)) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!(
                "error: cannot listen on 127.0.0.1:{}: {e} (choose another with --port, or --port 0 for any free one)",
                port
            );
            return 2;
        }
    };
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .unwrap_or(port);
    let state = Arc::new(State {
        out: out.to_path_buf(),
        version: AtomicU64::new(0),
        failed: AtomicBool::new(false),
        stop: AtomicBool::new(false),
    });

    let (tx, rx) = mpsc::channel::<Msg>();
    let presses = AtomicUsize::new(0);
    let ctrlc_tx = tx.clone();
    if let Err(e) = ctrlc::set_handler(move || {
        if presses.fetch_add(1, Ordering::SeqCst) > 0 {
            // A second Ctrl-C while a build is still finishing: leave now.
            std::process::exit(130);
        }
        let _ = ctrlc_tx.send(Msg::Stop);
    }) {
        eprintln!(
            "warning: cannot handle Ctrl-C ({e}); stopping will not wait for a build to finish"
        );
    }

    // Watch before the first build, so that no change made from now on is missed.
    let watch_tx = tx.clone();
    let mut watcher = if poll {
        None
    } else {
        match new_debouncer(DEBOUNCE, None, move |r: DebounceEventResult| {
            let _ = watch_tx.send(Msg::Fs(r));
        }) {
            Ok(d) => Some(d),
            Err(e) => {
                eprintln!(
                    "warning: file events are unavailable ({e}); polling for changes every second instead"
                );
                None
            }
        }
    };
    // `tx` stays alive: with polling (or no Ctrl-C handler) nothing else may hold a sender.
    let _keep_open = tx;
    let mut watched: BTreeSet<(PathBuf, bool)> = BTreeSet::new();
    if let Some(w) = watcher.as_mut()
        && let Err(e) = update_watches(w, &mut watched, &watch_targets(&root))
    {
        eprintln!(
            "warning: cannot watch the project ({e}); polling for changes every second instead"
        );
        watcher = None;
    }
    let mut fingerprint = if watcher.is_none() {
        Some(fingerprint(&root, &state.out))
    } else {
        None
    };

    rebuild(build, None, &state);
    // Every path events named since the last build, relevant or not (a file the site ignores
    // may still be one the loader lists); `None` once events may have been lost.
    let mut named: Option<Vec<PathBuf>> = Some(Vec::new());
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (server, state) = (server.clone(), state.clone());
            std::thread::spawn(move || worker(&server, &state))
        })
        .collect();
    // The only line on stdout: scripts (and the tests) read the address from it.
    println!("kitei serve: http://127.0.0.1:{port}/");
    eprintln!(
        "kitei serve: serving {} on http://127.0.0.1:{port}/ ; watching the project for changes (Ctrl-C to stop)",
        state.out.display()
    );

    loop {
        let timeout = if watcher.is_some() {
            Duration::from_secs(3600)
        } else {
            POLL_EVERY
        };
        let changed: Vec<PathBuf> = match rx.recv_timeout(timeout) {
            Ok(Msg::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Ok(Msg::Fs(Ok(events))) => {
                let ignore = Ignore::new(&root, &state.out);
                let mut paths = ignore.changed(&events);
                note_events(&mut named, &events);
                // More changes may already be queued (a rebuild was running): take them too.
                let mut stop = false;
                while let Ok(m) = rx.try_recv() {
                    match m {
                        Msg::Stop => stop = true,
                        Msg::Fs(Ok(more)) => {
                            paths.extend(ignore.changed(&more));
                            note_events(&mut named, &more);
                        }
                        Msg::Fs(Err(_)) => named = None,
                    }
                }
                if stop {
                    break;
                }
                paths
            }
            Ok(Msg::Fs(Err(errors))) => {
                for e in errors {
                    eprintln!("warning: watching: {e}");
                }
                named = None;
                continue;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => match fingerprint.as_mut() {
                Some(old) => {
                    let new = self::fingerprint(&root, &state.out);
                    // Paths whose size or time changed, or that came or went.
                    let paths = old
                        .symmetric_difference(&new)
                        .map(|(p, ..)| p.clone())
                        .collect();
                    *old = new;
                    paths
                }
                None => continue,
            },
        };
        if changed.is_empty() {
            continue;
        }
        let mut names: Vec<String> = changed
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap_or(p).display().to_string())
            .collect();
        names.sort();
        names.dedup();
        let shown = if names.len() > 3 {
            format!("{}, … ({} paths)", names[..3].join(", "), names.len())
        } else {
            names.join(", ")
        };
        eprintln!("kitei serve: changed: {shown}; rebuilding");
        // Polling compares only the files it lists: the build looks at everything.
        let seen = named.replace(Vec::new()).filter(|_| watcher.is_some());
        rebuild(build, seen, &state);
        // kitei.toml may have moved the source folder; templates/ may have appeared.
        if let Some(w) = watcher.as_mut()
            && let Err(e) = update_watches(w, &mut watched, &watch_targets(&root))
        {
            eprintln!("warning: cannot watch the project ({e})");
        }
        if let Some(old) = fingerprint.as_mut() {
            *old = self::fingerprint(&root, &state.out);
        }
    }

    eprintln!("kitei serve: stopping");
    if let Some(w) = watcher {
        w.stop();
    }
    state.stop.store(true, Ordering::SeqCst);
    for _ in &workers {
        server.unblock();
    }
    for w in workers {
        let _ = w.join();
    }
    0
}

/// Adds the paths of a batch of events to `named` (changes, not reads); forgets them all when
/// the watcher says it lost some (then a build must look at everything).
fn note_events(named: &mut Option<Vec<PathBuf>>, events: &[notify_debouncer_full::DebouncedEvent]) {
    if events.iter().any(|e| e.event.need_rescan()) {
        *named = None;
    }
    if let Some(named) = named {
        named.extend(
            events
                .iter()
                .filter(|e| !matches!(e.event.kind, EventKind::Access(_)))
                .flat_map(|e| e.event.paths.iter().cloned()),
        );
    }
}

/// Runs `kitei build`; on success the new version makes open pages reload.
fn rebuild(
    build: &dyn Fn(Option<Vec<PathBuf>>) -> u8,
    changes: Option<Vec<PathBuf>>,
    state: &State,
) {
    let started = std::time::Instant::now();
    let code = build(changes);
    if code == 0 {
        state.failed.store(false, Ordering::SeqCst);
        let v = state.version.fetch_add(1, Ordering::SeqCst) + 1;
        if v > 1 {
            eprintln!(
                "kitei serve: rebuilt in {:.2} s; open pages reload",
                started.elapsed().as_secs_f64()
            );
        }
    } else {
        state.failed.store(true, Ordering::SeqCst);
        let what = if state.out.is_dir() {
            "still serving the last good build"
        } else {
            "no site to serve yet"
        };
        eprintln!("kitei serve: the build failed (see above); {what}; waiting for the next change");
    }
}

/// What to watch: the project root itself (kitei.toml, and new `templates/` or source folders),
/// the source folder and `templates/` (recursively) when they exist. `true` = recursive.
fn watch_targets(root: &Path) -> BTreeSet<(PathBuf, bool)> {
    let mut targets = BTreeSet::from([(root.to_path_buf(), false)]);
    for dir in [source_dir(root), Some(root.join("templates"))]
        .into_iter()
        .flatten()
    {
        if let Ok(dir) = dir.canonicalize()
            && dir.is_dir()
            && dir != root
        {
            targets.insert((dir, true));
        }
    }
    // What kitei.toml names elsewhere: a folder (of fonts) whole, a file (a dictionary) by its
    // folder, so that an editor's save by rename is seen too.
    for path in named_inputs(root) {
        let covered = |p: &Path| {
            targets
                .iter()
                .any(|(t, recursive)| *recursive && p.starts_with(t))
        };
        let target = if path.is_dir() {
            (path, true)
        } else {
            match path.parent() {
                Some(parent) if parent.is_dir() => (parent.to_path_buf(), false),
                _ => continue,
            }
        };
        // Not again inside (or as) a folder watched whole.
        if !covered(&target.0) {
            targets.insert(target);
        }
    }
    targets
}

/// [`Project::named_inputs`], with their folders resolved as the watcher reports paths (none
/// when kitei.toml does not parse).
fn named_inputs(root: &Path) -> Vec<PathBuf> {
    let Ok(project) = Project::open(root) else {
        return Vec::new();
    };
    project
        .named_inputs()
        .into_iter()
        .map(|path| match (path.parent(), path.file_name()) {
            (Some(parent), Some(name)) => parent
                .canonicalize()
                .map_or_else(|_| path.clone(), |p| p.join(name)),
            _ => path,
        })
        .collect()
}

/// The source folder named by kitei.toml (None when the file does not parse).
fn source_dir(root: &Path) -> Option<PathBuf> {
    Project::open(root)
        .ok()
        .map(|p| root.join(&p.config.source))
}

fn update_watches<W: notify::Watcher, C: notify_debouncer_full::FileIdCache>(
    w: &mut notify_debouncer_full::Debouncer<W, C>,
    watched: &mut BTreeSet<(PathBuf, bool)>,
    targets: &BTreeSet<(PathBuf, bool)>,
) -> Result<(), String> {
    for gone in watched.difference(targets).cloned().collect::<Vec<_>>() {
        let _ = w.unwatch(&gone.0);
        watched.remove(&gone);
    }
    for new in targets.difference(&watched.clone()) {
        let mode = if new.1 {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        w.watch(&new.0, mode)
            .map_err(|e| format!("{}: {e}", new.0.display()))?;
        watched.insert(new.clone());
    }
    Ok(())
}

/// Decides which changed paths matter: kitei.toml, anything in the source folder or in
/// `templates/` — but not the output folder, the build's temporary folders, hidden files
/// (`.git`, editor swap files) or backups (`~`, `.swp`, `.tmp`), which the loader skips too.
struct Ignore {
    root: PathBuf,
    out: PathBuf,
    config: PathBuf,
    dirs: Vec<PathBuf>,
    /// The files and folders kitei.toml names besides ([`named_inputs`]).
    named: Vec<PathBuf>,
}

impl Ignore {
    fn new(root: &Path, out: &Path) -> Ignore {
        let dirs = [source_dir(root), Some(root.join("templates"))]
            .into_iter()
            .flatten()
            .map(|d| d.canonicalize().unwrap_or(d))
            .collect();
        Ignore {
            root: root.to_path_buf(),
            out: out.to_path_buf(),
            config: root.join(crate::config::FILE_NAME),
            dirs,
            named: named_inputs(root),
        }
    }

    /// The relevant paths of a batch of events (reads, which inotify reports too, are not changes).
    fn changed(&self, events: &[notify_debouncer_full::DebouncedEvent]) -> Vec<PathBuf> {
        events
            .iter()
            .filter(|e| !matches!(e.event.kind, EventKind::Access(_)))
            .flat_map(|e| e.event.paths.iter())
            .filter(|p| self.relevant(p))
            .cloned()
            .collect()
    }

    fn relevant(&self, path: &Path) -> bool {
        if path.starts_with(&self.out) {
            return false;
        }
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        let hidden = rel
            .components()
            .any(|c| matches!(c, Component::Normal(n) if n.to_string_lossy().starts_with('.')));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if hidden || name.ends_with('~') || name.ends_with(".swp") || name.ends_with(".tmp") {
            return false;
        }
        path == self.config
            || self.dirs.iter().any(|d| path.starts_with(d))
            || self.named.iter().any(|n| path.starts_with(n))
    }
}

/// (path, size, modified) of every file that matters, for `--poll`.
fn fingerprint(root: &Path, out: &Path) -> BTreeSet<(PathBuf, u64, Option<SystemTime>)> {
    let ignore = Ignore::new(root, out);
    let config = root.join(crate::config::FILE_NAME);
    let mut files = BTreeSet::new();
    let watched = ignore.dirs.iter().chain(&ignore.named).cloned();
    for path in std::iter::once(config).chain(watched) {
        let walk = walkdir::WalkDir::new(&path).into_iter();
        for entry in walk.filter_entry(|e| ignore.relevant(e.path())).flatten() {
            // Files only: a folder's time changes when an ignored file (a swap file) appears.
            if let Ok(m) = entry.metadata()
                && m.is_file()
            {
                files.insert((entry.path().to_path_buf(), m.len(), m.modified().ok()));
            }
        }
    }
    files
}

// ---------------------------------------------------------------------------------------------
// HTTP

fn worker(server: &Server, state: &State) {
    loop {
        match server.recv() {
            Ok(rq) => respond(rq, state),
            Err(_) if state.stop.load(Ordering::SeqCst) => return,
            Err(_) => continue,
        }
    }
}

/// What a request path resolves to.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    File(PathBuf),
    /// A folder asked for without its trailing slash: redirect so relative links work.
    Redirect(String),
    NotFound,
    BadRequest,
}

/// Maps a request target (`/runbook-malware.html?x`) to a file inside `out`. Percent-decodes
/// first and refuses `..`, backslashes and NUL; hidden names are not found; the file's real
/// path (after following links) must still be inside `out`.
pub fn resolve(out: &Path, target: &str) -> Resolved {
    let (path, query) = match target.find(['?', '#']) {
        Some(i) => (&target[..i], &target[i..]),
        None => (target, ""),
    };
    if !path.starts_with('/') {
        return Resolved::BadRequest;
    }
    let Some(decoded) = percent_decode(path) else {
        return Resolved::BadRequest;
    };
    if decoded.contains(['\\', '\0']) {
        return Resolved::BadRequest;
    }
    let mut file = out.to_path_buf();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Resolved::BadRequest,
            s if s.starts_with('.') => return Resolved::NotFound,
            s => file.push(s),
        }
    }
    if file.is_dir() {
        if !path.ends_with('/') {
            return Resolved::Redirect(format!("/{}/{query}", path.trim_start_matches('/')));
        }
        file.push("index.html");
    }
    let (Ok(real), Ok(base)) = (file.canonicalize(), out.canonicalize()) else {
        return Resolved::NotFound;
    };
    if !real.starts_with(&base) || !real.is_file() {
        return Resolved::NotFound;
    }
    Resolved::File(real)
}

/// `%XX` decoding to UTF-8; `None` for a malformed escape or invalid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The content type for a file name's extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// The tag added to served HTML (never to the files on disk).
fn reload_tag(version: u64) -> String {
    format!("<script src=\"/__kitei/reload.js?v={version}\"></script>")
}

/// The reload script: polls the build version and reloads when it changes.
fn reload_js(version: &str) -> String {
    format!(
        r#"// kitei serve: reloads the page when a new build is published. Added by the server only;
// the built site does not contain it.
(function () {{
  var seen = "{version}";
  function poll() {{
    fetch("/__kitei/version", {{ cache: "no-store" }})
      .then(function (r) {{ return r.ok ? r.text() : seen; }})
      .then(function (v) {{ if (v.trim() !== seen) {{ location.reload(); }} else {{ setTimeout(poll, 1000); }} }})
      .catch(function () {{ setTimeout(poll, 2000); }});
  }}
  setTimeout(poll, 1000);
}})();
"#
    )
}

/// `html` with the reload tag before the last `</body>` (appended when there is none).
pub fn inject(html: &[u8], version: u64) -> Vec<u8> {
    let tag = reload_tag(version);
    let lower = html.to_ascii_lowercase();
    let at = lower
        .windows(7)
        .rposition(|w| w == b"</body>")
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

fn reply(rq: Request, status: u16, content_type: &str, body: Vec<u8>, extra: &[(&str, &str)]) {
    let mut response = Response::from_data(body)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    for (name, value) in extra {
        response.add_header(header(name, value));
    }
    let _ = rq.respond(response);
}

fn respond(rq: Request, state: &State) {
    if !matches!(rq.method(), Method::Get | Method::Head) {
        return reply(
            rq,
            405,
            "text/plain; charset=utf-8",
            b"method not allowed\n".to_vec(),
            &[("Allow", "GET, HEAD")],
        );
    }
    let target = rq.url().to_string();
    let path = target.split(['?', '#']).next().unwrap_or("");
    let version = state.version.load(Ordering::SeqCst);
    match path {
        "/__kitei/version" => {
            return reply(
                rq,
                200,
                "text/plain; charset=utf-8",
                version.to_string().into_bytes(),
                &[],
            );
        }
        "/__kitei/reload.js" => {
            let v = target.split_once("?v=").map(|(_, v)| v).unwrap_or("");
            let v = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
                v.to_string()
            } else {
                version.to_string()
            };
            return reply(
                rq,
                200,
                "text/javascript; charset=utf-8",
                reload_js(&v).into_bytes(),
                &[],
            );
        }
        _ => {}
    }
    match resolve(&state.out, &target) {
        Resolved::File(file) => {
            let mut body = Vec::new();
            if let Err(e) = std::fs::File::open(&file).and_then(|mut f| f.read_to_end(&mut body)) {
                return reply(
                    rq,
                    500,
                    "text/plain; charset=utf-8",
                    format!("cannot read the file: {e}\n").into_bytes(),
                    &[],
                );
            }
            let ty = content_type(&file);
            if ty.starts_with("text/html") {
                body = inject(&body, version);
            }
            reply(rq, 200, ty, body, &[]);
        }
        Resolved::Redirect(location) => reply(
            rq,
            301,
            "text/plain; charset=utf-8",
            Vec::new(),
            &[("Location", &location)],
        ),
        Resolved::BadRequest => reply(
            rq,
            400,
            "text/plain; charset=utf-8",
            b"bad request\n".to_vec(),
            &[],
        ),
        Resolved::NotFound => {
            let page = not_found_page(
                path,
                state.failed.load(Ordering::SeqCst),
                state.out.is_dir(),
            );
            reply(
                rq,
                404,
                "text/html; charset=utf-8",
                inject(page.as_bytes(), version),
                &[],
            );
        }
    }
}

fn not_found_page(path: &str, failed: bool, built: bool) -> String {
    let path = crate::text::escape_html(path);
    let why = match (failed, built) {
        (_, false) => {
            "No site has been built yet: the build failed, and the terminal running <code>kitei serve</code> shows why. This page reloads when a build succeeds."
        }
        (true, true) => {
            "The last build failed (the terminal shows why); the previous site is served until a build succeeds."
        }
        (false, true) => "There is no such page in the site.",
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>404 Not Found</title></head>\n<body><h1>404 Not Found</h1><p><code>{path}</code></p><p>{why}</p><p><a href=\"/\">Home</a></p></body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_inside_the_folder_only() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        std::fs::create_dir_all(out.join("assets")).unwrap();
        std::fs::write(out.join("index.html"), "<html><body></body></html>").unwrap();
        std::fs::write(out.join("assets/kitei.css"), "x").unwrap();
        std::fs::write(out.join("規程.html"), "x").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        let real = |p: &str| Resolved::File(out.canonicalize().unwrap().join(p));
        assert_eq!(resolve(&out, "/"), real("index.html"));
        assert_eq!(resolve(&out, "/index.html?x=1#top"), real("index.html"));
        assert_eq!(resolve(&out, "/assets/kitei.css"), real("assets/kitei.css"));
        assert_eq!(resolve(&out, "/%E8%A6%8F%E7%A8%8B.html"), real("規程.html"));
        assert_eq!(
            resolve(&out, "/assets?x"),
            Resolved::Redirect("/assets/?x".into())
        );
        assert_eq!(resolve(&out, "/assets/"), Resolved::NotFound);
        assert_eq!(resolve(&out, "/missing.html"), Resolved::NotFound);
        for bad in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/assets/..%2F..%2Fsecret.txt",
            "/..%5csecret.txt",
            "/%zz",
            "/%ff",
            "secret.txt",
            "/a%00",
        ] {
            assert_eq!(resolve(&out, bad), Resolved::BadRequest, "{bad}");
        }
        assert_eq!(resolve(&out, "/.hidden"), Resolved::NotFound);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), out.join("link.txt"))
                .unwrap();
            std::os::unix::fs::symlink(dir.path(), out.join("up")).unwrap();
            assert_eq!(resolve(&out, "/link.txt"), Resolved::NotFound);
            assert_eq!(resolve(&out, "/up/secret.txt"), Resolved::NotFound);
        }
    }

    #[test]
    fn injects_before_the_last_body_end() {
        let html = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject(html, 7)).unwrap();
        assert_eq!(
            out,
            "<html><body><p>x</p><script src=\"/__kitei/reload.js?v=7\"></script></BODY></html>"
        );
        let bare = String::from_utf8(inject(b"<p>x</p>", 1)).unwrap();
        assert!(bare.ends_with("</script>"));
    }

    #[test]
    fn content_types() {
        for (name, ty) in [
            ("a.html", "text/html; charset=utf-8"),
            ("a.css", "text/css; charset=utf-8"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("a.svg", "image/svg+xml"),
            ("a.PNG", "image/png"),
            ("a.json", "application/json"),
            ("a", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(name)), ty);
        }
    }

    #[test]
    fn ignores_output_hidden_and_unrelated_paths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("policy-src")).unwrap();
        let ig = Ignore::new(&root, &root.join("site"));
        assert!(ig.relevant(&root.join("kitei.toml")));
        assert!(ig.relevant(&root.join("policy-src/roles.yaml")));
        assert!(ig.relevant(&root.join("templates/base.html")));
        assert!(!ig.relevant(&root.join("site/index.html")));
        assert!(!ig.relevant(&root.join(".kitei-build-x/index.html")));
        assert!(!ig.relevant(&root.join("policy-src/.roles.yaml.swp")));
        assert!(!ig.relevant(&root.join("policy-src/roles.yaml~")));
        assert!(!ig.relevant(&root.join("README.md")));
        assert!(!ig.relevant(&root.join("target/debug/kitei")));
    }
}
