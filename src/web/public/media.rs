//! `/media/HASH.ext` and `/media/HASH-WIDTH.ext`: library files. A name is a content
//! hash, so the bytes behind it never change: cached for a year (`immutable`), an ETag
//! of the name, `304` to a browser that has it, byte ranges (a PDF opens at any page),
//! `nosniff` and a policy that lets nothing in the file run.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;

use crate::domain::media::{parse_file_name, Format};
use crate::media::Files;
use crate::web::AppState;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Whether `file` is read whole: every copy (at most 1920 pixels wide), and originals
/// up to 2 MB; a larger original (a long PDF, a big photo) is streamed.
async fn small(state: &AppState, file: &str, width: Option<u32>) -> bool {
    if width.is_some() {
        return true;
    }
    let Some(path) = state.media.files.path(file) else {
        return false;
    };
    tokio::fs::metadata(path)
        .await
        .is_ok_and(|m| m.len() <= 2 * 1024 * 1024)
}

pub async fn serve(
    State(state): State<AppState>,
    Path(file): Path<String>,
    req: Request,
) -> Response {
    let Some((hash, width, format)) = parse_file_name(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!(
        "\"{hash}{}\"",
        width.map(|w| format!("-{w}")).unwrap_or_default()
    );
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    // From the folder, a byte range or a large original is streamed; everything else
    // (and anything in a bucket) is read whole and sent in one piece, which beats
    // streaming a small file in chunks (bench/media.sh: 12,190 requests/s against 870).
    let streamed = matches!(state.media.files, Files::Dir(_))
        && (req.headers().contains_key(header::RANGE) || !small(&state, &file, width).await);
    let mut res = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else if streamed {
        let path = state.media.files.path(&file).expect("a folder has paths");
        let service = tower_http::services::ServeFile::new_with_mime(
            path,
            &format.mime().parse().expect("a known type"),
        );
        match service.oneshot(req).await {
            Ok(res) => res.map(Body::new),
            Err(never) => match never {},
        }
    } else {
        match state.media.files.get(&file).await {
            Ok(Some(bytes)) => ([(header::CONTENT_TYPE, format.mime())], bytes).into_response(),
            Ok(None) => StatusCode::NOT_FOUND.into_response(),
            Err(e) => {
                tracing::warn!(error = %e, file = %file, "a media file could not be read");
                StatusCode::SERVICE_UNAVAILABLE.into_response()
            }
        }
    };
    let status = res.status();
    let headers = res.headers_mut();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
        if let Ok(v) = HeaderValue::from_str(&etag) {
            headers.insert(header::ETAG, v);
        }
    } else {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if format == Format::Pdf {
        headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("inline"),
        );
    } else {
        // Opened on its own, an image still runs nothing and loads nothing.
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; sandbox"),
        );
    }
    res
}
