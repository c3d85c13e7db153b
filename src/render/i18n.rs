//! Every string of the site's user interface, in Japanese and English, in one place.
//! Templates read them as `t.KEY`; a key missing from a language is a template error
//! (tera's strict undefined variables), and a unit test keeps both languages in step.

use std::collections::BTreeMap;

use crate::config::Lang;

/// `(key, Japanese, English)`. Keep sorted by area, not alphabetically: it is read by people.
const STRINGS: &[(&str, &str, &str)] = &[
    // Site frame
    ("lang", "ja", "en"),
    ("skip_to_content", "本文へ移動", "Skip to content"),
    ("nav_home", "ホーム", "Home"),
    ("nav_regulation", "規程", "Regulation"),
    ("nav_runbooks", "対応手順書", "Runbooks"),
    ("nav_contacts", "緊急連絡網", "Emergency contacts"),
    ("nav_roles", "役割と委員会", "Roles and committee"),
    (
        "nav_systems",
        "システムと復旧優先度",
        "Systems and recovery priorities",
    ),
    ("nav_severity", "事故レベル", "Severity levels"),
    ("nav_incidents", "インシデント台帳", "Incident register"),
    (
        "nav_dashboard",
        "コンプライアンス状況",
        "Compliance dashboard",
    ),
    (
        "nav_records",
        "訓練・見直し・例外の記録",
        "Drills, reviews and exceptions",
    ),
    ("footer_version", "規程の版", "Policy version"),
    ("footer_commit", "ソースのコミット", "Source commit"),
    ("footer_built", "生成日", "Built on"),
    ("footer_audience", "公開範囲", "Audience"),
    ("audience_public", "社外公開", "public"),
    ("audience_employees", "従業員向け", "employees"),
    (
        "audience_restricted",
        "限定（セキュリティ担当）",
        "restricted (security team)",
    ),
    ("unknown", "不明", "unknown"),
    ("none", "なし", "none"),
    ("not_shown", "（非公開）", "(not shown)"),
    (
        "banner_errors",
        "プレビュー：この規程にはまだエラーがあります。公開版ではありません。",
        "Preview: this policy still has errors. This is not a published version.",
    ),
    ("print", "印刷", "Print"),
    ("paren_open", "（", " ("),
    ("paren_close", "）", ")"),
    ("list_sep", "、", ", "),
    // Search
    ("search", "検索", "Search"),
    (
        "search_placeholder",
        "キーワード（例：個人情報）",
        "Keywords (e.g. personal data)",
    ),
    (
        "search_no_results",
        "該当するページはありません。",
        "No page matches.",
    ),
    (
        "search_needs_js",
        "検索にはJavaScriptが必要です。",
        "Search needs JavaScript.",
    ),
    // Home
    ("incident_now", "インシデントが起きたら", "Incident now?"),
    ("incident_now_call", "まず連絡する先", "Call first"),
    ("incident_now_steps", "最初にすること", "First things to do"),
    ("incident_now_more", "手順書の一覧", "All runbooks"),
    ("hours", "受付時間", "Hours"),
    ("latest_changes", "最新の改訂", "Latest revision"),
    ("documents", "規程類", "Regulations and guidelines"),
    ("organisation", "組織", "Organisation"),
    // Documents
    ("toc", "目次", "Contents"),
    ("version", "版", "Version"),
    ("owner", "所管", "Owner"),
    ("approved_by", "承認", "Approved by"),
    ("approved_on", "承認日", "Approved on"),
    ("effective_on", "施行日", "Effective on"),
    ("review_every", "見直し周期", "Review cycle"),
    ("changes", "改訂履歴", "Revision history"),
    ("summary", "概要", "Summary"),
    // Runbooks
    ("phases", "対応の流れ", "Phases"),
    ("phase_detection", "事象の検知", "Detection"),
    (
        "phase_initial-response",
        "初動対応・応急処置",
        "Initial response",
    ),
    (
        "phase_containment",
        "調査・封じ込め",
        "Investigation and containment",
    ),
    ("phase_reporting", "報告・公表", "Reporting and disclosure"),
    (
        "phase_recovery",
        "抑制措置・復旧",
        "Mitigation and recovery",
    ),
    ("incident_types", "対象のインシデント種別", "Incident types"),
    (
        "severity_min",
        "適用する事故レベル（以上）",
        "Applies from severity",
    ),
    // Contacts and roles
    (
        "internal_contacts",
        "社内の役割と担当者",
        "Internal roles and people",
    ),
    ("external_contacts", "社外の連絡先", "External bodies"),
    ("role", "役割", "Role"),
    ("person", "担当者", "Person"),
    ("deputy", "代理", "Deputy"),
    ("channels", "連絡手段", "Channels"),
    ("department", "所属", "Department"),
    ("category", "区分", "Category"),
    ("notice_deadline", "通知期限", "Notice deadline"),
    ("deadline_from_detected", "検知から", "from detection"),
    ("deadline_from_known", "知った時から", "from knowledge"),
    ("basis", "根拠", "Basis"),
    ("last_verified", "最終確認日", "Last verified"),
    ("committee", "委員会", "Committee"),
    ("chair", "委員長", "Chair"),
    ("members", "構成", "Members"),
    ("responsibilities", "責任", "Responsibilities"),
    ("held_by", "担当者", "Held by"),
    ("channel_phone", "電話", "Phone"),
    ("channel_mobile", "携帯", "Mobile"),
    ("channel_email", "メール", "Email"),
    ("channel_web", "Web", "Web"),
    ("channel_fax", "FAX", "Fax"),
    ("channel_chat", "チャット", "Chat"),
    ("channel_postal", "郵便", "Post"),
    ("category_regulator", "監督官庁", "Regulator"),
    ("category_police", "警察", "Police"),
    ("category_csirt", "CSIRT", "CSIRT"),
    ("category_partner", "取引先", "Partner"),
    ("category_platform", "プラットフォーム", "Platform"),
    ("category_vendor", "委託先・ベンダー", "Vendor"),
    ("category_insurer", "保険会社", "Insurer"),
    ("category_other", "その他", "Other"),
    // Systems and severity
    ("recovery_priorities", "復旧優先度", "Recovery priorities"),
    ("priority", "復旧優先度", "Priority"),
    ("meaning", "意味", "Meaning"),
    ("max_downtime", "停止許容時間", "Allowed downtime"),
    ("not_set", "定めない", "not set"),
    ("system", "システム", "System"),
    ("systems", "システム", "Systems"),
    ("personal_data", "個人情報", "Personal data"),
    ("yes", "あり", "yes"),
    ("no", "なし", "no"),
    ("description", "説明", "Description"),
    ("level", "レベル", "Level"),
    ("scope", "範囲", "Scope"),
    ("responsible", "責任者", "Responsible"),
    ("examples", "例", "Examples"),
    // Incidents
    ("incident", "インシデント", "Incident"),
    ("id", "番号", "ID"),
    ("title", "件名", "Title"),
    ("type", "種別", "Type"),
    ("severity", "事故レベル", "Severity"),
    ("status", "状態", "Status"),
    ("status_open", "対応中", "open"),
    ("status_contained", "封じ込め済み", "contained"),
    ("status_closed", "完了", "closed"),
    ("detected_at", "検知", "Detected"),
    ("occurred_at", "発生", "Occurred"),
    ("known_at", "知った日時", "Known"),
    ("reported_at", "報告", "Reported"),
    ("contained_at", "封じ込め", "Contained"),
    ("closed_at", "完了", "Closed"),
    (
        "no_incidents",
        "表示できるインシデントはありません。",
        "No incident to show.",
    ),
    ("timeline", "経過", "Timeline"),
    ("notifications", "社外への通知", "Notifications"),
    ("notified_at", "通知日時", "Notified at"),
    ("deadline", "期限", "Deadline"),
    ("on_time", "期限内", "on time"),
    ("late", "期限超過", "late"),
    ("reference", "受付番号等", "Reference"),
    ("kind", "種類", "Kind"),
    ("notification_preliminary", "速報", "preliminary"),
    ("notification_final", "確報", "final"),
    ("notification_individuals", "本人通知", "individuals"),
    ("notification_notice", "通知", "notice"),
    ("root_cause", "原因", "Root cause"),
    ("actions", "実施した措置", "Actions"),
    ("prevention_plan", "再発防止計画", "Prevention plan"),
    ("technical", "技術的対策", "Technical"),
    ("organizational", "組織的対策", "Organisational"),
    ("measure", "対策", "Measure"),
    ("due", "期日", "Due"),
    ("done_on", "完了日", "Done on"),
    ("measure_planned", "予定", "planned"),
    ("measure_in_progress", "実施中", "in progress"),
    ("measure_done", "完了", "done"),
    ("progress", "進捗", "Progress"),
    ("affected_people", "影響を受けた本人の数", "People affected"),
    ("items", "項目", "Items"),
    (
        "affected_individuals",
        "本人の一覧（限定）",
        "Affected individuals (restricted)",
    ),
    ("contact", "連絡先", "Contact"),
    ("board_report", "取締役会への報告", "Board report"),
    ("lessons", "教訓", "Lessons"),
    ("went_well", "うまくいったこと", "Went well"),
    ("to_improve", "改善すること", "To improve"),
    ("procedure_changes", "手順の変更", "Procedure changes"),
    ("reported_by", "通報者", "Reported by"),
    ("by", "担当", "By"),
    ("at", "日時", "At"),
    ("what", "内容", "What"),
    (
        "deadlines",
        "報告・通知の期限",
        "Reporting and notice deadlines",
    ),
    (
        "ppc",
        "個人情報保護委員会",
        "Personal Information Protection Commission",
    ),
    ("regime_appi", "個人情報保護法", "APPI"),
    ("regime_my_number", "番号法", "My Number Act"),
    (
        "regime_notice",
        "契約等による通知期限",
        "notice deadline (contract)",
    ),
    ("duty_on_time", "期限内に送付", "sent on time"),
    ("duty_late", "期限後に送付", "sent late"),
    ("duty_pending", "未送付（期限前）", "not sent yet (not due)"),
    ("duty_missing", "未送付（期限超過）", "not sent (overdue)"),
    ("days_left", "残り日数", "Days left"),
    ("days_overdue", "超過日数", "Days overdue"),
    ("days_unit", "日", " days"),
    ("unit_min", "分", " min"),
    ("unit_hour", "時間", " h "),
    // Dashboard
    ("as_of", "評価日", "Evaluated as of"),
    ("errors", "エラー", "errors"),
    ("warnings", "警告", "warnings"),
    ("waived", "例外により免除", "waived"),
    ("level_error", "エラー", "error"),
    ("level_warning", "警告", "warning"),
    ("check_report", "検査結果", "Check report"),
    (
        "no_findings",
        "エラー・警告はありません。",
        "No errors or warnings.",
    ),
    (
        "no_visible_findings",
        "この公開範囲で表示できる指摘はありません。",
        "No finding to show to this audience.",
    ),
    (
        "findings_not_shown",
        "この公開範囲では表示しない記録に関する指摘",
        "Findings about records not shown to this audience",
    ),
    (
        "waived_findings",
        "例外により免除されている指摘",
        "Findings waived by exceptions",
    ),
    ("rule", "規則", "Rule"),
    ("finding", "指摘", "Finding"),
    ("exception", "例外", "Exception"),
    ("expires_on", "有効期限", "Expires on"),
    ("waived_by", "例外承認", "Waived by"),
    ("overdue_duties", "期限を過ぎた義務", "Overdue duties"),
    (
        "no_overdue",
        "期限を過ぎた義務はありません。",
        "No overdue duty.",
    ),
    ("upcoming_deadlines", "今後の期限", "Upcoming deadlines"),
    ("subject", "対象", "Subject"),
    ("to", "宛先", "To"),
    ("last_time", "前回", "last"),
    ("never_verified", "未確認", "never verified"),
    ("no_drill", "訓練の記録なし", "no drill recorded"),
    ("deadline_measure", "再発防止策", "Prevention measure"),
    ("deadline_contact", "連絡先の再確認", "Re-verify contacts"),
    (
        "deadline_review",
        "規程の定期見直し",
        "Periodic review of the regulation",
    ),
    ("deadline_drill", "次回の訓練", "Next drill"),
    ("deadline_exception", "例外の有効期限", "Exception expires"),
    ("open_incidents", "対応中のインシデント", "Open incidents"),
    (
        "no_open_incidents",
        "対応中のインシデントはありません。",
        "No open incident.",
    ),
    ("days_open", "経過日数", "Days open"),
    ("next_duty", "次の期限", "Next deadline"),
    ("statistics", "インシデントの統計", "Incident statistics"),
    (
        "stats_scope",
        "対象のインシデント（この公開範囲で表示できるもの）",
        "Incidents counted (those shown to this audience)",
    ),
    (
        "chart_by_month",
        "月別件数（検知月、事故レベル別）",
        "Incidents by month of detection and severity",
    ),
    ("chart_by_type", "種別ごとの件数", "Incidents by type"),
    (
        "chart_by_severity",
        "事故レベルごとの件数",
        "Incidents by severity",
    ),
    (
        "mean_to_detect",
        "平均検知時間（発生→検知）",
        "Mean time to detect (occurred → detected)",
    ),
    (
        "mean_to_contain",
        "平均封じ込め時間（検知→封じ込め）",
        "Mean time to contain (detected → contained)",
    ),
    (
        "mean_to_close",
        "平均完了時間（検知→完了）",
        "Mean time to close (detected → closed)",
    ),
    ("mean", "平均", "mean"),
    // Drills, reviews and exceptions
    ("drills", "訓練", "Drills"),
    ("reviews", "規程の見直し", "Reviews"),
    ("exceptions", "例外事項", "Exceptions"),
    ("review", "見直し", "Review"),
    ("held_on", "実施日", "Held on"),
    ("participants", "参加", "Participants"),
    ("scenario", "想定", "Scenario"),
    ("drill_findings", "分かったこと", "Findings"),
    ("follow_up", "改善事項", "Follow-up"),
    ("document", "文書", "Document"),
    ("reviewed_on", "見直し日", "Reviewed on"),
    ("reviewer", "見直した者", "Reviewer"),
    ("outcome", "結果", "Outcome"),
    ("outcome_no_change", "改訂なし", "no change"),
    ("outcome_amended", "改訂", "amended"),
    ("notes", "内容", "Notes"),
    ("record", "対象の記録", "Record"),
    ("reason", "理由", "Reason"),
    ("exception_active", "有効", "in force"),
    ("exception_expired", "期限切れ", "expired"),
    ("exception_not_yet", "承認日前", "not yet in force"),
    (
        "exception_invalid",
        "無効（委員会の承認なし）",
        "void (not approved by a committee)",
    ),
];

/// The UI strings for `lang`, as the `t` object of every template.
pub fn strings(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    STRINGS
        .iter()
        .map(|(k, ja, en)| (*k, if lang == Lang::En { *en } else { *ja }))
        .collect()
}

/// One string (for text built in Rust rather than in a template).
pub fn get(lang: Lang, key: &str) -> &'static str {
    STRINGS
        .iter()
        .find(|(k, ..)| *k == key)
        .map(|(_, ja, en)| if lang == Lang::En { *en } else { *ja })
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_complete() {
        let mut seen = std::collections::BTreeSet::new();
        for (k, ja, en) in STRINGS {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!ja.is_empty() && !en.is_empty(), "empty string for {k}");
        }
    }
}
