//! Webmention (W3C Recommendation, 12 January 2017) as plain values: where a page says
//! its endpoint is (§3.1.2), whether a source links to a target (§3.2.2), what the
//! source says about itself in microformats (its `h-entry` and author `h-card`), and
//! which links a post's text makes. Pages are read with html5ever's tokenizer.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use url::Url;

/// The most of a source's text a mention keeps.
pub const MAX_CONTENT_CHARS: usize = 1000;

/// What a source page says, as far as a mention needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Source {
    /// It has a link (`href`, `src`) to the target, exactly.
    pub links_to_target: bool,
    /// Its `h-entry`'s `p-name`.
    pub name: Option<String>,
    /// Its `e-content` (else `p-summary`) as text, at most [`MAX_CONTENT_CHARS`].
    pub content: Option<String>,
    /// Its `u-url`, absolute.
    pub url: Option<String>,
    /// Its `dt-published` as written.
    pub published: Option<String>,
    pub author: Option<Author>,
}

/// The `h-card` of a source's author.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Author {
    pub name: Option<String>,
    pub url: Option<String>,
    pub photo: Option<String>,
}

/// Elements that never have an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// What the reader is collecting text for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capture {
    EntryName,
    Content,
    Summary,
    Published,
    AuthorName,
}

#[derive(Debug)]
struct Open {
    name: String,
    /// Opened the `h-entry` / an `h-card` inside it (or the page's first `h-card`).
    entry: bool,
    card: bool,
    capture: Option<Capture>,
}

#[derive(Debug, Default)]
struct Reader {
    base: Option<Url>,
    target: Option<Url>,
    stack: Vec<Open>,
    entry_depth: Option<usize>,
    entry_done: bool,
    card_depth: Option<usize>,
    card_done: bool,
    /// A card inside the entry was read (its author).
    entry_author: bool,
    /// Inside `<script>`, `<style>` or `<template>`: no text.
    hidden: usize,
    texts: Vec<(Capture, String)>,
    source: Source,
    /// For discovery: the first `<link>` or `<a>` with `rel~=webmention`.
    endpoint: Option<String>,
    /// For sending: every `<a href>`.
    links: Vec<String>,
}

fn classes(tag: &html5ever::tokenizer::Tag) -> Vec<String> {
    attr(tag, "class")
        .map(|c| c.split_ascii_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

fn attr<'t>(tag: &'t html5ever::tokenizer::Tag, name: &str) -> Option<&'t str> {
    tag.attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| &*a.value)
}

impl Reader {
    fn resolve(&self, href: &str) -> Option<Url> {
        match &self.base {
            Some(base) => base.join(href.trim()).ok(),
            None => Url::parse(href.trim()).ok(),
        }
    }

    fn is_target(&self, href: &str) -> bool {
        match (&self.target, self.resolve(href)) {
            (Some(t), Some(mut u)) => {
                u.set_fragment(None);
                let mut t = t.clone();
                t.set_fragment(None);
                u == t
            }
            _ => false,
        }
    }

    fn start(&mut self, tag: &html5ever::tokenizer::Tag) {
        let name = tag.name.to_string();
        let class = classes(tag);
        let has = |c: &str| class.iter().any(|x| x == c);
        for key in ["href", "src"] {
            if let Some(v) = attr(tag, key) {
                if self.is_target(v) {
                    self.source.links_to_target = true;
                }
            }
        }
        if name == "a" {
            if let Some(href) = attr(tag, "href") {
                self.links.push(href.to_string());
            }
        }
        if (name == "link" || name == "a") && self.endpoint.is_none() {
            let rel = attr(tag, "rel").unwrap_or_default();
            if rel
                .split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("webmention"))
            {
                if let Some(href) = attr(tag, "href") {
                    self.endpoint = Some(href.to_string());
                }
            }
        }
        if matches!(name.as_str(), "script" | "style" | "template") {
            self.hidden += 1;
        }
        let in_entry = self.entry_depth.is_some();
        let in_card = self.card_depth.is_some();
        let mut open = Open {
            name: name.clone(),
            entry: false,
            card: false,
            capture: None,
        };
        if has("h-entry") && !in_entry && !self.entry_done {
            open.entry = true;
        } else if has("h-card") && !in_card {
            if in_entry && !self.entry_author {
                // The entry's own author card wins over any card of the page.
                open.card = true;
                self.entry_author = true;
                self.source.author = Some(Author::default());
            } else if !in_entry && !self.card_done && self.source.author.is_none() {
                // Else the page's first card.
                open.card = true;
                self.source.author = Some(Author::default());
            }
        }
        if in_card && !open.card {
            let author = self.source.author.get_or_insert_with(Author::default);
            if has("p-name") && author.name.is_none() {
                open.capture = Some(Capture::AuthorName);
            }
            if has("u-url") && author.url.is_none() {
                author.url = attr(tag, "href")
                    .and_then(|h| self.base.as_ref().and_then(|b| b.join(h).ok()))
                    .map(|u| u.to_string());
            }
            if has("u-photo") && author.photo.is_none() {
                author.photo = attr(tag, "src")
                    .and_then(|h| self.base.as_ref().and_then(|b| b.join(h).ok()))
                    .map(|u| u.to_string());
            }
        } else if in_entry && !open.card {
            if has("p-name") && self.source.name.is_none() {
                open.capture = Some(Capture::EntryName);
            }
            if has("e-content") && self.source.content.is_none() {
                open.capture = Some(Capture::Content);
            } else if has("p-summary") && self.source.content.is_none() {
                open.capture = Some(Capture::Summary);
            }
            if has("u-url") && self.source.url.is_none() {
                self.source.url = attr(tag, "href")
                    .and_then(|h| self.resolve(h))
                    .map(|u| u.to_string());
            }
            if has("dt-published") && self.source.published.is_none() {
                match attr(tag, "datetime") {
                    Some(d) => self.source.published = Some(d.to_string()),
                    None => open.capture = Some(Capture::Published),
                }
            }
            if has("p-author") && !has("h-card") && self.source.author.is_none() {
                open.capture = Some(Capture::AuthorName);
                self.source.author = Some(Author::default());
            }
        }
        if let Some(c) = open.capture {
            self.texts.push((c, String::new()));
        }
        if VOID.contains(&name.as_str()) || tag.self_closing {
            return;
        }
        let depth = self.stack.len();
        if open.entry {
            self.entry_depth = Some(depth);
        }
        if open.card {
            self.card_depth = Some(depth);
        }
        self.stack.push(open);
    }

    fn end(&mut self, name: &str) {
        let Some(at) = self.stack.iter().rposition(|o| o.name == name) else {
            return;
        };
        while self.stack.len() > at {
            let Some(open) = self.stack.pop() else { break };
            if matches!(open.name.as_str(), "script" | "style" | "template") {
                self.hidden = self.hidden.saturating_sub(1);
            }
            if let Some(c) = open.capture {
                if let Some(i) = self.texts.iter().rposition(|(k, _)| *k == c) {
                    let (_, text) = self.texts.remove(i);
                    self.finish(c, text);
                }
            }
            if open.entry {
                self.entry_depth = None;
                self.entry_done = true;
            }
            if open.card {
                self.card_depth = None;
                self.card_done = true;
            }
        }
    }

    fn finish(&mut self, what: Capture, text: String) {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            return;
        }
        match what {
            Capture::EntryName => self.source.name = Some(text),
            Capture::Content | Capture::Summary => {
                self.source.content = Some(text.chars().take(MAX_CONTENT_CHARS).collect());
            }
            Capture::Published => self.source.published = Some(text),
            Capture::AuthorName => {
                self.source.author.get_or_insert_with(Author::default).name = Some(text);
            }
        }
    }

    fn text(&mut self, s: &str) {
        if self.hidden > 0 {
            return;
        }
        for (_, t) in &mut self.texts {
            if t.len() < MAX_CONTENT_CHARS * 4 {
                t.push_str(s);
            }
        }
    }
}

struct Sink(RefCell<Reader>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut r = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => r.start(&tag),
                TagKind::EndTag => r.end(&tag.name),
            },
            Token::CharacterTokens(s) => r.text(&s),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn read(html: &str, base: Option<&Url>, target: Option<&Url>) -> Reader {
    let sink = Sink(RefCell::new(Reader {
        base: base.cloned(),
        target: target.cloned(),
        ..Reader::default()
    }));
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let mut reader = tokenizer.sink.0.into_inner();
    // Captures left open at the end of the page.
    for (c, text) in std::mem::take(&mut reader.texts) {
        reader.finish(c, text);
    }
    reader
}

/// What source page `html` (at `source`, after redirects) says about `target`.
pub fn read_source(html: &str, source: &Url, target: &Url) -> Source {
    read(html, Some(source), Some(target)).source
}

/// A plain-text (or JSON, or anything not HTML) source links to `target` when it holds
/// the address itself.
pub fn text_links_to(body: &str, target: &Url) -> bool {
    body.contains(target.as_str())
}

/// The endpoint a page at `page` advertises (§3.1.2): the first `Link` header value
/// with `rel="webmention"`, else the first `<link>` or `<a>` with that rel in the page;
/// relative addresses resolved against the page, its query kept; `href=""` is the page.
pub fn discover(page: &Url, link_headers: &[String], html: Option<&str>) -> Option<Url> {
    for header in link_headers {
        for value in split_links(header) {
            let Some((uri, params)) = value.trim().split_once('>') else {
                continue;
            };
            let uri = uri.trim().trim_start_matches('<');
            let rel = params.split(';').find_map(|p| {
                let (k, v) = p.split_once('=')?;
                (k.trim().eq_ignore_ascii_case("rel"))
                    .then(|| v.trim().trim_matches('"').to_string())
            });
            if rel.is_some_and(|r| {
                r.split_ascii_whitespace()
                    .any(|x| x.eq_ignore_ascii_case("webmention"))
            }) {
                if let Ok(u) = page.join(uri) {
                    return Some(u);
                }
            }
        }
    }
    let href = read(html?, Some(page), None).endpoint?;
    page.join(&href).ok()
}

/// A `Link` header's values, split at the commas outside `<…>` and quotes.
fn split_links(header: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut angle, mut quote) = (0, false, false);
    for (i, c) in header.char_indices() {
        match c {
            '<' if !quote => angle = true,
            '>' if !quote => angle = false,
            '"' if !angle => quote = !quote,
            ',' if !angle && !quote => {
                out.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&header[start..]);
    out
}

/// The pages a post's HTML links to that are not on `own` (the site): absolute
/// http(s) addresses, without fragments, each once, in order.
pub fn outgoing_links(html: &str, own: &Url) -> Vec<Url> {
    let reader = read(html, Some(own), None);
    let mut out: Vec<Url> = Vec::new();
    for href in reader.links {
        let Ok(mut u) = own.join(href.trim()) else {
            continue;
        };
        if !matches!(u.scheme(), "http" | "https") || u.origin() == own.origin() {
            continue;
        }
        u.set_fragment(None);
        if !out.contains(&u) {
            out.push(u);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn a_source_is_read_for_its_link_entry_and_author() {
        let html = r#"<html><body>
          <div class="h-card"><a class="p-name u-url" href="/">Site owner</a></div>
          <article class="h-entry">
            <h1 class="p-name">A reply <em>to you</em></h1>
            <a class="u-url" href="/2026/reply">permalink</a>
            <time class="dt-published" datetime="2026-12-02T10:00:00Z">Dec 2</time>
            <div class="p-author h-card"><img class="u-photo" src="/me.jpg" alt="">
              <a class="p-name u-url" href="https://bob.example/">Bob   Writer</a></div>
            <div class="e-content"><p>I agree with <a href="https://tribune.test/2026/12/01/a/#comments">this post</a>.</p>
              <script>var x = "not text";</script></div>
          </article></body></html>"#;
        let s = read_source(
            html,
            &url("https://bob.example/2026/reply"),
            &url("https://tribune.test/2026/12/01/a/"),
        );
        assert!(s.links_to_target);
        assert_eq!(s.name.as_deref(), Some("A reply to you"));
        assert_eq!(s.content.as_deref(), Some("I agree with this post."));
        assert_eq!(s.url.as_deref(), Some("https://bob.example/2026/reply"));
        assert_eq!(s.published.as_deref(), Some("2026-12-02T10:00:00Z"));
        let a = s.author.unwrap();
        assert_eq!(a.name.as_deref(), Some("Bob Writer"));
        assert_eq!(a.url.as_deref(), Some("https://bob.example/"));
        assert_eq!(a.photo.as_deref(), Some("https://bob.example/me.jpg"));
    }

    #[test]
    fn a_page_without_microformats_still_mentions() {
        let s = read_source(
            "<p>See <a href='/x/'>x</a></p>",
            &url("https://tribune.test/other/"),
            &url("https://tribune.test/x/"),
        );
        assert!(s.links_to_target);
        assert_eq!(s.name, None);
        let s = read_source(
            "<p>See https://tribune.test/x/ in words only</p>",
            &url("https://a.example/"),
            &url("https://tribune.test/x/"),
        );
        assert!(!s.links_to_target);
        assert!(text_links_to(
            "see https://tribune.test/x/",
            &url("https://tribune.test/x/")
        ));
    }

    #[test]
    fn endpoints_are_found_as_the_recommendation_says() {
        let page = url("https://r.example/post/1?x=1");
        // The header first, relative, with several rels and links.
        let found = discover(
            &page,
            &[r#"<https://r.example/other>; rel="other", </wm?q=1>; rel="webmention somethingelse""#.into()],
            Some("<link rel=webmention href=/not-this>"),
        );
        assert_eq!(found, Some(url("https://r.example/wm?q=1")));
        // Then the page: <link> or <a>, the first in the document.
        let found = discover(
            &page,
            &[],
            Some("<a rel='webmention' href='/a'>x</a><link rel=webmention href=/b>"),
        );
        assert_eq!(found, Some(url("https://r.example/a")));
        // An empty href is the page itself; a commented-out one is not there.
        assert_eq!(
            discover(
                &page,
                &[],
                Some("<!-- <link rel=webmention href=/c> --><link rel=webmention href=\"\">")
            ),
            Some(page.clone())
        );
        assert_eq!(discover(&page, &[], Some("<p>nothing</p>")), None);
    }

    #[test]
    fn a_post_links_out_to_other_sites_only() {
        let own = url("https://tribune.test/");
        let links = outgoing_links(
            r#"<a href="/2026/x/">own</a> <a href="https://a.example/p#frag">a</a>
               <a href="https://a.example/p">again</a> <a href="mailto:x@y">m</a>
               <a href="//b.example/q">b</a> <a href="https://tribune.test/y">own too</a>"#,
            &own,
        );
        assert_eq!(
            links,
            [url("https://a.example/p"), url("https://b.example/q")]
        );
    }
}
