//! Translations: every string a reader or staff member sees is looked up here.
//!
//! Catalogues are Fluent files (`locales/<lang>.ftl`), embedded in the binary, one
//! per shipped language (`languages.rs`). Fluent picks plural forms by CLDR's rules
//! (Arabic has six); numbers in messages, dates and times are written by CLDR's data
//! through ICU4X (`format.rs`) with each language's digits, or Latin ones when the
//! site asks. A test checks every catalogue has exactly English's messages, with the
//! same placeholders. A missing message falls back to English, then to its key, and
//! is logged.

mod format;
pub mod languages;
pub mod message;
pub mod terminal;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::{CharacterDirection, LanguageIdentifier};

pub use format::Formats;
pub use languages::{shipped, speak, Language, SHIPPED};
pub use message::{Arg, Message};

/// Embedded catalogues: (language tag, Fluent source), one per shipped language.
pub const CATALOGUES: &[(&str, &str)] = &[
    ("en", include_str!("../../locales/en.ftl")),
    ("ar", include_str!("../../locales/ar.ftl")),
    ("ckb", include_str!("../../locales/ckb.ftl")),
    ("kmr", include_str!("../../locales/kmr.ftl")),
    ("fa", include_str!("../../locales/fa.ftl")),
    ("tr", include_str!("../../locales/tr.ftl")),
];

pub const FALLBACK: &str = "en";

/// One language's catalogue and formatters, with its own digits (`[0]`, built at
/// start so a catalogue that does not parse stops the server there) and with Latin
/// digits (`[1]`, built the first time a site asks; a language written with Latin
/// digits anyway uses `[0]` for both).
struct Speaker {
    tag: &'static str,
    source: &'static str,
    voices: [OnceLock<Voice>; 2],
}

struct Voice {
    bundle: FluentBundle<FluentResource>,
    formats: Formats,
}

impl Speaker {
    fn new(tag: &'static str, source: &'static str) -> Speaker {
        let speaker = Speaker {
            tag,
            source,
            voices: [OnceLock::new(), OnceLock::new()],
        };
        speaker.voice(false);
        speaker
    }

    fn voice(&self, latin: bool) -> &Voice {
        let latin = latin && speak(self.tag).native_digits.is_some();
        self.voices[usize::from(latin)].get_or_init(|| Voice {
            bundle: bundle(self.tag, self.source, latin),
            formats: Formats::new(speak(self.tag), latin).unwrap_or_else(|e| panic!("{e}")),
        })
    }
}

pub struct I18n {
    speakers: HashMap<&'static str, Speaker>,
    /// The site's choice: Latin digits (0–9) in every language.
    latin_digits: AtomicBool,
}

fn bundle(tag: &str, source: &str, latin_digits: bool) -> FluentBundle<FluentResource> {
    // CLDR knows Northern Kurdish as `ku`.
    let cldr = speak(tag).cldr;
    let lang: LanguageIdentifier = cldr.parse().expect("catalogue tags are valid");
    let resource = FluentResource::try_new(source.to_string())
        .unwrap_or_else(|(_, errs)| panic!("locales/{tag}.ftl does not parse: {errs:?}"));
    let mut bundle = FluentBundle::new_concurrent(vec![lang]);
    // Fluent wraps each argument in Unicode isolation marks (FSI … PDI), so an Arabic
    // title inside an English sentence (or the reverse) keeps its order.
    bundle.set_use_isolating(true);
    bundle.set_formatter(Some(if latin_digits {
        format::fluent_latin_digits
    } else {
        format::fluent_native_digits
    }));
    // Plural forms by CLDR's rules through ICU4X: `{ PLURAL($count) -> [one] … }`.
    // (Fluent's own rules, from intl_pluralrules, put Arabic 103, 111 and 1234 in
    // "other" where CLDR says "few" and "many".) `[0]` names the zero case in every
    // language, whatever its category.
    let rules = format::plural_rules(speak(tag));
    bundle
        .add_function("PLURAL", move |positional, _named| {
            match positional.first() {
                // The selector stays the number 0, so `[0]` matches it exactly.
                Some(FluentValue::Number(n)) if n.value == 0.0 => FluentValue::from(0),
                Some(FluentValue::Number(n)) => {
                    FluentValue::from(format::plural_category(&rules, n.value))
                }
                _ => FluentValue::from("other"),
            }
        })
        .unwrap_or_else(|e| panic!("PLURAL for {tag}: {e:?}"));
    bundle
        .add_resource(resource)
        .unwrap_or_else(|errs| panic!("locales/{tag}.ftl has duplicates: {errs:?}"));
    bundle
}

impl I18n {
    pub fn new() -> Self {
        Self::with(|_| true)
    }

    /// English and `lang` only (the command line speaks one language).
    pub fn only(lang: &str) -> Self {
        let tag = shipped(lang).map_or(FALLBACK, |l| l.tag);
        Self::with(|t| t == FALLBACK || t == tag)
    }

    fn with(wanted: impl Fn(&str) -> bool) -> Self {
        let mut speakers = HashMap::new();
        for (tag, source) in CATALOGUES.iter().filter(|(t, _)| wanted(t)) {
            speakers.insert(speak(tag).tag, Speaker::new(speak(tag).tag, source));
        }
        I18n {
            speakers,
            latin_digits: AtomicBool::new(false),
        }
    }

    /// Whether numbers and dates use Latin digits in every language (a site setting).
    pub fn set_latin_digits(&self, latin: bool) {
        self.latin_digits.store(latin, Ordering::Relaxed);
    }

    fn speaker(&self, lang: &str) -> &Voice {
        // Pages pass a catalogue tag already resolved: found at once, nothing to fold.
        if let Some(speaker) = self.speakers.get(lang) {
            return speaker.voice(self.latin_digits.load(Ordering::Relaxed));
        }
        let tag = self.resolve(lang);
        let speaker = self
            .speakers
            .get(tag)
            .or_else(|| self.speakers.get(FALLBACK))
            .expect("English always ships");
        speaker.voice(self.latin_digits.load(Ordering::Relaxed))
    }

    /// The catalogue language to use for a requested tag (`ar-EG` → `ar`, else English).
    pub fn resolve<'a>(&'a self, lang: &'a str) -> &'a str {
        match shipped(lang) {
            Some(l) if self.speakers.contains_key(l.tag) => l.tag,
            _ => FALLBACK,
        }
    }

    pub fn languages(&self) -> Vec<&str> {
        SHIPPED
            .iter()
            .map(|l| l.tag)
            .filter(|t| self.speakers.contains_key(t))
            .collect()
    }

    /// Looks up `key` in `lang`, with Fluent arguments.
    pub fn t(&self, lang: &str, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundles = [lang, FALLBACK]
            .into_iter()
            .map(|l| &self.speaker(l).bundle);
        for bundle in bundles {
            let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, args, &mut errors);
            if !errors.is_empty() {
                tracing::warn!(key, lang, ?errors, "translation has errors");
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

    /// A date and time as readers of `lang` write it (CLDR), in UTC.
    pub fn datetime(&self, lang: &str, unix: i64) -> String {
        self.speaker(lang).formats.datetime(unix)
    }

    /// A date alone, as readers of `lang` write it (CLDR), in UTC.
    pub fn date(&self, lang: &str, unix: i64) -> String {
        self.speaker(lang).formats.date(unix)
    }

    /// A whole number with `lang`'s digits and grouping.
    pub fn number(&self, lang: &str, n: i64) -> String {
        self.speaker(lang).formats.number(n)
    }

    /// How long ago `then` was at `now`, e.g. "5 minutes ago", "٣ ساعات مضت"; a date
    /// once it is more than a month ago.
    pub fn ago(&self, lang: &str, then: i64, now: i64) -> String {
        let secs = (now - then).max(0);
        match relative(secs) {
            Some((unit, count)) => self.tr(
                lang,
                "time-ago",
                &[("unit", unit.into()), ("count", count.into())],
            ),
            None => self.date(lang, then),
        }
    }

    /// How far ahead `then` is from `now`, e.g. "in 2 minutes"; a date past a month.
    pub fn from_now(&self, lang: &str, then: i64, now: i64) -> String {
        let secs = (then - now).max(0);
        match relative(secs) {
            Some((unit, count)) => self.tr(
                lang,
                "time-in",
                &[("unit", unit.into()), ("count", count.into())],
            ),
            None => self.date(lang, then),
        }
    }
}

/// The unit and count a span of `secs` is said in, up to a month.
fn relative(secs: i64) -> Option<(&'static str, i64)> {
    Some(match secs {
        s if s < 60 => ("seconds", s),
        s if s < 3600 => ("minutes", s / 60),
        s if s < 86_400 => ("hours", s / 3600),
        s if s < 31 * 86_400 => ("days", s / 86_400),
        _ => return None,
    })
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
    fn dates_and_times_come_from_cldr() {
        let i = I18n::new();
        assert_eq!(
            i.datetime("en", 1_795_720_275),
            "November 26, 2026 at 7:11\u{202f}PM"
        );
        assert_eq!(i.date("ar", 1_795_720_275), "٢٦ نوفمبر ٢٠٢٦");
        i.set_latin_digits(true);
        assert_eq!(i.date("ar", 1_795_720_275), "26 نوفمبر 2026");
    }

    #[test]
    fn arabic_counts_take_all_six_forms_with_arabic_digits() {
        let i = I18n::new();
        let responses = |n: i64| {
            plain(i.tr(
                "ar",
                "responses",
                &[("count", n.into()), ("title", "ت".into())],
            ))
        };
        assert_eq!(responses(0), "لا توجد ردود على «ت»");
        assert_eq!(responses(1), "رد واحد على «ت»");
        assert_eq!(responses(2), "ردّان على «ت»");
        assert_eq!(responses(3), "٣ ردود على «ت»");
        assert_eq!(responses(11), "١١ ردًا على «ت»");
        assert_eq!(responses(100), "١٠٠ رد على «ت»");
        assert_eq!(responses(103), "١٠٣ ردود على «ت»");
        assert_eq!(responses(111), "١١١ ردًا على «ت»");
        assert_eq!(responses(1234), "١٬٢٣٤ ردًا على «ت»");
        i.set_latin_digits(true);
        assert_eq!(responses(3), "3 ردود على «ت»");
    }

    #[test]
    fn persian_counts_use_persian_digits_and_turkish_stays_latin() {
        let i = I18n::new();
        let count = |lang: &str, n: i64| plain(i.tr(lang, "comment-count", &[("count", n.into())]));
        assert_eq!(count("fa", 5), "۵ دیدگاه");
        assert_eq!(count("ckb", 5), "٥ لێدوان");
        assert_eq!(count("tr", 5), "5 yorum");
        assert_eq!(count("kmr", 5), "5 şîrove");
        assert_eq!(count("kmr", 1), "Şîroveyek");
    }

    #[test]
    fn relative_times_pick_a_unit() {
        let i = I18n::new();
        assert_eq!(plain(i.ago("en", 0, 300)), "5 minutes ago");
        assert_eq!(plain(i.ago("en", 0, 3600)), "an hour ago");
        assert_eq!(plain(i.ago("ar", 0, 2 * 3600)), "منذ ساعتين");
        assert_eq!(plain(i.from_now("tr", 600, 0)), "10 dakika sonra");
        assert_eq!(i.ago("en", 0, 90 * 86_400), i.date("en", 0));
    }

    /// Message ids and the variables each one uses, from a catalogue's source.
    fn messages(
        source: &str,
    ) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
        use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
        fn inline(e: &InlineExpression<&str>, out: &mut std::collections::BTreeSet<String>) {
            match e {
                InlineExpression::VariableReference { id } => {
                    out.insert(id.name.to_string());
                }
                InlineExpression::Placeable { expression } => expr(expression, out),
                InlineExpression::FunctionReference { arguments, .. } => {
                    for a in &arguments.positional {
                        inline(a, out);
                    }
                    for a in &arguments.named {
                        inline(&a.value, out);
                    }
                }
                _ => {}
            }
        }
        fn expr(e: &Expression<&str>, out: &mut std::collections::BTreeSet<String>) {
            match e {
                Expression::Inline(i) => inline(i, out),
                Expression::Select { selector, variants } => {
                    inline(selector, out);
                    for v in variants {
                        pattern(&v.value, out);
                    }
                }
            }
        }
        fn pattern(p: &Pattern<&str>, out: &mut std::collections::BTreeSet<String>) {
            for el in &p.elements {
                if let PatternElement::Placeable { expression } = el {
                    expr(expression, out);
                }
            }
        }
        let resource = fluent_syntax::parser::parse(source).expect("catalogue parses");
        let mut map = std::collections::BTreeMap::new();
        for entry in &resource.body {
            if let Entry::Message(m) = entry {
                let mut vars = std::collections::BTreeSet::new();
                if let Some(p) = &m.value {
                    pattern(p, &mut vars);
                }
                map.insert(m.id.name.to_string(), vars);
            }
        }
        map
    }

    #[test]
    fn every_catalogue_has_englishs_messages_with_the_same_placeholders() {
        let english = messages(CATALOGUES[0].1);
        assert!(
            english.len() > 200,
            "English has {} messages",
            english.len()
        );
        let mut problems = Vec::new();
        for (tag, source) in &CATALOGUES[1..] {
            let other = messages(source);
            for (id, vars) in &english {
                match other.get(id) {
                    None => problems.push(format!("{tag}: missing `{id}`")),
                    Some(v) if v != vars => {
                        problems.push(format!("{tag}: `{id}` uses {v:?}, English uses {vars:?}"));
                    }
                    Some(_) => {}
                }
            }
            for id in other.keys().filter(|id| !english.contains_key(*id)) {
                problems.push(format!("{tag}: `{id}` is not in English"));
            }
        }
        for (tag, source) in CATALOGUES {
            // Counts select through CLDR's rules (ICU4X), never Fluent's own.
            if let Some(line) = source.lines().find(|l| l.contains("{ $count ->")) {
                problems.push(format!("{tag}: use PLURAL($count) in `{}`", line.trim()));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        let tags: Vec<_> = CATALOGUES.iter().map(|(t, _)| *t).collect();
        let shipped: Vec<_> = SHIPPED.iter().map(|l| l.tag).collect();
        let mut sorted_tags = tags.clone();
        sorted_tags.sort_unstable();
        let mut sorted_shipped = shipped.clone();
        sorted_shipped.sort_unstable();
        assert_eq!(
            sorted_tags, sorted_shipped,
            "a catalogue per shipped language"
        );
    }

    /// Every key the Rust code names (`say!("cli-…")`, `Message::new("import-…")`, a
    /// hint, a column) is in English, and so, by the test above, in every language.
    #[test]
    fn every_key_the_code_uses_is_in_english() {
        fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("src is readable").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    files(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let english = messages(CATALOGUES[0].1);
        let mut paths = Vec::new();
        files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut paths,
        );
        let prefixes = ["cli-", "import-", "config-", "name-", "error-", "role-"];
        let mut missing = Vec::new();
        let mut seen = 0;
        for path in paths {
            let source = std::fs::read_to_string(&path).expect("source is readable");
            for literal in source.split('"').skip(1).step_by(2) {
                let is_key = prefixes.iter().any(|p| literal.starts_with(p))
                    && literal.len() > 6
                    && !literal.ends_with('-')
                    && literal
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if is_key {
                    seen += 1;
                    if !english.contains_key(literal) {
                        missing.push(format!("{}: {literal}", path.display()));
                    }
                }
            }
        }
        assert!(seen > 150, "found only {seen} keys in the code");
        // `cli::explain` names what an unknown name was meant to be: `name-role`, …
        use crate::domain::{comment, job, post, role, subscription, term};
        let whats = [
            "x".parse::<role::Role>().unwrap_err().what,
            "x".parse::<comment::CommentStatus>().unwrap_err().what,
            "x".parse::<comment::CommentKind>().unwrap_err().what,
            "x".parse::<post::PostStatus>().unwrap_err().what,
            "x".parse::<post::PostKind>().unwrap_err().what,
            "x".parse::<post::BodyFormat>().unwrap_err().what,
            "x".parse::<job::JobStatus>().unwrap_err().what,
            "x".parse::<job::JobKind>().unwrap_err().what,
            "x".parse::<subscription::SubscriptionKind>()
                .unwrap_err()
                .what,
            "x".parse::<term::TermKind>().unwrap_err().what,
        ];
        for what in whats {
            let key = format!("name-{}", what.replace(' ', "-"));
            if !english.contains_key(&key) {
                missing.push(key);
            }
        }
        // Keys the templates make up from a name (`"status-" ~ c.status`).
        let made_up = [
            ("status-", comment::CommentStatus::NAMES),
            ("status-", post::PostStatus::NAMES),
            ("status-", job::JobStatus::NAMES),
            ("role-", role::Role::NAMES),
            ("job-kind-", job::JobKind::NAMES),
        ];
        for (prefix, names) in made_up {
            for name in names {
                let key = format!("{prefix}{name}");
                if !english.contains_key(&key) {
                    missing.push(key);
                }
            }
        }
        assert!(missing.is_empty(), "not in locales/en.ftl: {missing:#?}");
    }

    #[test]
    fn every_key_the_templates_use_is_in_english() {
        let english = messages(CATALOGUES[0].1);
        let mut missing = Vec::new();
        for (name, source) in crate::render::templates::EMBEDDED {
            let mut rest = *source;
            while let Some(at) = rest.find("t(\"") {
                rest = &rest[at + 3..];
                let Some(end) = rest.find('"') else { break };
                let key = &rest[..end];
                // Keys made up in the template (`"status-" ~ s`) are checked by their parts.
                let dynamic = rest[end + 1..].trim_start().starts_with('~');
                if !dynamic && !english.contains_key(key) {
                    missing.push(format!("{name}: {key}"));
                }
            }
        }
        assert!(missing.is_empty(), "not in locales/en.ftl: {missing:?}");
    }
}
