//! `/assets/FILE`: the theme's CSS and JavaScript (`render::Assets`), a year-long
//! cache lifetime under their hashed names, five minutes under their plain ones.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::encoding::{self, Encoding};
use super::AppState;

pub async fn serve(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some((asset, hashed)) = state.assets.by_file(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cache = if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    // Each compressed form is made once (at the strongest levels) and kept.
    let (encoding, body) = match state.asset_forms.get(&asset.url) {
        Some(forms) if encoding::is_text(asset.content_type) => {
            let encoding = Encoding::negotiate(&headers);
            (encoding, forms.get(encoding, &asset.body))
        }
        _ => (Encoding::Identity, asset.body.clone()),
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response();
    encoding::mark(response.headers_mut(), encoding);
    response
}

/// `/manifest.webmanifest`: the site's name and icons, so a reader can keep it on a
/// phone's home screen.
pub async fn manifest(State(state): State<AppState>) -> Response {
    let site = state.site();
    let icon = |name: &str, size: &str, ty: &str| {
        serde_json::json!({
            "src": state.assets.url(name).unwrap_or_default(),
            "sizes": size,
            "type": ty,
        })
    };
    let body = serde_json::json!({
        "name": site.title,
        "short_name": site.title,
        "start_url": "/",
        "display": "browser",
        "background_color": "#ffffff",
        "theme_color": "#0a5cad",
        "icons": [
            icon("favicon.svg", "any", "image/svg+xml"),
            icon("apple-touch-icon.png", "180x180", "image/png"),
        ],
    });
    (
        [
            (header::CONTENT_TYPE, "application/manifest+json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body.to_string(),
    )
        .into_response()
}

/// `/favicon.ico`, asked for by clients that read no page's `<link rel="icon">`: the
/// theme's icon.
pub async fn favicon(State(state): State<AppState>) -> Response {
    match state.assets.url("apple-touch-icon.png") {
        Some(url) => axum::response::Redirect::temporary(url).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
