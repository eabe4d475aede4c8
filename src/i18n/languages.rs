//! The languages Tribune ships, each with its name in its own script, its direction and
//! the CLDR locale its dates and numbers are formatted with.

/// A language with a complete catalogue (`locales/<tag>.ftl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Language {
    /// BCP 47 tag, as in addresses (`/ar/`) and `lang` attributes.
    pub tag: &'static str,
    /// Its name as its readers write it ("Also in: English · کوردی · العربية").
    pub name: &'static str,
    /// Its name in English, for the documentation and logs.
    pub english: &'static str,
    /// `ltr` or `rtl`.
    pub dir: &'static str,
    /// The CLDR locale for dates and numbers (CLDR writes Northern Kurdish as `ku`).
    pub cldr: &'static str,
    /// Whether its readers write digits of their own script (٠١٢, ۰۱۲) rather than 0–9,
    /// and which CLDR numbering system that is.
    pub native_digits: Option<&'static str>,
}

/// Every shipped language; English first, then as a Kurdistan regional site would
/// list them.
pub const SHIPPED: &[Language] = &[
    Language {
        tag: "en",
        name: "English",
        english: "English",
        dir: "ltr",
        cldr: "en",
        native_digits: None,
    },
    Language {
        tag: "ckb",
        name: "کوردی",
        english: "Central Kurdish (Sorani)",
        dir: "rtl",
        cldr: "ckb",
        native_digits: Some("arab"),
    },
    Language {
        tag: "kmr",
        name: "Kurmancî",
        english: "Northern Kurdish (Kurmanji)",
        dir: "ltr",
        cldr: "ku",
        native_digits: None,
    },
    Language {
        tag: "ar",
        name: "العربية",
        english: "Arabic",
        dir: "rtl",
        cldr: "ar",
        native_digits: Some("arab"),
    },
    Language {
        tag: "fa",
        name: "فارسی",
        english: "Persian",
        dir: "rtl",
        cldr: "fa",
        native_digits: Some("arabext"),
    },
    Language {
        tag: "tr",
        name: "Türkçe",
        english: "Turkish",
        dir: "ltr",
        cldr: "tr",
        native_digits: None,
    },
];

/// The shipped language a tag asks for: itself, or its primary language (`ar-IQ` →
/// `ar`); `ku` and `ku-Latn` are Kurmanji, `ku-Arab` Sorani (as WordPress and older
/// exports write them).
pub fn shipped(tag: &str) -> Option<&'static Language> {
    let tag = tag.trim();
    let lower = tag.to_ascii_lowercase().replace('_', "-");
    let by_tag = |t: &str| SHIPPED.iter().find(|l| l.tag == t);
    if let Some(l) = by_tag(&lower) {
        return Some(l);
    }
    let mut parts = lower.split('-');
    let primary = parts.next().unwrap_or_default();
    match primary {
        "ku" if lower.split('-').any(|p| p == "arab") => by_tag("ckb"),
        "ku" => by_tag("kmr"),
        "pes" | "prs" => by_tag("fa"),
        other => by_tag(other),
    }
}

/// The language Tribune will speak for `tag`: a shipped one, else English.
pub fn speak(tag: &str) -> &'static Language {
    shipped(tag).unwrap_or(&SHIPPED[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_find_their_shipped_language() {
        assert_eq!(shipped("ar-IQ").map(|l| l.tag), Some("ar"));
        assert_eq!(shipped("en_US").map(|l| l.tag), Some("en"));
        assert_eq!(shipped("ku").map(|l| l.tag), Some("kmr"));
        assert_eq!(shipped("ku-Arab-IQ").map(|l| l.tag), Some("ckb"));
        assert_eq!(shipped("CKB").map(|l| l.tag), Some("ckb"));
        assert_eq!(shipped("fr"), None);
        assert_eq!(speak("fr").tag, "en");
        let rtl: Vec<_> = SHIPPED
            .iter()
            .filter(|l| l.dir == "rtl")
            .map(|l| l.tag)
            .collect();
        assert_eq!(rtl, ["ckb", "ar", "fa"]);
    }
}
