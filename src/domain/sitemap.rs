//! Sitemaps (sitemaps.org 0.9): an index of sitemaps, each a page of addresses with
//! when they changed and, for a post with translations, every language's version as
//! `xhtml:link rel="alternate" hreflang` (Google's form, the page itself included).

use std::fmt::Write;

use super::feed::{rfc3339, text};

/// Addresses in one sitemap: WordPress's 2,000, far below the protocol's 50,000 URLs
/// and 50 MB, so a page of posts with seven translations each stays a few MB.
pub const URLS_PER_SITEMAP: usize = 2000;

/// One address in a sitemap.
#[derive(Debug, Clone, Default)]
pub struct Url {
    /// Absolute, percent-encoded.
    pub loc: String,
    pub lastmod: Option<i64>,
    /// (hreflang, absolute address) of each language version, itself included, and
    /// `x-default`; empty when it has no translations.
    pub alternates: Vec<(String, String)>,
}

/// The index: each sitemap's address and when its newest entry changed.
pub fn index(sitemaps: &[(String, Option<i64>)]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, lastmod) in sitemaps {
        let _ = write!(out, "<sitemap><loc>{}</loc>", text(loc));
        if let Some(t) = lastmod {
            let _ = write!(out, "<lastmod>{}</lastmod>", rfc3339(*t));
        }
        out.push_str("</sitemap>\n");
    }
    out.push_str("</sitemapindex>\n");
    out
}

/// One sitemap of `urls`.
pub fn urlset(urls: &[Url]) -> String {
    let mut out = String::with_capacity(256 + urls.len() * 160);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for url in urls {
        let _ = write!(out, "<url><loc>{}</loc>", text(&url.loc));
        if let Some(t) = url.lastmod {
            let _ = write!(out, "<lastmod>{}</lastmod>", rfc3339(t));
        }
        for (lang, href) in &url.alternates {
            let _ = write!(
                out,
                "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                text(lang),
                text(href)
            );
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// How many sitemaps `count` addresses take (at least one, so an empty site's
/// index still names a valid, empty sitemap).
pub fn pages(count: usize, per: usize) -> usize {
    count.div_ceil(per.max(1)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_escaped_with_their_alternates() {
        let xml = urlset(&[Url {
            loc: "https://e.org/a/?x=1&y=2".into(),
            lastmod: Some(0),
            alternates: vec![
                ("en".into(), "https://e.org/a/".into()),
                ("x-default".into(), "https://e.org/a/".into()),
            ],
        }]);
        assert!(xml.contains(
            "<loc>https://e.org/a/?x=1&amp;y=2</loc><lastmod>1970-01-01T00:00:00Z</lastmod>"
        ));
        assert!(xml.contains(
            "<xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"https://e.org/a/\"/>"
        ));
    }

    #[test]
    fn sitemaps_are_counted_in_pages() {
        assert_eq!(pages(0, 2000), 1);
        assert_eq!(pages(2000, 2000), 1);
        assert_eq!(pages(2001, 2000), 2);
        assert_eq!(pages(5, 0), 5);
    }
}
