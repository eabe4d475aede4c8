//! `/?s=words` (and `/page/2/?s=words`), WordPress's search addresses: posts and pages
//! readers can see, best match first, a page at a time, the words marked where they
//! matched; `noindex` for robots. The same for everyone who asks the same, so a results
//! page is kept (`PageCache::insert_search`, apart from the pages) until content changes.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;

use super::{site_language, PostView};
use crate::domain::search::{highlight, snippet, terms, MAX_QUERY_CHARS};
use crate::web::error::AppResult;
use crate::web::AppState;

/// A result as the page shows it: the post, its title and a snippet with the
/// matches marked (HTML, escaped here).
#[derive(Debug, serde::Serialize)]
struct Hit {
    post: PostView,
    title_html: String,
    snippet_html: String,
}

/// The address of results page `n` for `query`.
fn page_url(query: &str, n: i64) -> String {
    let q: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
    if n <= 1 {
        format!("/?s={q}")
    } else {
        format!("/page/{n}/?s={q}")
    }
}

pub async fn results(
    state: &AppState,
    ip: std::net::IpAddr,
    query: &str,
    page: i64,
) -> AppResult<Response> {
    let site = state.site();
    let lang = site_language(&site);
    let query: String = query.trim().chars().take(MAX_QUERY_CHARS).collect();
    let wanted = terms(&query);
    if !wanted.is_empty() && !state.search_limiter.allow(ip).await {
        let html = state.templates.render(
            "search.html",
            context! {
                query => query,
                slow_down => true,
                page => 1,
                ..super::page_context(&site, lang)
            },
        )?;
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            [
                (header::CACHE_CONTROL, "no-store"),
                (header::RETRY_AFTER, "60"),
            ],
            axum::response::Html(html),
        )
            .into_response());
    }
    // Counted against the limit all the same: what a stranger may ask stays one rule.
    let key = format!("{page} {query}");
    if let Some(body) = state.cache.get_search(&key) {
        return Ok(results_response(body));
    }
    let per_page = site.posts_per_page as i64;
    let generation = state.cache.generation();
    let now = crate::store::now();
    let found = state
        .store
        .search(
            &wanted,
            state.settings.search_ranked_matches,
            now,
            per_page,
            (page - 1) * per_page,
        )
        .await?;
    // Past `RANKED_MATCHES` the count is not known: a page exists while it has results.
    let pages = if found.more {
        if found.posts.is_empty() {
            return Ok(super::not_found_page(state));
        }
        page + i64::from(found.posts.len() as i64 == per_page)
    } else {
        ((found.total + per_page - 1) / per_page).max(1)
    };
    if page > pages {
        return Ok(super::not_found_page(state));
    }
    let hits: Vec<Hit> = found
        .posts
        .iter()
        .map(|p| {
            let text = if p.excerpt.trim().is_empty() {
                crate::domain::html::plain_text(&p.body_html)
            } else {
                format!(
                    "{} {}",
                    p.excerpt,
                    crate::domain::html::plain_text(&p.body_html)
                )
            };
            Hit {
                post: PostView::new(state, lang.tag, p, false),
                title_html: highlight(&p.title, &wanted),
                snippet_html: snippet(&text, &wanted, 40),
            }
        })
        .collect();
    let html = state.templates.render(
        "search.html",
        context! {
            query => query,
            searched => !wanted.is_empty(),
            total => found.total,
            more => found.more,
            hits => hits,
            page => page,
            older_url => (page < pages).then(|| page_url(&query, page + 1)),
            newer_url => (page > 1).then(|| page_url(&query, page - 1)),
            ..super::page_context(&site, lang)
        },
    )?;
    let body = bytes::Bytes::from(html);
    state.cache.insert_search(&key, body.clone(), generation);
    Ok(results_response(body))
}

fn results_response(body: bytes::Bytes) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}
