//! `kitei-gen`: a deterministic synthetic policy corpus for benchmarks (issue 6).
//!
//! Writes, under `--out DIR`:
//!
//! * `kitei/`: `kitei.toml` and `policy-src/` that passes `kitei check` with 0 errors: one
//!   regulation with the full section skeleton, `--docs - 1` guidelines and runbooks of 3–8 KB
//!   of Japanese regulation text (clause headings with anchors, numbered clauses, lists,
//!   tables, typed cross-references), the four tables (roles, contacts, systems, severity),
//!   `--incidents` incident records, drills, a review, and evidence files.
//! * `hugo/`: the same Markdown bodies as a Hugo site (`content/`, `hugo.toml`, `layouts/`).
//! * `mdbook/`: the same Markdown bodies as an mdBook (`src/`, `src/SUMMARY.md`, `book.toml`).
//!
//! The same `--seed` gives byte-identical output. Run `kitei-gen --help` for the options.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::Parser;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

#[derive(Parser)]
#[command(
    name = "kitei-gen",
    about = "Generate a synthetic kitei corpus (plus Hugo and mdBook layouts) for benchmarks"
)]
struct Args {
    /// Output folder (created; must be empty or absent unless --force).
    #[arg(long)]
    out: PathBuf,
    /// Number of Markdown documents (1 regulation, the rest guidelines and runbooks).
    #[arg(long, default_value_t = 1000)]
    docs: usize,
    /// Number of incident records (default: the number of documents).
    #[arg(long)]
    incidents: Option<usize>,
    /// Number of evidence files, attached round-robin to the incidents.
    #[arg(long, default_value_t = 0)]
    evidence_files: usize,
    /// Size of each evidence file in bytes (suffixes K, M, G: binary units).
    #[arg(long, default_value = "4K", value_parser = parse_size)]
    evidence_size: u64,
    /// Content of evidence files: `log` (compressible text), `random` (incompressible .bin),
    /// `mixed` (alternating).
    #[arg(long, default_value = "log", value_parser = ["log", "random", "mixed"])]
    evidence_kind: String,
    /// Seed of the pseudo-random generator.
    #[arg(long, default_value_t = 6)]
    seed: u64,
    /// Which layouts to write (comma-separated): kitei, hugo, mdbook.
    #[arg(long, default_value = "kitei,hugo,mdbook")]
    layouts: String,
    /// Write into an existing, non-empty folder.
    #[arg(long)]
    force: bool,
    /// People on the roster (`roster.yaml`, all bound by the regulation); 0: no roster.
    #[arg(long, default_value_t = 0)]
    people: usize,
    /// Acknowledgement records, spread over the regulation's revisions (the regulation gets
    /// as many yearly revisions as it takes: `--acks / --people`, at least 2).
    #[arg(long, default_value_t = 0)]
    acks: usize,
    /// How the acknowledgements are stored: `csv` (one table per revision, as `kitei ack
    /// import` writes them) or `yaml` (files of 5,000).
    #[arg(long, default_value = "csv", value_parser = ["csv", "yaml"])]
    ack_format: String,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.chars().last() {
        Some('K' | 'k') => (&s[..s.len() - 1], 1u64 << 10),
        Some('M' | 'm') => (&s[..s.len() - 1], 1 << 20),
        Some('G' | 'g') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>()
        .map(|n| n * mult)
        .map_err(|e| format!("`{s}`: {e}"))
}

/// SplitMix64: small, fast, deterministic; one stream per generated item.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: &str, index: u64) -> Rng {
        let mut h = seed ^ 0x9E37_79B9_7F4A_7C15;
        for b in stream.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        let mut r = Rng(h ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

// ---------------------------------------------------------------- vocabulary

const CLAUSE_TITLES: &[&str] = &[
    "目的",
    "定義",
    "適用範囲",
    "責任者",
    "報告",
    "記録",
    "アクセス権の管理",
    "パスワードの管理",
    "ログの保全",
    "端末の管理",
    "委託先の管理",
    "教育",
    "監査",
    "見直し",
    "バックアップ",
    "暗号化",
    "持ち出しの制限",
    "入退室の管理",
    "脆弱性の管理",
    "変更管理",
    "資産の管理",
    "連絡体制",
    "是正措置",
    "証跡の保全",
    "外部サービスの利用",
    "特権IDの管理",
    "媒体の廃棄",
    "遠隔作業",
];
const SUBJECTS: &[&str] = &[
    "従業員等は",
    "システム管理者は",
    "情報セキュリティ責任者は",
    "各部門の長は",
    "委託先は",
    "個人情報保護管理者は",
    "ヘルプデスクは",
    "委員会は",
    "EC管理者は",
    "実行責任者は",
];
const OBJECTS: &[&str] = &[
    "業務で利用する端末",
    "重要な情報資産",
    "アクセスログ",
    "個人情報を含む記録媒体",
    "外部委託先との契約",
    "バックアップデータ",
    "管理者アカウント",
    "クラウドサービスの設定",
    "ネットワーク機器の設定",
    "障害の記録",
    "受注データ",
    "会員情報",
    "送信前確認の記録",
    "多要素認証の設定",
    "ファイアウォールのルール",
    "監視アラートの閾値",
];
const PREDICATES: &[&str] = &[
    "を適切に管理しなければならない。",
    "を定期的に点検し、その結果を記録する。",
    "について、年1回以上見直しを行う。",
    "を許可なく社外に持ち出してはならない。",
    "を変更する場合は、事前に委員会の承認を得るものとする。",
    "に異常を認めたときは、直ちに報告しなければならない。",
    "を少なくとも1年間保存する。",
    "の利用状況を四半期ごとに確認し、不要なものを削除する。",
    "について、責任者と保管場所を台帳に記録する。",
    "を取り扱う者を必要最小限に限定する。",
];
const CONNECTORS: &[&str] = &[
    "",
    "",
    "",
    "なお、",
    "ただし、",
    "この場合において、",
    "前項の規定にかかわらず、",
];
const REASONS: &[&str] = &[
    "インシデントの早期発見と被害の最小化のため、",
    "個人情報保護法及び関係するガイドラインに基づき、",
    "ISO/IEC 27001:2022 の管理策 A.5.24 から A.5.28 を踏まえ、",
    "取引先との契約上の義務を履行するため、",
    "令和7年4月1日以降に締結する契約においては、",
    "TLS 1.3 による通信の暗号化を前提として、",
];
const TABLE_ROWS: &[(&str, &str, &str)] = &[
    ("アクセスログ", "1年", "システム管理者"),
    ("WAFログ", "1年", "システム管理者"),
    ("受注データ", "7年", "EC管理者"),
    ("会員情報", "退会後3年", "個人情報保護管理者"),
    ("監視アラート", "6か月", "監視委託先"),
    ("メール送信ログ", "1年", "システム管理者"),
    ("入退室記録", "3年", "総務法務課"),
    ("バックアップ媒体", "世代管理（7世代）", "システム管理者"),
];
const ROLE_LINKS: &[(&str, &str)] = &[
    ("情報セキュリティ責任者", "ciso"),
    ("システム管理者", "system-admin"),
    ("個人情報保護管理者", "privacy-officer"),
    ("ヘルプデスク", "helpdesk"),
    ("情報セキュリティ委員会", "security-committee"),
    ("EC管理者", "ec-admin"),
    ("法務担当", "legal"),
    ("広報担当", "pr"),
];
const SYSTEM_NAMES: &[&str] = &[
    "自社ECサイト",
    "会員データベース",
    "受注管理システム",
    "決済連携システム",
    "物流管理システム",
    "社内メール",
    "社内ファイルサーバ",
    "VPN装置",
    "人事給与システム",
    "会計システム",
    "在庫管理システム",
    "顧客問合せ管理システム",
    "社内ポータル",
    "認証基盤",
    "監視基盤",
    "バックアップサーバ",
    "業務用PC",
    "スマートフォン",
    "コールセンターシステム",
    "商品マスタ管理",
];
const INCIDENT_TYPES: &[(&str, &str)] = &[
    ("unauthorized-access", "不正アクセス"),
    ("malware", "マルウェア感染"),
    ("data-leak", "情報漏えい"),
    ("media-loss", "記録媒体の紛失"),
    ("dos", "DoS攻撃"),
    ("system-failure", "機器故障"),
    ("disaster", "災害"),
    ("database-intrusion", "データベースへの侵入"),
    ("misdelivery", "メールの誤送信"),
    ("phishing", "フィッシング"),
    ("insider", "内部不正"),
    ("physical-intrusion", "サーバ室への侵入"),
];
const PHASES: &[(&str, &str)] = &[
    ("detection", "事象の検知"),
    ("initial-response", "初動対応・応急処置"),
    ("containment", "調査・封じ込め"),
    ("reporting", "報告・公表"),
    ("recovery", "抑制措置・復旧"),
];
const STEPS: &[&str] = &[
    "発見した者は、日時と状況を記録し、直ちに報告する",
    "ネットワークから切り離す。電源は切らない",
    "影響を受けたアカウントのパスワードを変更し、セッションを無効にする",
    "ログと端末のイメージを保全し、SHA-256のハッシュ値を記録する",
    "影響範囲（システム、データ、件数）を確定する",
    "報告対象事態に該当するかを判定する",
    "バックアップから復元し、整合性を確認する",
    "再発防止計画を作成し、委員会に報告する",
    "取引先への通知の要否を確認する",
    "問合せ窓口を設け、想定問答を準備する",
];
const SURNAMES: &[&str] = &[
    "青木", "石川", "上田", "大西", "川村", "佐野", "野村", "谷口", "松本", "森", "田中", "鈴木",
    "高橋", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田",
];
const GIVEN: &[&str] = &[
    "誠",
    "美穂",
    "翔太",
    "亮",
    "彩",
    "恵子",
    "由紀",
    "直人",
    "大輔",
    "さくら",
    "一郎",
    "花子",
];
const ROOT_CAUSES: &[&str] = &[
    "委託先が開発した機能の入力値検証が不十分であった。",
    "管理者アカウントに多要素認証が設定されていなかった。",
    "送信前確認の手順が徹底されていなかった。",
    "保守契約の切替え時に監視の設定が漏れていた。",
    "脆弱性情報の確認が月次であり、適用が遅れた。",
];

fn sentence(r: &mut Rng) -> String {
    let mut s = String::new();
    s.push_str(r.pick(CONNECTORS));
    if r.chance(30) {
        s.push_str(r.pick(REASONS));
    }
    s.push_str(r.pick(SUBJECTS));
    s.push_str(r.pick(OBJECTS));
    s.push_str(r.pick(PREDICATES));
    s
}

fn role_link(r: &mut Rng) -> String {
    let (name, id) = r.pick(ROLE_LINKS);
    format!("[{name}](role:{id})")
}

// ---------------------------------------------------------------- the corpus plan

struct DocPlan {
    id: String,
    kind: &'static str,
    title: String,
    /// For runbooks: the incident types handled.
    types: Vec<&'static str>,
}

const REG_ID: &str = "incident-response-regulation";

fn plan_docs(n: usize, seed: u64) -> Vec<DocPlan> {
    let mut docs = vec![DocPlan {
        id: REG_ID.into(),
        kind: "regulation",
        title: "セキュリティインシデント報告・対応規程".into(),
        types: Vec::new(),
    }];
    let runbooks =
        ((n.saturating_sub(1)) * 3 / 10).max(INCIDENT_TYPES.len().min(n.saturating_sub(1)));
    let mut rb = 0usize;
    let mut gl = 0usize;
    for i in 1..n {
        let mut r = Rng::new(seed, "docplan", i as u64);
        // Spread runbooks evenly among the documents.
        let is_runbook = rb < runbooks && (i * runbooks / n.max(1) >= rb || n - i <= runbooks - rb);
        if is_runbook {
            let (t, tname) = INCIDENT_TYPES[rb % INCIDENT_TYPES.len()];
            rb += 1;
            docs.push(DocPlan {
                id: format!("rb-{rb:05}"),
                kind: "runbook",
                title: format!("{tname}対応手順（{}）", rb),
                types: vec![t],
            });
        } else {
            gl += 1;
            docs.push(DocPlan {
                id: format!("gl-{gl:05}"),
                kind: "guideline",
                title: format!("{}細則（第{}編）", r.pick(CLAUSE_TITLES), gl),
                types: Vec::new(),
            });
        }
    }
    docs
}

/// The incident types handled by some runbook (incidents only use these).
fn covered_types(docs: &[DocPlan]) -> Vec<&'static str> {
    let mut t: Vec<&'static str> = docs.iter().flat_map(|d| d.types.iter().copied()).collect();
    t.sort();
    t.dedup();
    t
}

// ---------------------------------------------------------------- documents

/// Body (Markdown) of one document, 3–8 KB.
fn doc_body(d: &DocPlan, idx: usize, docs: &[DocPlan], systems: usize, seed: u64) -> String {
    let mut r = Rng::new(seed, "doc", idx as u64);
    let target = r.range(3000, 8000) as usize;
    match d.kind {
        "regulation" => regulation_body(&mut r, target),
        "runbook" => runbook_body(&mut r, d, target, docs, systems),
        _ => guideline_body(&mut r, idx, target, docs, systems),
    }
}

fn paragraph(r: &mut Rng, n: usize) -> String {
    (0..n).map(|_| sentence(r)).collect::<Vec<_>>().join("")
}

fn table(r: &mut Rng) -> String {
    let mut t = String::from("| 区分 | 保存期間 | 責任者 |\n|---|---|---|\n");
    for _ in 0..r.range(3, 6) {
        let (a, b, c) = r.pick(TABLE_ROWS);
        let _ = writeln!(t, "| {a} | {b} | {c} |");
    }
    t
}

fn other_doc<'a>(r: &mut Rng, docs: &'a [DocPlan], kind: &str) -> Option<&'a DocPlan> {
    let candidates: Vec<&DocPlan> = docs.iter().filter(|d| d.kind == kind).collect();
    if candidates.is_empty() {
        None
    } else {
        Some(candidates[r.below(candidates.len() as u64) as usize])
    }
}

fn regulation_body(r: &mut Rng, target: usize) -> String {
    let sections: [(&str, &str); 14] = [
        ("趣旨", "purpose"),
        ("対象者", "subjects"),
        ("対象システム", "systems"),
        ("遵守事項", "duties"),
        ("平時の準備", "preparation"),
        ("事象の検知・報告・分析", "detection"),
        ("封じ込め・根絶・復旧", "containment"),
        ("報告・公表", "reporting"),
        ("インシデントからの学習", "learning"),
        ("運用確認事項", "operational-checks"),
        ("例外事項", "exceptions"),
        ("罰則事項", "penalties"),
        ("公開事項", "publication"),
        ("改訂", "revision"),
    ];
    let per = target / sections.len();
    let mut out = String::new();
    for (n, (title, anchor)) in sections.iter().enumerate() {
        let _ = writeln!(out, "## 第{}条（{title}） {{#{anchor}}}\n", n + 1);
        let start = out.len();
        while out.len() - start < per {
            let _ = writeln!(out, "{}\n", paragraph(r, 2));
            if r.chance(30) {
                for k in 1..=r.range(2, 4) {
                    let _ = writeln!(out, "{k}. {}", sentence(r));
                }
                out.push('\n');
            }
        }
        if n == 5 {
            out.push_str("2　インシデントを発見した者は、直ちに[ヘルプデスク](role:helpdesk)に報告する。\n\n");
        }
    }
    out
}

fn guideline_body(
    r: &mut Rng,
    idx: usize,
    target: usize,
    docs: &[DocPlan],
    systems: usize,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "本細則は、[報告・対応規程の遵守事項](clause:{REG_ID}#duties)に基づき、{}について定める。\n",
        r.pick(OBJECTS)
    );
    let mut n = 0;
    while out.len() < target {
        n += 1;
        let _ = writeln!(
            out,
            "## 第{n}条（{}） {{#art-{n}}}\n",
            r.pick(CLAUSE_TITLES)
        );
        let sentences = r.range(2, 4) as usize;
        let _ = writeln!(out, "{}\n", paragraph(r, sentences));
        match r.below(6) {
            0 => {
                for k in 1..=r.range(2, 5) {
                    let _ = writeln!(out, "{k}. {}", sentence(r));
                }
                out.push('\n');
            }
            1 => {
                let _ = writeln!(out, "{}\n", table(r));
            }
            2 => {
                for _ in 0..r.range(2, 4) {
                    let _ = writeln!(out, "- {}（{}）", r.pick(OBJECTS), role_link(r));
                }
                out.push('\n');
            }
            3 if n > 1 => {
                let k = r.range(1, n as u64 - 1);
                let _ = writeln!(
                    out,
                    "2　前条までの規定のほか、[第{k}条](clause:art-{k})に定める手続によるものとする。\n"
                );
            }
            4 => {
                let sys = r.range(1, systems as u64);
                let _ = writeln!(
                    out,
                    "2　[{}](system:sys-{sys:03})の取扱いは、{}が定める。\n",
                    SYSTEM_NAMES[(sys as usize - 1) % SYSTEM_NAMES.len()],
                    role_link(r)
                );
            }
            _ => {
                if let Some(rb) = other_doc(r, docs, "runbook") {
                    let _ = writeln!(
                        out,
                        "2　インシデントの対応は、[{}](runbook:{})に従う。\n",
                        rb.title, rb.id
                    );
                }
            }
        }
        if r.chance(15) {
            let _ = writeln!(out, "### 運用上の注意\n\n> {}\n", sentence(r));
        }
    }
    // A link to an earlier guideline (by id, to its first clause).
    if idx > 1
        && let Some(other) = docs[..idx].iter().rev().find(|d| d.kind == "guideline")
    {
        let _ = writeln!(
            out,
            "関連：[{}](doc:{})、[同細則の最初の条](clause:{}#art-1)",
            other.title, other.id, other.id
        );
    }
    out
}

fn runbook_body(
    r: &mut Rng,
    d: &DocPlan,
    target: usize,
    _docs: &[DocPlan],
    systems: usize,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}が発生し、又はそのおそれがあるときに使う。判断に迷うときは{}に相談する。\n",
        d.title.split('対').next().unwrap_or("インシデント"),
        role_link(r)
    );
    out.push_str("## 最初の1時間の優先事項 {#first-hour}\n\n");
    for k in 1..=4 {
        let _ = writeln!(out, "{k}. {}。", r.pick(STEPS));
    }
    out.push('\n');
    let per = target.saturating_sub(out.len()) / PHASES.len();
    for (anchor, title) in PHASES {
        let _ = writeln!(out, "## {title} {{#{anchor}}}\n");
        let start = out.len();
        while out.len() - start < per {
            let _ = writeln!(out, "- [ ] {}（{}）", r.pick(STEPS), role_link(r));
            if r.chance(10) {
                let sys = r.range(1, systems as u64);
                let _ = writeln!(
                    out,
                    "- [ ] [{}](system:sys-{sys:03})のログを確認する（{}）",
                    SYSTEM_NAMES[(sys as usize - 1) % SYSTEM_NAMES.len()],
                    role_link(r)
                );
            }
        }
        out.push('\n');
        if *anchor == "containment" && r.chance(50) {
            out.push_str(
                "```bash\nsha256sum /var/log/nginx/access.log* > evidence.sha256\n```\n\n",
            );
        }
        if *anchor == "reporting" {
            out.push_str("| 連絡先 | 期限 | 担当 |\n|---|---|---|\n");
            let _ = writeln!(
                out,
                "| [モール運営事業者](contact:mall-operator) | 24時間以内 | {} |",
                role_link(r)
            );
            let _ = writeln!(
                out,
                "| [個人情報保護委員会](contact:ppc) | 速報3〜5日、確報30日 | {} |\n",
                role_link(r)
            );
        }
    }
    out
}

/// The regulation's revisions as (version, year): `count` yearly revisions ending with 2026.1.
fn revisions(count: usize) -> Vec<(String, usize)> {
    let count = count.max(2);
    (0..count)
        .map(|k| 2026 - (count - 1) + k)
        .map(|y| (format!("{y}.1"), y))
        .collect()
}

fn front_matter(d: &DocPlan, r: &mut Rng, revision_count: usize) -> String {
    let mut fm = String::from("---\n");
    let _ = writeln!(fm, "id: {}", d.id);
    let _ = writeln!(fm, "kind: {}", d.kind);
    let _ = writeln!(fm, "title: {}", d.title);
    match d.kind {
        "regulation" => {
            fm.push_str(concat!(
                "version: \"2026.1\"\n",
                "owner: role:security-committee\n",
                "approved_by: role:security-committee\n",
                "approved_on: 2026-03-20\n",
                "effective_on: 2026-04-01\n",
                "review_every: 12 months\n",
                "summary: インシデントの定義、報告経路、対応の流れ、社外への報告期限及び再発防止を定める。\n",
                "incident_now:\n",
                "  call: role:helpdesk\n",
                "  steps:\n",
                "    - 自ら判断して放置せず、直ちにヘルプデスク又はシステム管理者に報告する。\n",
                "    - ログ・ファイル・端末を消去、初期化、再起動しない（証跡を消さない）。\n",
                "    - 指示なくインシデントの情報を社外（SNSを含む）に発信しない。\n",
                "changes:\n",
            ));
            if revision_count <= 2 {
                fm.push_str(concat!(
                    "  - { version: \"2025.1\", approved_on: 2025-03-18, effective_on: 2025-04-01, summary: 制定 }\n",
                    "  - { version: \"2026.1\", approved_on: 2026-03-20, effective_on: 2026-04-01, summary: 速報・確報の期限を明記 }\n",
                ));
            } else {
                for (version, year) in revisions(revision_count) {
                    let _ = writeln!(
                        fm,
                        "  - {{ version: \"{version}\", approved_on: {year}-03-20, effective_on: {year}-04-01, summary: 年次改正 }}"
                    );
                }
            }
        }
        "runbook" => {
            let (_, id) = r.pick(ROLE_LINKS);
            let _ = writeln!(fm, "owner: role:{id}");
            let _ = writeln!(fm, "incident_types: [{}]", d.types.join(", "));
            let _ = writeln!(fm, "summary: {}の手順。", d.title);
        }
        _ => {
            let (_, id) = r.pick(ROLE_LINKS);
            let _ = writeln!(fm, "owner: role:{id}");
            let _ = writeln!(fm, "summary: {}", sentence(r));
        }
    }
    fm.push_str("---\n\n");
    fm
}

// ---------------------------------------------------------------- tables

const ROLES_YAML_HEAD: &str = "roles:
  - id: security-committee
    name: 情報セキュリティ委員会
    committee: true
    chair: role:ciso
    members: [role:ciso, role:system-admin, role:privacy-officer, role:legal, role:ec-admin]
    responsibilities: [本規程の承認, 例外事項の承認]
";

fn roles_yaml() -> String {
    let mut y = String::from(ROLES_YAML_HEAD);
    let roles = [
        ("ceo", "代表取締役", 1),
        ("ciso", "情報セキュリティ責任者", 2),
        ("system-admin", "システム管理者", 3),
        ("privacy-officer", "個人情報保護管理者", 5),
        ("helpdesk", "ヘルプデスク", 6),
        ("legal", "法務担当", 8),
        ("pr", "広報担当", 9),
        ("ec-admin", "EC管理者", 10),
    ];
    for (id, name, p) in roles {
        let _ = writeln!(
            y,
            "  - id: {id}\n    name: {name}\n    held_by: [contact:p-{p:03}, contact:p-{:03}]\n    deputy: contact:p-{:03}\n    responsibilities: [{name}の職務]",
            p + 10,
            p + 20
        );
    }
    y
}

fn contacts_yaml(people: usize) -> String {
    let mut y = String::from("people:\n");
    for i in 1..=people {
        let mut r = Rng::new(0, "person", i as u64);
        let _ = writeln!(
            y,
            "  - id: p-{i:03}\n    name: {} {}\n    department: 情報システム部\n    channels:\n      - {{ kind: phone, value: \"03-0000-{i:04}\", hours: \"平日 9:00-18:00\" }}\n      - {{ kind: mobile, value: \"090-0000-{i:04}\", hours: \"24時間\", open: \"24h\" }}\n      - {{ kind: email, value: p{i:03}@example.jp }}\n    last_verified: 2026-09-01",
            r.pick(SURNAMES),
            r.pick(GIVEN)
        );
    }
    y.push_str(concat!(
        "organisations:\n",
        "  - id: ppc\n    name: 個人情報保護委員会\n    category: regulator\n    channels:\n      - { kind: web, value: \"https://www.example.jp/ppc-report\" }\n    basis: 個人情報保護法第26条\n    last_verified: 2026-09-01\n",
        "  - id: police-cyber\n    name: 県警察本部 サイバー犯罪相談窓口\n    category: police\n    channels:\n      - { kind: phone, value: \"045-0000-0110\" }\n    last_verified: 2026-09-01\n",
        "  - id: mall-operator\n    name: サンプルモール運営事務局\n    category: platform\n    channels:\n      - { kind: phone, value: \"03-0000-9000\", hours: \"24時間\" }\n    notice_deadline: 24h\n    basis: 出店規約第18条\n    last_verified: 2026-09-01\n",
        "  - id: insurer\n    name: サンプル損害保険株式会社\n    category: insurer\n    channels:\n      - { kind: phone, value: \"0120-000-000\" }\n    notice_deadline: 30 days\n    last_verified: 2026-09-01\n",
    ));
    y
}

fn systems_yaml(n: usize) -> String {
    let mut y = String::from(concat!(
        "recovery_priorities:\n",
        "  - { level: 3, meaning: 停止が許されない, max_downtime: 0h }\n",
        "  - { level: 2, meaning: 24時間以内に復旧, max_downtime: 24h }\n",
        "  - { level: 1, meaning: 3日以内に復旧, max_downtime: 3 days }\n",
        "  - { level: 0, meaning: インシデント対応中は停止してよい }\n",
        "systems:\n",
    ));
    for i in 1..=n {
        let (_, owner) = ROLE_LINKS[i % 3];
        let _ = writeln!(
            y,
            "  - id: sys-{i:03}\n    name: {}\n    owner: role:{owner}\n    priority: {}\n    personal_data: {}\n    description: 業務で利用するシステム（台帳番号 {i:03}）。",
            SYSTEM_NAMES[(i - 1) % SYSTEM_NAMES.len()],
            i % 4,
            i % 2 == 0
        );
    }
    y
}

const SEVERITY_YAML: &str = "levels:
  - { level: 3, name: 重大, scope: 顧客・取引先に影響が及ぶ、又は個人情報が漏えいした, responsible: role:ceo }
  - { level: 2, name: 高, scope: 事業に影響が及ぶ、又は個人情報の漏えいのおそれがある, responsible: role:ciso }
  - { level: 1, name: 中, scope: 従業員の業務に影響が及ぶが、社外への影響はない, responsible: role:ciso }
  - { level: 0, name: 予兆, scope: インシデントにつながるおそれがある事象, responsible: role:system-admin }
";

// ---------------------------------------------------------------- incidents

/// A time in JST as `YYYY-MM-DDTHH:MM:00+09:00`, from minutes since 2020-01-01 00:00 JST.
fn ts(minutes: i64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(2020, 1, 1)
        .unwrap_or_default()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let t = base + chrono::TimeDelta::minutes(minutes);
    format!("{}+09:00", t.format("%Y-%m-%dT%H:%M:00"))
}

fn date(minutes: i64) -> String {
    ts(minutes)[..10].to_string()
}

/// Minutes from 2020-01-01 to 2026-10-31 (the example pins as_of to 2026-11-01).
const SPAN: i64 = 2496 * 24 * 60;
const DAY: i64 = 24 * 60;

struct EvidenceRef {
    path: String,
    sha256: String,
}

fn incident_id(i: usize, seed: u64) -> (String, String) {
    let mut r = Rng::new(seed, "incident-time", i as u64);
    let detected = r.range(0, (SPAN - 120 * DAY) as u64) as i64;
    let year = &date(detected)[..4];
    (format!("INC-{year}-{i:06}"), year.to_string())
}

fn incident_yaml(
    i: usize,
    seed: u64,
    types: &[&str],
    systems: usize,
    evidence: &[EvidenceRef],
) -> String {
    let mut r = Rng::new(seed, "incident-time", i as u64);
    let detected = r.range(0, (SPAN - 120 * DAY) as u64) as i64;
    let (id, _) = incident_id(i, seed);
    let mut r = Rng::new(seed, "incident", i as u64);
    let kind = r.pick(types);
    let tname = INCIDENT_TYPES
        .iter()
        .find(|(t, _)| *t == kind)
        .map(|(_, n)| *n)
        .unwrap_or("インシデント");
    let status = match r.below(20) {
        0 => "open",
        1 => "contained",
        _ => "closed",
    };
    let closed = status == "closed";
    let personal = closed && r.chance(25);
    let outsider = closed && r.chance(20);
    let mall = r.chance(15);
    let severity = if personal {
        r.range(2, 3)
    } else {
        r.range(0, 3)
    };
    let occurred = detected - r.range(5, 600) as i64;
    let reported = detected + r.range(5, 60) as i64;
    let contained = reported + r.range(30, 600) as i64;
    let closed_at = contained + r.range(10, 90) as i64 * DAY;
    let mut y = String::new();
    let _ = writeln!(y, "id: {id}");
    let _ = writeln!(
        y,
        "title: {}（{}）",
        tname,
        SYSTEM_NAMES[i % SYSTEM_NAMES.len()]
    );
    let _ = writeln!(y, "type: {kind}");
    let _ = writeln!(y, "severity: {severity}");
    let _ = writeln!(y, "status: {status}");
    let _ = writeln!(
        y,
        "summary: >-\n  {}\n  {}",
        paragraph(&mut r, 2),
        sentence(&mut r)
    );
    let _ = writeln!(y, "occurred_at: {}", ts(occurred));
    let _ = writeln!(y, "detected_at: {}", ts(detected));
    let _ = writeln!(y, "reported_at: {}", ts(reported));
    if status != "open" {
        let _ = writeln!(y, "contained_at: {}", ts(contained));
    }
    if closed {
        let _ = writeln!(y, "closed_at: {}", ts(closed_at));
    }
    let s1 = r.range(1, systems as u64);
    let s2 = r.range(1, systems as u64);
    if s1 == s2 {
        let _ = writeln!(y, "systems: [system:sys-{s1:03}]");
    } else {
        let _ = writeln!(y, "systems: [system:sys-{s1:03}, system:sys-{s2:03}]");
    }
    let _ = writeln!(
        y,
        "reported_by: {{ kind: {}, name: 監視委託先 SOC, what_they_saw: 監視アラート }}",
        if outsider { "outsider" } else { "monitoring" }
    );
    if outsider {
        y.push_str("outside_party: victim\n");
    }
    if personal {
        let people = r.range(10, 5000);
        let _ = writeln!(
            y,
            "personal_data:\n  affected_people: {people}\n  items: [氏名, メールアドレス]\n  financial_risk: {}\n  malicious: {}",
            r.chance(20),
            r.chance(30)
        );
    }
    let mut notes = String::new();
    if mall {
        y.push_str("must_notify: [contact:mall-operator]\n");
        let _ = writeln!(
            notes,
            "  - {{ to: contact:mall-operator, kind: notice, at: {}, reference: 受付 SM-{i:06} }}",
            ts(detected + r.range(60, 20 * 60) as i64)
        );
    }
    if personal {
        let _ = writeln!(
            notes,
            "  - {{ to: contact:ppc, kind: preliminary, at: {} }}",
            ts(detected + r.range(1, 3) as i64 * DAY)
        );
        let _ = writeln!(
            notes,
            "  - {{ to: contact:ppc, kind: final, at: {} }}",
            ts(detected + r.range(10, 25) as i64 * DAY)
        );
        let _ = writeln!(
            notes,
            "  - {{ kind: individuals, at: {} }}",
            ts(detected + r.range(2, 8) as i64 * DAY)
        );
    }
    if !notes.is_empty() {
        y.push_str("notifications:\n");
        y.push_str(&notes);
    }
    y.push_str("timeline:\n");
    let _ = writeln!(
        y,
        "  - {{ at: {}, what: 監視アラートにより検知, by: role:system-admin }}",
        ts(detected)
    );
    let _ = writeln!(
        y,
        "  - {{ at: {}, what: 情報セキュリティ責任者に報告, by: role:helpdesk }}",
        ts(reported)
    );
    if status != "open" {
        let _ = writeln!(
            y,
            "  - {{ at: {}, what: 該当システムを隔離し封じ込めを完了, by: role:system-admin }}",
            ts(contained)
        );
    }
    y.push_str("actions:\n");
    let _ = writeln!(
        y,
        "  - {{ what: 該当アカウントを無効化, by: role:system-admin, at: {} }}",
        ts(reported + 10)
    );
    if closed {
        let _ = writeln!(y, "root_cause: {}", r.pick(ROOT_CAUSES));
        let due = closed_at + 30 * DAY;
        let done = closed_at - r.range(1, 9) as i64 * DAY;
        let _ = writeln!(
            y,
            "prevention_plan:\n  technical:\n    - {{ measure: 管理画面へのアクセスをVPN経由に限定, owner: role:system-admin, due: {}, status: done, done_on: {} }}\n  organizational:\n    - {{ measure: 委託先アカウントの四半期棚卸し, owner: role:security-committee, due: {}, status: done, done_on: {} }}",
            date(due),
            date(done),
            date(due),
            date(done)
        );
        if outsider {
            let _ = writeln!(
                y,
                "board_report: {{ on: {}, note: 取締役会で報告 }}",
                date(closed_at - DAY)
            );
        }
        y.push_str("lessons:\n  went_well: [検知から報告まで1時間以内]\n  to_improve: [証跡の保全手順の周知]\n  procedure_changes: [対応手順に確認項目を追加]\n");
    } else {
        let _ = writeln!(
            y,
            "prevention_plan:\n  technical:\n    - {{ measure: 多要素認証の全面適用, owner: role:system-admin, due: 2027-06-30, status: in_progress }}\n  organizational:\n    - {{ measure: 手順書の改訂と周知, owner: role:ciso, due: 2027-06-30, status: planned }}"
        );
    }
    if !evidence.is_empty() {
        y.push_str("evidence:\n");
        for e in evidence {
            let _ = writeln!(
                y,
                "  - path: {}\n    sha256: {}\n    description: 証跡ファイル\n    controls: [A.5.28]",
                e.path, e.sha256
            );
        }
    }
    y
}

/// Writes one evidence file of `size` bytes and returns its SHA-256, streaming.
fn write_evidence(path: &Path, size: u64, random: bool, r: &mut Rng) -> std::io::Result<String> {
    let file = std::fs::File::create(path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut hasher = Sha256::new();
    let mut left = size;
    let mut chunk: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut line_no = 0u64;
    while left > 0 {
        chunk.clear();
        if random {
            while chunk.len() < 1 << 16 {
                chunk.extend_from_slice(&r.next().to_le_bytes());
            }
        } else {
            while chunk.len() < 1 << 16 {
                line_no += 1;
                let _ = writeln!(
                    chunk,
                    "2026-10-{:02}T{:02}:{:02}:{:02}+09:00 waf01 sshd[{}]: Failed password for user{} from 192.0.2.{} port {} ssh2 seq={line_no}",
                    1 + r.below(28),
                    r.below(24),
                    r.below(60),
                    r.below(60),
                    1000 + r.below(9000),
                    r.below(500),
                    r.below(255),
                    1024 + r.below(60000)
                );
            }
        }
        let n = (chunk.len() as u64).min(left) as usize;
        hasher.update(&chunk[..n]);
        w.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    w.flush()?;
    Ok(kitei::digest::hex(&hasher.finalize()))
}

// ---------------------------------------------------------------- main

// ---------------------------------------------------------------- roster and acknowledgements

const DEPARTMENTS: &[&str] = &[
    "経営企画部",
    "総務部",
    "人事部",
    "経理部",
    "法務部",
    "情報システム部",
    "EC事業部",
    "商品部",
    "マーケティング部",
    "カスタマーサポート部",
    "物流部",
    "品質管理部",
    "購買部",
    "営業一部",
    "営業二部",
    "広報部",
    "開発部",
    "データ分析部",
    "店舗運営部",
    "監査室",
];
const GEN_SURNAMES: &[&str] = &[
    "朝倉",
    "伊吹",
    "卯月",
    "榎本",
    "大門",
    "神楽",
    "桐生",
    "久我",
    "剣持",
    "五月女",
    "志賀",
    "須藤",
    "瀬川",
    "高城",
    "築山",
    "天童",
    "戸叶",
    "七瀬",
    "仁科",
    "沼尻",
];
const GEN_GIVEN: &[&str] = &[
    "一葉", "伊織", "詩織", "瑛太", "織江", "海斗", "菊乃", "錦", "紅葉", "琥珀", "咲良", "紫苑",
    "澄人", "晴臣", "空良", "千景", "椿", "灯", "渚", "柊",
];

/// `roster.yaml` with `people` people bound by the regulation, and about `acks`
/// acknowledgements of its revisions: one CSV table per revision, or YAML files of 5,000
/// (`csv` false). A few are late (every 1,000th person, current revision) and a few never
/// acknowledged the previous one (warnings, no errors).
fn write_acknowledgements(
    src: &Path,
    people: usize,
    acks: usize,
    revision_count: usize,
    csv: bool,
) -> std::io::Result<()> {
    let revs = revisions(revision_count);
    let mut roster = format!(
        "binding:\n  - {{ document: doc:{REG_ID}, since: \"{}\", everyone: true }}\npeople:\n",
        revs[0].0
    );
    for p in 0..people {
        let _ = writeln!(
            roster,
            "  - {{ id: E{p:06}, name: {} {}, department: {}, joined: 2010-04-01 }}",
            GEN_SURNAMES[p % GEN_SURNAMES.len()],
            GEN_GIVEN[(p / GEN_SURNAMES.len()) % GEN_GIVEN.len()],
            DEPARTMENTS[p % DEPARTMENTS.len()]
        );
    }
    write(&src.join("roster.yaml"), &roster)?;
    let per_revision = acks.div_ceil(revs.len()).min(people);
    let last = revs.len() - 1;
    revs.par_iter()
        .enumerate()
        .try_for_each(|(r, (version, year))| {
            // (person, date, method) of the revision's acknowledgements, in person order.
            let rows = (0..per_revision).filter_map(|p| {
                if r + 1 == last && p % 1000 == 7 {
                    return None; // never acknowledged; superseded since
                }
                let day = if r == last && p % 1000 == 3 {
                    45
                } else {
                    p % 25
                };
                let on = chrono::NaiveDate::from_ymd_opt(*year as i32, 4, 1).expect("a date")
                    + chrono::TimeDelta::days(day as i64);
                Some((p, on, ["lms", "site-receipt"][p % 2]))
            });
            let dir = src.join("acknowledgements");
            if csv {
                let mut text = String::from("document,release,person,on,method\n");
                for (p, on, method) in rows {
                    let _ = writeln!(text, "doc:{REG_ID},{version},E{p:06},{on},{method}");
                }
                return write(&dir.join(format!("{REG_ID}-{version}-lms.csv")), &text);
            }
            let rows: Vec<_> = rows.collect();
            for (chunk, part) in rows.chunks(5000).enumerate() {
                let mut text =
                    format!("document: doc:{REG_ID}\nrelease: \"{version}\"\nacknowledgements:\n");
                for (p, on, method) in part {
                    let _ = writeln!(
                        text,
                        "  - {{ person: E{p:06}, on: {on}, method: {method} }}"
                    );
                }
                write(
                    &dir.join(version).join(format!("part-{chunk:03}.yaml")),
                    &text,
                )?;
            }
            Ok(())
        })
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}

fn main() -> std::io::Result<()> {
    let a = Args::parse();
    let n = a.docs.max(1);
    let incidents = a.incidents.unwrap_or(n);
    let layouts: Vec<&str> = a.layouts.split(',').map(str::trim).collect();
    if a.out.exists() && std::fs::read_dir(&a.out)?.next().is_some() && !a.force {
        eprintln!("error: {} is not empty (use --force)", a.out.display());
        std::process::exit(2);
    }
    let seed = a.seed;
    let systems = 24usize;
    let revision_count = if a.people > 0 {
        a.acks.div_ceil(a.people).max(2)
    } else {
        2
    };
    let docs = plan_docs(n, seed);
    let types = covered_types(&docs);
    let bodies: Vec<(String, String)> = docs
        .par_iter()
        .enumerate()
        .map(|(i, d)| {
            let mut r = Rng::new(seed, "frontmatter", i as u64);
            (
                front_matter(d, &mut r, revision_count),
                doc_body(d, i, &docs, systems, seed),
            )
        })
        .collect();
    let folder = |d: &DocPlan| {
        if d.kind == "runbook" {
            "runbooks"
        } else {
            "regulation"
        }
    };

    if layouts.contains(&"kitei") {
        let root = a.out.join("kitei");
        let src = root.join("policy-src");
        write(
            &root.join("kitei.toml"),
            "# generated by kitei-gen (benchmark corpus)\norganisation = \"株式会社ベンチ商会\"\nlang = \"ja\"\ntime_zone = \"Asia/Tokyo\"\nsource = \"policy-src\"\nas_of = \"2026-11-01\"\n",
        )?;
        write(&src.join("roles.yaml"), &roles_yaml())?;
        write(&src.join("contacts.yaml"), &contacts_yaml(40))?;
        write(&src.join("systems.yaml"), &systems_yaml(systems))?;
        write(&src.join("severity.yaml"), SEVERITY_YAML)?;
        docs.par_iter()
            .zip(&bodies)
            .try_for_each(|(d, (fm, body))| {
                write(
                    &src.join(folder(d)).join(format!("{}.md", d.id)),
                    &format!("{fm}{body}"),
                )
            })?;
        let runbook = docs
            .iter()
            .find(|d| d.kind == "runbook")
            .map(|d| d.id.clone());
        let drill_runbooks = runbook
            .map(|r| format!("runbooks: [runbook:{r}]\n"))
            .unwrap_or_default();
        write(
            &src.join("drills/DRL-2026-01.yaml"),
            &format!(
                "id: DRL-2026-01\ntitle: ランサムウェア感染を想定した机上訓練\nheld_on: 2026-06-10\n{drill_runbooks}participants: [role:ciso, role:system-admin]\nscenario: 物流センターのPCでファイルの暗号化が起きた想定で、隔離と復旧の手順を確認した。\nfindings: [バックアップ媒体の切離し手順が周知されていなかった]\nfollow_up: [手順書に電源を切らないことを追記]\n"
            ),
        )?;
        write(
            &src.join("reviews/REV-2026-01.yaml"),
            &format!(
                "id: REV-2026-01\ndocument: doc:{REG_ID}\nreviewed_on: 2026-03-10\nreviewer: role:security-committee\noutcome: amended\nnotes: 年次の見直し。\n"
            ),
        )?;
        if a.people > 0 {
            write_acknowledgements(
                &src,
                a.people,
                a.acks,
                revision_count,
                a.ack_format == "csv",
            )?;
        }
        // Evidence: file j belongs to incident j % incidents.
        let mut evidence: Vec<Vec<EvidenceRef>> = (0..incidents).map(|_| Vec::new()).collect();
        let files: Vec<(usize, String, bool)> = (0..a.evidence_files)
            .map(|j| {
                let owner = j % incidents.max(1);
                let random = match a.evidence_kind.as_str() {
                    "random" => true,
                    "mixed" => j % 2 == 1,
                    _ => false,
                };
                let (id, _) = incident_id(owner, seed);
                let ext = if random { "bin" } else { "log" };
                (owner, format!("evidence/{id}/capture-{j:05}.{ext}"), random)
            })
            .collect();
        let hashed: Vec<std::io::Result<(usize, EvidenceRef)>> = files
            .par_iter()
            .enumerate()
            .map(|(j, (owner, rel, random))| {
                let path = src.join(rel);
                std::fs::create_dir_all(path.parent().unwrap_or(&src))?;
                let mut r = Rng::new(seed, "evidence", j as u64);
                let sha = write_evidence(&path, a.evidence_size, *random, &mut r)?;
                Ok((
                    *owner,
                    EvidenceRef {
                        path: rel.clone(),
                        sha256: sha,
                    },
                ))
            })
            .collect();
        for h in hashed {
            let (owner, e) = h?;
            evidence[owner].push(e);
        }
        (0..incidents).into_par_iter().try_for_each(|i| {
            let (id, year) = incident_id(i, seed);
            let text = incident_yaml(i, seed, &types, systems, &evidence[i]);
            write(
                &src.join("incidents").join(year).join(format!("{id}.yaml")),
                &text,
            )
        })?;
    }

    if layouts.contains(&"hugo") {
        let root = a.out.join("hugo");
        write(&root.join("hugo.toml"), HUGO_TOML)?;
        write(&root.join("layouts/_default/baseof.html"), HUGO_BASEOF)?;
        write(&root.join("layouts/_default/single.html"), HUGO_SINGLE)?;
        write(&root.join("layouts/_default/list.html"), HUGO_LIST)?;
        write(&root.join("layouts/index.html"), HUGO_LIST)?;
        write(
            &root.join("content/regulation/_index.md"),
            "---\ntitle: 規程・細則\n---\n",
        )?;
        write(
            &root.join("content/runbooks/_index.md"),
            "---\ntitle: 対応手順書\n---\n",
        )?;
        docs.par_iter()
            .zip(&bodies)
            .enumerate()
            .try_for_each(|(i, (d, (_, body)))| {
                write(
                    &root
                        .join("content")
                        .join(folder(d))
                        .join(format!("{}.md", d.id)),
                    &format!(
                        "---\ntitle: \"{}\"\nweight: {}\n---\n\n{body}",
                        d.title,
                        i + 1
                    ),
                )
            })?;
    }

    if layouts.contains(&"mdbook") {
        let root = a.out.join("mdbook");
        write(&root.join("book.toml"), MDBOOK_TOML)?;
        let mut summary = String::from("# Summary\n\n# 規程・細則\n\n");
        for d in docs.iter().filter(|d| d.kind != "runbook") {
            let _ = writeln!(summary, "- [{}](regulation/{}.md)", d.title, d.id);
        }
        summary.push_str("\n# 対応手順書\n\n");
        for d in docs.iter().filter(|d| d.kind == "runbook") {
            let _ = writeln!(summary, "- [{}](runbooks/{}.md)", d.title, d.id);
        }
        write(&root.join("src/SUMMARY.md"), &summary)?;
        docs.par_iter()
            .zip(&bodies)
            .try_for_each(|(d, (_, body))| {
                write(
                    &root
                        .join("src")
                        .join(folder(d))
                        .join(format!("{}.md", d.id)),
                    &format!("# {}\n\n{body}", d.title),
                )
            })?;
    }
    let md_bytes: usize = bodies.iter().map(|(f, b)| f.len() + b.len()).sum();
    eprintln!(
        "kitei-gen: {} documents ({} runbooks, {:.1} MB of Markdown), {incidents} incidents, {} evidence files of {} bytes into {}",
        docs.len(),
        docs.iter().filter(|d| d.kind == "runbook").count(),
        md_bytes as f64 / 1e6,
        a.evidence_files,
        a.evidence_size,
        a.out.display()
    );
    Ok(())
}

const HUGO_TOML: &str = r#"baseURL = "http://example.invalid/"
languageCode = "ja"
defaultContentLanguage = "ja"
title = "株式会社ベンチ商会 情報セキュリティ規程"
hasCJKLanguage = true
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[markup.goldmark.parser.attribute]
  title = true
[markup.tableOfContents]
  startLevel = 2
  endLevel = 3
"#;

const HUGO_BASEOF: &str = r#"<!DOCTYPE html>
<html lang="ja">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} | {{ .Site.Title }}</title></head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a> › <a href="{{ .CurrentSection.RelPermalink }}">{{ .CurrentSection.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ .Site.Title }}</footer>
</body></html>
"#;

const HUGO_SINGLE: &str = r#"{{ define "main" }}
<article><h1>{{ .Title }}</h1>
<nav class="toc">{{ .TableOfContents }}</nav>
{{ .Content }}
<nav class="pager">{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">← {{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }} →</a>{{ end }}</nav>
</article>
{{ end }}
"#;

const HUGO_LIST: &str = r#"{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
"#;

const MDBOOK_TOML: &str = r#"[book]
title = "株式会社ベンチ商会 情報セキュリティ規程"
language = "ja"
src = "src"

[output.html]
"#;
