//! Pages every reader sees: the home page, a post with its comments, the comment form.

pub mod avatar;
pub mod comment_edit;
pub mod comment_link;
pub mod comment_submit;
pub mod feeds;
pub mod home;
pub mod media;
pub mod post_page;
pub mod preview;
pub mod search;
pub mod sitemaps;
pub mod webmention;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::{context, Value};
use time::format_description::well_known::Rfc3339;

use super::cache::CachedPage;
use super::encoding::{self, Encoding};
use super::AppState;
use crate::domain::post::Post;
use crate::domain::settings::{AvatarSource, SiteSettings};
use crate::i18n::{direction, shipped, speak, Language};

/// The language the site's own pages speak (listings, errors): the site's.
pub fn site_language(site: &SiteSettings) -> &'static Language {
    speak(&site.language)
}

/// The language a post's page speaks: the post's own whenever it ships, else the
/// site's (the article still carries its own `lang`).
pub fn post_language(site: &SiteSettings, post: &Post) -> &'static Language {
    shipped(&post.lang).unwrap_or_else(|| site_language(site))
}

/// Variables every page template needs, for a page that speaks `lang`.
pub fn page_context(site: &SiteSettings, lang: &Language) -> Value {
    context! {
        site => context! { title => site.title, tagline => site.tagline },
        lang => lang.tag,
        dir => lang.dir,
        ui_lang => lang.tag,
    }
}

/// Variables every page template needs, for a page in the site's language.
pub fn base_context(_state: &AppState, site: &SiteSettings) -> Value {
    page_context(site, site_language(site))
}

/// A form problem in words, e.g. "Comment is too long (at most 5000 characters).".
pub fn problem_message(
    state: &AppState,
    lang: &str,
    p: &crate::domain::comment::Problem,
) -> String {
    let field = state.i18n.t(lang, &format!("field-{}", p.field), None);
    state.i18n.tr(
        lang,
        p.key,
        &[
            ("field", field.into()),
            ("max", (p.max as i64).into()),
            ("len", (p.len as i64).into()),
        ],
    )
}

pub fn iso(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// A post as templates see it.
#[derive(Debug, serde::Serialize)]
pub struct PostView {
    pub id: i64,
    pub title: String,
    pub url: String,
    pub lang: String,
    pub dir: &'static str,
    pub date: String,
    pub iso: String,
    pub author: String,
    pub body_html: String,
    pub summary: String,
    pub comment_count: i64,
    pub comments_open: bool,
    /// The featured image as a listing shows it (`<img>` with its copies), if any.
    pub featured: Option<String>,
}

impl PostView {
    pub fn new(state: &AppState, ui_lang: &str, post: &Post, with_body: bool) -> Self {
        let published = post.published_at.unwrap_or(post.created_at);
        PostView {
            id: post.id,
            title: post.title.clone(),
            url: post.permalink(),
            lang: post.lang.clone(),
            dir: direction(&post.lang),
            date: state.i18n.date(ui_lang, published),
            iso: iso(published),
            author: post.author_name.clone(),
            body_html: if with_body {
                post.body_html.clone()
            } else {
                String::new()
            },
            summary: if post.excerpt.trim().is_empty() {
                post.summary(55)
            } else {
                post.excerpt.clone()
            },
            comment_count: post.comment_count,
            comments_open: post.comments_open,
            featured: None,
        }
    }
}

/// Where a commenter's avatar comes from: Tribune's own identicon (keyed by an HMAC of
/// the email, so the address cannot be guessed from it) or Gravatar if the owner chose it.
pub fn avatar_url(state: &AppState, site: &SiteSettings, email: &str) -> String {
    // Kept by the source as well: a page drawn with settings read just before they
    // changed keeps its avatars under the old source, never the new one.
    let source = match site.avatars {
        AvatarSource::Identicon => "identicon",
        AvatarSource::Gravatar => "gravatar",
    };
    state.cache.avatar(&format!("{source} {email}"), || {
        let email = email.trim().to_lowercase();
        match site.avatars {
            AvatarSource::Identicon => {
                format!(
                    "/avatar/{}.svg",
                    crate::links::avatar_key(&state.site, &email)
                )
            }
            AvatarSource::Gravatar => format!(
                "https://gravatar.com/avatar/{}?s=96&d=identicon",
                crate::token::sha256_hex(&email)
            ),
        }
    })
}

/// Whether the reader already has `page` (RFC 9110 § 13.2.2: `If-None-Match` first —
/// any of its tags, weak or strong, or `*` —, `If-Modified-Since` only without it).
fn reader_has(page: &CachedPage, etag: &HeaderValue, headers: &HeaderMap) -> bool {
    if let Some(tags) = headers.get(header::IF_NONE_MATCH) {
        let Ok(tags) = tags.to_str() else {
            return false;
        };
        let ours = etag.to_str().unwrap_or_default();
        return tags
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == ours);
    }
    match (page.last_modified, headers.get(header::IF_MODIFIED_SINCE)) {
        (Some(modified), Some(since)) => since
            .to_str()
            .ok()
            .and_then(|s| httpdate::parse_http_date(s).ok())
            // HTTP dates have whole seconds.
            .is_some_and(|since| {
                let modified = httpdate::HttpDate::from(modified);
                httpdate::HttpDate::from(since) >= modified
            }),
        _ => false,
    }
}

/// Answers from a cached page in the encoding the reader asks for (its form made
/// once and kept with the page), with `304 Not Modified` when the reader has that
/// form already. Each form has its own ETag; every answer says it varies by
/// `Accept-Encoding`.
pub fn cached_response(page: CachedPage, headers: &HeaderMap) -> Response {
    let encoding = Encoding::negotiate(headers);
    let etag = encoding.etag(&page.etag);
    let last_modified = page
        .last_modified
        .and_then(|t| HeaderValue::from_str(&httpdate::fmt_http_date(t)).ok());
    if reader_has(&page, &etag, headers) {
        let mut response = (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
        if let Some(lm) = last_modified {
            response.headers_mut().insert(header::LAST_MODIFIED, lm);
        }
        encoding::mark(response.headers_mut(), Encoding::Identity);
        return response;
    }
    let body = page.forms.get(encoding, &page.body);
    let mut response = (
        [
            (header::CONTENT_TYPE, page.content_type),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (header::ETAG, etag),
        ],
        body,
    )
        .into_response();
    if let Some(lm) = last_modified {
        response.headers_mut().insert(header::LAST_MODIFIED, lm);
    }
    encoding::mark(response.headers_mut(), encoding);
    response
}

/// A page made for one reader (form errors, their held comment): never cached.
pub fn personal_response(status: StatusCode, html: impl Into<axum::body::Body>) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        html.into(),
    )
        .into_response()
}

pub async fn not_found(State(state): State<AppState>) -> Response {
    not_found_page(&state)
}

pub fn not_found_page(state: &AppState) -> Response {
    let site = state.site();
    match state
        .templates
        .render("not_found.html", base_context(state, &site))
    {
        Ok(html) => personal_response(StatusCode::NOT_FOUND, html),
        Err(err) => super::error::AppError::from(err).into_response(),
    }
}

/// A path that can only lead to this site: one leading `/`, no backslashes (which
/// browsers read as `/`), no empty segments; a trailing `/` is kept.
pub fn site_path(path: &str) -> String {
    let segments: Vec<&str> = path.split(['/', '\\']).filter(|s| !s.is_empty()).collect();
    let mut out = format!("/{}", segments.join("/"));
    if path.ends_with(['/', '\\']) && out.len() > 1 {
        out.push('/');
    }
    out
}

/// `301 Moved Permanently` to a site path, as WordPress answers old addresses.
pub fn moved_permanently(path: &str) -> Response {
    (
        StatusCode::MOVED_PERMANENTLY,
        [(axum::http::header::LOCATION, location(path))],
    )
        .into_response()
}

/// Percent-encodes a site path for a `Location` header (slugs may be in any script).
pub fn location(path: &str) -> String {
    crate::domain::site_url::encode_path(&site_path(path))
}
