//! Static assets (CSS, JavaScript), embedded in the binary and served under a
//! content-hashed name with a year-long cache lifetime. A theme directory's
//! `assets/NAME` replaces the embedded file of the same name.

use std::collections::HashMap;
use std::path::Path;

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::AppState;

const EMBEDDED: &[(&str, &str, &str)] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/style.css"),
    ),
    (
        "comment-reply.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/comment-reply.js"),
    ),
];

pub struct Asset {
    pub url: String,
    pub content_type: &'static str,
    pub body: Bytes,
}

pub struct Assets {
    by_name: HashMap<&'static str, Asset>,
    by_file: HashMap<String, &'static str>,
}

impl Assets {
    pub fn load(theme_dir: Option<&Path>) -> anyhow::Result<Self> {
        let mut by_name = HashMap::new();
        let mut by_file = HashMap::new();
        for (name, content_type, embedded) in EMBEDDED {
            let body = match theme_dir.map(|d| d.join("assets").join(name)) {
                Some(p) if p.exists() => std::fs::read_to_string(&p)
                    .map_err(|e| anyhow::anyhow!("cannot read theme asset {}: {e}", p.display()))?,
                _ => embedded.to_string(),
            };
            let hash = &crate::token::sha256_hex(&body)[..10];
            let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
            let file = format!("{stem}.{hash}.{ext}");
            by_file.insert(file.clone(), *name);
            by_file.insert(name.to_string(), *name);
            by_name.insert(
                *name,
                Asset {
                    url: format!("/assets/{file}"),
                    content_type,
                    body: Bytes::from(body),
                },
            );
        }
        Ok(Assets { by_name, by_file })
    }

    /// The hashed URL of an asset, for templates.
    pub fn url(&self, name: &str) -> Option<&str> {
        self.by_name.get(name).map(|a| a.url.as_str())
    }

    pub fn urls(&self) -> HashMap<String, String> {
        self.by_name
            .iter()
            .map(|(k, v)| (k.to_string(), v.url.clone()))
            .collect()
    }
}

pub async fn serve(State(state): State<AppState>, UrlPath(file): UrlPath<String>) -> Response {
    let Some(name) = state.assets.by_file.get(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let asset = &state.assets.by_name[name];
    let cache = if file == *name {
        "public, max-age=300"
    } else {
        "public, max-age=31536000, immutable"
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
