//! One error type for every handler. A client error carries a message for the person
//! who caused it; anything else shows "something went wrong" with the request id, and
//! the real error goes to the log once, never to the client.
//!
//! Messages are catalogue keys: an error answer carries an [`ErrorPage`] and no body,
//! and `web::edge` writes the page in the site's language on the way out (every
//! answer passes it, panics and timeouts included).

use std::any::Any;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::i18n::I18n;
use crate::store::StoreError;

pub use crate::i18n::message::{Arg, Message};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(Message),
    #[error("bad request: {0}")]
    BadRequest(Message),
    #[error("too many requests")]
    TooManyRequests,
    #[error("service unavailable")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// Refused: `key` says why.
    pub fn forbidden(key: &'static str) -> AppError {
        AppError::Forbidden(Message::new(key))
    }

    /// Not understood: `key` says what to do instead.
    pub fn bad_request(key: &'static str) -> AppError {
        AppError::BadRequest(Message::new(key))
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Refused(key) => AppError::Forbidden(Message::new(key)),
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                AppError::Unavailable
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<minijinja::Error> for AppError {
    fn from(err: minijinja::Error) -> Self {
        AppError::Internal(anyhow::anyhow!("template: {err:#}"))
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// What an error answer says, written out in the site's language by
/// [`write_error_page`].
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub title: &'static str,
    pub text: Message,
}

/// An error answer: `status`, and the page to write for it.
pub fn plain_page(status: StatusCode, title: &'static str, text: Message) -> Response {
    let mut res = status.into_response();
    res.extensions_mut().insert(ErrorPage { title, text });
    res
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes the page of an error answer (one carrying an [`ErrorPage`], or the empty
/// `503` a timeout gives) in `lang`; any other answer passes untouched.
pub fn write_error_page(i18n: &I18n, lang: &str, mut res: Response) -> Response {
    let page = match res.extensions_mut().remove::<ErrorPage>() {
        Some(page) => page,
        None if res.status() == StatusCode::SERVICE_UNAVAILABLE
            && !res.headers().contains_key(header::CONTENT_TYPE) =>
        {
            ErrorPage {
                title: "error-busy-title",
                text: Message::new("error-busy-text"),
            }
        }
        None => return res,
    };
    let language = crate::i18n::speak(lang);
    let id = super::request_id::current().unwrap_or_default();
    let t = |key: &str| crate::i18n::plain(&i18n.t(language.tag, key, None));
    let title = t(page.title);
    let body = format!(
        "<!doctype html><html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{h}</title></head><body>\
         <main><h1>{h}</h1><p>{d}</p><p><small>{rid} <code>{id}</code></small></p>\
         <p><a href=\"/\">{home}</a></p></main></body></html>",
        lang = language.tag,
        dir = language.dir,
        h = escape(&title),
        d = escape(&crate::i18n::plain(
            &page.text.in_language(i18n, language.tag)
        )),
        rid = escape(&t("error-request-id")),
        home = escape(&t("back-home")),
    );
    let status = res.status();
    let mut headers = std::mem::take(res.headers_mut());
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.remove(header::CONTENT_LENGTH);
    let mut out = (status, body).into_response();
    for (name, value) in &headers {
        out.headers_mut().insert(name.clone(), value.clone());
    }
    out
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::NotFound => plain_page(
                StatusCode::NOT_FOUND,
                "not-found-title",
                Message::new("not-found-text"),
            ),
            AppError::Forbidden(msg) => {
                plain_page(StatusCode::FORBIDDEN, "error-forbidden-title", msg)
            }
            AppError::BadRequest(msg) => {
                plain_page(StatusCode::BAD_REQUEST, "error-bad-request-title", msg)
            }
            AppError::TooManyRequests => plain_page(
                StatusCode::TOO_MANY_REQUESTS,
                "error-too-many-title",
                Message::new("error-too-many-text"),
            ),
            AppError::Unavailable => {
                let mut res = plain_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "error-busy-title",
                    Message::new("error-busy-text"),
                );
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
                res
            }
            AppError::Internal(err) => {
                tracing::error!(error = format!("{err:#}"), "request failed");
                internal_page()
            }
        }
    }
}

fn internal_page() -> Response {
    plain_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "error-internal-title",
        Message::new("error-internal-text"),
    )
}

/// What a panic in a handler answers; the panic itself is logged.
pub fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| {
            err.downcast_ref::<&str>()
                .map(std::string::ToString::to_string)
        })
        .unwrap_or_default();
    tracing::error!(panic = detail, "handler panicked");
    internal_page()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_pages_are_written_in_the_language_asked_for() {
        let i18n = I18n::new();
        let res = write_error_page(&i18n, "ar", AppError::NotFound.into_response());
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        let res = write_error_page(&i18n, "en", AppError::Unavailable.into_response());
        assert_eq!(res.headers()[header::RETRY_AFTER], "60");
        // An ordinary answer is left alone.
        let ok = write_error_page(&i18n, "en", (StatusCode::OK, "fine").into_response());
        assert!(ok.extensions().get::<ErrorPage>().is_none());
    }
}
