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
    /// A stylesheet as a page carries it inline, and its CSP source ([`inline_form`]).
    inline: Option<(String, String)>,
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
                    inline: inline_form(content_type, &body),
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

    /// A stylesheet as it goes inside a page's `<style>` element, and the CSP source
    /// that allows it: none for an asset that cannot go inline ([`inline_form`]).
    pub fn inline_style(&self, name: &str) -> Option<(&str, &str)> {
        let (css, source) = self.by_name.get(name)?.inline.as_ref()?;
        Some((css, source))
    }

    /// The CSP sources of every stylesheet a template may inline.
    pub fn inline_style_sources(&self) -> Vec<String> {
        let mut sources: Vec<String> = self
            .by_name
            .values()
            .filter_map(|asset| asset.inline.as_ref().map(|(_, source)| source.clone()))
            .collect();
        sources.sort();
        sources
    }

    pub fn urls(&self) -> HashMap<String, String> {
        self.by_name
            .iter()
            .map(|(k, v)| (k.to_string(), v.url.clone()))
            .collect()
    }
}

/// A stylesheet's text for a `<style>` element, and the CSP source that allows it
/// (`'sha256-…'` of those exact bytes), made once at load: none for an asset that is
/// not a stylesheet in UTF-8, or whose text would end the element early.
fn inline_form(content_type: &str, body: &[u8]) -> Option<(String, String)> {
    if !content_type.starts_with("text/css") {
        return None;
    }
    let css = compact_css(std::str::from_utf8(body).ok()?);
    if css.to_ascii_lowercase().contains("</style") {
        return None;
    }
    let digest = <sha2::Sha256 as sha2::Digest>::digest(css.as_bytes());
    let hash = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, digest);
    Some((css, format!("'sha256-{hash}'")))
}

/// A stylesheet without its comments, indentation and blank lines (what every page
/// carries inline need not carry its notes). Strings are copied as they are; a
/// comment left open ends the text, as it would in the browser.
pub fn compact_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(i) = rest.find(['/', '"', '\'']) {
        let (before, at) = rest.split_at(i);
        out.push_str(before);
        let quote = at.as_bytes()[0];
        if quote == b'/' {
            if let Some(comment) = at.strip_prefix("/*") {
                rest = comment.find("*/").map_or("", |end| &comment[end + 2..]);
            } else {
                out.push('/');
                rest = &at[1..];
            }
            continue;
        }
        // A string: up to its closing quote not escaped by a backslash.
        let bytes = at.as_bytes();
        let mut end = 1;
        while end < bytes.len() && bytes[end] != quote {
            end += if bytes[end] == b'\\' { 2 } else { 1 };
        }
        let end = (end + 1).min(at.len());
        out.push_str(&at[..end]);
        rest = &at[end..];
    }
    out.push_str(rest);
    out.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::compact_css;

    #[test]
    fn compact_css_drops_comments_and_indentation_but_not_strings() {
        assert_eq!(
            compact_css("/* a note */\n:root {\n  --x: 1; /* why */\n}\n\n\na::after { content: \"/* kept */\"; }\n"),
            ":root {\n--x: 1;\n}\na::after { content: \"/* kept */\"; }"
        );
        assert_eq!(
            compact_css("b { content: '\\'/*' } /* x */ i {}"),
            "b { content: '\\'/*' }  i {}"
        );
        assert_eq!(
            compact_css("a { background: url(x/y.png) } /* open"),
            "a { background: url(x/y.png) }"
        );
        assert_eq!(compact_css("a { b: \"unclosed"), "a { b: \"unclosed");
    }
}
