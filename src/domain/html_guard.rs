//! Two guards around the HTML sanitiser (ammonia), for every policy.
//!
//! 1. **Every URL-valued attribute goes through the scheme allow-list.** Ammonia checks
//!    `href` and `src`, but `cite` (on `blockquote`, `q`, `del`, `ins`), `srcset`,
//!    `poster`, `longdesc` and the like pass as they are, `javascript:` included.
//!    [`comment_url_filter`] and [`post_url_filter`] are installed as the policies'
//!    attribute filters, with the same schemes as their `url_schemes`.
//! 2. **Nesting is bounded before parsing.** An HTML parser spends time on every open
//!    element at every step; 20,000 nested `<pre>` cost over half a second of CPU per
//!    comment. [`bound_nesting`] turns start tags deeper than [`MAX_NESTING`] into text
//!    first, which real content never reaches.

use std::borrow::Cow;

/// Deeper than any real post or comment; shallow enough to keep parsing linear.
pub const MAX_NESTING: usize = 64;

/// Attributes whose value is a URL (or, for `srcset`, a list of them).
fn is_url_attribute(attr: &str) -> bool {
    matches!(
        attr,
        "href"
            | "src"
            | "cite"
            | "srcset"
            | "poster"
            | "longdesc"
            | "usemap"
            | "background"
            | "action"
            | "formaction"
            | "data"
            | "codebase"
            | "manifest"
            | "itemtype"
            | "itemid"
            | "ping"
            | "xlink:href"
    )
}

/// The scheme of a URL as a browser reads it (tabs and line breaks removed, leading
/// control characters and spaces ignored), lower-case; `None` for a relative URL.
fn scheme_of(url: &str) -> Option<String> {
    let cleaned: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .skip_while(|c| c.is_control() || *c == ' ')
        .collect();
    let end = cleaned.find([':', '/', '?', '#'])?;
    if cleaned.as_bytes()[end] != b':' || end == 0 {
        return None;
    }
    let scheme = &cleaned[..end];
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    // Something like `a%3Ab` or `é:` is not a scheme a browser would run; treat the
    // value as suspicious rather than relative.
    Some(if valid {
        scheme.to_ascii_lowercase()
    } else {
        String::from("!")
    })
}

/// Whether `url` is relative or uses one of `schemes`.
pub fn url_allowed(url: &str, schemes: &[&str]) -> bool {
    match scheme_of(url) {
        None => true,
        Some(s) => schemes.contains(&s.as_str()),
    }
}

/// Schemes a comment's links may use.
pub const COMMENT_SCHEMES: &[&str] = &["http", "https", "mailto"];
/// Schemes a post's links and media may use.
pub const POST_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// `value` if `attr` is not URL-valued or its URL(s) use one of `schemes`; a `srcset`
/// loses its bad candidates; `None` drops the attribute.
pub fn filter_url_attribute<'u>(
    schemes: &[&str],
    attr: &str,
    value: &'u str,
) -> Option<Cow<'u, str>> {
    if !is_url_attribute(attr) {
        return Some(Cow::Borrowed(value));
    }
    if attr == "srcset" {
        // Each candidate is a URL and at most one descriptor (`2x`, `640w`); anything
        // else is dropped, as a browser would.
        let kept: Vec<&str> = value
            .split(',')
            .map(str::trim)
            .filter(|c| {
                let mut parts = c.split_whitespace();
                let url = parts.next().unwrap_or("");
                let descriptor_ok = match parts.next() {
                    None => true,
                    Some(d) => is_descriptor(d) && parts.next().is_none(),
                };
                !url.is_empty() && descriptor_ok && url_allowed(url, schemes)
            })
            .collect();
        return (!kept.is_empty()).then(|| Cow::Owned(kept.join(", ")));
    }
    url_allowed(value, schemes).then_some(Cow::Borrowed(value))
}

/// A `srcset` descriptor: a number and `w`, `x` or `h`.
fn is_descriptor(d: &str) -> bool {
    let Some(number) = d.strip_suffix(['w', 'x', 'h']) else {
        return false;
    };
    !number.is_empty()
        && number
            .parse::<f64>()
            .is_ok_and(|n| n.is_finite() && n > 0.0)
}

/// Ammonia's attribute filter for comments.
pub fn comment_url_filter<'u>(_element: &str, attr: &str, value: &'u str) -> Option<Cow<'u, str>> {
    filter_url_attribute(COMMENT_SCHEMES, attr, value)
}

/// Ammonia's attribute filter for posts.
pub fn post_url_filter<'u>(_element: &str, attr: &str, value: &'u str) -> Option<Cow<'u, str>> {
    filter_url_attribute(POST_SCHEMES, attr, value)
}

/// The sanitiser adds `rel` to every `<a>`, also to one whose `href` it removed
/// (`javascript:`), which is invalid HTML; such a link is left as plain `<a>`.
pub fn drop_rel_without_href(html: String, rel: &str) -> String {
    let bare = format!("<a rel=\"{rel}\">");
    if html.contains(&bare) {
        html.replace(&bare, "<a>")
    } else {
        html
    }
}

/// Elements that never hold others, or whose end the parser supplies by itself: they do
/// not deepen the tree the way `<div><div>…` does.
fn opens_no_level(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "p"
            | "li"
            | "dt"
            | "dd"
            | "tr"
            | "td"
            | "th"
            | "option"
            | "optgroup"
            | "tbody"
            | "thead"
            | "tfoot"
            | "colgroup"
            | "rp"
            | "rt"
    )
}

/// `html` with the `<` of start tags deeper than `max` (and of end tags with nothing
/// open) written as `&lt;`, so they show as text. Borrowed when nothing changes.
pub fn bound_nesting(html: &str, max: usize) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut escape_at: Vec<usize> = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let at = i + off;
        i = at + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let name_start = if closing { i + 1 } else { i };
        let mut name_end = name_start;
        while name_end < bytes.len()
            && (bytes[name_end].is_ascii_alphanumeric() || bytes[name_end] == b'-')
        {
            name_end += 1;
        }
        if name_end == name_start || !bytes[name_start].is_ascii_alphabetic() {
            continue; // `<!--`, `<?`, `< 3`: not an element
        }
        let name = html[name_start..name_end].to_ascii_lowercase();
        if opens_no_level(&name) {
            continue;
        }
        if closing {
            if depth == 0 {
                escape_at.push(at);
            } else {
                depth -= 1;
            }
            continue;
        }
        let tag_end = html[name_end..].find('>').map(|e| name_end + e);
        let self_closing = tag_end.is_some_and(|e| e > 0 && bytes[e - 1] == b'/');
        if self_closing {
            continue;
        }
        if depth >= max {
            escape_at.push(at);
        } else {
            depth += 1;
        }
    }
    if escape_at.is_empty() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() + escape_at.len() * 3);
    let mut last = 0;
    for at in escape_at {
        out.push_str(&html[last..at]);
        out.push_str("&lt;");
        last = at + 1;
    }
    out.push_str(&html[last..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_read_as_browsers_read_them() {
        let web = &["http", "https", "mailto"];
        assert!(url_allowed("https://x.org/a", web));
        assert!(url_allowed("/relative/path?x=1:2", web));
        assert!(url_allowed("#top", web));
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "java\tscript:alert(1)",
            "\u{1}javascript:x",
            "data:text/html,<script>",
            "vbscript:x",
        ] {
            assert!(!url_allowed(bad, web), "{bad:?}");
        }
    }

    #[test]
    fn srcset_keeps_only_good_candidates() {
        let f = post_url_filter;
        assert_eq!(
            f(
                "img",
                "srcset",
                "a.jpg 1x, javascript:x 2x, https://x.org/b.jpg 3x"
            )
            .as_deref(),
            Some("a.jpg 1x, https://x.org/b.jpg 3x")
        );
        assert_eq!(f("img", "srcset", "javascript:x 2x"), None);
        assert_eq!(f("img", "srcset", "< javascript:x 2x"), None);
        assert_eq!(
            f("img", "srcset", "a.jpg 640w").as_deref(),
            Some("a.jpg 640w")
        );
        assert_eq!(comment_url_filter("q", "cite", "javascript:alert(1)"), None);
        assert_eq!(
            comment_url_filter("q", "title", "javascript:alert(1)").as_deref(),
            Some("javascript:alert(1)")
        );
    }

    #[test]
    fn deep_nesting_turns_into_text_and_ordinary_html_is_untouched() {
        let ordinary =
            "<div><p>a<ul><li>one<li>two</ul><blockquote><p>q</blockquote></div><br><img src=x>";
        assert!(matches!(bound_nesting(ordinary, 4), Cow::Borrowed(_)));
        let deep = "<pre>".repeat(10) + "x" + &"</pre>".repeat(10);
        let bounded = bound_nesting(&deep, 3);
        assert_eq!(bounded.matches("<pre>").count(), 3);
        assert_eq!(bounded.matches("&lt;pre>").count(), 7);
        // End tags with nothing open become text too.
        assert_eq!(bound_nesting("</b>x", 3), "&lt;/b>x");
        // Many paragraphs and list items are not depth.
        let flat = "<p>x".repeat(1000);
        assert!(matches!(bound_nesting(&flat, 3), Cow::Borrowed(_)));
    }
}
