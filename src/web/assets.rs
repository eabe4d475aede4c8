//! `/assets/FILE`: the theme's CSS and JavaScript (`render::Assets`), a year-long
//! cache lifetime under their hashed names, five minutes under their plain ones.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::AppState;

pub async fn serve(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((asset, hashed)) = state.assets.by_file(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cache = if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, cache),
        ],
        asset.body.clone(),
    )
        .into_response()
}
