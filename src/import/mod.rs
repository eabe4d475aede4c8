//! Moving in: WordPress (WXR) and Disqus exports, read as a stream and written in one
//! transaction, so memory stays flat whatever the file size and a bad file changes
//! nothing. Every imported row keeps its original id, so an import can run again.
//!
//! The readers (`wxr`, `disqus`) turn XML into records; this module decides what each
//! record becomes (statuses, slugs, authors, what is skipped and why) and writes it.

pub mod disqus;
pub mod media;
mod report;
pub mod wxr;
pub mod xml;

pub use report::{ImportError, Report, Tally};

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::domain::comment::{CommentKind, CommentStatus};
use crate::domain::html;
use crate::domain::post::{slugify, valid_slug, BodyFormat, PostKind, PostStatus};
use crate::domain::term::TermKind;
use crate::i18n::Message;
use crate::store::{ImportTx, ImportedComment, ImportedPost, Store};

/// Called with (bytes read, file size) as the import goes.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// What to do with a WordPress `wp:status`: Tribune's status, or why it is skipped.
pub fn post_status(wp: &str) -> Result<PostStatus, Message> {
    match wp {
        "publish" | "future" => Ok(PostStatus::Published),
        "draft" | "pending" | "auto-draft" | "" => Ok(PostStatus::Draft),
        "private" => Ok(PostStatus::Private),
        "trash" => Err(Message::new("import-skip-trash")),
        "inherit" => Err(Message::new("import-skip-revision")),
        _ => Ok(PostStatus::Draft),
    }
}

/// What to do with a WordPress `comment_approved`.
pub fn comment_status(wp: &str) -> CommentStatus {
    match wp {
        "1" | "approve" | "approved" => CommentStatus::Approved,
        "spam" => CommentStatus::Spam,
        "trash" | "post-trashed" => CommentStatus::Trash,
        _ => CommentStatus::Pending,
    }
}

/// A slug as WordPress stores it (percent-encoded for non-Latin scripts), made usable.
pub fn clean_slug(raw: &str, title: &str, fallback: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(raw.trim())
        .decode_utf8_lossy()
        .to_lowercase();
    if valid_slug(&decoded) {
        return decoded;
    }
    let from = if decoded.is_empty() { title } else { &decoded };
    let slug = slugify(from);
    if slug.is_empty() {
        fallback.to_string()
    } else {
        slug
    }
}

fn http_url(url: &str) -> Option<String> {
    let url = url.trim();
    (url.starts_with("http://") || url.starts_with("https://")).then(|| url.to_string())
}

/// The language imported posts get: `forced` for all, else a post's own (Polylang's
/// language term), else the one its text is clearly written in
/// (`domain::language_guess`), else the export's `<language>`, else `fallback` (the
/// site's).
#[derive(Debug, Clone)]
pub struct Languages {
    pub forced: Option<String>,
    pub fallback: String,
}

/// Commits the import's transaction — or, on an error or a dry run, rolls it back.
async fn finish(
    tx: ImportTx,
    result: Result<Report, ImportError>,
    dry_run: bool,
) -> Result<Report, ImportError> {
    match result {
        Ok(report) if !dry_run => {
            tx.commit().await?;
            Ok(report)
        }
        other => {
            let _ = tx.rollback().await;
            other
        }
    }
}

/// When the site's spam filter has learned enough to decide, every imported comment
/// gets its score as a note (shown in the queue); its status stays the one it had —
/// an imported comment is never sent to spam by a score. A filter that has learned
/// nothing (a new site moving in) costs the import nothing.
async fn scored(store: &Store, tx: &mut ImportTx) -> Result<(), ImportError> {
    let filter = crate::filter::Filter::default();
    filter.refresh(store).await?;
    let model = filter.model();
    if !model.decides() {
        return Ok(());
    }
    tx.score_with(Box::new(move |c| {
        let submission = crate::domain::discussion::Submission {
            body: &c.body,
            name: &c.author_name,
            email: &c.author_email,
            url: c.author_url.as_deref().unwrap_or(""),
            ip: &c.ip,
            user_agent: &c.user_agent,
        };
        let score = model.score(&crate::domain::spam_filter::features(&submission))?;
        crate::domain::moderation_note::ModerationNote {
            score: Some(score),
            ..Default::default()
        }
        .to_stored()
    }));
    Ok(())
}

/// Imports a WordPress export into `store`. On any error nothing is written; with
/// `dry_run`, nothing is written either, and the report says what would have been.
/// With `fetch` (not in a dry run), the export's attachments are fetched into the media
/// library first and the posts show them from here.
pub async fn wordpress(
    store: &Store,
    path: &Path,
    languages: &Languages,
    dry_run: bool,
    progress: Progress<'_>,
    fetch: Option<(&crate::media::Library, &reqwest::Client)>,
) -> Result<Report, ImportError> {
    let mut reader = wxr::WxrReader::open(path)?;
    let fetched = match fetch {
        Some((library, http)) if !dry_run => media::fetch_attachments(path, library, http).await?,
        _ => media::Fetched::default(),
    };
    let fetching = fetch.is_some() && !dry_run;
    let result = async {
        let mut tx = store.begin_import().await?;
        scored(store, &mut tx).await?;
        let result = wordpress_into(
            &mut tx,
            &mut reader,
            languages,
            progress,
            &fetched,
            fetching,
        )
        .await;
        finish(tx, result, dry_run).await
    }
    .await;
    if result.is_err() {
        if let Some((library, _)) = fetch {
            media::undo(library, &fetched).await;
        }
    }
    result
}

async fn wordpress_into(
    tx: &mut ImportTx,
    reader: &mut wxr::WxrReader,
    languages: &Languages,
    progress: Progress<'_>,
    fetched: &media::Fetched,
    fetching: bool,
) -> Result<Report, ImportError> {
    let mut report = Report {
        media: fetched.by_post_id.len() as u64,
        ..Report::default()
    };
    for (reason, label) in &fetched.failed {
        report.note(reason.clone(), label.clone());
    }
    let users_before = tx.count_users().await?;
    let mut source = String::from("wordpress:unknown");
    let mut lang = languages.fallback.clone();
    let mut authors: HashMap<String, i64> = HashMap::new();
    let mut terms: HashMap<(TermKind, String), i64> = HashMap::new();
    // The post whose comments are being read.
    let mut current: Option<CurrentPost> = None;
    let size = reader.size();
    while let Some(record) = reader.next_record()? {
        match record {
            wxr::Record::Channel(c) => {
                let site = if c.base_site_url.is_empty() {
                    c.link.clone()
                } else {
                    c.base_site_url.clone()
                };
                source = format!("wordpress:{}", site.trim_end_matches('/'));
                if crate::i18n::valid_language_tag(&c.language) {
                    lang = c.language.clone();
                }
                if let Some(forced) = &languages.forced {
                    lang = forced.clone();
                }
            }
            wxr::Record::Author(a) => {
                let id = tx.author(&a.login, &a.email, &a.display_name).await?;
                authors.insert(a.login, id);
            }
            wxr::Record::Term(t) => {
                term_id(tx, &mut report, &mut terms, &t).await?;
            }
            wxr::Record::Item(item) => {
                // `lang` is already the forced language when there is one.
                let post_lang = match &item.language {
                    Some(own)
                        if languages.forced.is_none() && crate::i18n::valid_language_tag(own) =>
                    {
                        own.clone()
                    }
                    _ if languages.forced.is_none() => {
                        let text = format!("{} {}", item.title, html::plain_text(&item.content));
                        match crate::domain::language_guess::guess(&text) {
                            // The export's language said nothing about this post.
                            Some(guessed)
                                if crate::i18n::shipped(&lang).map(|l| l.tag) != Some(guessed) =>
                            {
                                report.note(
                                    Message::new("import-note-language").arg("what", guessed),
                                    Message::new("import-label-line")
                                        .number("line", item.line)
                                        .arg("title", item.title.trim()),
                                );
                                guessed.to_string()
                            }
                            _ => lang.clone(),
                        }
                    }
                    _ => lang.clone(),
                };
                current = import_post(
                    tx,
                    &mut report,
                    Target {
                        source: &source,
                        lang: &post_lang,
                        fetched,
                        fetching,
                    },
                    &mut authors,
                    &mut terms,
                    *item,
                )
                .await?;
                progress(reader.position(), size);
            }
            wxr::Record::Comment(c) => match &current {
                Some(post) => import_comment(tx, &mut report, &source, post, *c).await?,
                None => report.skip(
                    Message::new("import-skip-parent-skipped"),
                    Message::new("import-label-comment")
                        .number("line", c.line)
                        .arg("id", c.id.as_str()),
                ),
            },
            wxr::Record::ItemEnd => current = None,
        }
    }
    finish_comments(tx, &mut report, std::slice::from_ref(&source)).await?;
    report.users = (tx.count_users().await? - users_before).max(0) as u64;
    progress(size, size);
    Ok(report)
}

/// Once every comment of the file is queued: counts them, links replies to their parents
/// (listing those whose parent is not in the file) and recounts the posts.
async fn finish_comments(
    tx: &mut ImportTx,
    report: &mut Report,
    sources: &[String],
) -> Result<(), ImportError> {
    let (written, already) = tx.comment_totals().await?;
    report.comments += written;
    report.already_imported += already;
    for source in sources {
        for id in tx.resolve_parents(source).await? {
            report.note(
                Message::new("import-note-orphan-reply"),
                Message::new("import-label-comment-id").arg("id", id.as_str()),
            );
        }
        tx.recount(source).await?;
    }
    Ok(())
}

/// A category or tag's id here, created the first time the file names it.
async fn term_id(
    tx: &mut ImportTx,
    report: &mut Report,
    terms: &mut HashMap<(TermKind, String), i64>,
    t: &wxr::Term,
) -> Result<i64, ImportError> {
    let key = (t.kind, t.slug.clone());
    if let Some(id) = terms.get(&key) {
        return Ok(*id);
    }
    let (id, created) = tx
        .term(t.kind, &t.slug, &t.name, t.parent.as_deref())
        .await?;
    terms.insert(key, id);
    report.terms += created as u64;
    Ok(id)
}

/// The post comments are being added to.
struct CurrentPost {
    id: i64,
    title: String,
    date: Option<i64>,
}

/// Where a post goes: its source, its language, the files fetched for it.
struct Target<'a> {
    source: &'a str,
    lang: &'a str,
    fetched: &'a media::Fetched,
    /// Attachments were fetched (they are not "skipped").
    fetching: bool,
}

/// Writes one post or page (unless it is here already); `None` if it is skipped.
async fn import_post(
    tx: &mut ImportTx,
    report: &mut Report,
    target: Target<'_>,
    authors: &mut HashMap<String, i64>,
    terms: &mut HashMap<(TermKind, String), i64>,
    item: wxr::Item,
) -> Result<Option<CurrentPost>, ImportError> {
    let label = Message::new("import-label-item").number("line", item.line);
    let label = match item.post_type.as_str() {
        // WordPress's own types by their names in the reader's language.
        known @ ("post" | "page" | "attachment") => {
            label.arg_key("type", format!("import-type-{known}"))
        }
        other => label.arg("type", other),
    }
    .arg("title", item.title.as_str());
    let kind = match item.post_type.as_str() {
        "post" => PostKind::Post,
        "page" => PostKind::Page,
        "attachment" => {
            if !target.fetching {
                report.skip(Message::new("import-skip-attachment"), label);
            }
            return Ok(None);
        }
        other => {
            report.skip(
                Message::new("import-skip-post-type").arg("what", other),
                label,
            );
            return Ok(None);
        }
    };
    if item.id.is_empty() {
        report.skip(Message::new("import-skip-no-post-id"), label);
        return Ok(None);
    }
    let mut status = match post_status(&item.status) {
        Ok(s) => s,
        Err(reason) => {
            report.skip(reason, label);
            return Ok(None);
        }
    };
    let (source, lang) = (target.source, target.lang);
    let post_id = match tx.imported_post(source, &item.id).await? {
        Some(id) => {
            report.already_imported += 1;
            id
        }
        None => {
            if !item.password.is_empty() && status == PostStatus::Published {
                status = PostStatus::Private;
                report.note(Message::new("import-note-password"), label.clone());
            }
            let author_id = author_for(tx, authors, &item.creator).await?;
            let fallback = format!("{kind}-{}", item.id);
            let mut slug = clean_slug(&item.slug, &item.title, &fallback);
            if tx.post_id_by_slug(&slug).await?.is_some() {
                let base = slug.clone();
                let mut n = 2;
                while tx.post_id_by_slug(&format!("{base}-{n}")).await?.is_some() {
                    n += 1;
                }
                slug = format!("{base}-{n}");
                report.note(
                    Message::new("import-note-slug-renamed"),
                    Message::new("import-label-renamed")
                        .message("label", label.clone())
                        .arg("old", base.as_str())
                        .arg("new", slug.as_str()),
                );
            }
            let now = crate::store::now();
            let date = item.date.unwrap_or_else(|| {
                report.note(Message::new("import-note-no-date"), label.clone());
                now
            });
            let title = if item.title.trim().is_empty() {
                "(no title)".to_string()
            } else {
                item.title.trim().to_string()
            };
            let content = target.fetched.rewrite(&item.content);
            let body_html = target.fetched.responsive(html::render_trusted(&content));
            let featured = item
                .thumbnail_id
                .as_ref()
                .and_then(|t| target.fetched.by_post_id.get(t))
                .filter(|m| m.kind == crate::domain::media::MediaKind::Image)
                .map(|m| m.id);
            let uses = target.fetched.uses(&body_html, featured);
            let post = ImportedPost {
                source: source.to_string(),
                import_id: item.id.clone(),
                kind,
                slug,
                title,
                excerpt: html::plain_text(&item.excerpt),
                body_html,
                body: content,
                featured_media_id: featured,
                guid: Some(item.guid.clone()),
                body_format: BodyFormat::Html,
                status,
                lang: lang.to_string(),
                author_id,
                comments_open: item.comment_status != "closed",
                published_at: (status != PostStatus::Draft).then_some(date),
                created_at: date,
            };
            let id = tx.insert_post(&post).await?;
            if !uses.is_empty() {
                tx.record_media_uses(id, &uses).await?;
            }
            if kind == PostKind::Page {
                report.pages += 1;
            } else {
                report.posts += 1;
            }
            id
        }
    };
    for t in &item.terms {
        let id = term_id(tx, report, terms, t).await?;
        tx.link_term(post_id, id).await?;
    }
    Ok(Some(CurrentPost {
        id: post_id,
        title: item.title,
        date: item.date,
    }))
}

async fn import_comment(
    tx: &mut ImportTx,
    report: &mut Report,
    source: &str,
    post: &CurrentPost,
    c: wxr::Comment,
) -> Result<(), ImportError> {
    let clabel = Message::new("import-label-comment-on")
        .number("line", c.line)
        .arg("id", c.id.as_str())
        .arg("title", post.title.as_str());
    if c.id.is_empty() {
        report.skip(Message::new("import-skip-no-comment-id"), clabel);
        return Ok(());
    }
    let Ok(kind) = c.kind.parse::<CommentKind>() else {
        let other = &c.kind;
        report.skip(
            Message::new("import-skip-comment-type").arg("what", other.as_str()),
            clabel,
        );
        return Ok(());
    };
    if c.content.trim().is_empty() {
        report.skip(Message::new("import-skip-empty-comment"), clabel);
        return Ok(());
    }
    let comment = ImportedComment {
        source: source.to_string(),
        import_id: c.id.clone(),
        import_parent_id: (c.parent != "0").then(|| c.parent.clone()),
        post_id: post.id,
        kind,
        status: comment_status(&c.approved),
        author_name: if c.author.trim().is_empty() {
            "Anonymous".to_string()
        } else {
            c.author.trim().to_string()
        },
        author_email: c.email.trim().to_string(),
        author_url: http_url(&c.url),
        body_html: html::render_imported_comment(&c.content),
        body: c.content,
        ip: c.ip,
        user_agent: c.agent,
        created_at: c.date.or(post.date).unwrap_or_else(crate::store::now),
    };
    tx.add_comment(comment).await?;
    Ok(())
}

async fn author_for(
    tx: &mut ImportTx,
    authors: &mut HashMap<String, i64>,
    login: &str,
) -> Result<i64, ImportError> {
    let login = if login.trim().is_empty() {
        "wordpress"
    } else {
        login.trim()
    };
    if let Some(id) = authors.get(login) {
        return Ok(*id);
    }
    // WXR 1.0 names authors only in <dc:creator>.
    let id = tx.author(login, "", login).await?;
    authors.insert(login.to_string(), id);
    Ok(id)
}

/// A Disqus thread's post here, found from its identifier or its URL.
async fn thread_post(
    tx: &mut ImportTx,
    thread: &disqus::Thread,
) -> Result<Option<i64>, ImportError> {
    // WordPress's Disqus plugin uses "123 https://example.org/?p=123".
    if let Some(first) = thread.identifier.split_whitespace().next() {
        if first.chars().all(|c| c.is_ascii_digit()) {
            if let Some(id) = tx.post_id_by_wordpress_id(first).await? {
                return Ok(Some(id));
            }
        }
    }
    let Ok(url) = url::Url::parse(thread.link.trim()) else {
        return Ok(None);
    };
    if let Some((_, p)) = url.query_pairs().find(|(k, _)| k == "p" || k == "page_id") {
        if let Some(id) = tx.post_id_by_wordpress_id(&p).await? {
            return Ok(Some(id));
        }
    }
    let segments: Vec<String> = url
        .path_segments()
        .map(|s| {
            s.filter(|s| !s.is_empty())
                .map(|s| {
                    percent_encoding::percent_decode_str(s)
                        .decode_utf8_lossy()
                        .into_owned()
                })
                .collect()
        })
        .unwrap_or_default();
    // /YYYY/MM/DD/slug/ or /slug/ (pages): the slug is the last segment.
    match segments.last() {
        Some(slug) => Ok(tx.post_id_by_slug(slug).await?),
        None => Ok(None),
    }
}

/// Imports a Disqus export, matching threads to posts by URL. On any error (or with
/// `dry_run`) nothing is written.
pub async fn disqus(
    store: &Store,
    path: &Path,
    dry_run: bool,
    progress: Progress<'_>,
) -> Result<Report, ImportError> {
    let mut reader = disqus::DisqusReader::open(path)?;
    let mut tx = store.begin_import().await?;
    scored(store, &mut tx).await?;
    let result = disqus_into(&mut tx, &mut reader, progress).await;
    finish(tx, result, dry_run).await
}

async fn disqus_into(
    tx: &mut ImportTx,
    reader: &mut disqus::DisqusReader,
    progress: Progress<'_>,
) -> Result<Report, ImportError> {
    let mut report = Report::default();
    // Thread id → (post here, source, link) — one small entry per thread.
    let mut threads: HashMap<String, (Option<i64>, String, String)> = HashMap::new();
    let mut unmatched: BTreeMap<String, u64> = BTreeMap::new();
    let mut sources: Vec<String> = Vec::new();
    let size = reader.size();
    while let Some(record) = reader.next_record()? {
        match record {
            disqus::Record::Thread(t) => {
                let post = thread_post(tx, &t).await?;
                let source = format!("disqus:{}", t.forum);
                if !sources.contains(&source) {
                    sources.push(source.clone());
                }
                threads.insert(t.id.clone(), (post, source, t.link.clone()));
            }
            disqus::Record::Post(p) => {
                let label = Message::new("import-label-comment")
                    .number("line", p.line)
                    .arg("id", p.id.as_str());
                let Some((post, source, link)) = threads.get(&p.thread) else {
                    report.skip(Message::new("import-skip-no-thread"), label);
                    continue;
                };
                let Some(post_id) = *post else {
                    *unmatched.entry(link.clone()).or_default() += 1;
                    continue;
                };
                if p.id.is_empty() {
                    report.skip(Message::new("import-skip-no-dsq-id"), label);
                    continue;
                }
                if p.message.is_empty() && !p.deleted {
                    report.skip(Message::new("import-skip-empty-comment"), label);
                    continue;
                }
                let status = if p.spam {
                    CommentStatus::Spam
                } else if p.deleted {
                    CommentStatus::Trash
                } else if !p.approved {
                    CommentStatus::Pending
                } else {
                    CommentStatus::Approved
                };
                let comment = ImportedComment {
                    source: source.clone(),
                    import_id: p.id.clone(),
                    import_parent_id: p.parent.clone(),
                    post_id,
                    kind: CommentKind::Comment,
                    status,
                    author_name: if p.name.trim().is_empty() {
                        if p.username.is_empty() {
                            "Anonymous".to_string()
                        } else {
                            p.username.clone()
                        }
                    } else {
                        p.name.trim().to_string()
                    },
                    author_email: p.email.clone(),
                    author_url: None,
                    body_html: html::render_imported_comment(&p.message),
                    body: p.message.clone(),
                    ip: p.ip.clone(),
                    user_agent: String::new(),
                    created_at: p.date.unwrap_or_else(crate::store::now),
                };
                tx.add_comment(comment).await?;
                progress(reader.position(), size);
            }
        }
    }
    for (link, n) in unmatched {
        report.skip_many(
            Message::new("import-skip-unmatched-thread"),
            n,
            Message::new("import-label-thread")
                .arg("link", link.as_str())
                .number("count", n),
        );
    }
    finish_comments(tx, &mut report, &sources).await?;
    progress(size, size);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
    }

    fn wxr_records(name: &str) -> Vec<wxr::Record> {
        let mut r = wxr::WxrReader::open(&fixture(name)).unwrap();
        let mut out = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            out.push(rec);
        }
        out
    }

    #[test]
    fn wxr_1_2_records_in_order_with_tricky_content() {
        let records = wxr_records("wxr-1.2.xml");
        let wxr::Record::Channel(c) = &records[0] else {
            panic!("channel first")
        };
        assert_eq!(c.wxr_version, "1.2");
        assert_eq!(c.language, "en-US");
        let authors: Vec<_> = records
            .iter()
            .filter_map(|r| match r {
                wxr::Record::Author(a) => Some(a.display_name.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(authors, ["Ada Lövlace", "كاروان"]);
        let terms = records
            .iter()
            .filter(|r| matches!(r, wxr::Record::Term(_)))
            .count();
        assert_eq!(
            terms, 3,
            "two categories and a tag; nav_menu terms are not ours"
        );
        let items: Vec<_> = records
            .iter()
            .filter_map(|r| match r {
                wxr::Record::Item(i) => Some(i),
                _ => None,
            })
            .collect();
        assert_eq!(items.len(), 6);
        let first = &items[0];
        assert_eq!(first.title, "Water for everyone – a statement");
        assert_eq!(first.date, Some(1_546_423_200), "post_date_gmt, not local");
        assert!(first.content.contains("A literal CDATA end: ]]> stays"));
        assert!(
            first.content.contains("&amp; overdue"),
            "CDATA is not unescaped"
        );
        assert!(first.content.contains("💧🌍"));
        assert_eq!(first.terms.len(), 3);
        let comments: Vec<_> = records
            .iter()
            .filter_map(|r| match r {
                wxr::Record::Comment(c) => Some(c),
                _ => None,
            })
            .collect();
        assert_eq!(comments.len(), 8);
        // Comments follow their item, and the item ends after them.
        assert!(matches!(records[6], wxr::Record::Item(_)));
        assert!(matches!(records[7], wxr::Record::Comment(_)));
        assert!(matches!(records[15], wxr::Record::ItemEnd));
        let reply = comments.iter().find(|c| c.id == "503").unwrap();
        assert_eq!(reply.parent, "501");
        assert_eq!(reply.author, "سارا");
        assert_eq!(reply.kind, "comment", "an empty type is a comment");
        let draft = &items[3];
        assert_eq!(draft.status, "draft", "WordPress's own status, as read");
        assert_eq!(
            draft.date,
            Some(1_551_434_400),
            "zero GMT date falls back to post_date"
        );
    }

    #[test]
    fn wxr_1_0_and_1_1_read() {
        for (name, title) in [
            ("wxr-1.0.xml", "Hello 2008"),
            ("wxr-1.1.xml", "مرحبا بالعالم"),
        ] {
            let items: Vec<_> = wxr_records(name)
                .into_iter()
                .filter_map(|r| match r {
                    wxr::Record::Item(i) => Some(i),
                    _ => None,
                })
                .collect();
            assert_eq!(items.len(), 1, "{name}");
            assert_eq!(items[0].title, title);
        }
    }

    #[test]
    fn disqus_threads_and_posts() {
        let mut r = disqus::DisqusReader::open(&fixture("disqus.xml")).unwrap();
        let (mut threads, mut posts) = (Vec::new(), Vec::new());
        while let Some(rec) = r.next_record().unwrap() {
            match rec {
                disqus::Record::Thread(t) => threads.push(t),
                disqus::Record::Post(p) => posts.push(p),
            }
        }
        assert_eq!(threads.len(), 3);
        assert_eq!(
            threads[0].identifier,
            "101 https://hawler.wordpress.com/?p=101"
        );
        assert_eq!(posts.len(), 6);
        assert_eq!(posts[1].parent.as_deref(), Some("880001"));
        assert!(posts[2].spam);
        assert!(posts[3].deleted);
        assert_eq!(posts[0].date, Some(1_546_768_800));
        assert_eq!(
            posts[0].message,
            "<p>From Disqus: great statement &amp; thanks.</p>"
        );
    }

    #[test]
    fn errors_name_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.xml");
        std::fs::write(
            &path,
            "<rss>\n<channel>\n<wp:wxr_version>1.2</wp:wxr_version>\n  <item><title>x</titel></item>\n</channel></rss>",
        )
        .unwrap();
        let mut r = wxr::WxrReader::open(&path).unwrap();
        let err = loop {
            match r.next_record() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("should fail"),
                Err(e) => break e,
            }
        };
        match err {
            ImportError::Xml { line, column, .. } => {
                assert_eq!((line, column), (4, 17), "where </titel> starts");
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn statuses_and_slugs() {
        assert_eq!(post_status("publish"), Ok(PostStatus::Published));
        assert_eq!(post_status("future"), Ok(PostStatus::Published));
        assert_eq!(post_status("pending"), Ok(PostStatus::Draft));
        assert!(post_status("trash").is_err());
        assert_eq!(comment_status("1"), CommentStatus::Approved);
        assert_eq!(comment_status("0"), CommentStatus::Pending);
        assert_eq!(comment_status("post-trashed"), CommentStatus::Trash);
        assert_eq!(clean_slug("%d8%a8%db%95", "", "x"), "بە");
        assert_eq!(clean_slug("", "Hello World", "x"), "hello-world");
        assert_eq!(clean_slug("", "", "post-7"), "post-7");
    }
}
