//! Who answers for a role, and on which numbers: its holders, then its deputy, each with their
//! phone and mobile channels and `tel:` URIs. One resolution for every output that prints
//! numbers next to a role (the site's runbook contact blocks and contact sheet, a PDF of a
//! runbook), so they cannot disagree about whom to call.

use super::tables::{Channel, ChannelKind, Person, Role};
use super::values::{Ref, RefKind, Visibility};
use super::{Corpus, Document};

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

/// The contact blocks of a runbook (or any document): every role its text names (`role:`
/// links, in order of first mention, each once) that `sees` allows, committees left out (a
/// committee is not called; its members' roles are). The site's runbook page and the
/// runbook's PDF both print exactly this list.
pub fn roles_named<'c>(
    corpus: &'c Corpus,
    doc: &Document,
    sees: impl Fn(Visibility) -> bool,
) -> Vec<RoleReach<'c>> {
    let mut seen = std::collections::HashSet::new();
    doc.links
        .iter()
        .filter_map(|l| l.dest.parse::<Ref>().ok())
        .filter(|r| r.kind == RefKind::Role && seen.insert(r.id.clone()))
        .filter_map(|r| role_reach(corpus, &r.id, &sees))
        .filter(|reach| !reach.role.committee)
        .collect()
}

/// The contact sheet's roles: every role that is not a committee and that `sees` allows, in
/// the order roles.yaml lists them (the site's contacts page and the contact-sheet PDF).
pub fn contact_sheet<'c>(
    corpus: &'c Corpus,
    sees: impl Fn(Visibility) -> bool,
) -> Vec<RoleReach<'c>> {
    corpus
        .roles
        .iter()
        .filter(|r| !r.committee)
        .filter_map(|r| role_reach(corpus, &r.id.value, &sees))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DocKind;

    fn example() -> Corpus {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let project = crate::config::Project::open(root).unwrap();
        crate::source::load(&project).unwrap().corpus
    }

    fn employees(v: Visibility) -> bool {
        v != Visibility::Restricted
    }

    #[test]
    fn a_role_has_holders_deputy_and_phones_and_hides_what_the_reader_may_not_see() {
        let mut corpus = example();
        let ciso = role_reach(&corpus, "ciso", employees).unwrap();
        assert_eq!(ciso.holders.len(), 1);
        let kinds: Vec<ChannelKind> = ciso.holders[0]
            .phones
            .iter()
            .map(|p| p.channel.kind)
            .collect();
        assert!(kinds.contains(&ChannelKind::Phone) && kinds.contains(&ChannelKind::Mobile));
        assert!(
            ciso.holders[0]
                .phones
                .iter()
                .all(|p| p.tel.len() > "tel:".len())
        );
        let deputy = ciso
            .deputy
            .expect("ciso has a deputy")
            .person
            .id
            .value
            .clone();
        // Hide the deputy and the legal role from employees.
        for p in corpus.people.iter_mut() {
            if p.id.value == deputy {
                p.item.visibility = Visibility::Restricted;
            }
        }
        for r in corpus.roles.iter_mut() {
            if r.id.value == "legal" {
                r.item.visibility = Visibility::Restricted;
            }
        }
        assert!(role_reach(&corpus, "legal", employees).is_none());
        assert!(role_reach(&corpus, "legal", |_| true).is_some());
        assert!(
            role_reach(&corpus, "ciso", employees)
                .unwrap()
                .deputy
                .is_none()
        );
        assert!(role_reach(&corpus, "no-such-role", |_| true).is_none());
        assert!(
            contact_sheet(&corpus, employees)
                .iter()
                .all(|r| r.role.id.value != "legal")
        );
        assert!(
            contact_sheet(&corpus, |_| true)
                .iter()
                .any(|r| r.role.id.value == "legal")
        );
    }

    #[test]
    fn a_runbook_names_its_roles_once_in_order_without_committees() {
        let corpus = example();
        for doc in corpus
            .documents
            .iter()
            .filter(|d| d.kind() == DocKind::Runbook)
        {
            let named = roles_named(&corpus, doc, |_| true);
            assert!(named.len() >= 2, "{}", doc.id());
            let ids: Vec<&str> = named.iter().map(|r| r.role.id.value.as_str()).collect();
            let unique: std::collections::HashSet<&str> = ids.iter().copied().collect();
            assert_eq!(unique.len(), ids.len(), "{}: {ids:?}", doc.id());
            assert!(named.iter().all(|r| !r.role.committee));
            // First mention order: each id's first `role:` link comes before the next one's.
            let first = |id: &str| {
                doc.links
                    .iter()
                    .position(|l| l.dest.parse::<Ref>().is_ok_and(|r| r.id == id))
                    .unwrap()
            };
            assert!(ids.windows(2).all(|w| first(w[0]) < first(w[1])), "{ids:?}");
        }
    }
}
