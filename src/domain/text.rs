//! Turning what people type into safe HTML.
//!
//! Posts are Markdown written by trusted staff, rendered with pulldown-cmark and then
//! sanitised. Comments follow WordPress: plain text where blank lines make paragraphs,
//! a small set of tags allowed (links, emphasis, code, quotes), every other `<` shown as
//! typed. Both pass through ammonia last, so nothing unsafe reaches a page.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{html, Event, Options, Parser, TagEnd};

use super::html_guard;

/// Tags a commenter may use, as in WordPress's `$allowedtags`.
const COMMENT_TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "cite",
    "code",
    "del",
    "em",
    "i",
    "p",
    "pre",
    "q",
    "s",
    "strong",
];

static COMMENT_SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.tags(COMMENT_TAGS.iter().copied().collect::<HashSet<_>>())
        .add_tag_attributes("a", ["href", "title"])
        .add_tag_attributes("abbr", ["title"])
        .add_tag_attributes("blockquote", ["cite"])
        .add_tag_attributes("q", ["cite"])
        .url_schemes(html_guard::COMMENT_SCHEMES.iter().copied().collect())
        .attribute_filter(html_guard::comment_url_filter)
        .link_rel(Some("nofollow ugc"))
        .strip_comments(true);
    b
});

/// What every post body may hold, Markdown written here or HTML brought in: ammonia's
/// defaults, figures, details, table alignment, ids, languages and directions, links
/// through the scheme allow-list. Each kind of post adds its own few tags.
pub(super) fn post_policy() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.add_tags(["figure", "figcaption", "details", "summary", "mark"])
        .add_tag_attributes("td", ["style"])
        .add_tag_attributes("th", ["style"])
        .add_generic_attributes(["id", "lang", "dir"])
        .url_schemes(html_guard::POST_SCHEMES.iter().copied().collect())
        .attribute_filter(html_guard::post_url_filter)
        .id_prefix(None)
        .link_rel(Some("noopener"));
    b
}

/// Markdown posts: the post policy plus task-list checkboxes.
static POST_SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = post_policy();
    b.add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"]);
    b
});

/// Renders a post's Markdown to sanitised HTML.
pub fn render_post(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION;
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    let clean = POST_SANITISER
        .clean(&html_guard::bound_nesting(&raw, html_guard::MAX_NESTING))
        .to_string();
    html_guard::drop_rel_without_href(clean, "noopener")
}

/// The first `words` words of a post's text, for listings when no excerpt was written.
pub fn summary(markdown: &str, words: usize) -> String {
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            // The end of a block separates words; the end of a link or of bold text
            // does not ("[the plan](…)." is "the plan.", not "the plan .").
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image
                | TagEnd::Superscript
                | TagEnd::Subscript,
            ) => {}
            Event::End(_) => text.push(' '),
            _ => {}
        }
        if text.len() > words * 12 {
            break;
        }
    }
    let all: Vec<&str> = text.split_whitespace().collect();
    if all.len() > words {
        format!("{} …", all[..words].join(" "))
    } else {
        all.join(" ")
    }
}

/// If `s` starts with an allowed comment tag (`<em>`, `</a>`, `<a href="…">`), its length.
fn allowed_tag_len(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 1;
    if bytes.get(i) == Some(&b'/') {
        i += 1;
    }
    let name_start = i;
    while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
        i += 1;
    }
    let name = s[name_start..i].to_ascii_lowercase();
    if !COMMENT_TAGS.contains(&name.as_str()) {
        return None;
    }
    match bytes.get(i) {
        Some(b'>') => Some(i + 1),
        Some(b'/') if bytes.get(i + 1) == Some(&b'>') => Some(i + 2),
        Some(c) if c.is_ascii_whitespace() => {
            let end = s[i..].find(['>', '<'])?;
            (s.as_bytes()[i + end] == b'>').then_some(i + end + 1)
        }
        _ => None,
    }
}

/// Whether `s` starts with the ASCII `prefix`, in any case. Compares bytes, so text in
/// any script is safe (slicing a `str` mid-character would panic).
pub fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.as_bytes()
        .get(..prefix.len())
        .is_some_and(|b| b.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Cleans comment HTML with the comment policy (WordPress's tags, links
/// `rel="nofollow ugc"`): for comments written elsewhere, already HTML.
pub fn sanitise_comment_html(html: &str) -> String {
    let clean = COMMENT_SANITISER
        .clean(&html_guard::bound_nesting(html, html_guard::MAX_NESTING))
        .to_string();
    html_guard::drop_rel_without_href(clean, "nofollow ugc")
}

/// Renders a comment as WordPress would: allowed tags kept, other markup shown as text,
/// blank lines make paragraphs, single line breaks make `<br>`, links get
/// `rel="nofollow ugc"`.
pub fn render_comment(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut escaped = String::with_capacity(text.len() + 16);
    let mut rest = text.as_str();
    while let Some(pos) = rest.find(['<', '>', '&', '"']) {
        escaped.push_str(&rest[..pos]);
        rest = &rest[pos..];
        match rest.as_bytes()[0] {
            b'<' => {
                if let Some(len) = allowed_tag_len(rest) {
                    escaped.push_str(&rest[..len]);
                    rest = &rest[len..];
                    continue;
                }
                escaped.push_str("&lt;");
            }
            b'>' => escaped.push_str("&gt;"),
            b'&' => escaped.push_str("&amp;"),
            _ => escaped.push_str("&quot;"),
        }
        rest = &rest[1..];
    }
    escaped.push_str(rest);

    let mut html = String::with_capacity(escaped.len() + 32);
    for para in escaped
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let block = ["<p", "<blockquote", "<pre"]
            .iter()
            .any(|t| starts_with_ignore_case(para, t));
        let inner = para.replace('\n', "<br>\n");
        if block {
            html.push_str(&inner);
        } else {
            html.push_str("<p>");
            html.push_str(&inner);
            html.push_str("</p>");
        }
        html.push('\n');
    }
    sanitise_comment_html(&autolink(&html))
}

/// Bare addresses in a comment's text become links, as WordPress's `make_clickable`
/// does: `http://…`, `https://…` and `www.…` (the sanitiser then adds
/// `rel="nofollow ugc"` and checks the scheme). Text inside tags and inside links is
/// left alone; where an address ends (trailing punctuation, brackets) is `linkify`'s
/// call, by GitHub's rules. `html` is escaped text with allowed tags, so every `<` is a
/// tag.
fn autolink(html: &str) -> String {
    let mut finder = linkify::LinkFinder::new();
    finder
        .kinds(&[linkify::LinkKind::Url])
        .url_must_have_scheme(false);
    let mut out = String::with_capacity(html.len() + 64);
    let mut in_link = 0usize;
    let mut rest = html;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            let tag = rest[..end].to_ascii_lowercase();
            if tag.starts_with("<a ") || tag == "<a>" {
                in_link += 1;
            } else if tag.starts_with("</a") {
                in_link = in_link.saturating_sub(1);
            }
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let end = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..end];
        if in_link > 0 {
            out.push_str(text);
        } else {
            link_text(&finder, text, &mut out);
        }
        rest = &rest[end..];
    }
    out
}

fn link_text(finder: &linkify::LinkFinder, text: &str, out: &mut String) {
    let mut last = 0;
    for link in finder.links(text) {
        let found = link.as_str();
        // An escaped `<`, `>` or `"` typed right after the address ends it.
        let cut = ["&lt;", "&gt;", "&quot;"]
            .iter()
            .filter_map(|e| found.find(e))
            .min()
            .unwrap_or(found.len());
        let address = &found[..cut];
        let lower = address.to_ascii_lowercase();
        let href = if lower.starts_with("http://") || lower.starts_with("https://") {
            address.to_string()
        } else if lower.starts_with("www.") && address.len() > 4 {
            format!("https://{address}")
        } else {
            continue;
        };
        out.push_str(&text[last..link.start()]);
        out.push_str(&format!("<a href=\"{href}\">{address}</a>"));
        last = link.start() + cut;
    }
    out.push_str(&text[last..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_paragraphs_and_line_breaks() {
        assert_eq!(
            render_comment("one\ntwo\n\nthree"),
            "<p>one<br>\ntwo</p>\n<p>three</p>\n"
        );
    }

    #[test]
    fn allowed_tags_stay_and_links_get_nofollow_ugc() {
        let html = render_comment(r#"<em>Yes</em>, see <a href="https://x.org/">this</a>"#);
        assert!(html.contains("<em>Yes</em>"), "{html}");
        assert!(
            html.contains(r#"<a href="https://x.org/" rel="nofollow ugc">this</a>"#),
            "{html}"
        );
    }

    #[test]
    fn bare_addresses_become_links_as_wordpress_makes_them() {
        let html =
            render_comment("See https://x.org/a?b=1&c=2. Or www.example.org, not example.org");
        assert!(
            html.contains(r#"<a href="https://x.org/a?b=1&amp;c=2" rel="nofollow ugc">https://x.org/a?b=1&amp;c=2</a>."#),
            "{html}"
        );
        assert!(
            html.contains(
                r#"<a href="https://www.example.org" rel="nofollow ugc">www.example.org</a>,"#
            ),
            "{html}"
        );
        assert!(html.contains("not example.org</p>"), "{html}");
        // A link written as a link is not linked again; brackets stay outside.
        let html =
            render_comment(r#"<a href="https://x.org/">https://x.org/</a> (https://y.org/z)"#);
        assert_eq!(html.matches("<a ").count(), 2, "{html}");
        assert!(html.contains(r#">https://y.org/z</a>)"#), "{html}");
        // Markup typed after an address ends it; nothing but http(s) becomes a link.
        let html = render_comment("https://x.org<b>bold</b> javascript:alert(1) ftp://old.example");
        assert!(html.contains(r#">https://x.org</a>"#), "{html}");
        assert_eq!(html.matches("<a ").count(), 1, "{html}");
        // Arabic text around an address.
        let html = render_comment("انظر https://مثال.example/صفحة للمزيد");
        assert!(html.contains("rel=\"nofollow ugc\""), "{html}");
    }

    #[test]
    fn other_markup_is_shown_not_run() {
        let html = render_comment(
            r#"<script>alert(1)</script> <img src=x onerror=alert(1)> <h1>big</h1>"#,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("&lt;h1&gt;big&lt;/h1&gt;"), "{html}");
    }

    #[test]
    fn dangerous_attributes_on_allowed_tags_are_removed() {
        let html = render_comment(
            r#"<a href="javascript:alert(1)" onclick="x()">x</a> <em style="color:red">y</em>"#,
        );
        assert!(!html.contains("javascript"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        // A link whose address was removed keeps no `rel` either (invalid HTML).
        assert!(html.contains("<a>x</a>"), "{html}");
        assert!(!html.contains("style"), "{html}");
    }

    #[test]
    fn unclosed_tags_do_not_leak_into_the_page() {
        let html = render_comment("<blockquote>quoted\n\n<strong>bold");
        assert_eq!(
            html.matches("<blockquote>").count(),
            html.matches("</blockquote>").count()
        );
        assert_eq!(
            html.matches("<strong>").count(),
            html.matches("</strong>").count()
        );
    }

    #[test]
    fn text_in_any_script_starts_a_paragraph_safely() {
        // A byte count of 11 ("<blockquote") falls inside an Arabic letter here.
        assert_eq!(render_comment("a ئاوووووو"), "<p>a ئاوووووو</p>\n");
        assert_eq!(
            crate::domain::html::autop("<p>ئاو مافی هەمووانە</p>"),
            "<p>ئاو مافی هەمووانە</p>"
        );
    }

    #[test]
    fn ampersands_and_quotes_are_text() {
        assert_eq!(
            render_comment("Tom & \"Jerry\" a<b"),
            "<p>Tom &amp; \"Jerry\" a&lt;b</p>\n"
        );
    }

    #[test]
    fn post_markdown_is_rendered_and_sanitised() {
        let html =
            render_post("# Title\n\nSome *text* and <script>x</script>\n\n| a |\n|---|\n| b |");
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<em>text</em>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn summaries_cut_at_a_word_count() {
        assert_eq!(summary("# T\n\nOne *two* three four", 3), "T One two …");
        assert_eq!(summary("short", 10), "short");
        assert_eq!(
            summary("See [the plan](https://x.org). It is **final**.", 10),
            "See the plan. It is final."
        );
    }
}
