//! Per-record rule results (`.kitei-cache/check/`, README "Incremental checks"): after any
//! sequence of edits, a check that reuses the findings remembered per document reports, byte
//! for byte and in the same order, what a check with `KITEI_CACHE=off` reports, in the human,
//! JSON and SARIF formats; and an edit of one document checks that document again, not all.

mod common;

use common::edits::{
    Rng, debug_numbers, documents, edit_file, seed, seen, set_field, with_cache as check,
};
use std::path::{Path, PathBuf};
use std::process::Output;

/// One of a few full-width letters: names built from them recur across edits, so that a
/// name mentioned in one document is later defined, titled or declared by another edit.
fn letter(rng: &mut Rng) -> char {
    ['Ａ', 'Ｂ', 'Ｃ'][rng.below(3)]
}

const FORMATS: [&[&str]; 3] = [
    &["check"],
    &["check", "--format", "json"],
    &["check", "--format", "sarif"],
];

/// (reused, checked) from the prose family's memo line (`KITEI_CACHE=debug`).
fn memo_counts(o: &Output) -> Option<(usize, usize)> {
    let n = debug_numbers(o, "kitei: check memo prose:")?;
    Some((n[0], n[1]))
}

/// Prose that the prose rules report: an undefined role, an outdated public body, a document
/// that may or may not exist, a defined role (which a rename makes undefined) and a wording
/// the policy's own dictionary may know.
fn prose(rng: &mut Rng, step: usize) -> String {
    format!(
        "\n追記{step}。品質{}責任者及び情報セキュリティ責任者は内閣官房情報セキュリティセンターに報告し、『手順{}規程』に従う。{}を確認する。\n",
        letter(rng),
        letter(rng),
        ["御社", "貴社", "弊社"][rng.below(3)],
    )
}

/// How many kinds of edit [`random_edit`] makes.
const KINDS: usize = 11;

/// One random edit of the given kind; returns what it did.
fn random_edit(
    rng: &mut Rng,
    kind: usize,
    step: usize,
    project: &Path,
    added: &mut Vec<PathBuf>,
) -> String {
    let src = project.join("policy-src");
    let docs = documents(project);
    let toml = project.join("kitei.toml");
    match kind {
        // A paragraph with findings appended to a document.
        0 | 9 => {
            let path = &docs[rng.below(docs.len())];
            let text = prose(rng, step);
            edit_file(path, |t| format!("{t}{text}"));
            format!("append to {}", path.display())
        }
        // A role renamed: every document that names it changes its findings (K0803).
        2 => {
            let name = ["情報セキュリティ責任者", "情報セキュリティ統括者"][rng.below(2)];
            let path = src.join("roles.yaml");
            edit_file(&path, |t| {
                t.replace("name: 情報セキュリティ責任者", &format!("name: {name}"))
                    .replace("name: 情報セキュリティ統括者", &format!("name: {name}"))
            });
            format!("role ciso named {name}")
        }
        // A document retitled to a name other documents mention (K0804).
        3 => {
            let title = format!("手順{}規程", letter(rng));
            let path = src.join("runbooks/disaster.md");
            edit_file(&path, |t| set_field(&t, "title", ": ", &title));
            format!("retitle disaster.md {title}")
        }
        // A heading that names a role: the role counts as known in every document (K0803).
        4 => {
            let path = &docs[rng.below(docs.len())];
            let heading = format!("\n## 品質{}責任者\n\n品質を管理する。\n", letter(rng));
            edit_file(path, |t| format!("{t}{heading}"));
            format!("heading in {}", path.display())
        }
        // A new document, or one of those removed.
        5 | 6 => {
            if !added.is_empty() && rng.below(2) == 0 {
                let path = added.remove(rng.below(added.len()));
                std::fs::remove_file(&path).unwrap();
                format!("remove {}", path.display())
            } else {
                let id = format!("extra-{step}");
                let path = src.join("runbooks").join(format!("{id}.md"));
                let text = std::fs::read_to_string(src.join("runbooks/malware.md")).unwrap();
                let text = set_field(&text, "id", ": ", &id);
                let text = set_field(&text, "title", ": ", &format!("手順{}規程", letter(rng)));
                std::fs::write(&path, format!("{text}{}", prose(rng, step))).unwrap();
                added.push(path.clone());
                format!("add {}", path.display())
            }
        }
        // Documents declared external in kitei.toml (K0804).
        7 => {
            let list = format!("[\"就業規則\", \"手順{}規程\"]", letter(rng));
            edit_file(&toml, |t| set_field(&t, "external_documents", " = ", &list));
            format!("external_documents = {list}")
        }
        // The policy's own wording dictionary: switched on in kitei.toml, its content changed
        // without kitei.toml changing, or switched off.
        8 => {
            let before = std::fs::read_to_string(project.join("prh.yml")).unwrap_or_default();
            let words: Vec<&str> = ["御社", "貴社", "弊社"]
                .into_iter()
                .filter(|w| !before.contains(w))
                .collect();
            let word = words[rng.below(words.len())];
            std::fs::write(
                project.join("prh.yml"),
                format!(
                    "version: 1\nrules:\n  - expected: 当社\n    pattern: {word}\n    prh: 自社は「当社」と書く\n"
                ),
            )
            .unwrap();
            let on = std::fs::read_to_string(&toml)
                .unwrap()
                .contains("dictionaries");
            if !on {
                edit_file(&toml, |t| {
                    t.replace(
                        "[regulation]\n",
                        "[regulation]\ndictionaries = [\"prh.yml\"]\n",
                    )
                });
                format!("dictionary {word}, switched on")
            } else if rng.below(3) == 0 {
                edit_file(&toml, |t| t.replace("dictionaries = [\"prh.yml\"]\n", ""));
                format!("dictionary {word}, switched off")
            } else {
                format!("dictionary {word}")
            }
        }
        // An anchor renamed that another document's clause link points at (K0602).
        10 => {
            let path = src.join("regulation/incident-response-regulation.md");
            let to = ["{#learning}", "{#lessons}"][rng.below(2)];
            edit_file(&path, |t| {
                t.replace("{#learning}", to).replace("{#lessons}", to)
            });
            format!("anchor of 第9条: {to}")
        }
        // A rule's level changed.
        1 => {
            let level = ["allow", "deny", "warn"][rng.below(3)];
            edit_file(&toml, |t| {
                let t = t
                    .lines()
                    .filter(|l| !l.starts_with("K0803 = "))
                    .collect::<Vec<_>>()
                    .join("\n")
                    + "\n";
                if t.contains("\n[rules]\n") {
                    t.replace("\n[rules]\n", &format!("\n[rules]\nK0803 = \"{level}\"\n"))
                } else {
                    format!("{t}\n[rules]\nK0803 = \"{level}\"\n")
                }
            });
            format!("K0803 = {level}")
        }
        _ => unreachable!("{kind}"),
    }
}

/// The exit codes and the first lines that differ (warm, then cold).
fn difference(
    warm: &(Option<i32>, String, String),
    cold: &(Option<i32>, String, String),
) -> String {
    let mut out = format!("exit codes {:?} / {:?}\n", warm.0, cold.0);
    for (w, c) in [(&warm.1, &cold.1), (&warm.2, &cold.2)] {
        let (w, c): (Vec<&str>, Vec<&str>) = (w.lines().collect(), c.lines().collect());
        if let Some(i) = (0..w.len().max(c.len())).find(|&i| w.get(i) != c.get(i)) {
            let end = (i + 12).min(w.len().max(c.len()));
            out += &format!(
                "from line {}:\n--- warm\n{}\n--- cold\n{}\n",
                i + 1,
                w.get(i..end.min(w.len())).unwrap_or_default().join("\n"),
                c.get(i..end.min(c.len())).unwrap_or_default().join("\n")
            );
        }
    }
    out
}

#[test]
fn random_edits_check_the_same_as_cold_checks() {
    let seed = seed();
    let mut rng = Rng(seed | 1);
    let project = common::example();
    let mut added = Vec::new();
    let mut done = Vec::new();
    let mut reused_total = 0;
    common::ok(check(project.path(), "on", &["check"]));
    // Every kind of edit twice, in a random order.
    let mut kinds: Vec<usize> = (0..KINDS).chain(0..KINDS).collect();
    for i in (1..kinds.len()).rev() {
        kinds.swap(i, rng.below(i + 1));
    }
    for (step, kind) in (1..).zip(kinds) {
        done.push(random_edit(
            &mut rng,
            kind,
            step,
            project.path(),
            &mut added,
        ));
        let context = || {
            format!(
                "seed {seed} (KITEI_TEST_SEED={seed} replays it), step {step}, edits so far:\n  {}",
                done.join("\n  ")
            )
        };
        // JSON holds every field of every finding; the human and SARIF forms alternate.
        let formats = [FORMATS[1], FORMATS[if step % 2 == 0 { 0 } else { 2 }]];
        for (i, args) in formats.iter().enumerate() {
            let warm = check(project.path(), "debug", args);
            if i == 0 {
                let (reused, _) = memo_counts(&warm).unwrap_or_else(|| {
                    panic!("{}\nno memo line:\n{}", context(), common::text(&warm))
                });
                reused_total += reused;
            }
            let cold = check(project.path(), "off", args);
            let (warm, cold) = (seen(&warm), seen(&cold));
            assert!(
                warm == cold,
                "{}\n{args:?}: a check reusing remembered findings differs from a cold one:\n{}",
                context(),
                difference(&warm, &cold)
            );
        }
    }
    assert!(reused_total > 0, "no finding was ever reused");
    eprintln!("edits:\n  {}", done.join("\n  "));
}

#[test]
fn one_edited_document_is_checked_again_and_the_others_are_reused() {
    let project = common::example();
    let p = project.path();
    common::ok(check(p, "on", &["check"]));
    let o = check(p, "debug", &["check"]);
    let (reused, checked) = memo_counts(&o).unwrap();
    assert_eq!(checked, 0, "nothing changed: {}", common::text(&o));
    let documents = reused;
    assert!(documents >= 8, "{}", common::text(&o));

    edit_file(&p.join("policy-src/runbooks/malware.md"), |t| {
        format!("{t}\n追記。品質Ｚ責任者は内閣官房情報セキュリティセンターに報告する。\n")
    });
    let o = check(p, "debug", &["check", "--format", "json"]);
    assert_eq!(
        memo_counts(&o),
        Some((documents - 1, 1)),
        "{}",
        common::text(&o)
    );
    let text = common::text(&o);
    assert!(text.contains("品質Ｚ責任者"), "{text}");
    assert_eq!(
        seen(&o),
        seen(&check(p, "off", &["check", "--format", "json"]))
    );

    // A fact every document's prose rules consult (the role names) checks them all again.
    edit_file(&p.join("policy-src/roles.yaml"), |t| {
        t.replace(
            "name: 情報セキュリティ責任者",
            "name: 情報セキュリティ統括者",
        )
    });
    let o = check(p, "debug", &["check", "--format", "json"]);
    assert_eq!(
        memo_counts(&o),
        Some((0, documents)),
        "{}",
        common::text(&o)
    );
    assert_eq!(
        seen(&o),
        seen(&check(p, "off", &["check", "--format", "json"]))
    );
}

/// Findings' printed texts are remembered (`findings-plain`), but an edit of the line a finding
/// quotes that leaves the finding itself as it was shows the line as it is now.
#[test]
fn a_remembered_finding_quotes_its_line_as_it_is_now() {
    let project = common::example();
    let doc = documents(project.path())[0].clone();
    edit_file(&doc, |t| format!("{t}\n品質Ａ責任者が確認する。末尾一\n"));
    let first = check(project.path(), "debug", &["check"]);
    let printed = seen(&first).2;
    assert!(
        printed.contains("品質Ａ責任者が確認する。末尾一"),
        "{printed}"
    );
    let again = check(project.path(), "debug", &["check"]);
    let n = debug_numbers(&again, "kitei: check memo findings-plain:").unwrap();
    assert!(n[0] > 0 && n[1] == 0, "every text remembered: {n:?}");
    assert_eq!(seen(&again), seen(&first));
    edit_file(&doc, |t| t.replace("末尾一", "末尾二"));
    let edited = seen(&check(project.path(), "debug", &["check"])).2;
    assert!(
        edited.contains("品質Ａ責任者が確認する。末尾二") && !edited.contains("末尾一"),
        "{edited}"
    );
    let cold = seen(&check(project.path(), "off", &["check"])).2;
    assert_eq!(edited, cold, "as a check without the cache prints it");
}
