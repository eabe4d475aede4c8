//! One error type for every handler. A client error carries a message for the person
//! who caused it; anything else shows "something went wrong" with the request id, and
//! the real error goes to the log once, never to the client.

use std::any::Any;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("too many requests")]
    TooManyRequests,
    #[error("service unavailable")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => AppError::NotFound,
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

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A plain page for errors that happen before or outside a themed page.
pub fn plain_page(status: StatusCode, heading: &str, detail: &str) -> Response {
    let id = super::request_id::current().unwrap_or_default();
    let body = format!(
        "<!doctype html><html lang=\"en\" dir=\"ltr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{h}</title></head><body>\
         <main><h1>{h}</h1><p>{d}</p><p><small>Request id: <code>{id}</code></small></p>\
         <p><a href=\"/\">Home</a></p></main></body></html>",
        h = escape(heading),
        d = escape(detail),
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::NotFound => plain_page(
                StatusCode::NOT_FOUND,
                "Page not found",
                "Nothing lives at this address. Check the link, or start from the home page.",
            ),
            AppError::Forbidden(msg) => plain_page(StatusCode::FORBIDDEN, "Not allowed", &msg),
            AppError::BadRequest(msg) => plain_page(StatusCode::BAD_REQUEST, "Bad request", &msg),
            AppError::TooManyRequests => plain_page(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
                "You are sending requests faster than this site accepts. Wait a minute and try again.",
            ),
            AppError::Unavailable => {
                let mut res = plain_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Busy",
                    "The site cannot save anything right now. Nothing was changed; go back and try again in a minute.",
                );
                res.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
                res
            }
            AppError::Internal(err) => {
                tracing::error!(error = format!("{err:#}"), "request failed");
                plain_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "The error has been logged. If it keeps happening, tell the site's owner the request id below.",
                )
            }
        }
    }
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
    plain_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The error has been logged. If it keeps happening, tell the site's owner the request id below.",
    )
}
