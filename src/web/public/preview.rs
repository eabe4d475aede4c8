//! What a link to a post shows where it is shared: Open Graph and Twitter card tags
//! (title, summary, featured image, locale and its translations' locales), and a
//! `NewsArticle` in JSON-LD for search engines (author, dates, language).

use serde_json::json;

use crate::domain::post::{Post, PostKind};
use crate::domain::site_url::SiteUrl;
use crate::store::MediaRow;

/// The image a preview shows: a copy at most 1280 pixels wide (what services fetch
/// and crop), with its size and alt text.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PreviewImage {
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
    pub mime: &'static str,
}

impl PreviewImage {
    pub fn of(base: &SiteUrl, media: &MediaRow) -> Option<PreviewImage> {
        let pic = media.picture()?;
        let (path, width) = match pic.widths.iter().rev().find(|&&w| w <= 1280) {
            Some(&w) => (pic.variant(w), w),
            None => (pic.src(), pic.width),
        };
        let height = if pic.width == 0 {
            pic.height
        } else {
            ((u64::from(pic.height) * u64::from(width) + u64::from(pic.width) / 2)
                / u64::from(pic.width)) as u32
        };
        let mime = if path == pic.src() {
            pic.format.mime()
        } else {
            pic.variant_format.mime()
        };
        Some(PreviewImage {
            url: base.uri(&path),
            width,
            height,
            alt: pic.alt,
            mime,
        })
    }
}

/// Open Graph's `og:locale` for a language tag: `language_TERRITORY`, the territory
/// where most of its readers are when the tag names none.
pub fn og_locale(tag: &str) -> String {
    let (lang, region) = match tag.split_once('-') {
        Some((l, r)) => (l, Some(r)),
        None => (tag, None),
    };
    let region = region.map(str::to_uppercase).unwrap_or_else(|| {
        match lang {
            "en" => "US",
            "ar" => "AR",
            "ckb" => "IQ",
            "kmr" | "ku" => "TR",
            "fa" => "IR",
            "tr" => "TR",
            other => return other.to_uppercase(),
        }
        .to_string()
    });
    format!("{}_{region}", lang.to_lowercase())
}

/// Everything the `<head>` of a post's page says about it to other sites.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Preview {
    /// `article` for a post, `website` for a page.
    pub og_type: &'static str,
    pub title: String,
    pub description: String,
    /// The canonical address, absolute.
    pub url: String,
    pub site_name: String,
    pub locale: String,
    pub locale_alternates: Vec<String>,
    pub image: Option<PreviewImage>,
    pub published: String,
    pub modified: String,
    pub section: Option<String>,
    pub tags: Vec<String>,
    /// `summary_large_image` with an image, else `summary`.
    pub twitter_card: &'static str,
    /// The JSON-LD, safe inside `<script type="application/ld+json">`.
    pub json_ld: String,
}

/// What goes into a post's preview besides the post.
pub struct PreviewInput<'a> {
    pub base: &'a SiteUrl,
    pub site_title: &'a str,
    /// The address this page is at (a comment page has its own).
    pub canonical_path: &'a str,
    pub summary: &'a str,
    pub image: Option<PreviewImage>,
    /// (kind, name) of each category and tag.
    pub terms: Vec<(crate::domain::term::TermKind, String)>,
    /// The language tags of its public translations.
    pub translations: Vec<String>,
}

/// The JSON of `value`, safe inside a `<script>` element: `<`, `>` and `&` as `\u`
/// escapes, so no `</script>` or `<!--` can end or change it.
pub fn script_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn iso(unix: i64) -> String {
    crate::domain::feed::rfc3339(unix)
}

pub fn preview(post: &Post, input: PreviewInput<'_>) -> Preview {
    use crate::domain::term::TermKind;
    let url = input.base.uri(input.canonical_path);
    let published = post.published_at.unwrap_or(post.created_at);
    let section = input
        .terms
        .iter()
        .find(|(k, _)| *k == TermKind::Category)
        .map(|(_, n)| n.clone());
    let tags: Vec<String> = input
        .terms
        .iter()
        .filter(|(k, _)| *k == TermKind::Tag)
        .map(|(_, n)| n.clone())
        .collect();
    let locale = og_locale(&post.lang);
    let locale_alternates = input
        .translations
        .iter()
        .map(|t| og_locale(t))
        .filter(|l| *l != locale)
        .collect();
    let headline: String = post.title.chars().take(110).collect();
    let mut ld = json!({
        "@context": "https://schema.org",
        "@type": if post.kind == PostKind::Post { "NewsArticle" } else { "WebPage" },
        "headline": headline,
        "name": post.title,
        "description": input.summary,
        "url": url,
        "mainEntityOfPage": { "@type": "WebPage", "@id": url },
        "inLanguage": post.lang,
        "datePublished": iso(published),
        "dateModified": iso(post.updated_at.max(published)),
        "author": [{ "@type": "Person", "name": post.author_name }],
        "publisher": {
            "@type": "Organization",
            "name": input.site_title,
            "url": input.base.uri("/"),
        },
        "isAccessibleForFree": true,
        "commentCount": post.comment_count,
    });
    if let Some(image) = &input.image {
        ld["image"] = json!([{
            "@type": "ImageObject",
            "url": image.url,
            "width": image.width,
            "height": image.height,
        }]);
    }
    if let Some(section) = &section {
        ld["articleSection"] = json!(section);
    }
    if !tags.is_empty() {
        ld["keywords"] = json!(tags);
    }
    Preview {
        og_type: if post.kind == PostKind::Post {
            "article"
        } else {
            "website"
        },
        title: post.title.clone(),
        description: input.summary.to_string(),
        url,
        site_name: input.site_title.to_string(),
        locale,
        locale_alternates,
        twitter_card: if input.image.is_some() {
            "summary_large_image"
        } else {
            "summary"
        },
        image: input.image,
        published: iso(published),
        modified: iso(post.updated_at.max(published)),
        section,
        tags,
        json_ld: script_json(&ld),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_are_language_and_territory() {
        assert_eq!(og_locale("en"), "en_US");
        assert_eq!(og_locale("ar"), "ar_AR");
        assert_eq!(og_locale("ckb"), "ckb_IQ");
        assert_eq!(og_locale("fa"), "fa_IR");
        assert_eq!(og_locale("pt-br"), "pt_BR");
        assert_eq!(og_locale("de"), "de_DE");
    }

    #[test]
    fn json_cannot_end_its_script() {
        let v = json!({ "headline": "</script><script>alert(1)</script> & <!--" });
        let s = script_json(&v);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&s).expect("still JSON");
        assert_eq!(back, v);
    }
}
