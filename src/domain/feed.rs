//! Feeds: RSS 2.0 and Atom (RFC 4287) written from plain values.
//!
//! Callers give absolute addresses, each item's id (which never changes: the post's
//! `guid`, kept from WordPress on import), dates in Unix seconds and the text as it
//! is; this module escapes every value once and drops what XML 1.0 cannot carry.

use std::fmt::Write;

use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::OffsetDateTime;

/// Which of the two formats a feed is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RSS 2.0, at `…/feed/`.
    Rss,
    /// Atom 1.0, at `…/feed/atom/`.
    Atom,
}

impl Format {
    /// The `Content-Type` a feed of this format is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Atom => "application/atom+xml; charset=utf-8",
        }
    }

    /// The `type` of a `<link rel="alternate">` that points at it.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml",
            Format::Atom => "application/atom+xml",
        }
    }
}

/// The feed as a whole.
#[derive(Debug, Clone, Default)]
pub struct Channel {
    pub title: String,
    /// The site's tagline (RSS requires a description: the title when there is none).
    pub description: String,
    /// The page the feed follows (absolute).
    pub link: String,
    /// The feed's own address (absolute), also the Atom feed's id.
    pub self_url: String,
    /// BCP 47 tag of the language the feed speaks.
    pub lang: String,
    /// When the newest item changed (Unix seconds).
    pub updated: i64,
}

/// A file an item carries: the featured image, a PDF the text links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enclosure {
    pub url: String,
    pub bytes: i64,
    pub mime: String,
}

/// One post or comment.
#[derive(Debug, Clone, Default)]
pub struct Item {
    /// Never changes, whatever happens to the address (`guid`, Atom `id`).
    pub id: String,
    pub title: String,
    pub link: String,
    pub author: String,
    pub published: i64,
    pub updated: i64,
    /// BCP 47 tag of the item's language, and its direction (`rtl` wraps its HTML).
    pub lang: String,
    pub dir: &'static str,
    pub categories: Vec<String>,
    /// Plain text: the excerpt, or the first words.
    pub summary: String,
    /// The whole text as HTML, when the site's feeds carry full text.
    pub content_html: Option<String>,
    pub enclosures: Vec<Enclosure>,
    /// A post's comments: where they are read, how many, and their own feed.
    pub comments: Option<Comments>,
}

#[derive(Debug, Clone, Default)]
pub struct Comments {
    pub link: String,
    pub count: i64,
    pub feed: String,
}

/// Writes the feed in `format`.
pub fn write(format: Format, channel: &Channel, items: &[Item]) -> String {
    match format {
        Format::Rss => rss(channel, items),
        Format::Atom => atom(channel, items),
    }
}

/// Text made safe for XML 1.0: the characters it forbids dropped (NUL, most C0
/// controls, lone surrogates cannot occur in a `str`, U+FFFE/U+FFFF), then `&<>"'`
/// escaped.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if allowed_in_xml(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Whether XML 1.0 allows `c` in a document (its `Char` production).
pub fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// RFC 822 / RFC 2822 date, as RSS 2.0 wants: `Wed, 02 Dec 2026 21:00:00 +0000`.
pub fn rfc2822(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc2822).ok())
        .unwrap_or_default()
}

/// RFC 3339 date, as Atom and sitemaps want: `2026-12-02T21:00:00Z`.
pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// A post's HTML with its site-relative addresses (`src="/media/…"`, `href="/…"`,
/// every `srcset` candidate) made absolute on `base`: a feed is read away from the
/// site, and RSS has no base address. Scheme-relative ones (`//host/…`) are left.
pub fn absolute_urls(html: &str, base: &str) -> String {
    let base = base.trim_end_matches('/');
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    loop {
        let next = ["src=\"", "href=\"", "srcset=\""]
            .iter()
            .filter_map(|a| rest.find(a).map(|i| (i, *a)))
            .min_by_key(|(i, _)| *i);
        let Some((at, attr)) = next else {
            out.push_str(rest);
            return out;
        };
        // Only a whole attribute name (`data-src="` is someone else's).
        let whole = at == 0 || rest[..at].ends_with([' ', '\n', '\t']);
        let start = at + attr.len();
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find('"').unwrap_or(rest.len());
        let value = &rest[..end];
        if whole && attr == "srcset=\"" {
            let candidates: Vec<String> = value
                .split(',')
                .map(|c| {
                    let c = c.trim();
                    if c.starts_with('/') && !c.starts_with("//") {
                        format!("{base}{c}")
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            out.push_str(&candidates.join(", "));
        } else if whole && value.starts_with('/') && !value.starts_with("//") {
            out.push_str(base);
            out.push_str(value);
        } else {
            out.push_str(value);
        }
        rest = &rest[end..];
    }
}

/// An item's HTML as a feed carries it: a right-to-left text is wrapped so that
/// readers that ignore `xml:lang` still set it the right way.
fn content(item: &Item, html: &str) -> String {
    if item.dir == "rtl" {
        format!(
            "<div dir=\"rtl\" lang=\"{}\">{html}</div>",
            text(&item.lang)
        )
    } else {
        html.to_string()
    }
}

fn rss(channel: &Channel, items: &[Item]) -> String {
    let mut out = String::with_capacity(1024 + items.len() * 2048);
    let description = if channel.description.trim().is_empty() {
        &channel.title
    } else {
        &channel.description
    };
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:atom=\"http://www.w3.org/2005/Atom\" \
         xmlns:slash=\"http://purl.org/rss/1.0/modules/slash/\" \
         xmlns:wfw=\"http://wellformedweb.org/CommentAPI/\">\n<channel>\n",
    );
    let _ = writeln!(out, "<title>{}</title>", text(&channel.title));
    let _ = writeln!(
        out,
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>",
        text(&channel.self_url)
    );
    let _ = writeln!(out, "<link>{}</link>", text(&channel.link));
    let _ = writeln!(out, "<description>{}</description>", text(description));
    let _ = writeln!(
        out,
        "<lastBuildDate>{}</lastBuildDate>",
        rfc2822(channel.updated)
    );
    let _ = writeln!(out, "<language>{}</language>", text(&channel.lang));
    out.push_str("<generator>Tribune</generator>\n");
    for item in items {
        out.push_str("<item>\n");
        let _ = writeln!(out, "<title>{}</title>", text(&item.title));
        let _ = writeln!(out, "<link>{}</link>", text(&item.link));
        if let Some(c) = &item.comments {
            let _ = writeln!(out, "<comments>{}</comments>", text(&c.link));
        }
        let _ = writeln!(out, "<dc:creator>{}</dc:creator>", text(&item.author));
        let _ = writeln!(out, "<pubDate>{}</pubDate>", rfc2822(item.published));
        for category in &item.categories {
            let _ = writeln!(out, "<category>{}</category>", text(category));
        }
        let _ = writeln!(out, "<guid isPermaLink=\"false\">{}</guid>", text(&item.id));
        let _ = writeln!(out, "<description>{}</description>", text(&item.summary));
        if let Some(html) = &item.content_html {
            let _ = writeln!(
                out,
                "<content:encoded>{}</content:encoded>",
                text(&content(item, html))
            );
        }
        // RSS 2.0 allows one enclosure an item: the first (the featured image).
        if let Some(e) = item.enclosures.first() {
            let _ = writeln!(
                out,
                "<enclosure url=\"{}\" length=\"{}\" type=\"{}\"/>",
                text(&e.url),
                e.bytes.max(0),
                text(&e.mime)
            );
        }
        if let Some(c) = &item.comments {
            let _ = writeln!(out, "<wfw:commentRss>{}</wfw:commentRss>", text(&c.feed));
            let _ = writeln!(out, "<slash:comments>{}</slash:comments>", c.count.max(0));
        }
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

fn atom(channel: &Channel, items: &[Item]) -> String {
    let mut out = String::with_capacity(1024 + items.len() * 2048);
    let _ = writeln!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" \
         xmlns:thr=\"http://purl.org/syndication/thread/1.0\" xml:lang=\"{}\">",
        text(&channel.lang)
    );
    let _ = writeln!(out, "<title type=\"text\">{}</title>", text(&channel.title));
    if !channel.description.trim().is_empty() {
        let _ = writeln!(
            out,
            "<subtitle type=\"text\">{}</subtitle>",
            text(&channel.description)
        );
    }
    let _ = writeln!(out, "<updated>{}</updated>", rfc3339(channel.updated));
    let _ = writeln!(
        out,
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        text(&channel.link)
    );
    let _ = writeln!(out, "<id>{}</id>", text(&channel.self_url));
    let _ = writeln!(
        out,
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        text(&channel.self_url)
    );
    out.push_str("<generator>Tribune</generator>\n");
    for item in items {
        let _ = writeln!(out, "<entry xml:lang=\"{}\">", text(&item.lang));
        let _ = writeln!(out, "<author><name>{}</name></author>", text(&item.author));
        let _ = writeln!(out, "<title type=\"text\">{}</title>", text(&item.title));
        let _ = writeln!(
            out,
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            text(&item.link)
        );
        let _ = writeln!(out, "<id>{}</id>", text(&item.id));
        let _ = writeln!(out, "<updated>{}</updated>", rfc3339(item.updated));
        let _ = writeln!(out, "<published>{}</published>", rfc3339(item.published));
        for category in &item.categories {
            let _ = writeln!(out, "<category term=\"{}\"/>", text(category));
        }
        let _ = writeln!(
            out,
            "<summary type=\"text\">{}</summary>",
            text(&item.summary)
        );
        if let Some(html) = &item.content_html {
            let _ = writeln!(
                out,
                "<content type=\"html\">{}</content>",
                text(&content(item, html))
            );
        }
        for e in &item.enclosures {
            let _ = writeln!(
                out,
                "<link rel=\"enclosure\" href=\"{}\" length=\"{}\" type=\"{}\"/>",
                text(&e.url),
                e.bytes.max(0),
                text(&e.mime)
            );
        }
        if let Some(c) = &item.comments {
            let _ = writeln!(
                out,
                "<link rel=\"replies\" type=\"text/html\" href=\"{}\" thr:count=\"{}\"/>",
                text(&c.link),
                c.count.max(0)
            );
            let _ = writeln!(
                out,
                "<link rel=\"replies\" type=\"application/atom+xml\" href=\"{}\" thr:count=\"{}\"/>",
                text(&c.feed),
                c.count.max(0)
            );
        }
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> Item {
        Item {
            id: "urn:uuid:1".into(),
            title: "Fish & <chips>".into(),
            link: "https://example.org/2026/12/02/a/".into(),
            author: "Ana".into(),
            published: 1_796_000_000,
            updated: 1_796_000_100,
            lang: "ar".into(),
            dir: "rtl",
            summary: "a\u{0}b\u{1b}c".into(),
            content_html: Some("<p>x</p>".into()),
            enclosures: vec![Enclosure {
                url: "https://example.org/media/a.jpg".into(),
                bytes: 10,
                mime: "image/jpeg".into(),
            }],
            ..Item::default()
        }
    }

    #[test]
    fn text_is_escaped_and_forbidden_characters_dropped() {
        assert_eq!(
            text("a\u{0}<b>&\"'\u{FFFE}\n"),
            "a&lt;b&gt;&amp;&quot;&apos;\n"
        );
        let rss = write(Format::Rss, &Channel::default(), &[item()]);
        assert!(rss.contains("<title>Fish &amp; &lt;chips&gt;</title>"));
        assert!(rss.contains("<description>abc</description>"));
        assert!(!rss.contains('\u{0}'));
        // The HTML is text in the XML, wrapped to read right to left.
        assert!(rss.contains(
            "<content:encoded>&lt;div dir=&quot;rtl&quot; lang=&quot;ar&quot;&gt;&lt;p&gt;x&lt;/p&gt;&lt;/div&gt;</content:encoded>"
        ));
        assert!(rss.contains("<enclosure url=\"https://example.org/media/a.jpg\" length=\"10\" type=\"image/jpeg\"/>"));
    }

    #[test]
    fn dates_follow_each_format() {
        assert_eq!(rfc2822(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        let atom = write(Format::Atom, &Channel::default(), &[item()]);
        assert!(atom.contains("<entry xml:lang=\"ar\">"));
        assert!(atom.contains("<published>2026-11-30T"));
    }

    #[test]
    fn site_addresses_become_absolute() {
        let html = r#"<p><a href="/2026/x/">x</a> <a href="https://o.org/">o</a> <a href="//cdn/x">c</a>
<img src="/media/a.jpg" srcset="/media/a-320.jpg 320w, /media/a.jpg 1000w" data-src="/no"></p>"#;
        let out = absolute_urls(html, "https://example.org/");
        assert_eq!(
            out,
            r#"<p><a href="https://example.org/2026/x/">x</a> <a href="https://o.org/">o</a> <a href="//cdn/x">c</a>
<img src="https://example.org/media/a.jpg" srcset="https://example.org/media/a-320.jpg 320w, https://example.org/media/a.jpg 1000w" data-src="/no"></p>"#
        );
        assert_eq!(absolute_urls("no links", "https://e"), "no links");
        assert_eq!(
            absolute_urls("<a href=\"/x", "https://e"),
            "<a href=\"https://e/x"
        );
    }

    #[test]
    fn rss_needs_a_description() {
        let channel = Channel {
            title: "Site".into(),
            ..Channel::default()
        };
        assert!(write(Format::Rss, &channel, &[]).contains("<description>Site</description>"));
        assert!(!write(Format::Atom, &channel, &[]).contains("<subtitle"));
    }
}
