//! Who answers for a role, as one audience may see it: the holders, the deputy and their phone
//! numbers. Shared by everything that prints a contact block (the runbook and contact-sheet
//! PDFs; the site's runbook pages can use it too), so the block is the same everywhere and
//! the audience rule is applied in one place: a hidden role has no block, a hidden person is
//! left out of every block.

use super::Audience;
use crate::model::tables::{Channel, ChannelKind, Person, Role};
use crate::model::{Corpus, Document, Ref, RefKind};

/// The contact block of one role.
#[derive(Debug)]
pub struct RoleContacts<'a> {
    pub role: &'a Role,
    /// The people holding the role (a committee: the holders of its chair), visible ones only.
    pub holders: Vec<&'a Person>,
    /// The deputy, when there is one and this audience may see them.
    pub deputy: Option<&'a Person>,
}

/// The block of role `id`, or `None` when there is no such role or the audience may not see it.
pub fn role_contacts<'a>(
    corpus: &'a Corpus,
    audience: Audience,
    id: &str,
) -> Option<RoleContacts<'a>> {
    let role = &corpus.role(id)?.item;
    if !audience.sees(role.visibility) {
        return None;
    }
    let person = |r: &Ref| {
        corpus
            .person(&r.id)
            .map(|p| &p.item)
            .filter(|p| audience.sees(p.visibility))
    };
    let mut holders: Vec<&Person> = role
        .held_by
        .iter()
        .filter_map(|h| person(&h.value))
        .collect();
    if holders.is_empty()
        && let Some(chair) = &role.chair
        && let Some(chair_role) = corpus.role(&chair.value.id)
        && audience.sees(chair_role.visibility)
    {
        holders = chair_role
            .held_by
            .iter()
            .filter_map(|h| person(&h.value))
            .collect();
    }
    Some(RoleContacts {
        role,
        holders,
        deputy: role.deputy.as_ref().and_then(|d| person(&d.value)),
    })
}

/// A person's telephone channels (desk first, then mobile), in the order written.
pub fn phones(person: &Person) -> impl Iterator<Item = &Channel> {
    let desk = person
        .channels
        .iter()
        .filter(|c| c.kind == ChannelKind::Phone);
    let mobile = person
        .channels
        .iter()
        .filter(|c| c.kind == ChannelKind::Mobile);
    desk.chain(mobile)
}

/// The roles a document names (its owner, then `role:` links), in order of first mention,
/// each once.
pub fn roles_named(doc: &Document) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let owner = doc.meta.owner.as_ref().map(|o| o.value.clone());
    let linked = doc.links.iter().filter_map(|l| l.dest.parse::<Ref>().ok());
    for r in owner.into_iter().chain(linked) {
        if r.kind == RefKind::Role && !ids.contains(&r.id) {
            ids.push(r.id);
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Corpus {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let project = crate::config::Project::open(root).unwrap();
        crate::source::load(&project).unwrap().corpus
    }

    #[test]
    fn a_role_block_has_holders_deputy_and_phones_and_hides_what_the_audience_may_not_see() {
        let mut corpus = example();
        let block = role_contacts(&corpus, Audience::Employees, "ciso").unwrap();
        assert_eq!(block.role.name, "情報セキュリティ責任者");
        assert_eq!(block.holders.len(), 1);
        assert!(block.deputy.is_some());
        let kinds: Vec<ChannelKind> = phones(block.holders[0]).map(|c| c.kind).collect();
        assert_eq!(kinds.first(), Some(&ChannelKind::Phone));
        assert!(kinds.contains(&ChannelKind::Mobile));
        // A committee answers through its chair's holders.
        let committee = role_contacts(&corpus, Audience::Employees, "security-committee").unwrap();
        assert_eq!(committee.holders.len(), 1);
        // Hidden role: no block; hidden deputy: left out.
        let deputy = block.deputy.unwrap().id.value.clone();
        for p in corpus.people.iter_mut() {
            if p.id.value == deputy {
                p.item.visibility = crate::model::Visibility::Restricted;
            }
        }
        for r in corpus.roles.iter_mut() {
            if r.id.value == "legal" {
                r.item.visibility = crate::model::Visibility::Restricted;
            }
        }
        assert!(role_contacts(&corpus, Audience::Employees, "legal").is_none());
        assert!(role_contacts(&corpus, Audience::Restricted, "legal").is_some());
        let block = role_contacts(&corpus, Audience::Employees, "ciso").unwrap();
        assert!(block.deputy.is_none());
        assert!(role_contacts(&corpus, Audience::Employees, "no-such-role").is_none());
    }
}
