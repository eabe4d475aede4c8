//! A site's public address, `http(s)://host[:port][/path]`: the one rule for every
//! address Tribune is told (`base_url`, the address recorded at setup or typed in
//! Settings, `tribune export --site-url`) or works out (the listening address). Links
//! that leave the site — in emails, redirect URIs, feeds, the export — are built on it.

use std::fmt;

/// A checked site address, without a trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SiteUrl(String);

/// An address that is not a site address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a site address: write it as http(s)://host[:port][/path], e.g. https://example.org, without a user, a query or a fragment")]
pub struct BadSiteUrl(pub String);

impl SiteUrl {
    /// Reads an address: http or https, a host, no user, query or fragment; the host
    /// in lower case and the trailing `/` dropped (`https://Example.org/` →
    /// `https://example.org`).
    pub fn parse(input: &str) -> Result<SiteUrl, BadSiteUrl> {
        let bad = || BadSiteUrl(input.trim().to_string());
        let url = url::Url::parse(input.trim()).map_err(|_| bad())?;
        let ok = matches!(url.scheme(), "http" | "https")
            && url.host_str().is_some_and(|h| !h.is_empty())
            && url.username().is_empty()
            && url.password().is_none()
            && url.query().is_none()
            && url.fragment().is_none();
        if !ok {
            return Err(bad());
        }
        Ok(SiteUrl(url.as_str().trim_end_matches('/').to_string()))
    }

    /// The address a server listening on `addr` answers at.
    pub fn listening(addr: std::net::SocketAddr) -> SiteUrl {
        SiteUrl(format!("http://{addr}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }

    /// An absolute link to `path` (which starts with `/`) on this site.
    pub fn join(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }

    /// The same as a URI: a path in any script percent-encoded (feeds, sitemaps and
    /// headers carry URIs, not the IRIs a page may show).
    pub fn uri(&self, path: &str) -> String {
        format!("{}{}", self.0, encode_path(path))
    }
}

/// A site path as a URI path: what is not allowed there (spaces, quotes, `<>`, `#?`,
/// any non-ASCII letter of a slug) percent-encoded as UTF-8; `%` itself is kept, so a
/// path already encoded stays as it is.
pub fn encode_path(path: &str) -> String {
    const PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'<')
        .add(b'>')
        .add(b'`')
        .add(b'#')
        .add(b'?')
        .add(b'{')
        .add(b'}')
        .add(b'\\')
        .add(b'^')
        .add(b'|');
    percent_encoding::utf8_percent_encode(path, PATH).to_string()
}

impl fmt::Display for SiteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for SiteUrl {
    type Err = BadSiteUrl;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SiteUrl::parse(s)
    }
}

impl serde::Serialize for SiteUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_address_is_an_http_origin_with_an_optional_path() {
        let ok = |s: &str| SiteUrl::parse(s).map(|u| u.to_string());
        assert_eq!(
            ok(" https://Example.org/ ").as_deref(),
            Ok("https://example.org")
        );
        assert_eq!(
            ok("http://127.0.0.1:8080/news/").as_deref(),
            Ok("http://127.0.0.1:8080/news")
        );
        for bad in [
            "example.org",
            "ftp://example.org",
            "https://user@example.org",
            "https://example.org/?x=1",
            "https://example.org/#top",
            "javascript:alert(1)",
            "http://",
            "notaurl",
        ] {
            let err = SiteUrl::parse(bad).unwrap_err();
            assert!(err.to_string().contains("http(s)://host"), "{bad}: {err}");
        }
    }

    #[test]
    fn links_are_built_on_the_address() {
        let u = SiteUrl::parse("https://example.org/news/").unwrap();
        assert!(u.is_https());
        assert_eq!(
            u.join("/2026/01/02/x/"),
            "https://example.org/news/2026/01/02/x/"
        );
        let l = SiteUrl::listening("127.0.0.1:8080".parse().unwrap());
        assert_eq!(l.as_str(), "http://127.0.0.1:8080");
        assert!(!l.is_https());
    }
}
