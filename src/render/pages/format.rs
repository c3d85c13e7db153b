//! Small formatters shared by the page bodies: timestamps, deadlines, duties, channels, phone
//! links and the i18n keys of enum values.

use super::*;

impl<'a> Site<'a> {
    pub(super) fn ts(&self, t: &Timestamp) -> String {
        t.0.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    /// A period in the site's language: `24時間`, `5日`, `1年`, `6か月` on a Japanese page,
    /// `24 hours`, `5 days`, `1 year`, `6 months` on an English one (never the source's `24h`).
    pub(super) fn period(&self, p: Period) -> String {
        period_text(self.lang, p)
    }

    /// A rule as pages name it: its code, and what it finds in the site's language (the
    /// Japanese summary on a `ja` site; the rule's name and English summary otherwise).
    pub(super) fn rule_json(&self, code: &str) -> Value {
        let summary = match self.lang {
            Lang::Ja => None,
            Lang::En => crate::check::rule(code).map(|r| r.summary),
        };
        json!({"code": code, "name": self.rule_name(code), "summary": summary})
    }

    /// A rule's name as readers see it: its Japanese summary on a Japanese site, its name on
    /// an English one (every finding of the dashboard names its rule).
    pub(super) fn rule_name(&self, code: &str) -> Option<&'static str> {
        match self.lang {
            Lang::Ja => crate::render::rule_summaries::summary_ja(code),
            Lang::En => crate::check::rule(code).map(|r| r.name),
        }
    }

    /// The language of a finding's message (the CLI's, always English) when it differs from
    /// the page's: templates mark it `lang="en"` and fold it under the rule's Japanese summary.
    pub(super) fn message_lang(&self) -> Option<&'static str> {
        (self.lang != Lang::En).then_some("en")
    }

    pub(super) fn due_text(&self, due: Due) -> String {
        match due {
            Due::Day(d) => d.to_string(),
            Due::Instant(t) => self.ts(&Timestamp(t)),
        }
    }

    /// One dated duty of an incident (from [`notifications::dated_duties`], the list the
    /// rules check): what, to whom, within what term, by when, and where it stands.
    pub(super) fn duty_json(&self, d: &DatedDuty) -> Value {
        let to = match (d.to, d.sent.and_then(|n| n.to.as_ref())) {
            (Some(id), _) => self.ref_json(&Ref::new(RefKind::Contact, id)),
            (None, Some(to)) => self.ref_json(&to.value),
            (None, None) => json!({"name": self.t("ppc"), "url": null}),
        };
        let term = match (d.period, d.days) {
            (Some(p), _) => Some(self.period(p)),
            (None, Some(days)) => Some(format!("{days}{}", self.t("days_unit"))),
            (None, None) => None,
        };
        let law = match d.regime {
            Regime::Appi => "regime_appi",
            Regime::MyNumber => "regime_my_number",
            Regime::Notice => "regime_notice",
        };
        json!({
            "code": d.code,
            "kind": self.t(notification_key(d.kind)),
            "law": self.t(law),
            "to": to,
            "term": term,
            "due": self.due_text(d.due),
            "due_date": d.due.date(self.tz).to_string(),
            "sent_at": d.sent.map(|n| self.ts(&n.at.value)),
            "status_key": duty_status_key(d.status),
            "status": self.t(duty_status_key(d.status)),
            "days_left": d.days_left(self.info.as_of, self.tz),
        })
    }

    pub(super) fn channel_json(&self, ch: &Channel) -> Value {
        let kind = match ch.kind {
            ChannelKind::Phone => "phone",
            ChannelKind::Mobile => "mobile",
            ChannelKind::Email => "email",
            ChannelKind::Web => "web",
            ChannelKind::Fax => "fax",
            ChannelKind::Chat => "chat",
            ChannelKind::Postal => "postal",
        };
        let href = match ch.kind {
            ChannelKind::Phone | ChannelKind::Mobile => Some(tel_href(&ch.value)),
            ChannelKind::Email => Some(format!("mailto:{}", ch.value.trim())),
            ChannelKind::Web
                if ch.value.starts_with("https://") || ch.value.starts_with("http://") =>
            {
                Some(ch.value.clone())
            }
            _ => None,
        };
        json!({
            "kind": kind,
            "label": self.t(&format!("channel_{kind}")),
            "value": ch.value,
            "href": href,
            "hours": ch.hours.clone().or_else(|| ch.open.as_ref().map(|o| describe_hours(&o.value, self.lang))),
            "open": ch.open.as_ref().map(|o| open_spans(&o.value)),
            "note": ch.note,
        })
    }
}

/// `tel:` URL of a phone number as written (`03-0000-0001（内線 100）` → `tel:0300000001`).
pub fn tel_href(value: &str) -> String {
    crate::model::reach::tel_uri(value)
}

pub(super) fn status_key(s: Status) -> &'static str {
    match s {
        Status::Open => "status_open",
        Status::Contained => "status_contained",
        Status::Closed => "status_closed",
    }
}

pub(super) fn duty_status_key(s: DutyStatus) -> &'static str {
    match s {
        DutyStatus::OnTime => "duty_on_time",
        DutyStatus::Late => "duty_late",
        DutyStatus::Pending => "duty_pending",
        DutyStatus::Missing => "duty_missing",
    }
}

pub(super) fn notification_key(k: NotificationKind) -> &'static str {
    match k {
        NotificationKind::Preliminary => "notification_preliminary",
        NotificationKind::Final => "notification_final",
        NotificationKind::Individuals => "notification_individuals",
        NotificationKind::Notice => "notification_notice",
    }
}

pub(super) fn category_key(c: OrgCategory) -> &'static str {
    match c {
        OrgCategory::Regulator => "regulator",
        OrgCategory::Police => "police",
        OrgCategory::Csirt => "csirt",
        OrgCategory::Partner => "partner",
        OrgCategory::Platform => "platform",
        OrgCategory::Vendor => "vendor",
        OrgCategory::Insurer => "insurer",
        OrgCategory::Other => "other",
    }
}

/// Opening hours in the page's language (`平日 8:30〜19:00、土日`, `Mon–Fri 8:30–19:00, weekends`),
/// for a channel that gives `open` but no `hours` text.
pub(super) fn describe_hours(hours: &WeeklyHours, lang: Lang) -> String {
    const JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let ja = lang == Lang::Ja;
    let clock = |m: u16| format!("{}:{:02}", m / 60, m % 60);
    let days = |bits: u8| -> String {
        match (bits, ja) {
            (0b111_1111, true) => "毎日".into(),
            (0b111_1111, false) => "daily".into(),
            (0b001_1111, true) => "平日".into(),
            (0b001_1111, false) => "Mon–Fri".into(),
            (0b110_0000, true) => "土日".into(),
            (0b110_0000, false) => "weekends".into(),
            _ => {
                let names = if ja { JA } else { EN };
                let on: Vec<&str> = (0..7)
                    .filter(|d| bits & (1 << d) != 0)
                    .map(|d| names[d])
                    .collect();
                on.join(if ja { "・" } else { ", " })
            }
        }
    };
    let parts: Vec<String> = hours
        .terms()
        .iter()
        .map(|t| match (t.days, t.time, ja) {
            (0b111_1111, None, true) => "24時間".into(),
            (0b111_1111, None, false) => "24 hours".into(),
            (d, None, true) => format!("{}終日", days(d)),
            (d, None, false) => format!("{} all day", days(d)),
            (d, Some((s, e)), true) if e <= s => {
                format!("{} {}〜翌{}", days(d), clock(s), clock(e))
            }
            (d, Some((s, e)), false) if e <= s => {
                format!("{} {}–{} (next day)", days(d), clock(s), clock(e))
            }
            (d, Some((s, e)), true) => format!("{} {}〜{}", days(d), clock(s), clock(e)),
            (d, Some((s, e)), false) => format!("{} {}–{}", days(d), clock(s), clock(e)),
        })
        .collect();
    parts.join(if ja { "、" } else { "; " })
}

/// `data-open` of a channel: its spans of minutes of the week, `start-end,…` (see call-now.js).
pub(super) fn open_spans(hours: &WeeklyHours) -> String {
    hours
        .spans()
        .iter()
        .map(|(s, e)| format!("{s}-{e}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// See [`Site::period`].
pub(crate) fn period_text(lang: Lang, p: Period) -> String {
    let plural = |n: u32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match (lang, p) {
        (Lang::Ja, Period::Hours(h)) => format!("{h}時間"),
        (Lang::Ja, Period::Days(d)) => format!("{d}日"),
        (Lang::Ja, Period::Months(m)) if m % 12 == 0 && m > 0 => format!("{}年", m / 12),
        (Lang::Ja, Period::Months(m)) => format!("{m}か月"),
        (Lang::En, Period::Hours(h)) => plural(h, "hour", "hours"),
        (Lang::En, Period::Days(d)) => plural(d, "day", "days"),
        (Lang::En, Period::Months(m)) if m % 12 == 0 && m > 0 => plural(m / 12, "year", "years"),
        (Lang::En, Period::Months(m)) => plural(m, "month", "months"),
    }
}

#[cfg(test)]
mod period_tests {
    use super::*;

    #[test]
    fn periods_read_in_the_pages_language() {
        let cases = [
            (Period::Hours(24), "24時間", "24 hours"),
            (Period::Hours(1), "1時間", "1 hour"),
            (Period::Days(5), "5日", "5 days"),
            (Period::Months(12), "1年", "1 year"),
            (Period::Months(36), "3年", "3 years"),
            (Period::Months(6), "6か月", "6 months"),
            (Period::Months(0), "0か月", "0 months"),
        ];
        for (p, ja, en) in cases {
            assert_eq!(period_text(Lang::Ja, p), ja);
            assert_eq!(period_text(Lang::En, p), en);
        }
    }
}
