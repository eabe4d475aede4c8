//! `POST /webmention`, the endpoint every page advertises (`<link rel="webmention">`
//! in its head, so cached pages carry it): checks what it can at once — two http(s)
//! addresses, different, the target a public post here that takes comments — then
//! queues the source's verification (`Job::WebmentionReceive`) and answers `202
//! Accepted`. Nothing is fetched while the sender waits.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use url::Url;

use crate::domain::job::{Job, WebmentionReceive};
use crate::store::NewJob;
use crate::web::client::Client;
use crate::web::error::AppResult;
use crate::web::input::Form;
use crate::web::AppState;

#[derive(Debug, Default, serde::Deserialize)]
pub struct MentionForm {
    #[serde(default)]
    source: String,
    #[serde(default)]
    target: String,
}

fn answer(state: &AppState, status: StatusCode, key: &str) -> Response {
    let lang = super::site_language(&state.site()).tag;
    let text = crate::i18n::plain(&state.i18n.t(lang, key, None));
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        format!("{text}\n"),
    )
        .into_response()
}

pub async fn receive(
    State(state): State<AppState>,
    client: Client,
    Form(form): Form<MentionForm>,
) -> AppResult<Response> {
    if !state.webmention_limiter.allow(client.ip).await {
        return Ok(answer(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            "webmention-slow-down",
        ));
    }
    let (Ok(source), Ok(target)) = (
        Url::parse(form.source.trim()),
        Url::parse(form.target.trim()),
    ) else {
        return Ok(answer(
            &state,
            StatusCode::BAD_REQUEST,
            "webmention-bad-urls",
        ));
    };
    let web = |u: &Url| matches!(u.scheme(), "http" | "https") && u.host_str().is_some();
    if !web(&source) || !web(&target) {
        return Ok(answer(
            &state,
            StatusCode::BAD_REQUEST,
            "webmention-bad-urls",
        ));
    }
    let (mut s, mut t) = (source.clone(), target.clone());
    s.set_fragment(None);
    t.set_fragment(None);
    if s == t {
        return Ok(answer(&state, StatusCode::BAD_REQUEST, "webmention-same"));
    }
    let Some(path) = crate::webmention::target_path(&state.site.url(), &target) else {
        return Ok(answer(
            &state,
            StatusCode::BAD_REQUEST,
            "webmention-not-here",
        ));
    };
    // A post's address ends in its slug: `/2026/12/02/slug/` or `/slug/` (a comment
    // page's `comment-page-N` is part of the same post).
    let slug = path
        .split('/')
        .rfind(|s| !s.is_empty() && !s.starts_with("comment-page-"))
        .unwrap_or_default()
        .to_string();
    let now = crate::store::now();
    let post = match state.store.post_by_slug(&slug).await? {
        Some(p) if p.is_public(now) && path.starts_with(&p.permalink()) => p,
        _ => {
            return Ok(answer(
                &state,
                StatusCode::BAD_REQUEST,
                "webmention-no-post",
            ))
        }
    };
    if !post.takes_comments(now, state.site().close_after_days) {
        return Ok(answer(&state, StatusCode::BAD_REQUEST, "webmention-closed"));
    }
    let job = Job::WebmentionReceive(WebmentionReceive {
        source: form.source.trim().to_string(),
        target: form.target.trim().to_string(),
        post_id: post.id,
    });
    state.store.enqueue_job(NewJob::now(job)).await?;
    Ok(answer(&state, StatusCode::ACCEPTED, "webmention-accepted"))
}
