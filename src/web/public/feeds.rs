//! Feeds at WordPress's addresses, RSS 2.0 at `…/feed/` and Atom at `…/feed/atom/`:
//! the site, a language (`/ar/feed/`), a category or tag (`/category/x/feed/`), the
//! site's comments (`/comments/feed/`) and one post's (`/2026/12/02/slug/feed/`).
//!
//! A feed is the same bytes for every reader, so it is cached like a page (and
//! cleared with them), with an `ETag` and a `Last-Modified` for conditional GET.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

use super::{cached_response, moved_permanently, not_found_page, site_language};
use crate::domain::comment::Comment;
use crate::domain::feed::{self, Channel, Comments, Enclosure, Format, Item};
use crate::domain::post::{date_matches, Post, PostKind};
use crate::domain::term::TermKind;
use crate::i18n::{direction, plain, shipped, Language, SHIPPED};
use crate::store::{Listing, MediaRow};
use crate::web::cache::Shows;
use crate::web::error::AppResult;
use crate::web::AppState;

/// What a feed follows.
enum Subject {
    Site,
    Language(&'static Language),
    Term { name: String, url: String, id: i64 },
    Comments,
    PostComments(Box<Post>),
}

/// The format asked for by the address's last part: none or `rss2` for RSS, `atom`.
/// `Err` with the RSS address for WordPress's older `rss` and `rdf` feeds.
fn format_of(kind: Option<&str>) -> Result<Option<Format>, ()> {
    match kind {
        None | Some("rss2") => Ok(Some(Format::Rss)),
        Some("atom") => Ok(Some(Format::Atom)),
        Some("rss" | "rdf") => Err(()),
        Some(_) => Ok(None),
    }
}

/// `/feed/`, `/feed/atom/`, `/feed/rss2/`.
pub async fn site(
    State(state): State<AppState>,
    kind: Option<Path<String>>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let kind = kind.map(|Path(k)| k);
    serve(state, kind.as_deref(), "/feed/", uri, headers, |_| async {
        Ok(Some(Subject::Site))
    })
    .await
}

/// `/comments/feed/`, `/comments/feed/atom/`.
pub async fn comments(
    State(state): State<AppState>,
    kind: Option<Path<String>>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let kind = kind.map(|Path(k)| k);
    serve(
        state,
        kind.as_deref(),
        "/comments/feed/",
        uri,
        headers,
        |_| async { Ok(Some(Subject::Comments)) },
    )
    .await
}

#[derive(Debug, serde::Deserialize)]
pub struct TermFeedPath {
    slug: String,
    kind: Option<String>,
}

async fn term(
    state: AppState,
    kind: TermKind,
    TermFeedPath { slug, kind: format }: TermFeedPath,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let rss = format!("/{kind}/{slug}/feed/");
    serve(
        state,
        format.as_deref(),
        &rss,
        uri,
        headers,
        |state| async move {
            Ok(state
                .store
                .term_by_slug(kind, &slug)
                .await?
                .map(|(id, name)| Subject::Term {
                    name,
                    url: format!("/{kind}/{slug}/"),
                    id,
                }))
        },
    )
    .await
}

/// `/category/slug/feed/` and its Atom twin.
pub async fn category(
    State(state): State<AppState>,
    Path(path): Path<TermFeedPath>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    term(state, TermKind::Category, path, uri, headers).await
}

/// `/tag/slug/feed/` and its Atom twin.
pub async fn tag(
    State(state): State<AppState>,
    Path(path): Path<TermFeedPath>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    term(state, TermKind::Tag, path, uri, headers).await
}

/// `/ar/feed/` (a language's posts) or `/about/feed/` (a page's comments), as
/// `/{slug}/feed/` and `/{slug}/feed/atom/`.
pub async fn language_or_page(
    state: AppState,
    slug: String,
    kind: Option<String>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    if let Some(lang) = SHIPPED.iter().find(|l| l.tag == slug) {
        let rss = format!("/{}/feed/", lang.tag);
        return serve(state, kind.as_deref(), &rss, uri, headers, |_| async move {
            Ok(Some(Subject::Language(lang)))
        })
        .await;
    }
    post_comments(state, slug, None, kind, uri, headers).await
}

/// `/{slug}/feed/{kind}/`.
pub async fn language_or_page_kind(
    State(state): State<AppState>,
    Path((slug, kind)): Path<(String, String)>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    language_or_page(state, slug, Some(kind), uri, headers).await
}

/// `/YYYY/MM/DD/slug/feed/{kind}/`.
pub async fn post_kind(
    State(state): State<AppState>,
    Path((y, m, d, slug, kind)): Path<(String, String, String, String, String)>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let date = (y.parse(), m.parse(), d.parse());
    let date = match date {
        (Ok(y), Ok(m), Ok(d)) => (y, m, d),
        _ => (0, 0, 0),
    };
    post_comments(state, slug, Some(date), Some(kind), uri, headers).await
}

/// A post's or page's comments: `…/slug/feed/`. A post asked for at another date is
/// sent to its own address, as its page is.
pub async fn post_comments(
    state: AppState,
    slug: String,
    date: Option<(i32, u8, u8)>,
    kind: Option<String>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let key = uri.path().to_string();
    if let Some(hit) = state.cache.get(&key) {
        state.metrics.page_cache_hits.inc();
        return Ok(cached_response(hit, &headers));
    }
    let Some(post) = state.store.post_by_slug(&slug).await? else {
        return Ok(not_found_page(&state));
    };
    if !post.is_public(crate::store::now()) {
        return Ok(not_found_page(&state));
    }
    let published = post.published_at.unwrap_or(post.created_at);
    let address_ok = match (date, post.kind) {
        (Some((y, m, d)), PostKind::Post) => date_matches(published, y, m, d),
        (None, PostKind::Page) => true,
        _ => false,
    };
    let rss = format!("{}feed/", post.permalink());
    if !address_ok {
        return Ok(moved_permanently(&match kind.as_deref() {
            Some("atom") => format!("{rss}atom/"),
            _ => rss,
        }));
    }
    let post = Box::new(post);
    serve(state, kind.as_deref(), &rss, uri, headers, |_| async move {
        Ok(Some(Subject::PostComments(post)))
    })
    .await
}

/// Answers from the cache, or finds the subject with `find`, writes the feed and
/// caches it. `rss` is the feed's RSS address, where `rss`/`rdf` are sent.
async fn serve<F, Fut>(
    state: AppState,
    kind: Option<&str>,
    rss: &str,
    uri: OriginalUri,
    headers: HeaderMap,
    find: F,
) -> AppResult<Response>
where
    F: FnOnce(AppState) -> Fut,
    Fut: std::future::Future<Output = AppResult<Option<Subject>>>,
{
    let format = match format_of(kind) {
        Ok(Some(f)) => f,
        Ok(None) => return Ok(not_found_page(&state)),
        Err(()) => return Ok(moved_permanently(rss)),
    };
    let key = uri.path().to_string();
    if let Some(hit) = state.cache.get(&key) {
        state.metrics.page_cache_hits.inc();
        return Ok(cached_response(hit, &headers));
    }
    state.metrics.page_cache_misses.inc();
    let generation = state.cache.generation();
    let Some(subject) = find(state.clone()).await? else {
        return Ok(not_found_page(&state));
    };
    let (channel, items) = build(&state, &subject, format, &key).await?;
    let newest = items.iter().map(|i| i.updated.max(i.published)).max();
    let body = feed::write(format, &channel, &items);
    let shows = match &subject {
        Subject::PostComments(post) => Shows::Discussion(post.id),
        // Items carry their comment counts (`slash:comments`) or are comments.
        _ => Shows::Listing,
    };
    let cached = state.cache.insert_typed(
        &key,
        body,
        generation,
        (
            HeaderValue::from_static(format.content_type()),
            newest.map(|t| SystemTime::UNIX_EPOCH + Duration::from_secs(t.max(0) as u64)),
        ),
        shows,
    );
    Ok(cached_response(cached, &headers))
}

/// The channel and its items.
async fn build(
    state: &AppState,
    subject: &Subject,
    format: Format,
    path: &str,
) -> AppResult<(Channel, Vec<Item>)> {
    let site = state.site();
    let now = crate::store::now();
    let base = state.site.url();
    let limit = site.feed_items as i64;
    let site_lang = site_language(&site);
    let (title, link, lang, items) = match subject {
        Subject::Site => {
            let posts = state
                .store
                .published_posts(Listing::default(), now, limit, 0)
                .await?;
            let items = post_items(state, &posts, format).await?;
            (site.title.clone(), "/".to_string(), site_lang, items)
        }
        Subject::Language(l) => {
            let listing = Listing {
                term: None,
                lang: Some(l.tag),
            };
            let posts = state.store.published_posts(listing, now, limit, 0).await?;
            let items = post_items(state, &posts, format).await?;
            let title = format!("{} » {}", site.title, l.name);
            (title, format!("/{}/", l.tag), *l, items)
        }
        Subject::Term { name, url, id } => {
            let listing = Listing {
                term: Some(*id),
                lang: None,
            };
            let posts = state.store.published_posts(listing, now, limit, 0).await?;
            let items = post_items(state, &posts, format).await?;
            let title = format!("{} » {name}", site.title);
            (title, url.clone(), site_lang, items)
        }
        Subject::Comments => {
            let comments = state.store.recent_comments(None, now, limit).await?;
            let items = comment_items(state, &comments, None, site_lang).await?;
            let title = plain(&state.i18n.tr(
                site_lang.tag,
                "feed-comments-title",
                &[("site", site.title.clone().into())],
            ));
            (title, "/".to_string(), site_lang, items)
        }
        Subject::PostComments(post) => {
            let lang = shipped(&post.lang).unwrap_or(site_lang);
            let comments = state
                .store
                .recent_comments(Some(post.id), now, limit)
                .await?;
            let items = comment_items(state, &comments, Some(post), lang).await?;
            let title = plain(&state.i18n.tr(
                lang.tag,
                "feed-post-comments-title",
                &[("title", post.title.clone().into())],
            ));
            (title, post.permalink(), lang, items)
        }
    };
    let channel = Channel {
        title,
        description: site.tagline.clone(),
        link: base.uri(&link),
        self_url: base.uri(path),
        lang: lang.tag.to_string(),
        updated: items
            .iter()
            .map(|i| i.updated.max(i.published))
            .max()
            .unwrap_or(now),
    };
    Ok((channel, items))
}

/// A post's feed id: its `guid` (a row from before guids were kept has one from its
/// migration; the fallback is WordPress's own form).
fn guid(state: &AppState, post: &Post) -> String {
    if post.guid.is_empty() {
        format!("{}/?p={}", state.site.url(), post.id)
    } else {
        post.guid.clone()
    }
}

/// A library file as a feed encloses it: the original.
fn enclosure(state: &AppState, media: &MediaRow) -> Enclosure {
    Enclosure {
        url: state.site.url().uri(&media.url()),
        bytes: media.bytes,
        mime: media.format().mime().to_string(),
    }
}

async fn post_items(state: &AppState, posts: &[Post], format: Format) -> AppResult<Vec<Item>> {
    let site = state.site();
    let base = state.site.url();
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let (mut terms, mut media) = if ids.is_empty() {
        (HashMap::new(), HashMap::new())
    } else {
        (
            state.store.terms_of_posts(&ids).await?,
            state.store.media_of_posts(&ids).await?,
        )
    };
    let comments_feed = match format {
        Format::Rss => "feed/",
        Format::Atom => "feed/atom/",
    };
    Ok(posts
        .iter()
        .map(|post| {
            let permalink = post.permalink();
            let mut files = media.remove(&post.id).unwrap_or_default();
            // The featured image first: RSS carries one enclosure.
            files.sort_by_key(|m| Some(m.id) != post.featured_media_id);
            Item {
                id: guid(state, post),
                title: post.title.clone(),
                link: base.uri(&permalink),
                author: post.author_name.clone(),
                published: post.published_at.unwrap_or(post.created_at),
                updated: post.updated_at,
                lang: post.lang.clone(),
                dir: direction(&post.lang),
                categories: terms
                    .remove(&post.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(_, _, name)| name)
                    .collect(),
                summary: if post.excerpt.trim().is_empty() {
                    post.summary(55)
                } else {
                    post.excerpt.clone()
                },
                content_html: (!site.feed_summary)
                    .then(|| feed::absolute_urls(&post.body_html, base.as_str())),
                enclosures: files.iter().map(|m| enclosure(state, m)).collect(),
                comments: Some(Comments {
                    link: format!("{}#comments", base.uri(&permalink)),
                    count: post.comment_count,
                    feed: base.uri(&format!("{permalink}{comments_feed}")),
                }),
            }
        })
        .collect())
}

/// Comments as feed items; `on` is the post when the feed is that post's own.
async fn comment_items(
    state: &AppState,
    comments: &[Comment],
    on: Option<&Post>,
    lang: &Language,
) -> AppResult<Vec<Item>> {
    let base = state.site.url();
    let posts = match on {
        Some(p) => HashMap::from([(p.id, p.clone())]),
        None => {
            let mut ids: Vec<i64> = comments.iter().map(|c| c.post_id).collect();
            ids.sort_unstable();
            ids.dedup();
            if ids.is_empty() {
                HashMap::new()
            } else {
                state.store.posts_by_ids(&ids).await?
            }
        }
    };
    let anonymous = state.i18n.t(lang.tag, "anonymous", None);
    Ok(comments
        .iter()
        .filter_map(|c| {
            let post = posts.get(&c.post_id)?;
            let author = if c.author_name.trim().is_empty() {
                anonymous.clone()
            } else {
                c.author_name.clone()
            };
            let title = match on {
                Some(_) => state.i18n.tr(
                    lang.tag,
                    "feed-comment-by",
                    &[("author", author.clone().into())],
                ),
                None => state.i18n.tr(
                    lang.tag,
                    "feed-comment-on",
                    &[
                        ("title", post.title.clone().into()),
                        ("author", author.clone().into()),
                    ],
                ),
            };
            Some(Item {
                id: format!("{}#comment-{}", guid(state, post), c.id),
                title: plain(&title),
                link: base.uri(&format!("/comment/{}/", c.id)),
                author,
                published: c.created_at,
                updated: c.updated_at.max(c.created_at),
                lang: post.lang.clone(),
                dir: direction(&post.lang),
                categories: Vec::new(),
                summary: crate::domain::html::plain_text(&c.body_html),
                content_html: Some(feed::absolute_urls(&c.body_html, base.as_str())),
                enclosures: Vec::new(),
                comments: None,
            })
        })
        .collect())
}
