//! One page per regulation document (`doc-ID.html`) and runbook (`runbook-ID.html`).

use super::*;
use crate::model::Sourced;

/// Where each link of a document's body goes for this audience: with the document's own
/// source file (its Markdown, hence its headings' anchors), everything its rendered body is
/// made from. The renderer and the sanitiser are the running kitei's (in every page key).
fn link_targets(key: &mut reuse::KeyBuilder, targets: &[(&str, Target)]) {
    key.part(&(targets.len() as u64).to_le_bytes());
    for (dest, target) in targets {
        key.part(dest.as_bytes());
        match target {
            Target::Page(url) => key.part(b"page").part(url.as_bytes()),
            Target::External => key.part(b"external"),
            Target::Unlinked => key.part(b"unlinked"),
            Target::Broken(why) => key.part(b"broken").part(why.as_bytes()),
        };
    }
}

impl<'a> Site<'a> {
    /// The digest of what a document's page may read of the other documents: each document's
    /// file, id, kind, visibility, title and anchors, in corpus order (where its links go, whom
    /// its owner names, which file holds its id), and of the versions (its revision rows and
    /// switcher) and the audience. A heading added anywhere changes it; a sentence does not.
    pub(super) fn document_facts(&self) -> reuse::Hash {
        use rayon::prelude::*;
        let per_document: Vec<reuse::Hash> = self
            .corpus
            .documents
            .par_iter()
            .map(|d| {
                let mut key = reuse::KeyBuilder::new("document-facts");
                let file = self.corpus.files.get(d.file).map(|f| f.rel_path.as_path());
                key.part(
                    file.unwrap_or(std::path::Path::new(""))
                        .as_os_str()
                        .as_encoded_bytes(),
                )
                .part(d.id().as_bytes())
                .json(&d.meta.kind.value)
                .json(&d.meta.visibility)
                .part(d.meta.title.as_bytes());
                key.part(&(d.headings.len() as u64).to_le_bytes());
                for h in &d.headings {
                    key.part(h.anchor.as_bytes());
                }
                key.finish()
            })
            .collect();
        let mut key = reuse::KeyBuilder::new("document-facts/all");
        key.part(self.audience.as_str().as_bytes())
            .json(&self.info.versions);
        for h in &per_document {
            key.part(h);
        }
        key.finish()
    }

    /// The digest of everything a document page's key is made from (see [`Site::document`]):
    /// the page's templates and the build's shared context, every input that is not a
    /// document, what it may read of the other documents ([`Site::document_facts`]) and its
    /// own source files. A page recorded under the same digest has the same key, found without
    /// resolving its links ([`reuse::PageMemo::key_for`]). `None` where the key has no
    /// digest of its sources either.
    fn document_quick(&self, sourced: &Sourced<Document>) -> Option<reuse::Hash> {
        let own = &self.corpus.files[self.corpus.document(sourced.item.id())?.file];
        let source = self.corpus.files.get(sourced.file)?;
        (!source.sha256.is_empty() && !own.sha256.is_empty()).then(|| {
            let mut key = reuse::KeyBuilder::new("document-page-quick");
            key.part(&self.base_key)
                .part(&self.non_document_inputs)
                .part(&self.document_facts)
                .part(source.rel_path.as_os_str().as_encoded_bytes())
                .part(source.sha256.as_bytes())
                .part(own.rel_path.as_os_str().as_encoded_bytes())
                .part(own.sha256.as_bytes());
            key.finish()
        })
    }

    /// Every document page this audience sees, in parallel.
    pub(super) fn documents(&self) {
        let audience = self.audience;
        let docs: Vec<&Sourced<Document>> = self
            .corpus
            .documents
            .iter()
            .filter(|d| audience.sees(d.meta.visibility))
            .collect();
        docs.par_iter().for_each(|doc| self.document(doc));
    }

    /// A document's page. Its key is made from its declared inputs (see
    /// [`Site::render_declared`]): the document's own source file, the page of the document
    /// found under its id (the receipt names that file's digest), what its references name and
    /// its revision rows, where each link of its body goes, and the digest of every file that
    /// is not a document ([`Site::non_document_inputs`]). Anything else this page shows must
    /// come from a file that is not a document, or be added to those inputs.
    pub(super) fn document(&self, sourced: &'a Sourced<Document>) {
        let doc = &sourced.item;
        let url = doc_url(doc);
        // Unchanged, as is everything it reads: the previous build's page, found without
        // working its key out again.
        let quick = self
            .memo
            .and_then(|memo| Some((memo, self.document_quick(sourced)?)));
        if let Some((memo, quick)) = quick
            && let Some(key) = memo.key_for(&url, &quick)
            && self.reused(&url, &doc.meta.title, Some((memo, key)))
        {
            memo.set_quick(&url, quick);
            memo.found_by_quick();
            return;
        }
        // Where every link of the body goes: the body's inputs beside its own text. The
        // Markdown is rendered only when the page cannot be reused.
        let targets: Vec<(&str, Target)> = doc
            .links
            .iter()
            .map(|l| (l.dest.as_str(), self.resolve_dest(&l.dest, doc)))
            .collect();
        let reusable = !targets.iter().any(|(_, t)| matches!(t, Target::Broken(_)));
        let m = &doc.meta;
        let revisions = self.revisions(doc);
        let owner = m.owner.as_ref().map(|r| self.ref_json(&r.value));
        let approved_by = m.approved_by.as_ref().map(|r| self.ref_json(&r.value));
        let inputs = self.memo.and_then(|_| {
            let own = &self.corpus.files[self.corpus.document(doc.id())?.file];
            let source = self.corpus.files.get(sourced.file)?;
            (!source.sha256.is_empty() && !own.sha256.is_empty()).then(|| {
                let mut key = reuse::KeyBuilder::new("document-page");
                key.part(&self.non_document_inputs)
                    .part(source.rel_path.as_os_str().as_encoded_bytes())
                    .part(source.sha256.as_bytes())
                    .part(own.sha256.as_bytes());
                link_targets(&mut key, &targets);
                key.json(&owner).json(&approved_by).json(&revisions);
                key.finish()
            })
        });
        let build = || {
            let (body, toc, clean) = self.document_body(doc, &targets);
            let page = json!({
                "id": doc.id(),
                "kind": match doc.kind() { DocKind::Regulation => "regulation", DocKind::Guideline => "guideline", DocKind::Runbook => "runbook" },
                "summary": m.summary,
                "version": m.version.as_ref().map(|v| v.value.clone()),
                "owner": owner,
                "approved_by": approved_by,
                "approved_on": m.approved_on.as_ref().map(|v| v.value.to_string()),
                "effective_on": m.effective_on.as_ref().map(|v| v.value.to_string()),
                "review_every": m.review_every.as_ref().map(|v| self.period(v.value)),
                "changes": m.changes.iter().map(|c| json!({
                    "version": c.version,
                    "approved_on": c.approved_on.as_ref().map(|v| v.value.to_string()),
                    "effective_on": c.effective_on.as_ref().map(|v| v.value.to_string()),
                    "summary": c.summary,
                })).collect::<Vec<_>>(),
                "revisions": revisions,
                "incident_types": m.incident_types.iter().map(|t| t.value.clone()).collect::<Vec<_>>(),
                "incident_type_names": m.incident_types.iter().map(|t| self.type_names.name(&t.value)).collect::<Vec<_>>(),
                "severity_min": m.severity_min,
                "phases": PHASES
                    .iter()
                    .filter(|p| doc.anchor(p).is_some())
                    .map(|p| json!({"anchor": p, "label": self.t(&format!("phase_{p}"))}))
                    .collect::<Vec<_>>(),
                "toc": toc,
                "contacts": if doc.kind() == DocKind::Runbook { self.runbook_contacts(doc) } else { Vec::new() },
                "body": body,
                "receipt": self.receipt_json(doc),
                "pdf": self.pdf_link(&pdf_file_name(doc)),
            });
            (page, clean)
        };
        let (template, nav) = if doc.kind() == DocKind::Runbook {
            ("runbook.html", "runbooks")
        } else {
            ("document.html", "regulation")
        };
        // Without a digest of its source (never for a loaded document), or without a memo,
        // the page is rendered and not recorded.
        self.render_declared(
            template,
            &url,
            &m.title,
            nav,
            &inputs.unwrap_or_default(),
            reusable && inputs.is_some(),
            &build,
        );
        // Recorded only when its key covers everything it shows.
        if let Some((memo, quick)) = quick {
            memo.set_quick(&url, quick);
        }
    }

    /// A document's body in HTML, its table of contents, and false when rendering it reported
    /// errors. Every link the renderer meets was resolved into `targets` (the loader collects
    /// the links with the same parser); one that was not is resolved now and reported as an
    /// error-free but unclean render, since the page's key did not cover it.
    fn document_body(&self, doc: &Document, targets: &[(&str, Target)]) -> (Value, Value, bool) {
        let mut errors = Vec::new();
        let covered = std::cell::Cell::new(true);
        let resolve = |dest: &str| match targets.iter().find(|(d, _)| *d == dest) {
            Some((_, t)) => t.clone(),
            None => {
                covered.set(false);
                self.resolve_dest(dest, doc)
            }
        };
        let rendered = markdown::render(doc, &resolve, &mut errors);
        let clean = errors.is_empty() && covered.get();
        for e in errors {
            self.error(e);
        }
        let toc: Vec<Value> = doc
            .headings
            .iter()
            .filter(|h| h.level <= 3)
            .map(|h| json!({"level": h.level, "anchor": h.anchor, "text": h.text, "clause": h.clause_number}))
            .collect();
        (Value::String(rendered.html), Value::Array(toc), clean)
    }

    /// The contact block of a runbook: every role its steps name (`role:` links, in order of
    /// first mention) with holders and deputy and their `tel:` links, from
    /// [`crate::model::reach::roles_named`] (the list the runbook's PDF prints too).
    pub(super) fn runbook_contacts(&self, doc: &Document) -> Vec<Value> {
        let person = |r: &Reachable| {
            json!({
                "id": r.person.id.value,
                "name": r.person.name,
                "phones": r.phones.iter().map(|p| json!({
                    "label": self.t(match p.channel.kind { ChannelKind::Mobile => "channel_mobile", _ => "channel_phone" }),
                    "value": p.channel.value,
                    "href": p.tel,
                })).collect::<Vec<_>>(),
            })
        };
        roles_named(self.corpus, doc, |v| self.audience.sees(v))
            .iter()
            .map(|reach| {
                json!({
                    "id": reach.role.id.value,
                    "name": reach.role.name,
                    "url": format!("contacts.html#role-{}", reach.role.id.value),
                    "holders": reach.holders.iter().map(person).collect::<Vec<_>>(),
                    "deputy": reach.deputy.as_ref().map(person),
                })
            })
            .collect()
    }

    /// The "I have read this revision" button of a versioned document the roster binds, when
    /// `[acknowledgements] receipt_to` names the mailbox: a `mailto:` whose body carries the
    /// document, the version and the SHA-256 of the source this page was built from.
    fn receipt_json(&self, doc: &Document) -> Value {
        let (Some(to), Some(version)) = (
            &self.project.config.acknowledgements.receipt_to,
            &doc.meta.version,
        ) else {
            return Value::Null;
        };
        let bound = self
            .corpus
            .bindings
            .iter()
            .any(|b| b.document.value.id == doc.id());
        let Some(sourced) = self.corpus.document(doc.id()).filter(|_| bound) else {
            return Value::Null;
        };
        let receipt = crate::model::receipt::Receipt {
            document: doc.id().to_string(),
            release: version.value.clone(),
            page_sha256: self.corpus.files[sourced.file].sha256.clone(),
            person: String::new(),
        };
        let subject = format!(
            "{} {} {}",
            self.t("ack_receipt_subject"),
            doc.meta.title,
            version.value
        );
        json!({
            "href": receipt.mailto(to, &subject, self.t("ack_receipt_instruction")),
            "label": self.t("ack_button"),
            "help": self.t("ack_button_help"),
        })
    }

    /// The document's revision history (改訂履歴) from the releases and its front matter,
    /// with the approver resolved to a name and link.
    pub(super) fn revisions(&self, doc: &Document) -> Vec<Value> {
        let Some(rows) = self.info.versions.revisions.get(doc.id()) else {
            return Vec::new();
        };
        rows.iter()
            .map(|r| {
                let approved_by = r
                    .approved_by
                    .as_deref()
                    .and_then(|a| a.parse::<Ref>().ok())
                    .map(|a| self.ref_json(&a));
                json!({
                    "version": r.version,
                    "release": r.release,
                    "approved_on": r.approved_on,
                    "effective_on": r.effective_on,
                    "approved_by": approved_by,
                    "summary": r.summary,
                    "compare_href": r.compare_href,
                    "notice_href": r.notice_href,
                    "draft": r.draft,
                })
            })
            .collect()
    }
}
