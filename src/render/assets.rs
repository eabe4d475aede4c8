//! Static assets (CSS, JavaScript, the icons), embedded in the binary under a content-hashed
//! name, so they can be cached for a year. A theme directory's `assets/NAME` replaces
//! the embedded file of the same name. The web layer serves them (`web/assets.rs`).

use std::collections::HashMap;
use std::path::Path;

use bytes::Bytes;

const EMBEDDED: &[(&str, &str, &[u8])] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/style.css"),
    ),
    (
        "comment-reply.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/comment-reply.js"),
    ),
    (
        "staff-bar.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/staff-bar.js"),
    ),
    (
        "editor.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/editor.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../assets/favicon.svg"),
    ),
    (
        "apple-touch-icon.png",
        "image/png",
        include_bytes!("../../assets/apple-touch-icon.png"),
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
                Some(p) if p.exists() => std::fs::read(&p)
                    .map_err(|e| anyhow::anyhow!("cannot read theme asset {}: {e}", p.display()))?,
                _ => embedded.to_vec(),
            };
            let digest = <sha2::Sha256 as sha2::Digest>::digest(&body);
            let hash = &hex::encode(digest)[..10];
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

    /// The asset a request for `file` (its hashed name, or its plain one) means, and
    /// whether the name was the hashed one (which never changes its bytes).
    pub fn by_file(&self, file: &str) -> Option<(&Asset, bool)> {
        let name = self.by_file.get(file)?;
        Some((&self.by_name[name], file != *name))
    }

    pub fn urls(&self) -> HashMap<String, String> {
        self.by_name
            .iter()
            .map(|(k, v)| (k.to_string(), v.url.clone()))
            .collect()
    }
}
