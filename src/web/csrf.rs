//! Cross-site request forgery protection, in two layers.
//!
//! 1. Every unsafe request (POST…) must come from this site: the browser's
//!    `Sec-Fetch-Site` header, or failing that `Origin`, must say so. This protects the
//!    public comment form, which sits on a cached page that is the same bytes for every
//!    reader and so cannot carry a per-reader token.
//! 2. Every form that acts for a signed-in person (all of `/admin/`) also carries a
//!    token: the session's token once signed in, or before that (sign-in, setup) a
//!    random token kept in a `tribune_csrf` cookie (double submit).

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::error::{plain_page, AppError, Message};
use super::AppState;

pub const COOKIE: &str = "tribune_csrf";
pub const FIELD: &str = "csrf";

fn same_origin(req: &Request, state: &AppState) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Neither header: not a browser form post from another site (old browsers and
        // command-line clients send neither).
        return true;
    };
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let base_host = state
        .settings
        .base_url
        .as_ref()
        .and_then(|u| u.as_str().split_once("://"))
        .map(|(_, rest)| rest.split('/').next().unwrap_or(rest));
    host == Some(origin_host) || base_host == Some(origin_host)
}

pub async fn origin_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // The Webmention endpoint takes posts from other sites by design (their servers,
    // or a "send a webmention" form on their pages); all it does is queue a check.
    let open_to_all = req.uri().path() == "/webmention";
    if unsafe_method && !open_to_all && !same_origin(&req, &state) {
        tracing::warn!("refused a cross-site form post");
        return plain_page(
            StatusCode::FORBIDDEN,
            "error-cross-site-title",
            Message::new("error-cross-site-text"),
        );
    }
    next.run(req).await
}

/// The pre-session token, creating the cookie if the browser has none.
pub fn pre_session_token(jar: CookieJar, secure: bool) -> (CookieJar, String) {
    if let Some(c) = jar.get(COOKIE) {
        if c.value().len() == 64 {
            let v = c.value().to_string();
            return (jar, v);
        }
    }
    let token = crate::token::random_hex(32);
    let cookie = Cookie::build((COOKIE, token.clone()))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .build();
    (jar.add(cookie), token)
}

/// Checks a submitted token against the expected one.
pub fn verify(expected: Option<&str>, submitted: &str) -> Result<(), AppError> {
    match expected {
        Some(e) if !e.is_empty() && crate::token::constant_time_eq(e, submitted) => Ok(()),
        _ => Err(AppError::forbidden("error-form-expired")),
    }
}

/// Checks a form shown before any session (sign-in, setup, lost password) against the
/// token [`pre_session_token`] put in this browser's cookie.
pub fn verify_pre_session(
    jar: &CookieJar,
    form: &std::collections::HashMap<String, String>,
) -> Result<(), AppError> {
    verify(
        jar.get(COOKIE)
            .map(axum_extra::extract::cookie::Cookie::value),
        form.get(FIELD).map(String::as_str).unwrap_or(""),
    )
}
