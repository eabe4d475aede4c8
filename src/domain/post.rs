//! Posts: statuses, slugs, permalinks and the rules an editor's input must follow.

use time::OffsetDateTime;

use super::comment::Problem;
use super::names::named;

named! {
    /// Who may see a post.
    pub enum PostStatus: "post status" {
        /// Only staff, in the editor.
        Draft = "draft",
        /// Everyone, from its publish time on (a later time schedules it).
        Published = "published",
        /// Only staff, with its address (WordPress's private and password-protected).
        Private = "private",
    }
}

named! {
    /// A dated post in the stream, or a page outside it (`/slug/`).
    pub enum PostKind: "post type" {
        Post = "post",
        Page = "page",
    }
}

named! {
    /// What a post's source text is: Markdown written here, or HTML brought in.
    pub enum BodyFormat: "body format" {
        Markdown = "markdown",
        Html = "html",
    }
}

/// A post or page, with its author's name.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Post {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    /// The source text: Markdown, or the imported HTML (see `body_format`).
    pub body_md: String,
    pub body_html: String,
    pub status: PostStatus,
    pub lang: String,
    pub translation_group: Option<String>,
    pub author_id: i64,
    pub author_name: String,
    pub comments_open: bool,
    pub comment_count: i64,
    pub published_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub kind: PostKind,
    pub body_format: BodyFormat,
    /// The library image shown above it and in link previews.
    pub featured_media_id: Option<i64>,
    /// Its id in feeds (RSS `guid`, Atom `id`), set once and never changed.
    pub guid: String,
}

impl Post {
    /// A post's `/YYYY/MM/DD/slug/` address (drafts date from their creation), a
    /// page's `/slug/`.
    pub fn permalink(&self) -> String {
        match self.kind {
            PostKind::Page => format!("/{}/", self.slug),
            PostKind::Post => permalink(self.published_at.unwrap_or(self.created_at), &self.slug),
        }
    }

    /// The first words of the body, for listings and emails.
    pub fn summary(&self, words: usize) -> String {
        match self.body_format {
            BodyFormat::Html => super::html::summary(&self.body_md, words),
            BodyFormat::Markdown => super::text::summary(&self.body_md, words),
        }
    }

    /// Whether it takes comments at `now`: open, and not closed by age (the site's
    /// "close comments on posts older than `close_after_days` days").
    pub fn takes_comments(&self, now: i64, close_after_days: u32) -> bool {
        self.comments_open
            && !super::discussion::closed_by_age(self.published_at, now, close_after_days)
    }

    /// Whether readers may see it at `now`.
    pub fn is_public(&self, now: i64) -> bool {
        is_public(self.status, self.published_at, now)
    }
}

pub const MAX_TITLE_CHARS: usize = 300;
pub const MAX_SLUG_CHARS: usize = 200;

/// Turns a title into a URL slug: lower case, words joined by `-`. Letters of any
/// script are kept (an Arabic title gives an Arabic slug, as WordPress does).
pub fn slugify(title: &str) -> String {
    let mut slug = String::with_capacity(title.len());
    let mut dash = false;
    for ch in title.chars().flat_map(char::to_lowercase) {
        if ch.is_alphanumeric() {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.push(ch);
        } else if matches!(ch, '\'' | '’' | '\u{200c}' | '\u{200d}') {
            // apostrophes and joiners do not split words
        } else {
            dash = true;
        }
    }
    slug.chars().take(MAX_SLUG_CHARS).collect()
}

/// Checks a slug typed by an editor.
pub fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.chars().count() <= MAX_SLUG_CHARS
        && slug
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        && !slug.starts_with('-')
}

/// `/YYYY/MM/DD/slug/`, the WordPress default, from the UTC publish date.
pub fn permalink(published_at: i64, slug: &str) -> String {
    let date = OffsetDateTime::from_unix_timestamp(published_at)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .date();
    format!(
        "/{:04}/{:02}/{:02}/{}/",
        date.year(),
        u8::from(date.month()),
        date.day(),
        slug
    )
}

/// Whether a permalink's date parts name the day `published_at` falls on.
pub fn date_matches(published_at: i64, year: i32, month: u8, day: u8) -> bool {
    OffsetDateTime::from_unix_timestamp(published_at)
        .map(|t| t.year() == year && u8::from(t.month()) == month && t.day() == day)
        .unwrap_or(false)
}

/// Whether readers may see a post at `now`.
pub fn is_public(status: PostStatus, published_at: Option<i64>, now: i64) -> bool {
    status == PostStatus::Published && published_at.is_some_and(|t| t <= now)
}

/// What an editor typed into the post form.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PostInput {
    pub title: String,
    pub slug: String,
    pub excerpt: String,
    pub body: String,
    pub lang: String,
    pub status: String,
    /// `YYYY-MM-DDTHH:MM` in UTC (an HTML `datetime-local`), or empty.
    pub published_at: String,
    pub translation_group: String,
    pub comments_open: bool,
    /// The library image shown above the post (Featured image), if any.
    pub featured_media_id: Option<i64>,
}

/// A post that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedPost {
    pub title: String,
    pub slug: String,
    pub excerpt: String,
    pub body: String,
    pub lang: String,
    pub status: PostStatus,
    pub published_at: Option<i64>,
    pub translation_group: Option<String>,
    pub comments_open: bool,
}

/// Parses an HTML `datetime-local` value as UTC.
pub fn parse_datetime_local(s: &str) -> Option<i64> {
    let s = s.trim();
    let fmt_min = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let fmt_sec =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(s, &fmt_min)
        .or_else(|_| time::PrimitiveDateTime::parse(s, &fmt_sec))
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

/// Formats a time for an HTML `datetime-local` field, in UTC.
pub fn format_datetime_local(unix: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// Checks an editor's post; a published post without a date is published `now`.
pub fn check_post(input: &PostInput, now: i64) -> Result<CheckedPost, Vec<Problem>> {
    let mut problems = Vec::new();
    let title = input.title.trim();
    if title.is_empty() {
        problems.push(Problem {
            field: "title",
            key: "error-title-required",
            max: 0,
            len: 0,
        });
    } else if title.chars().count() > MAX_TITLE_CHARS {
        let len = title.chars().count();
        problems.push(Problem {
            field: "title",
            key: "error-too-long",
            max: MAX_TITLE_CHARS,
            len,
        });
    }
    let slug = if input.slug.trim().is_empty() {
        slugify(title)
    } else {
        input.slug.trim().to_lowercase()
    };
    if !title.is_empty() && !valid_slug(&slug) {
        problems.push(Problem {
            field: "slug",
            key: "error-slug-invalid",
            max: 0,
            len: 0,
        });
    }
    let lang = input.lang.trim();
    if !crate::i18n::valid_language_tag(lang) {
        problems.push(Problem {
            field: "lang",
            key: "error-lang-invalid",
            max: 0,
            len: 0,
        });
    }
    let status = match input.status.parse::<PostStatus>() {
        Ok(s) => s,
        Err(_) => {
            problems.push(Problem {
                field: "status",
                key: "error-status-invalid",
                max: 0,
                len: 0,
            });
            PostStatus::Draft
        }
    };
    let published_at = if input.published_at.trim().is_empty() {
        (status != PostStatus::Draft).then_some(now)
    } else {
        match parse_datetime_local(&input.published_at) {
            Some(t) => Some(t),
            None => {
                problems.push(Problem {
                    field: "published_at",
                    key: "error-date-invalid",
                    max: 0,
                    len: 0,
                });
                None
            }
        }
    };
    let group = input.translation_group.trim();
    if problems.is_empty() {
        Ok(CheckedPost {
            title: title.to_string(),
            slug,
            excerpt: input.excerpt.trim().to_string(),
            body: input.body.clone(),
            lang: lang.to_string(),
            status,
            published_at,
            translation_group: (!group.is_empty()).then(|| group.to_string()),
            comments_open: input.comments_open,
        })
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PostInput {
        PostInput {
            title: "On the Budget".into(),
            body: "Text".into(),
            lang: "en".into(),
            status: PostStatus::Published.as_str().into(),
            comments_open: true,
            ..PostInput::default()
        }
    }

    #[test]
    fn a_post_gets_a_slug_and_a_date_when_published() {
        let p = check_post(&input(), 1000).unwrap();
        assert_eq!(p.slug, "on-the-budget");
        assert_eq!(p.published_at, Some(1000));
        let draft = check_post(
            &PostInput {
                status: PostStatus::Draft.as_str().into(),
                ..input()
            },
            1000,
        )
        .unwrap();
        assert_eq!(draft.published_at, None);
    }

    #[test]
    fn scheduled_dates_are_read_as_utc() {
        let p = check_post(
            &PostInput {
                published_at: "2026-11-26T19:11".into(),
                ..input()
            },
            0,
        )
        .unwrap();
        assert_eq!(p.published_at, Some(1_795_720_260));
        assert_eq!(format_datetime_local(1_795_720_260), "2026-11-26T19:11");
    }

    #[test]
    fn bad_posts_list_every_problem() {
        let bad = PostInput {
            title: String::new(),
            lang: "not a language".into(),
            status: "live".into(),
            published_at: "tomorrow".into(),
            ..input()
        };
        let keys: Vec<_> = check_post(&bad, 0)
            .unwrap_err()
            .iter()
            .map(|p| p.key)
            .collect();
        assert_eq!(
            keys,
            [
                "error-title-required",
                "error-lang-invalid",
                "error-status-invalid",
                "error-date-invalid"
            ]
        );
    }

    #[test]
    fn slugs_are_lowercase_words_joined_by_dashes() {
        assert_eq!(slugify("Hello, World!"), "hello-world");
        assert_eq!(
            slugify("  Statement on the 2026 Budget  "),
            "statement-on-the-2026-budget"
        );
        assert_eq!(slugify("Don't panic"), "dont-panic");
        assert_eq!(slugify("بيان حول الميزانية"), "بيان-حول-الميزانية");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn permalinks_follow_the_wordpress_default() {
        // 2026-11-26T19:11:15Z
        assert_eq!(permalink(1_795_720_275, "a-b"), "/2026/11/26/a-b/");
        assert!(date_matches(1_795_720_275, 2026, 11, 26));
        assert!(!date_matches(1_795_720_275, 2026, 11, 25));
    }

    #[test]
    fn scheduled_and_draft_posts_are_not_public() {
        assert!(is_public(PostStatus::Published, Some(10), 10));
        assert!(!is_public(PostStatus::Published, Some(11), 10));
        assert!(!is_public(PostStatus::Draft, Some(1), 10));
        assert!(!is_public(PostStatus::Private, Some(1), 10));
    }

    #[test]
    fn slug_validation_rejects_spaces_and_slashes() {
        assert!(valid_slug("hello-world"));
        assert!(valid_slug("بيان"));
        assert!(!valid_slug("hello world"));
        assert!(!valid_slug("a/b"));
        assert!(!valid_slug(""));
    }
}
