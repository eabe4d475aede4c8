//! The home page and the category and tag archives: published posts, newest first, a
//! page at a time.

use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::moved_permanently;
use super::{cached_response, not_found_page, page_context, site_language, PostView};
use crate::domain::term::TermKind;
use crate::i18n::{shipped, Language, SHIPPED};
use crate::store::Listing;
use crate::web::cache::Shows;
use crate::web::error::AppResult;
use crate::web::AppState;

#[derive(Debug, Default, serde::Deserialize)]
pub struct HomeQuery {
    p: Option<String>,
    page_id: Option<String>,
    /// WordPress's search: `/?s=words`.
    s: Option<String>,
    /// WordPress's plain feed links: `/?feed=rss2`, `/?feed=atom`.
    feed: Option<String>,
}

pub async fn first_page(
    State(state): State<AppState>,
    client: crate::web::client::Client,
    Query(query): Query<HomeQuery>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    // WordPress's plain links, `/?p=123` and `/?page_id=2`, lead to the post for good.
    if let Some(id) = query.p.as_deref().or(query.page_id.as_deref()) {
        let post = match id.trim().parse::<i64>() {
            Ok(id) => state.store.post_by_wordpress_id(id).await?,
            Err(_) => None,
        };
        let now = crate::store::now();
        return Ok(match post {
            Some(post) if post.is_public(now) => moved_permanently(&post.permalink()),
            _ => not_found_page(&state),
        });
    }
    if let Some(words) = query.s.as_deref() {
        return super::search::results(&state, client.ip, words, 1).await;
    }
    if let Some(feed) = query.feed.as_deref() {
        return Ok(match feed {
            "atom" => moved_permanently("/feed/atom/"),
            "comments-rss2" => moved_permanently("/comments/feed/"),
            _ => moved_permanently("/feed/"),
        });
    }
    render(state, None, 1, uri, headers).await
}

pub async fn page(
    State(state): State<AppState>,
    client: crate::web::client::Client,
    Path(n): Path<String>,
    Query(query): Query<HomeQuery>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    if let Some(words) = query.s.as_deref() {
        return match n.parse::<i64>() {
            Ok(n) if n >= 1 => super::search::results(&state, client.ip, words, n).await,
            _ => Ok(not_found_page(&state)),
        };
    }
    match n.parse::<i64>() {
        Ok(1) => Ok(Redirect::permanent("/").into_response()),
        Ok(n) if n > 1 => render(state, None, n, uri, headers).await,
        _ => Ok(not_found_page(&state)),
    }
}

/// A category or tag archive, as WordPress has them: `/category/slug/`, `/tag/slug/`.
#[derive(Debug, Clone, serde::Serialize)]
struct Archive {
    kind: TermKind,
    id: i64,
    name: String,
    /// `/category/slug/`
    url: String,
}

async fn archive(state: &AppState, kind: TermKind, slug: &str) -> AppResult<Option<Archive>> {
    Ok(state
        .store
        .term_by_slug(kind, slug)
        .await?
        .map(|(id, name)| Archive {
            kind,
            id,
            name,
            url: format!("/{kind}/{slug}/"),
        }))
}

/// The address of an archive page: `/category/{slug}/` or `/category/{slug}/page/{n}/`.
#[derive(Debug, serde::Deserialize)]
pub struct ArchivePath {
    slug: String,
    n: Option<String>,
}

async fn archive_page(
    state: AppState,
    kind: TermKind,
    ArchivePath { slug, n }: ArchivePath,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let n = n.as_deref().unwrap_or("1");
    if let Some(hit) = state.cache.get(uri.path()) {
        state.metrics.page_cache_hits.inc();
        return Ok(cached_response(hit, &headers));
    }
    let Some(found) = archive(&state, kind, &slug).await? else {
        return Ok(not_found_page(&state));
    };
    match n.parse::<i64>() {
        Ok(1) if uri.path() != found.url => Ok(moved_permanently(&found.url)),
        Ok(n) if n >= 1 => render(state, Some(found), n, uri, headers).await,
        _ => Ok(not_found_page(&state)),
    }
}

/// `/category/slug/` and its pages.
pub async fn category(
    State(state): State<AppState>,
    Path(path): Path<ArchivePath>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    archive_page(state, TermKind::Category, path, uri, headers).await
}

/// `/tag/slug/` and its pages.
pub async fn tag(
    State(state): State<AppState>,
    Path(path): Path<ArchivePath>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    archive_page(state, TermKind::Tag, path, uri, headers).await
}

/// `/ar/`, `/ckb/`, … : the posts of one language, in that language's interface.
pub async fn language(
    state: AppState,
    lang: &'static Language,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    render_listing(state, Shown::Language(lang), 1, uri, headers).await
}

/// `/ar/page/2/` …
pub async fn language_page(
    State(state): State<AppState>,
    Path((tag, n)): Path<(String, String)>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let Some(lang) = SHIPPED.iter().find(|l| l.tag == tag) else {
        return Ok(not_found_page(&state));
    };
    match n.parse::<i64>() {
        Ok(1) => Ok(moved_permanently(&format!("/{}/", lang.tag))),
        Ok(n) if n > 1 => render_listing(state, Shown::Language(lang), n, uri, headers).await,
        _ => Ok(not_found_page(&state)),
    }
}

/// What a listing shows.
enum Shown {
    All,
    Term(Archive),
    Language(&'static Language),
}

async fn render(
    state: AppState,
    archive: Option<Archive>,
    page: i64,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let shown = archive.map_or(Shown::All, Shown::Term);
    render_listing(state, shown, page, uri, headers).await
}

async fn render_listing(
    state: AppState,
    shown: Shown,
    page: i64,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let key = uri.path().to_string();
    if let Some(hit) = state.cache.get(&key) {
        state.metrics.page_cache_hits.inc();
        return Ok(cached_response(hit, &headers));
    }
    state.metrics.page_cache_misses.inc();
    let generation = state.cache.generation();
    let site = state.site();
    let now = crate::store::now();
    let per_page = site.posts_per_page as i64;
    let (listing, lang, base) = match &shown {
        Shown::All => (Listing::default(), site_language(&site), "/".to_string()),
        Shown::Term(a) => (
            Listing {
                term: Some(a.id),
                lang: None,
            },
            site_language(&site),
            a.url.clone(),
        ),
        Shown::Language(l) => (
            Listing {
                term: None,
                lang: Some(l.tag),
            },
            *l,
            format!("/{}/", l.tag),
        ),
    };
    // One post past the page says whether an older page exists: no count of every
    // public post (100,000 of them on a large site) on each listing drawn.
    let mut posts = state
        .store
        .published_posts(listing, now, per_page + 1, (page - 1) * per_page)
        .await?;
    if page > 1 && posts.is_empty() {
        return Ok(not_found_page(&state));
    }
    let has_older = posts.len() as i64 > per_page;
    posts.truncate(usize::try_from(per_page).unwrap_or(usize::MAX));
    // Featured images: one query for the page, none when no post has one.
    let featured_ids: Vec<i64> = posts.iter().filter_map(|p| p.featured_media_id).collect();
    let featured = if featured_ids.is_empty() {
        Default::default()
    } else {
        state.store.media_by_ids(&featured_ids).await?
    };
    let views: Vec<PostView> = posts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut view = PostView::new(&state, lang.tag, p, false);
            view.featured = p
                .featured_media_id
                .and_then(|id| featured.get(&id))
                .and_then(crate::store::MediaRow::picture)
                .map(|pic| {
                    // The first is in view at once; the others load as they come near.
                    let how = if i == 0 { "" } else { " loading=\"lazy\"" };
                    pic.img(
                        None,
                        &format!(" class=\"entry-thumbnail\"{how} decoding=\"async\""),
                    )
                });
            view
        })
        .collect();
    let older = has_older.then(|| format!("{base}page/{}/", page + 1));
    let newer = match page {
        1 => None,
        2 => Some(base.clone()),
        n => Some(format!("{base}page/{}/", n - 1)),
    };
    // The language switcher: every shipped language some post is written in.
    let written: Vec<String> = state.store.published_languages(now).await?;
    let languages: Vec<_> = SHIPPED
        .iter()
        .filter(|l| {
            written
                .iter()
                .any(|w| shipped(w).is_some_and(|s| s.tag == l.tag))
        })
        .map(|l| {
            context! {
                tag => l.tag,
                name => l.name,
                dir => l.dir,
                url => format!("/{}/", l.tag),
                current => matches!(&shown, Shown::Language(c) if c.tag == l.tag),
            }
        })
        .collect();
    let (archive, language) = match shown {
        Shown::Term(a) => (Some(a), None),
        Shown::Language(l) => (None, Some(l)),
        Shown::All => (None, None),
    };
    let html = state.templates.render(
        "home.html",
        context! {
            posts => views,
            older_url => older,
            newer_url => newer,
            page => page,
            archive => archive,
            language => language,
            languages => if languages.len() > 1 { languages } else { Vec::new() },
            canonical => state.site.url().uri(&key),
            og_locale => super::preview::og_locale(lang.tag),
            ..page_context(&site, lang)
        },
    )?;
    let cached = state.cache.insert(&key, html, generation, Shows::Listing);
    Ok(cached_response(cached, &headers))
}
