//! Who answers for a role, and on which numbers: its holders, then its deputy, each with their
//! phone and mobile channels and `tel:` URIs. One resolution for every output that prints
//! numbers next to a role (the site's runbook contact blocks and contact sheet, a PDF of a
//! runbook), so they cannot disagree about whom to call.

use super::Corpus;
use super::tables::{Channel, ChannelKind, Person, Role};
use super::values::Visibility;

/// A role with the people who answer for it.
#[derive(Debug, Clone)]
pub struct RoleReach<'c> {
    pub role: &'c Role,
    /// The holders the reader may see, in the order `held_by` lists them.
    pub holders: Vec<Reachable<'c>>,
    /// The deputy, when there is one the reader may see.
    pub deputy: Option<Reachable<'c>>,
}

/// A person and the numbers to call them on.
#[derive(Debug, Clone)]
pub struct Reachable<'c> {
    pub person: &'c Person,
    /// `phone` and `mobile` channels in the order they are written.
    pub phones: Vec<Phone<'c>>,
}

/// A phone or mobile channel and its `tel:` URI.
#[derive(Debug, Clone)]
pub struct Phone<'c> {
    pub channel: &'c Channel,
    pub tel: String,
}

/// The holders and deputy of the role `role_id` that `sees` allows (a reader's audience),
/// with their phones; `None` when no such role exists or it is hidden. A holder or deputy
/// that is not a person (an organisation, a missing contact) is left out: the check reports
/// those (K0203, K0202).
pub fn role_reach<'c>(
    corpus: &'c Corpus,
    role_id: &str,
    sees: impl Fn(Visibility) -> bool,
) -> Option<RoleReach<'c>> {
    let role = &corpus.role(role_id)?.item;
    if !sees(role.visibility) {
        return None;
    }
    let reachable = |id: &str| -> Option<Reachable<'c>> {
        let person = &corpus.person(id)?.item;
        sees(person.visibility).then(|| Reachable {
            person,
            phones: phones(&person.channels),
        })
    };
    Some(RoleReach {
        role,
        holders: role
            .held_by
            .iter()
            .filter_map(|h| reachable(&h.value.id))
            .collect(),
        deputy: role.deputy.as_ref().and_then(|d| reachable(&d.value.id)),
    })
}

/// The phone and mobile channels of `channels`, with their `tel:` URIs.
pub fn phones(channels: &[Channel]) -> Vec<Phone<'_>> {
    channels
        .iter()
        .filter(|c| matches!(c.kind, ChannelKind::Phone | ChannelKind::Mobile))
        .map(|channel| Phone {
            channel,
            tel: tel_uri(&channel.value),
        })
        .collect()
}

/// The `tel:` URI of a written number: full-width digits made ASCII, separators dropped,
/// anything after the number (`（内線 100）`) ignored.
pub fn tel_uri(value: &str) -> String {
    let number: String = value
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '＋' => '+',
            _ => c,
        })
        .take_while(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'))
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    format!("tel:{number}")
}
