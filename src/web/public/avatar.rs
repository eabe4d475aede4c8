//! `/avatar/KEY.svg`: identicons drawn from the key alone, no database involved.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

pub async fn identicon(Path(file): Path<String>) -> Response {
    let Some(key) = file.strip_suffix(".svg") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(bytes) = hex::decode(key) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if bytes.len() != 16 {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'",
            ),
        ],
        crate::domain::identicon::svg(&bytes),
    )
        .into_response()
}
