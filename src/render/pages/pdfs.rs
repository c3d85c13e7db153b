//! The PDFs of the site (`pdf/`): typeset by [`crate::render::pdf`] for the site's audience
//! when the build asks for them ([`crate::render::BuildInfo::pdf`]), and linked from the page
//! of each document, runbook and the contact table, and (the 新旧対照表 of each release) from
//! the release's change notice and comparison pages.

use super::*;

/// `doc-ID.pdf` / `runbook-ID.pdf`: the document's page name with `.pdf`.
pub fn pdf_file_name(doc: &Document) -> String {
    let page = doc_url(doc);
    format!("{}.pdf", page.strip_suffix(".html").unwrap_or(&page))
}

impl<'a> Site<'a> {
    /// The link to the PDF `name` under `pdf/`, when this build has PDFs.
    pub(super) fn pdf_link(&self, name: &str) -> Option<String> {
        (cfg!(feature = "pdf") && self.info.pdf).then(|| format!("pdf/{name}"))
    }

    /// Typesets every PDF of this audience into `pdf/`.
    pub(super) fn pdfs(&self) {
        #[cfg(feature = "pdf")]
        if self.info.pdf {
            let pdfs = crate::render::pdf::Pdfs::new(
                self.project,
                self.corpus,
                self.audience,
                self.info.as_of,
            );
            // Each PDF goes to the sink as soon as it is typeset (at 10,000 documents they
            // are gigabytes together).
            let put = |f: crate::render::pdf::PdfFile| {
                self.sink.put(&format!("pdf/{}", f.name), f.bytes);
                Ok(())
            };
            let made = pdfs.map_err(|e| vec![e]).and_then(|p| {
                p.each(&put)?;
                crate::render::pdf::typeset_each(&self.info.versions.comparisons, |c| {
                    p.comparison(&c.changes, &c.old, &c.new, c.draft, c.file.clone())
                        .and_then(put)
                })
            });
            if let Err(errors) = made {
                errors.into_iter().for_each(|e| self.error(e));
            }
        }
    }
}
