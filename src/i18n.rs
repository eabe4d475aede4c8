//! Translations: every string a reader or staff member sees is looked up here.
//!
//! Catalogues are Fluent files (`locales/<lang>.ftl`), embedded in the binary. Fluent
//! handles plurals for every language (Arabic has six forms), so adding a language is
//! adding a file to [`CATALOGUES`]. A missing message falls back to English, then to
//! its key, and is logged once per lookup.

use std::collections::HashMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::{CharacterDirection, LanguageIdentifier};

/// Embedded catalogues: (language tag, Fluent source).
const CATALOGUES: &[(&str, &str)] = &[("en", include_str!("../locales/en.ftl"))];

pub const FALLBACK: &str = "en";

pub struct I18n {
    bundles: HashMap<String, FluentBundle<FluentResource>>,
}

impl I18n {
    pub fn new() -> Self {
        let mut bundles = HashMap::new();
        for (tag, source) in CATALOGUES {
            let lang: LanguageIdentifier = tag.parse().expect("catalogue tags are valid");
            let resource = FluentResource::try_new(source.to_string())
                .unwrap_or_else(|(_, errs)| panic!("locales/{tag}.ftl does not parse: {errs:?}"));
            let mut bundle = FluentBundle::new_concurrent(vec![lang]);
            // Fluent wraps each argument in Unicode isolation marks (FSI … PDI), so an
            // Arabic title inside an English sentence (or the reverse) keeps its order.
            bundle.set_use_isolating(true);
            bundle
                .add_resource(resource)
                .unwrap_or_else(|errs| panic!("locales/{tag}.ftl has duplicates: {errs:?}"));
            bundles.insert(tag.to_string(), bundle);
        }
        I18n { bundles }
    }

    /// The catalogue language to use for a requested tag (`ar-EG` → `ar`, else English).
    pub fn resolve<'a>(&'a self, lang: &'a str) -> &'a str {
        if self.bundles.contains_key(lang) {
            return lang;
        }
        let primary = lang.split(['-', '_']).next().unwrap_or(FALLBACK);
        self.bundles
            .get_key_value(primary)
            .map(|(k, _)| k.as_str())
            .unwrap_or(FALLBACK)
    }

    pub fn languages(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.bundles.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// Looks up `key` in `lang`, with Fluent arguments.
    pub fn t(&self, lang: &str, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        for tag in [self.resolve(lang), FALLBACK] {
            let Some(bundle) = self.bundles.get(tag) else {
                continue;
            };
            let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, args, &mut errors);
            if !errors.is_empty() {
                tracing::warn!(key, lang = tag, ?errors, "translation has errors");
            }
            return text.into_owned();
        }
        tracing::warn!(key, lang, "missing translation");
        key.to_string()
    }

    /// Shorthand for messages with plain string/number arguments.
    pub fn tr(&self, lang: &str, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, v.clone());
        }
        self.t(lang, key, Some(&fa))
    }

    /// A date and time as readers of `lang` write it, in UTC.
    pub fn datetime(&self, lang: &str, unix: i64) -> String {
        let t = time::OffsetDateTime::from_unix_timestamp(unix)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let month = self.t(lang, &format!("month-{}", u8::from(t.month())), None);
        self.tr(
            lang,
            "datetime",
            &[
                ("year", t.year().into()),
                ("month", month.into()),
                ("day", t.day().into()),
                ("time", format!("{:02}:{:02}", t.hour(), t.minute()).into()),
            ],
        )
    }

    /// A date alone, as readers of `lang` write it, in UTC.
    pub fn date(&self, lang: &str, unix: i64) -> String {
        let t = time::OffsetDateTime::from_unix_timestamp(unix)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let month = self.t(lang, &format!("month-{}", u8::from(t.month())), None);
        self.tr(
            lang,
            "date",
            &[
                ("year", t.year().into()),
                ("month", month.into()),
                ("day", t.day().into()),
            ],
        )
    }
}

impl Default for I18n {
    fn default() -> Self {
        Self::new()
    }
}

/// A translated string without Fluent's invisible isolation marks (U+2068, U+2069), for
/// places that are not HTML: email subjects and plain-text bodies, terminal output.
pub fn plain(s: &str) -> String {
    s.replace(['\u{2068}', '\u{2069}'], "")
}

/// `rtl` for languages written right to left (Arabic, Kurdish Sorani, Hebrew, Persian…).
pub fn direction(lang: &str) -> &'static str {
    match lang.parse::<LanguageIdentifier>() {
        Ok(id) if id.character_direction() == CharacterDirection::RTL => "rtl",
        _ => "ltr",
    }
}

/// Whether `lang` is a well-formed BCP 47 language tag.
pub fn valid_language_tag(lang: &str) -> bool {
    !lang.is_empty() && lang.len() <= 35 && lang.parse::<LanguageIdentifier>().is_ok()
}

/// "1 comment", "3 comments": English counts for the command line's summaries, until
/// its messages move into the catalogues with the other languages.
pub fn count_en(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: String) -> String {
        super::plain(&s)
    }

    #[test]
    fn plurals_follow_the_count() {
        let i = I18n::new();
        let one = i.tr(
            "en",
            "responses",
            &[("count", 1.into()), ("title", "T".into())],
        );
        let many = i.tr(
            "en",
            "responses",
            &[("count", 3.into()), ("title", "T".into())],
        );
        assert_eq!(plain(one), "One Response to “T”");
        assert_eq!(plain(many), "3 Responses to “T”");
    }

    #[test]
    fn arguments_are_isolated_so_mixed_directions_keep_their_order() {
        let i = I18n::new();
        let s = i.tr("en", "reply-to", &[("name", "أمينة".into())]);
        assert_eq!(s, "Reply to \u{2068}أمينة\u{2069}");
    }

    #[test]
    fn unknown_languages_fall_back_to_english() {
        let i = I18n::new();
        assert_eq!(i.resolve("en-GB"), "en");
        assert_eq!(i.t("xx", "leave-a-reply", None), "Leave a Reply");
        assert_eq!(i.t("en", "no-such-key", None), "no-such-key");
    }

    #[test]
    fn right_to_left_languages_are_known() {
        assert_eq!(direction("ar"), "rtl");
        assert_eq!(direction("ckb"), "rtl");
        assert_eq!(direction("he"), "rtl");
        assert_eq!(direction("en"), "ltr");
        assert_eq!(direction("not a tag"), "ltr");
    }

    #[test]
    fn dates_read_naturally() {
        let i = I18n::new();
        assert_eq!(
            plain(i.datetime("en", 1_795_720_275)),
            "November 26, 2026 at 19:11"
        );
    }
}
