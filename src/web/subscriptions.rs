//! `/subscriptions`: confirm, see and end email subscriptions from the links in the
//! emails, without an account. Links show a page with a button (mail scanners open
//! links); the button, or a mail client's RFC 8058 one-click POST, acts.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::error::{AppError, AppResult};
use super::public::{base_context, personal_response};
use super::AppState;

fn tokens(query: &[u8]) -> Vec<String> {
    form_urlencoded::parse(query)
        .filter(|(k, _)| k == "t")
        .map(|(_, v)| v.into_owned())
        .filter(|t| t.len() == 40 && t.chars().all(|c| c.is_ascii_hexdigit()))
        .collect()
}

async fn page(
    state: &AppState,
    mode: &str,
    token: &str,
    tokens: &[String],
    done: bool,
) -> AppResult<Response> {
    let sub = state
        .store
        .subscription(token)
        .await?
        .ok_or_else(|| AppError::bad_request("error-subscription-gone"))?;
    let all = state.store.subscriptions_of(&sub.email).await?;
    let site = state.site();
    let html = state.templates.render(
        "subscriptions.html",
        context! {
            mode => mode,
            done => done,
            email => sub.email,
            token => token,
            tokens => tokens,
            subscriptions => all,
            ..base_context(state, &site)
        },
    )?;
    Ok(personal_response(StatusCode::OK, html))
}

/// A page opened from a link: shows it, acts on nothing.
async fn show(state: &AppState, query: Option<String>, mode: &str) -> AppResult<Response> {
    let t = tokens(query.unwrap_or_default().as_bytes());
    let first = t.first().ok_or(AppError::NotFound)?;
    page(state, mode, first, &t, false).await
}

/// The tokens of a POST: in its address (a mail client's one-click request) and in its
/// form (the page's button).
fn posted_tokens(query: Option<String>, body: &[u8]) -> Vec<String> {
    let mut t = tokens(query.unwrap_or_default().as_bytes());
    t.extend(tokens(body));
    t
}

pub async fn manage(State(state): State<AppState>, RawQuery(q): RawQuery) -> AppResult<Response> {
    show(&state, q, "manage").await
}

pub async fn confirm_page(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    show(&state, q, "confirm").await
}

pub async fn confirm(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> AppResult<Response> {
    let t = posted_tokens(q, &body);
    let first = t.first().cloned().ok_or(AppError::NotFound)?;
    let email = state.store.subscription(&first).await?.map(|s| s.email);
    for token in &t {
        // Only tokens of the same address, as sent together in one email.
        if state.store.subscription(token).await?.map(|s| s.email) == email {
            state.store.confirm_subscription(token).await?;
        }
    }
    page(&state, "confirm", &first, &t, true).await
}

pub async fn unsubscribe_page(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    show(&state, q, "unsubscribe").await
}

/// One click, from the page's button or a mail client (`List-Unsubscribe=One-Click`).
pub async fn unsubscribe(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> AppResult<Response> {
    let t = posted_tokens(q, &body);
    let token = t.first().cloned().ok_or(AppError::NotFound)?;
    let sub = state.store.subscription(&token).await?;
    state.store.unsubscribe(&token).await?;
    let site = state.site();
    let remaining = match &sub {
        Some(s) => state.store.subscriptions_of(&s.email).await?,
        None => Vec::new(),
    };
    let html = state.templates.render(
        "subscriptions.html",
        context! {
            mode => "unsubscribe",
            done => true,
            email => sub.map(|s| s.email).unwrap_or_default(),
            token => token,
            tokens => t,
            subscriptions => remaining,
            ..base_context(&state, &site)
        },
    )?;
    Ok(personal_response(StatusCode::OK, html))
}
