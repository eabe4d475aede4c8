//! `/robots.txt` and the sitemaps: `/sitemap.xml` is an index of `/sitemaps/home.xml`
//! (the home page and each language's), `/sitemaps/posts-N.xml`, `/sitemaps/pages-N.xml`
//! and `/sitemaps/terms-N.xml`, each at most `sitemap_urls` addresses. Only what
//! readers can see is listed: no draft, private, trashed or scheduled post.

use std::collections::HashMap;

use axum::extract::{OriginalUri, Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::{cached_response, not_found_page, site_language};
use crate::domain::post::{Post, PostKind};
use crate::domain::sitemap::{self, Url};
use crate::i18n::{shipped, SHIPPED};
use crate::web::cache::Shows;
use crate::web::error::AppResult;
use crate::web::AppState;

const XML: HeaderValue = HeaderValue::from_static("application/xml; charset=utf-8");

/// `/robots.txt`, from the `robots.txt` template (a theme may replace it): the
/// admin, sign-in and per-reader addresses kept out of search engines, the sitemap
/// named.
pub async fn robots(State(state): State<AppState>) -> AppResult<Response> {
    let mut body = state.templates.render(
        "robots.txt",
        minijinja::context! { sitemap => state.site.url().uri("/sitemap.xml") },
    )?;
    if !body.ends_with('\n') {
        body.push('\n');
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response())
}

/// Serves `key` from the cache, or makes it with `make` and caches it.
async fn cached<F, Fut>(
    state: &AppState,
    key: &str,
    headers: &HeaderMap,
    make: F,
) -> AppResult<Response>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = AppResult<Option<String>>>,
{
    if let Some(hit) = state.cache.get(key) {
        state.metrics.page_cache_hits.inc();
        return Ok(cached_response(hit, headers));
    }
    state.metrics.page_cache_misses.inc();
    let generation = state.cache.generation();
    let Some(body) = make().await? else {
        return Ok(not_found_page(state));
    };
    let page = state
        .cache
        .insert_typed(key, body, generation, (XML, None), Shows::Posts);
    Ok(cached_response(page, headers))
}

/// `/sitemap.xml`: the index.
pub async fn index(
    State(state): State<AppState>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    cached(&state, uri.path(), &headers, || async {
        let now = crate::store::now();
        let per = state.settings.sitemap_urls.max(1);
        let base = state.site.url();
        let mut maps = vec![(base.uri("/sitemaps/home.xml"), None)];
        for (kind, name) in [(PostKind::Post, "posts"), (PostKind::Page, "pages")] {
            let count = state.store.count_public(kind, now).await?.max(0) as usize;
            if count == 0 {
                continue;
            }
            for n in 1..=sitemap::pages(count, per) {
                maps.push((base.uri(&format!("/sitemaps/{name}-{n}.xml")), None));
            }
        }
        let terms = state.store.public_terms(now).await?.len();
        if terms > 0 {
            for n in 1..=sitemap::pages(terms, per) {
                maps.push((base.uri(&format!("/sitemaps/terms-{n}.xml")), None));
            }
        }
        Ok(Some(sitemap::index(&maps)))
    })
    .await
}

/// `/sitemaps/{name}.xml`.
pub async fn sitemap(
    State(state): State<AppState>,
    Path(file): Path<String>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let Some(name) = file.strip_suffix(".xml") else {
        return Ok(not_found_page(&state));
    };
    let part = match name.rsplit_once('-') {
        // `posts-2`, never `posts-02`: one address for each sitemap.
        Some((kind, n)) => match n.parse::<usize>() {
            Ok(k) if k >= 1 && k.to_string() == n => Some((kind.to_string(), k)),
            _ => None,
        },
        None => None,
    };
    let state2 = state.clone();
    cached(&state, uri.path(), &headers, || async move {
        let state = state2;
        match (name, part) {
            ("home", _) => home(&state).await.map(Some),
            (_, Some((kind, n))) if kind == "posts" => posts(&state, PostKind::Post, n).await,
            (_, Some((kind, n))) if kind == "pages" => posts(&state, PostKind::Page, n).await,
            (_, Some((kind, n))) if kind == "terms" => terms(&state, n).await,
            _ => Ok(None),
        }
    })
    .await
}

/// The home page and each language's listing.
async fn home(state: &AppState) -> AppResult<String> {
    let now = crate::store::now();
    let base = state.site.url();
    let newest = state
        .store
        .published_posts(Default::default(), now, 1, 0)
        .await?
        .first()
        .map(|p| p.updated_at);
    let mut urls = vec![Url {
        loc: base.uri("/"),
        lastmod: newest,
        alternates: Vec::new(),
    }];
    let written = state.store.published_languages(now).await?;
    for lang in SHIPPED {
        if written
            .iter()
            .any(|w| shipped(w).is_some_and(|s| s.tag == lang.tag))
        {
            urls.push(Url {
                loc: base.uri(&format!("/{}/", lang.tag)),
                lastmod: None,
                alternates: Vec::new(),
            });
        }
    }
    Ok(sitemap::urlset(&urls))
}

/// Page `n` of the public posts (or pages), oldest first, each with its translations.
async fn posts(state: &AppState, kind: PostKind, n: usize) -> AppResult<Option<String>> {
    let now = crate::store::now();
    let per = state.settings.sitemap_urls.max(1);
    let count = state.store.count_public(kind, now).await?.max(0) as usize;
    if n > sitemap::pages(count, per) {
        return Ok(None);
    }
    let posts = state
        .store
        .public_posts_page(kind, now, per as i64, ((n - 1) * per) as i64)
        .await?;
    let mut groups: Vec<String> = posts
        .iter()
        .filter_map(|p| p.translation_group.clone())
        .collect();
    groups.sort_unstable();
    groups.dedup();
    let versions = if groups.is_empty() {
        HashMap::new()
    } else {
        state.store.public_translations(&groups, now).await?
    };
    let base = state.site.url();
    let site_lang = site_language(&state.site()).tag;
    let urls: Vec<Url> = posts
        .iter()
        .map(|post| Url {
            loc: base.uri(&post.permalink()),
            lastmod: Some(post.updated_at.max(post.published_at.unwrap_or(0))),
            alternates: post
                .translation_group
                .as_ref()
                .and_then(|g| versions.get(g))
                .filter(|v| v.len() > 1)
                .map(|v| alternates(&base, v, site_lang))
                .unwrap_or_default(),
        })
        .collect();
    Ok(Some(sitemap::urlset(&urls)))
}

/// Every version of a translated post as `hreflang` alternates, and `x-default`: the
/// version in the site's language, else the first written (as the page says).
fn alternates(
    base: &crate::domain::site_url::SiteUrl,
    versions: &[Post],
    site_lang: &str,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = versions
        .iter()
        .map(|p| {
            let lang = shipped(&p.lang).map_or(p.lang.clone(), |l| l.tag.to_string());
            (lang, base.uri(&p.permalink()))
        })
        .collect();
    let default = versions
        .iter()
        .find(|p| shipped(&p.lang).is_some_and(|l| l.tag == site_lang))
        .unwrap_or(&versions[0]);
    out.push(("x-default".into(), base.uri(&default.permalink())));
    out
}

/// Page `n` of the categories and tags with public posts.
async fn terms(state: &AppState, n: usize) -> AppResult<Option<String>> {
    let now = crate::store::now();
    let per = state.settings.sitemap_urls.max(1);
    let all = state.store.public_terms(now).await?;
    if all.is_empty() || n > sitemap::pages(all.len(), per) {
        return Ok(None);
    }
    let base = state.site.url();
    let urls: Vec<Url> = all
        .iter()
        .skip((n - 1) * per)
        .take(per)
        .map(|t| Url {
            loc: base.uri(&format!("/{}/{}/", t.kind, t.slug)),
            lastmod: Some(t.modified),
            alternates: Vec::new(),
        })
        .collect();
    Ok(Some(sitemap::urlset(&urls)))
}
