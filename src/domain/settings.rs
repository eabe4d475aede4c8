//! Site settings that staff change in `/admin/settings`, typed, with their defaults.

use std::collections::HashMap;

use super::site_url::SiteUrl;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AvatarSource {
    /// Drawn by Tribune itself; readers' browsers make no third-party request.
    Identicon,
    /// Gravatar by SHA-256 of the email, with an identicon fallback drawn by Gravatar.
    Gravatar,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteSettings {
    pub title: String,
    pub tagline: String,
    /// BCP 47 tag of the site's language; the UI speaks it.
    pub language: String,
    pub hold_new_comments: bool,
    /// Signed-in commenters with an approved comment are approved at once.
    pub approve_returning_identities: bool,
    /// WordPress's "Comment author must have a previously approved comment" (off by
    /// default here, since comments are held by default anyway).
    pub previously_approved: bool,
    pub thread_depth: usize,
    /// WordPress's "Break comments into pages": on here (a long thread must not be
    /// one page of unbounded size), with `comments_per_page` top-level comments each.
    pub page_comments: bool,
    pub comments_per_page: usize,
    /// Which page a post shows first: the last, with the newest comments (WordPress's
    /// default), or the first.
    pub newest_page_first: bool,
    /// Within a page, the newest comment at the top instead of the oldest.
    pub newest_comments_first: bool,
    /// How long a guest may edit or delete their own comment from the browser that
    /// wrote it, in minutes; 0: never.
    pub edit_minutes: u32,
    /// WordPress's "Comment author must fill out name and email"; off, a guest may
    /// leave both empty (shown as "Anonymous").
    pub require_name_email: bool,
    /// Hold a comment with this many links or more (WordPress: 2); 0 turns it off.
    pub max_links: usize,
    /// Words that hold a comment, one per line (WordPress's "Comment Moderation").
    pub moderation_keys: String,
    /// Words that send a comment to spam, one per line ("Disallowed Comment Keys").
    pub disallowed_keys: String,
    /// Close comments on posts older than this many days; 0: never.
    pub close_after_days: u32,
    /// A guest's comment the spam filter scores at this (in %) or more goes to spam.
    pub spam_threshold: u32,
    /// A comment the filter scores at this (in %) or more is held with its score; 0:
    /// the score holds nothing.
    pub hold_threshold: u32,
    /// A form sent sooner than this many seconds after it was shown is a bot's; 0
    /// turns the check off.
    pub form_min_seconds: u32,
    /// Emails, addresses and names whose comments go to spam, one per line
    /// (`email …`, `ip …`, `name …`).
    pub block_list: String,
    /// Spam older than this many days is deleted; 0 keeps it.
    pub spam_days: u32,
    pub avatars: AvatarSource,
    pub posts_per_page: usize,
    /// How many posts (or comments) a feed carries, newest first (WordPress's
    /// "Syndication feeds show the most recent").
    pub feed_items: usize,
    /// Feeds carry each post's summary instead of its full text (WordPress's "For
    /// each post in a feed, include: Excerpt").
    pub feed_summary: bool,
    pub max_comment_chars: usize,
    /// Latin digits (0–9) in every language, instead of each language's own (٠١٢ in
    /// Arabic and Kurdish, ۰۱۲ in Persian).
    pub latin_digits: bool,
    /// The site's public address (`https://example.org`), recorded at setup from the
    /// address the browser used and editable in Settings; `base_url` in the
    /// configuration overrides it. `None` until known.
    pub site_url: Option<SiteUrl>,
    /// Random key for signing links and hashing avatars; never shown.
    #[serde(skip)]
    pub secret: String,
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            title: "Tribune".into(),
            tagline: String::new(),
            language: "en".into(),
            hold_new_comments: true,
            approve_returning_identities: true,
            previously_approved: false,
            thread_depth: 5,
            page_comments: true,
            comments_per_page: 50,
            newest_page_first: true,
            newest_comments_first: false,
            edit_minutes: 15,
            require_name_email: true,
            max_links: 2,
            moderation_keys: String::new(),
            disallowed_keys: String::new(),
            close_after_days: 0,
            spam_threshold: 70,
            hold_threshold: 50,
            form_min_seconds: 3,
            block_list: String::new(),
            spam_days: 30,
            avatars: AvatarSource::Identicon,
            posts_per_page: 10,
            feed_items: 10,
            feed_summary: false,
            max_comment_chars: 10_000,
            latin_digits: false,
            site_url: None,
            secret: String::new(),
        }
    }
}

pub const MAX_THREAD_DEPTH: usize = 10;
pub const MAX_COMMENTS_PER_PAGE: usize = 500;
pub const MAX_EDIT_MINUTES: u32 = 1440;
pub const MAX_LINKS: usize = 100;
pub const MAX_CLOSE_DAYS: u32 = 36_500;
pub const MAX_FORM_SECONDS: u32 = 600;
pub const MAX_SPAM_DAYS: u32 = 3650;
pub const MAX_FEED_ITEMS: usize = 100;
/// Characters in each word list.
pub const MAX_KEYS_CHARS: usize = 20_000;

impl SiteSettings {
    /// The discussion rules these settings make.
    pub fn discussion_rules(&self) -> super::discussion::DiscussionRules {
        super::discussion::DiscussionRules {
            max_links: self.max_links,
            moderation_keys: self.moderation_keys.clone(),
            disallowed_keys: self.disallowed_keys.clone(),
        }
    }
}

impl SiteSettings {
    /// Reads stored key/value pairs; unknown or unreadable values keep their defaults.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let map: HashMap<String, String> = pairs.into_iter().collect();
        let d = SiteSettings::default();
        let num = |k: &str, def: usize, max: usize| {
            map.get(k)
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|n| (1..=max).contains(n))
                .unwrap_or(def)
        };
        let percent = |k: &str, def: u32, min: u32| {
            map.get(k)
                .and_then(|v| v.parse::<u32>().ok())
                .filter(|n| (min..=100).contains(n))
                .unwrap_or(def)
        };
        SiteSettings {
            title: map.get("title").cloned().unwrap_or(d.title),
            tagline: map.get("tagline").cloned().unwrap_or(d.tagline),
            language: map.get("language").cloned().unwrap_or(d.language),
            hold_new_comments: map
                .get("hold_new_comments")
                .map(|v| v != "false")
                .unwrap_or(d.hold_new_comments),
            approve_returning_identities: map
                .get("approve_returning_identities")
                .map(|v| v != "false")
                .unwrap_or(d.approve_returning_identities),
            previously_approved: map
                .get("previously_approved")
                .map(|v| v == "true")
                .unwrap_or(d.previously_approved),
            thread_depth: num("thread_depth", d.thread_depth, MAX_THREAD_DEPTH),
            page_comments: map
                .get("page_comments")
                .map(|v| v != "false")
                .unwrap_or(d.page_comments),
            comments_per_page: num(
                "comments_per_page",
                d.comments_per_page,
                MAX_COMMENTS_PER_PAGE,
            ),
            newest_page_first: map
                .get("default_comments_page")
                .map(|v| v != "oldest")
                .unwrap_or(d.newest_page_first),
            newest_comments_first: map
                .get("comment_order")
                .map(|v| v == "desc")
                .unwrap_or(d.newest_comments_first),
            edit_minutes: map
                .get("edit_minutes")
                .and_then(|v| v.parse::<u32>().ok())
                .filter(|n| *n <= MAX_EDIT_MINUTES)
                .unwrap_or(d.edit_minutes),
            require_name_email: map
                .get("require_name_email")
                .map(|v| v != "false")
                .unwrap_or(d.require_name_email),
            // 0 is a value here (the rule off), so not `num`.
            max_links: map
                .get("max_links")
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|n| *n <= MAX_LINKS)
                .unwrap_or(d.max_links),
            moderation_keys: map.get("moderation_keys").cloned().unwrap_or_default(),
            disallowed_keys: map.get("disallowed_keys").cloned().unwrap_or_default(),
            close_after_days: map
                .get("close_after_days")
                .and_then(|v| v.parse::<u32>().ok())
                .filter(|n| *n <= MAX_CLOSE_DAYS)
                .unwrap_or(d.close_after_days),
            spam_threshold: percent("spam_threshold", d.spam_threshold, 1),
            hold_threshold: percent("hold_threshold", d.hold_threshold, 0),
            form_min_seconds: map
                .get("form_min_seconds")
                .and_then(|v| v.parse::<u32>().ok())
                .filter(|n| *n <= MAX_FORM_SECONDS)
                .unwrap_or(d.form_min_seconds),
            block_list: map.get("block_list").cloned().unwrap_or_default(),
            spam_days: map
                .get("spam_days")
                .and_then(|v| v.parse::<u32>().ok())
                .filter(|n| *n <= MAX_SPAM_DAYS)
                .unwrap_or(d.spam_days),
            avatars: match map.get("avatars").map(String::as_str) {
                Some("gravatar") => AvatarSource::Gravatar,
                _ => AvatarSource::Identicon,
            },
            posts_per_page: num("posts_per_page", d.posts_per_page, 100),
            feed_items: num("posts_per_rss", d.feed_items, MAX_FEED_ITEMS),
            feed_summary: map
                .get("rss_use_excerpt")
                .map(|v| v == "true")
                .unwrap_or(d.feed_summary),
            max_comment_chars: num("max_comment_chars", d.max_comment_chars, 100_000),
            latin_digits: map
                .get("latin_digits")
                .map(|v| v == "true")
                .unwrap_or(d.latin_digits),
            site_url: map.get("site_url").and_then(|u| SiteUrl::parse(u).ok()),
            secret: map.get("secret").cloned().unwrap_or_default(),
        }
    }

    /// The pairs to store, secret excluded.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("title", self.title.clone()),
            ("tagline", self.tagline.clone()),
            ("language", self.language.clone()),
            ("hold_new_comments", self.hold_new_comments.to_string()),
            (
                "approve_returning_identities",
                self.approve_returning_identities.to_string(),
            ),
            ("thread_depth", self.thread_depth.to_string()),
            ("page_comments", self.page_comments.to_string()),
            ("comments_per_page", self.comments_per_page.to_string()),
            (
                "default_comments_page",
                if self.newest_page_first {
                    "newest"
                } else {
                    "oldest"
                }
                .into(),
            ),
            (
                "comment_order",
                if self.newest_comments_first {
                    "desc"
                } else {
                    "asc"
                }
                .into(),
            ),
            ("edit_minutes", self.edit_minutes.to_string()),
            ("require_name_email", self.require_name_email.to_string()),
            ("previously_approved", self.previously_approved.to_string()),
            ("max_links", self.max_links.to_string()),
            ("moderation_keys", self.moderation_keys.clone()),
            ("disallowed_keys", self.disallowed_keys.clone()),
            ("close_after_days", self.close_after_days.to_string()),
            ("spam_threshold", self.spam_threshold.to_string()),
            ("hold_threshold", self.hold_threshold.to_string()),
            ("form_min_seconds", self.form_min_seconds.to_string()),
            ("block_list", self.block_list.clone()),
            ("spam_days", self.spam_days.to_string()),
            (
                "avatars",
                match self.avatars {
                    AvatarSource::Identicon => "identicon",
                    AvatarSource::Gravatar => "gravatar",
                }
                .into(),
            ),
            ("posts_per_page", self.posts_per_page.to_string()),
            ("posts_per_rss", self.feed_items.to_string()),
            ("rss_use_excerpt", self.feed_summary.to_string()),
            ("max_comment_chars", self.max_comment_chars.to_string()),
            ("latin_digits", self.latin_digits.to_string()),
            (
                "site_url",
                self.site_url
                    .as_ref()
                    .map(SiteUrl::to_string)
                    .unwrap_or_default(),
            ),
        ]
    }
}

/// A word list as stored: one word or phrase per line, each trimmed, blank ones dropped.
pub fn word_list<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    let lines: Vec<&str> = words
        .into_iter()
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect();
    lines.join("\n")
}

/// `[discussion]` in `tribune.toml`: discussion rules fixed by the configuration.
/// Each key given wins over what Settings → Discussion stored, and that field shows
/// as set in the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscussionConfig {
    pub hold_new_comments: Option<bool>,
    pub previously_approved: Option<bool>,
    pub require_name_email: Option<bool>,
    pub max_links: Option<usize>,
    pub close_after_days: Option<u32>,
    /// One word or phrase per entry.
    pub moderation_keys: Option<Vec<String>>,
    pub disallowed_keys: Option<Vec<String>>,
    pub spam_threshold: Option<u32>,
    pub hold_threshold: Option<u32>,
    pub form_min_seconds: Option<u32>,
    pub spam_days: Option<u32>,
}

impl DiscussionConfig {
    /// `settings` with the configured rules in place of the stored ones.
    pub fn apply(&self, mut settings: SiteSettings) -> SiteSettings {
        let words = |list: &Vec<String>| word_list(list.iter().map(String::as_str));
        if let Some(v) = self.hold_new_comments {
            settings.hold_new_comments = v;
        }
        if let Some(v) = self.previously_approved {
            settings.previously_approved = v;
        }
        if let Some(v) = self.require_name_email {
            settings.require_name_email = v;
        }
        if let Some(v) = self.max_links {
            settings.max_links = v.min(MAX_LINKS);
        }
        if let Some(v) = self.close_after_days {
            settings.close_after_days = v.min(MAX_CLOSE_DAYS);
        }
        if let Some(v) = &self.moderation_keys {
            settings.moderation_keys = words(v);
        }
        if let Some(v) = &self.disallowed_keys {
            settings.disallowed_keys = words(v);
        }
        if let Some(v) = self.spam_threshold {
            settings.spam_threshold = v.clamp(1, 100);
        }
        if let Some(v) = self.hold_threshold {
            settings.hold_threshold = v.min(100);
        }
        if let Some(v) = self.form_min_seconds {
            settings.form_min_seconds = v.min(MAX_FORM_SECONDS);
        }
        if let Some(v) = self.spam_days {
            settings.spam_days = v.min(MAX_SPAM_DAYS);
        }
        settings
    }

    /// The settings fields the configuration fixes, by their form names.
    pub fn fixed(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let fields: [(&'static str, bool); 11] = [
            ("hold_new_comments", self.hold_new_comments.is_some()),
            ("previously_approved", self.previously_approved.is_some()),
            ("require_name_email", self.require_name_email.is_some()),
            ("max_links", self.max_links.is_some()),
            ("close_after_days", self.close_after_days.is_some()),
            ("moderation_keys", self.moderation_keys.is_some()),
            ("disallowed_keys", self.disallowed_keys.is_some()),
            ("spam_threshold", self.spam_threshold.is_some()),
            ("hold_threshold", self.hold_threshold.is_some()),
            ("form_min_seconds", self.form_min_seconds.is_some()),
            ("spam_days", self.spam_days.is_some()),
        ];
        for (name, set) in fields {
            if set {
                out.push(name);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_fixes_the_rules_it_names_and_leaves_the_rest() {
        let stored = SiteSettings {
            max_links: 5,
            moderation_keys: "stored".into(),
            hold_new_comments: true,
            ..SiteSettings::default()
        };
        let config = DiscussionConfig {
            hold_new_comments: Some(false),
            disallowed_keys: Some(vec![" viagra ".into(), String::new(), "قومار".into()]),
            max_links: Some(1000),
            ..DiscussionConfig::default()
        };
        let s = config.apply(stored);
        assert!(!s.hold_new_comments);
        assert_eq!(s.disallowed_keys, "viagra\nقومار");
        assert_eq!(s.max_links, MAX_LINKS, "bounded like the form");
        assert_eq!(s.moderation_keys, "stored", "not named: as stored");
        assert_eq!(
            config.fixed(),
            ["hold_new_comments", "max_links", "disallowed_keys"]
        );
    }

    #[test]
    fn settings_survive_a_round_trip_and_bad_values_fall_back() {
        let s = SiteSettings {
            title: "Ministry".into(),
            hold_new_comments: false,
            thread_depth: 3,
            ..SiteSettings::default()
        };
        let back =
            SiteSettings::from_pairs(s.to_pairs().into_iter().map(|(k, v)| (k.to_string(), v)));
        assert_eq!(back.title, "Ministry");
        assert_eq!(back.max_links, 2);
        assert!(back.require_name_email);
        assert!(!back.hold_new_comments);
        assert_eq!(back.thread_depth, 3);
        let bad = SiteSettings::from_pairs([("thread_depth".to_string(), "99".to_string())]);
        assert_eq!(bad.thread_depth, 5);
    }
}
