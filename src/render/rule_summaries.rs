//! What each rule checks, in Japanese, for the pages of a `lang = "ja"` site: the dashboard,
//! exception and records pages name a finding's rule in the reader's language. The CLI and
//! the English site use the rule's own `name` and `summary` (src/check); a unit test keeps
//! this table in step with the rule registry.

/// `(code, what the rule finds)`, by code.
const SUMMARIES_JA: &[(&str, &str)] = &[
    ("K0101", "ファイルまたはフォルダを読み込めない"),
    ("K0102", "ソースファイルがUTF-8ではない"),
    ("K0103", "YAMLを記録の形式として読み込めない"),
    (
        "K0104",
        "Markdown文書の前付け（フロントマター）が正しくない",
    ),
    (
        "K0105",
        "kiteiが読まない場所にMarkdownまたはYAMLファイルがある",
    ),
    ("K0106", "証跡のパスがソースフォルダの外を指している"),
    (
        "K0107",
        "シンボリックリンクがソースフォルダの外を指している",
    ),
    ("K0110", "kitei.tomlを読み込めない"),
    ("K0201", "同じIDの記録が二つある"),
    ("K0202", "参照先が存在しない"),
    ("K0203", "項目に合わない種類の記録を参照している"),
    ("K0204", "対応手順書のないインシデント種別がある"),
    ("K0205", "対応手順書が対応の五つの段階を網羅していない"),
    ("K0206", "システムに所管者または正しい復旧優先度がない"),
    (
        "K0207",
        "誰も担当していない役割、または委員のいない委員会がある",
    ),
    ("K0208", "必要な表がない、または不完全である"),
    ("K0209", "事故レベル表にない事故レベルが使われている"),
    ("K0210", "規程に承認、施行日、版または見直し周期がない"),
    ("K0211", "例外が委員会の承認を受けていない"),
    ("K0212", "規程に有効な初動連絡先（incident_now）がない"),
    (
        "K0213",
        "初動連絡の役割または委員長が一人だけで代理者がいない",
    ),
    ("K0214", "初動連絡先が誰も応答しない時間帯がある"),
    ("K0301", "インシデントの日時の順序が正しくない"),
    ("K0302", "状態と完了日時が合っていない"),
    (
        "K0303",
        "完了したインシデントに再発防止策がない、または不完全である",
    ),
    ("K0304", "完了したインシデントに手順への教訓がない"),
    (
        "K0305",
        "外部の関係者が関わるインシデントに経営層への報告がない",
    ),
    (
        "K0306",
        "個人データに関わるインシデントの事故レベルが2未満である",
    ),
    ("K0307", "完了したインシデントに根本原因の記録がない"),
    (
        "K0401",
        "個人情報保護委員会への速報が遅れている、または未提出である",
    ),
    (
        "K0402",
        "個人情報保護委員会への確報が遅れている、または未提出である",
    ),
    ("K0403", "本人への通知がされていない"),
    (
        "K0404",
        "特定個人情報（マイナンバー）の報告が遅れている、または未提出である",
    ),
    (
        "K0405",
        "通知期限のある相手への連絡が遅れた、または未連絡である",
    ),
    ("K0501", "規程の定期見直しの期限を過ぎている"),
    ("K0502", "所定の期間内に訓練が行われていない"),
    ("K0503", "連絡先が最近確認されていない"),
    ("K0504", "例外の有効期限を過ぎている"),
    ("K0505", "再発防止策の期限を過ぎている"),
    ("K0601", "規程に必要な章がない、または順序が正しくない"),
    ("K0602", "存在しない条項を参照している"),
    ("K0603", "一つの文書で同じ条番号が二度使われている"),
    ("K0604", "文書に仮の文言（プレースホルダー）が残っている"),
    ("K0605", "存在しない和暦の日付がある"),
    ("K0606", "本文中で存在しない条項に言及している"),
    (
        "K0607",
        "HTMLによって文書の本文の一部が読者から隠されている",
    ),
    ("K0608", "kitei newで作った記録に未記入の項目が残っている"),
    ("K0701", "記録が指す証跡ファイルが存在しない"),
    (
        "K0702",
        "証跡ファイルのハッシュ値（SHA-256）が記録と一致しない",
    ),
    ("K0801", "辞書にある誤字または不適切な表現"),
    ("K0802", "公的機関名または法令名が古い"),
    (
        "K0803",
        "本文中の役割・委員会・部署がどの役割にも定義されていない",
    ),
    ("K0804", "本文中で言及された文書が存在しない"),
    (
        "K0805",
        "予告した列挙の後に項目がない、または空の節・項目がある",
    ),
    (
        "K0806",
        "条番号の欠番、順序の誤り、または見出しの階層の誤り",
    ),
    ("K0807", "承認または施行の文に承認者または日付がない"),
    (
        "K0808",
        "一つの文書で日付の書式が混在している、または日付が正しくない",
    ),
    (
        "K0809",
        "余分な空白、読点の混在、括弧の不一致、箇条記号の重複",
    ),
    (
        "K0810",
        "断片的な文、語の途中で切れた段落、または段落の重複",
    ),
];

/// The Japanese summary of rule `code`, if the rule exists.
pub fn summary_ja(code: &str) -> Option<&'static str> {
    SUMMARIES_JA
        .binary_search_by(|(c, _)| c.cmp(&code))
        .ok()
        .map(|i| SUMMARIES_JA[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Rules;

    #[test]
    fn every_rule_has_a_japanese_summary_and_no_summary_is_orphaned() {
        let registered: Vec<&str> = Rules.iter().map(|r| r.code).collect();
        let missing: Vec<&&str> = registered
            .iter()
            .filter(|c| summary_ja(c).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "add Japanese summaries to src/render/rule_summaries.rs for {missing:?}"
        );
        let orphans: Vec<&str> = SUMMARIES_JA
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| !registered.contains(c))
            .collect();
        assert!(
            orphans.is_empty(),
            "no rule has these codes any more: {orphans:?}"
        );
    }

    #[test]
    fn the_table_is_sorted_so_lookups_find_every_row() {
        assert!(SUMMARIES_JA.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
