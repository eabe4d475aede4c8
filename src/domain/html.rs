//! HTML brought from elsewhere (WordPress, Disqus): WordPress's paragraph rule
//! (`wpautop`), the `[caption]` shortcode, the permissive policy for trusted authors'
//! posts, and plain text for summaries and titles.
//!
//! WordPress stores post and comment bodies without `<p>`: blank lines become paragraphs
//! when the theme shows them. Tribune applies the same rule once, at import.

use super::text::starts_with_ignore_case;
use std::sync::LazyLock;

/// Trusted authors' HTML: the post policy plus media, embeds and WordPress's classes.
static TRUSTED_SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = super::text::post_policy();
    b.add_tags([
        "video", "audio", "source", "track", "iframe", "picture", "section", "aside", "cite",
    ])
    .add_tag_attributes("img", ["srcset", "sizes", "loading", "width", "height"])
    .add_tag_attributes(
        "video",
        [
            "src",
            "controls",
            "poster",
            "width",
            "height",
            "preload",
            "loop",
            "muted",
            "playsinline",
        ],
    )
    .add_tag_attributes("audio", ["src", "controls", "preload", "loop"])
    .add_tag_attributes("source", ["src", "srcset", "type", "media", "sizes"])
    .add_tag_attributes("track", ["src", "kind", "srclang", "label", "default"])
    .add_tag_attributes(
        "iframe",
        [
            "src",
            "width",
            "height",
            "title",
            "allow",
            "allowfullscreen",
            "loading",
        ],
    )
    .add_generic_attributes(["class"])
    .set_tag_attribute_value(
        "iframe",
        "sandbox",
        "allow-scripts allow-same-origin allow-presentation allow-popups",
    )
    .set_tag_attribute_value(
        "iframe",
        "referrerpolicy",
        "strict-origin-when-cross-origin",
    );
    b
});

/// A post body from WordPress: captions, paragraphs, then the trusted-author policy.
pub fn render_trusted(html: &str) -> String {
    let html = captions(html);
    // A paragraph that held only a <script> is empty once cleaned.
    let paragraphs = autop(&html);
    let clean = TRUSTED_SANITISER
        .clean(&super::html_guard::bound_nesting(
            &paragraphs,
            super::html_guard::MAX_NESTING,
        ))
        .to_string()
        .replace("<p></p>", "");
    super::html_guard::drop_rel_without_href(clean, "noopener")
}

/// A comment body from WordPress or Disqus: paragraphs, then the comment policy.
pub fn render_imported_comment(html: &str) -> String {
    super::text::sanitise_comment_html(&autop(html))
}

const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "fieldset",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "iframe",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
    "video",
    "audio",
    "!--",
];

fn starts_with_block(chunk: &str) -> bool {
    let Some(rest) = chunk.strip_prefix('<') else {
        return false;
    };
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    BLOCK_TAGS.iter().any(|t| {
        starts_with_ignore_case(rest, t)
            && rest[t.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_ascii_alphanumeric())
    })
}

/// WordPress's `wpautop`, simplified: blank lines make paragraphs, single line breaks
/// make `<br>`, block-level HTML is left as written and `<pre>` keeps its lines.
pub fn autop(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if !text.contains('\n') && starts_with_block(text.trim_start()) {
        return text;
    }
    // Split on blank lines, but never inside <pre>.
    let mut chunks: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut in_pre = 0i32;
    for line in text.split('\n') {
        let lower = line.to_ascii_lowercase();
        let was_in_pre = in_pre > 0;
        in_pre += lower.matches("<pre").count() as i32;
        in_pre -= lower.matches("</pre>").count() as i32;
        in_pre = in_pre.max(0);
        if line.trim().is_empty() && !was_in_pre && in_pre == 0 {
            if !current.trim().is_empty() {
                chunks.push(std::mem::take(&mut current));
            }
            current.clear();
            continue;
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(line);
    }
    if !current.trim().is_empty() {
        chunks.push(current);
    }
    let mut out = String::with_capacity(text.len() + chunks.len() * 8);
    for chunk in chunks {
        let chunk = chunk.trim();
        if starts_with_block(chunk) {
            out.push_str(chunk);
        } else {
            out.push_str("<p>");
            out.push_str(&chunk.replace('\n', "<br>\n"));
            out.push_str("</p>");
        }
        out.push('\n');
    }
    out
}

/// `[caption ...]<img ...> Text[/caption]` → `<figure><img ...><figcaption>Text</figcaption></figure>`.
pub fn captions(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("[caption") {
        let Some(open_end) = rest[start..].find(']').map(|i| start + i + 1) else {
            break;
        };
        let Some(close) = rest[open_end..].find("[/caption]").map(|i| open_end + i) else {
            break;
        };
        out.push_str(&rest[..start]);
        let inner = rest[open_end..close].trim();
        let split = inner.rfind('>').map(|i| i + 1).unwrap_or(0);
        let (media, caption) = inner.split_at(split);
        out.push_str("<figure class=\"wp-caption\">");
        out.push_str(media.trim());
        if !caption.trim().is_empty() {
            out.push_str("<figcaption>");
            out.push_str(caption.trim());
            out.push_str("</figcaption>");
        }
        out.push_str("</figure>");
        rest = &rest[close + "[/caption]".len()..];
    }
    out.push_str(rest);
    out
}

/// Decodes HTML character references (`&amp;`, `&#8217;`, `&nbsp;`); text that is not
/// well-formed is returned as it was.
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    quick_xml::escape::unescape_with(text, quick_xml::escape::resolve_html5_entity)
        .map(std::borrow::Cow::into_owned)
        .unwrap_or_else(|_| text.to_string())
}

/// The text of an HTML fragment: tags dropped, entities decoded, whitespace collapsed.
pub fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        // Block tags separate words; inline ones (`<em>`) do not.
        let tag = &rest[lt..];
        if starts_with_block(tag)
            || ["<br", "<td", "<th", "<tr", "<img"]
                .iter()
                .any(|t| starts_with_ignore_case(tag, t))
        {
            text.push(' ');
        }
        match rest[lt..].find('>') {
            Some(gt) => rest = &rest[lt + gt + 1..],
            None => {
                rest = "";
            }
        }
    }
    text.push_str(rest);
    let decoded = decode_entities(&text);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `words` words of an HTML body, for listings.
pub fn summary(html: &str, words: usize) -> String {
    let mut cut = html.len().min(words * 40);
    while !html.is_char_boundary(cut) {
        cut -= 1;
    }
    let text = plain_text(&html[..cut]);
    let all: Vec<&str> = text.split_whitespace().collect();
    if all.len() > words {
        format!("{} …", all[..words].join(" "))
    } else {
        all.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autop_makes_paragraphs_and_breaks() {
        assert_eq!(
            autop("one\ntwo\n\nthree"),
            "<p>one<br>\ntwo</p>\n<p>three</p>\n"
        );
    }

    #[test]
    fn autop_leaves_blocks_and_pre_alone() {
        let html = autop("<h2>T</h2>\n\n<pre>a\n\nb</pre>\n\ntext");
        assert_eq!(html, "<h2>T</h2>\n<pre>a\n\nb</pre>\n<p>text</p>\n");
    }

    #[test]
    fn captions_become_figures() {
        let html = render_trusted(
            r#"[caption id="a" align="alignnone" width="300"]<img src="https://x.org/a.jpg" alt="A"> A cat[/caption]"#,
        );
        assert!(html.contains("<figure class=\"wp-caption\">"), "{html}");
        assert!(html.contains("<figcaption>A cat</figcaption>"), "{html}");
    }

    #[test]
    fn trusted_html_keeps_media_and_drops_scripts() {
        let html = render_trusted(
            r#"<p class="x">Hi</p><iframe src="https://www.youtube.com/embed/1"></iframe><script>alert(1)</script><img src="javascript:alert(1)" onerror="x">"#,
        );
        assert!(html.contains("<p class=\"x\">Hi</p>"), "{html}");
        assert!(
            html.contains("<iframe src=\"https://www.youtube.com/embed/1\""),
            "{html}"
        );
        assert!(html.contains("sandbox="), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }

    #[test]
    fn imported_comments_keep_entities_once() {
        let html = render_imported_comment("Tom &amp; Jerry <b>bold</b> <img src=x>");
        assert_eq!(html, "<p>Tom &amp; Jerry <b>bold</b> </p>\n");
    }

    #[test]
    fn plain_text_and_entities() {
        assert_eq!(
            plain_text("<p>It&#8217;s &amp; <b>done</b>&nbsp;now</p>"),
            "It’s & done now"
        );
        assert_eq!(
            plain_text("on <em>water</em>.<p>Next</p>"),
            "on water. Next"
        );
        assert_eq!(decode_entities("a & b"), "a & b");
        assert_eq!(summary("<p>one two three four</p>", 3), "one two three …");
    }
}
