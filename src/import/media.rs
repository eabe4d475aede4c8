//! `tribune import wordpress --fetch-media`: the export's attachments
//! (`wp:attachment_url`) fetched into the media library before the import's
//! transaction opens (a fetch is slow and SQLite has one writer), then every post's
//! addresses of them moved to their files here. An import that fails afterwards takes
//! away the files it fetched, so the site is as it was.

use std::collections::HashMap;
use std::path::Path;

use super::{wxr, ImportError};
use crate::domain::media::{self, Picture};
use crate::i18n::Message;
use crate::media::Library;
use crate::store::MediaRow;

/// What was fetched, for the posts that show it.
#[derive(Default)]
pub struct Fetched {
    /// By the attachment's post id in the export (for `_thumbnail_id`).
    pub by_post_id: HashMap<String, MediaRow>,
    /// (address in the export, address here).
    pub moved: Vec<(String, String)>,
    /// Images by hash, as posts show them.
    pub pictures: HashMap<String, Picture>,
    /// Rows this run added (removed again if the import fails).
    pub added: Vec<i64>,
    /// Attachments that could not be fetched: (label, reason).
    pub failed: Vec<(Message, Message)>,
}

impl Fetched {
    /// A post's HTML with the fetched files' addresses moved here (before rendering).
    pub fn rewrite(&self, html: &str) -> String {
        if self.moved.is_empty() {
            return html.to_string();
        }
        media::rewrite_attachment_urls(html, &self.moved)
    }

    /// Rendered HTML with the library's images given their copies.
    pub fn responsive(&self, html: String) -> String {
        if self.pictures.is_empty() {
            return html;
        }
        media::responsive_images(&html, &self.pictures)
    }

    /// The library rows `html` (and the featured image) show.
    pub fn uses(&self, html: &str, featured: Option<i64>) -> Vec<i64> {
        let mut ids: Vec<i64> = media::hashes_in(html)
            .iter()
            .filter_map(|h| {
                self.by_post_id
                    .values()
                    .find(|m| &m.hash == h)
                    .map(|m| m.id)
            })
            .collect();
        ids.extend(featured);
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// Reads the export once for its attachments and fetches each into `library`.
pub async fn fetch_attachments(
    path: &Path,
    library: &Library,
    http: &reqwest::Client,
) -> Result<Fetched, ImportError> {
    let mut reader = wxr::WxrReader::open(path)?;
    let mut fetched = Fetched::default();
    while let Some(record) = reader.next_record()? {
        let wxr::Record::Item(item) = record else {
            continue;
        };
        if item.post_type != "attachment" || item.attachment_url.is_empty() {
            continue;
        }
        let url = item.attachment_url.clone();
        let label = Message::new("import-label-attachment")
            .number("line", item.line)
            .arg("url", url.as_str());
        let known = library.store().media_by_source(&url).await?.is_some();
        match library.fetch(http, &url, &item.alt, None).await {
            Ok(row) => {
                if !known && !fetched.by_post_id.values().any(|m| m.id == row.id) {
                    fetched.added.push(row.id);
                }
                fetched.moved.push((url, row.url()));
                if let Some(p) = row.picture() {
                    fetched.pictures.insert(row.hash.clone(), p);
                }
                fetched.by_post_id.insert(item.id.clone(), row);
            }
            Err(e) => {
                let reason = match &e {
                    crate::media::MediaError::Refused(p) => p.message(),
                    crate::media::MediaError::Fetch { reason, .. } => {
                        Message::new("import-note-media-failed").arg("reason", reason.as_str())
                    }
                    other => {
                        Message::new("import-note-media-failed").arg("reason", other.to_string())
                    }
                };
                fetched.failed.push((reason, label));
            }
        }
    }
    // Longer addresses first, so `photo.jpg` never takes part of `photo.jpg.webp`.
    fetched.moved.sort_by_key(|m| std::cmp::Reverse(m.0.len()));
    Ok(fetched)
}

/// After a failed import: the files this run added go again (no post uses them).
pub async fn undo(library: &Library, fetched: &Fetched) {
    for &id in &fetched.added {
        if let Err(e) = library.remove(id).await {
            tracing::warn!(media = id, error = %e, "a fetched file could not be removed");
        }
    }
}
