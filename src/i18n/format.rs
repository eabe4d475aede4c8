//! Dates and numbers as each language writes them, from CLDR through ICU4X: month
//! names, the order of day, month and year, the locale's calendar (Persian dates in
//! `fa`), and its digits (Arabic-Indic in `ar` and `ckb`, Persian in `fa`), or Latin
//! digits everywhere when the site asks for them.

use fluent_bundle::FluentValue;
use icu_datetime::fieldsets::{self, YMD};
use icu_datetime::input::{Date, DateTime, Time};
use icu_datetime::DateTimeFormatter;
use icu_decimal::input::Decimal;
use icu_decimal::DecimalFormatter;
use icu_locale_core::Locale;
use unic_langid::LanguageIdentifier;

use super::languages::{speak, Language};

/// The CLDR locale for `lang`, with its own digits or Latin ones.
pub fn locale(lang: &Language, latin_digits: bool) -> Locale {
    let tag = match (lang.native_digits, latin_digits) {
        (Some(_), true) => format!("{}-u-nu-latn", lang.cldr),
        (Some(native), false) => format!("{}-u-nu-{native}", lang.cldr),
        (None, _) => lang.cldr.to_string(),
    };
    tag.parse()
        .unwrap_or_else(|_| panic!("`{tag}` is a valid locale"))
}

/// The formatters of one language, made once.
pub struct Formats {
    date: DateTimeFormatter<YMD>,
    datetime: DateTimeFormatter<fieldsets::YMDT>,
    number: DecimalFormatter,
}

/// What went wrong making formatters (CLDR data missing for a locale).
#[derive(Debug, thiserror::Error)]
#[error("no CLDR data to format dates and numbers in `{locale}`: {detail}")]
pub struct NoFormats {
    locale: String,
    detail: String,
}

impl Formats {
    pub fn new(lang: &Language, latin_digits: bool) -> Result<Formats, NoFormats> {
        let loc = locale(lang, latin_digits);
        let fail = |e: &dyn std::fmt::Debug| NoFormats {
            locale: loc.to_string(),
            detail: format!("{e:?}"),
        };
        Ok(Formats {
            date: DateTimeFormatter::try_new(loc.clone().into(), YMD::long())
                .map_err(|e| fail(&e))?,
            datetime: DateTimeFormatter::try_new(loc.clone().into(), YMD::long().with_time_hm())
                .map_err(|e| fail(&e))?,
            number: DecimalFormatter::try_new(loc.clone().into(), Default::default())
                .map_err(|e| fail(&e))?,
        })
    }

    /// A date, e.g. "November 26, 2026", "٢٦ نوفمبر ٢٠٢٦", "۵ آذر ۱۴۰۵".
    pub fn date(&self, unix: i64) -> String {
        self.date.format(&utc(unix)).to_string()
    }

    /// A date and time, e.g. "November 26, 2026 at 7:11 PM".
    pub fn datetime(&self, unix: i64) -> String {
        self.datetime.format(&utc(unix)).to_string()
    }

    /// A whole number with the language's digits and grouping, e.g. "1,234", "١٬٢٣٤".
    pub fn number(&self, n: i64) -> String {
        self.number.format(&Decimal::from(n)).to_string()
    }
}

/// The ISO date and time of a Unix time, in UTC.
fn utc(unix: i64) -> DateTime<icu_calendar::Iso> {
    let t =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let date = Date::try_new_iso(t.year(), u8::from(t.month()), t.day())
        .unwrap_or_else(|_| Date::try_new_iso(1970, 1, 1).expect("the epoch is a date"));
    let time = Time::try_new(t.hour(), t.minute(), t.second(), 0).unwrap_or(Time::start_of_day());
    DateTime { date, time }
}

/// CLDR's cardinal plural rules for `lang`.
pub fn plural_rules(lang: &Language) -> icu_plurals::PluralRules {
    icu_plurals::PluralRules::try_new_cardinal(locale(lang, false).into())
        .unwrap_or_else(|e| panic!("no CLDR plural rules for {}: {e:?}", lang.tag))
}

/// CLDR's category for `n` (`zero`, `one`, `two`, `few`, `many`, `other`).
pub fn plural_category(rules: &icu_plurals::PluralRules, n: f64) -> &'static str {
    use icu_plurals::PluralCategory as C;
    if n.fract() != 0.0 || n.abs() > 1e15 {
        return "other";
    }
    match rules.category_for(n.abs() as u64) {
        C::Zero => "zero",
        C::One => "one",
        C::Two => "two",
        C::Few => "few",
        C::Many => "many",
        C::Other => "other",
    }
}

/// A language's digits, as Fluent asks for them: the formatter a bundle's memoizer
/// keeps for its language, with Latin digits (`true`) or the language's own.
pub struct FluentDigits(DecimalFormatter);

impl intl_memoizer::Memoizable for FluentDigits {
    type Args = bool;
    type Error = String;
    fn construct(lang: LanguageIdentifier, latin_digits: bool) -> Result<Self, String> {
        let loc = locale(speak(&lang.to_string()), latin_digits);
        DecimalFormatter::try_new(loc.into(), Default::default())
            .map(FluentDigits)
            .map_err(|e| format!("{e:?}"))
    }
}

type Memoizer = intl_memoizer::concurrent::IntlLangMemoizer;

fn fluent_number(value: &FluentValue<'_>, memoizer: &Memoizer, latin: bool) -> Option<String> {
    use fluent_bundle::memoizer::MemoizerKind;
    let FluentValue::Number(n) = value else {
        return None;
    };
    if !n.value.is_finite() || n.value.abs() > 1e15 {
        return None;
    }
    // The shortest decimal that reads back as the value (`12.3`, not `12.300000000001`).
    let decimal: Decimal = if n.value.fract() == 0.0 {
        Decimal::from(n.value as i64)
    } else {
        format!("{}", n.value).parse().ok()?
    };
    memoizer
        .with_try_get_threadsafe::<FluentDigits, _, _>(latin, |f| f.0.format(&decimal).to_string())
        .ok()
}

/// Fluent's formatter for a bundle that writes the language's own digits.
pub fn fluent_native_digits(value: &FluentValue<'_>, memoizer: &Memoizer) -> Option<String> {
    fluent_number(value, memoizer, false)
}

/// Fluent's formatter for a bundle that writes Latin digits.
pub fn fluent_latin_digits(value: &FluentValue<'_>, memoizer: &Memoizer) -> Option<String> {
    fluent_number(value, memoizer, true)
}

#[cfg(test)]
mod tests {
    use super::super::languages::SHIPPED;
    use super::*;

    fn formats(tag: &str, latin: bool) -> Formats {
        Formats::new(super::super::languages::speak(tag), latin).unwrap()
    }

    /// 2026-11-26 19:11 UTC.
    const T: i64 = 1_795_720_275;

    #[test]
    fn every_shipped_language_has_its_cldr_data() {
        for lang in SHIPPED {
            for latin in [false, true] {
                let f = Formats::new(lang, latin).unwrap();
                assert!(!f.date(T).is_empty(), "{}", lang.tag);
            }
        }
    }

    #[test]
    fn dates_use_each_languages_months_digits_and_calendar() {
        assert_eq!(formats("en", false).date(T), "November 26, 2026");
        assert_eq!(formats("ar", false).date(T), "٢٦ نوفمبر ٢٠٢٦");
        assert_eq!(formats("ar", true).date(T), "26 نوفمبر 2026");
        assert!(formats("ckb", false).date(T).contains("٢٠٢٦"));
        assert_eq!(formats("kmr", false).date(T), "26 mijdar, 2026");
        assert_eq!(formats("tr", false).date(T), "26 Kasım 2026");
        // Persian readers date by the Solar Hijri calendar: 5 Azar 1405.
        assert_eq!(formats("fa", false).date(T), "۵ آذر ۱۴۰۵");
        assert_eq!(formats("fa", true).date(T), "5 آذر 1405");
    }

    #[test]
    fn numbers_use_each_languages_digits_and_grouping() {
        assert_eq!(formats("en", false).number(1234567), "1,234,567");
        assert_eq!(formats("ar", false).number(1234), "١٬٢٣٤");
        assert_eq!(formats("fa", false).number(1234), "۱٬۲۳۴");
        assert_eq!(formats("tr", false).number(1234), "1.234");
        assert_eq!(formats("ckb", true).number(3), "3");
    }
}
