//! Search: what a text is folded to for matching, what a reader's query asks for,
//! and the snippet that shows where it matched.
//!
//! Folding makes the spellings a reader may type meet the one the writer chose, in
//! every shipped language: case (Turkish `İ`/`I`/`ı` all meet `i`), diacritics and
//! Arabic harakat (`ş`→`s`, `مَدِينَة`→`مدينة`), the alef forms (`أ إ آ ٱ`→`ا`), the yeh
//! forms (Arabic `ي ى`→Persian/Kurdish `ی`), kaf (`ك`→`ک`), heh and teh marbuta
//! (`ة ە ھ ۀ`→`ه`), hamza seats (`ؤ`→`و`, `ئ`→`ی`), tatweel and zero-width joiners
//! dropped, Arabic-Indic and Persian digits as 0–9. The index holds folded words; a
//! query is folded the same way, each word a prefix.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Bump when [`fold`] changes: the index is built again at the next start.
pub const FOLD_VERSION: u32 = 1;

/// Words a query may have; more are ignored.
pub const MAX_TERMS: usize = 8;
/// Characters a query may have; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 200;

/// One character folded (already lower-cased and without marks).
fn fold_char(c: char) -> Option<char> {
    Some(match c {
        'ı' => 'i',
        // Alef wasla (the others decompose to alef and a mark).
        'ٱ' => 'ا',
        // Yeh: Arabic yeh, alef maksura, Pashto/Uyghur yeh.
        'ي' | 'ى' | 'ې' | 'ۍ' => 'ی',
        'ك' | 'ڪ' => 'ک',
        // Heh: teh marbuta, Kurdish ae (often typed as heh), heh doachashmee, goal.
        'ة' | 'ە' | 'ھ' | 'ہ' | 'ۃ' => 'ه',
        // Tatweel, zero-width non-joiner and joiner, direction marks.
        '\u{0640}' | '\u{200C}' | '\u{200D}' | '\u{200E}' | '\u{200F}' => return None,
        '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
        '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
        other => other,
    })
}

/// `text` folded for matching; word characters kept, anything else a space, words
/// separated by one space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.chars().flat_map(char::to_lowercase).nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let Some(c) = fold_char(c) else { continue };
        if c.is_alphanumeric() {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The words a reader asked for, folded, without repeats, at most [`MAX_TERMS`].
pub fn terms(query: &str) -> Vec<String> {
    let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
    let mut out: Vec<String> = Vec::new();
    for word in fold(&query).split(' ').filter(|w| !w.is_empty()) {
        if !out.iter().any(|w| w == word) && out.len() < MAX_TERMS {
            out.push(word.to_string());
        }
    }
    out
}

/// The query for SQLite FTS5: every term, each a prefix once it has two letters
/// (one letter alone matches only itself, or it would match most of the index).
pub fn fts5_query(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| {
            if t.chars().count() >= 2 {
                format!("\"{t}\"*")
            } else {
                format!("\"{t}\"")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The same for PostgreSQL's `to_tsquery('simple', …)`.
pub fn tsquery(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| {
            if t.chars().count() >= 2 {
                format!("'{t}':*")
            } else {
                format!("'{t}'")
            }
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// Whether a word of the text (as written) is one the reader asked for.
fn matches(word: &str, terms: &[String]) -> bool {
    let folded = fold(word);
    folded.split(' ').any(|w| {
        !w.is_empty()
            && terms.iter().any(|t| {
                if t.chars().count() >= 2 {
                    w.starts_with(t.as_str())
                } else {
                    w == t
                }
            })
    })
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// `text` as HTML with each word the reader asked for in `<mark>`.
pub fn highlight(text: &str, terms: &[String]) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    for (word, is_word) in pieces(text) {
        if is_word && matches(word, terms) {
            out.push_str("<mark>");
            escape(word, &mut out);
            out.push_str("</mark>");
        } else {
            escape(word, &mut out);
        }
    }
    out
}

/// `text` cut into words and what lies between them, in order: (piece, is a word).
/// A word is a run of letters, digits, marks and the joiners inside words.
fn pieces(text: &str) -> Vec<(&str, bool)> {
    let inside = |c: char| {
        c.is_alphanumeric()
            || is_combining_mark(c)
            || matches!(c, '\u{200C}' | '\u{200D}' | '\u{0640}')
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_word = None;
    for (i, c) in text.char_indices() {
        let w = inside(c);
        match in_word {
            Some(prev) if prev != w => {
                out.push((&text[start..i], prev));
                start = i;
            }
            _ => {}
        }
        in_word = Some(w);
    }
    if let Some(w) = in_word {
        out.push((&text[start..], w));
    }
    out
}

/// A snippet of about `words` words of `text` around its first match, as HTML with the
/// matches marked; the beginning of the text when nothing in it matches (the match
/// was in the title). "…" marks what was left out.
pub fn snippet(text: &str, terms: &[String], words: usize) -> String {
    let all = pieces(text);
    let word_at: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, (_, w))| *w)
        .map(|(i, _)| i)
        .collect();
    if word_at.is_empty() {
        return highlight(text.trim(), terms);
    }
    let first = word_at
        .iter()
        .position(|&i| matches(all[i].0, terms))
        .unwrap_or(0);
    let from = first.saturating_sub(words / 3);
    let to = (from + words).min(word_at.len());
    let from = to.saturating_sub(words).min(from);
    let start = if from == 0 { 0 } else { word_at[from] };
    let end = if to == word_at.len() {
        all.len()
    } else {
        word_at[to - 1] + 1
    };
    let mut out = String::new();
    if from > 0 {
        out.push_str("… ");
    }
    let piece: String = all[start..end].iter().map(|(p, _)| *p).collect();
    out.push_str(&highlight(piece.trim(), terms));
    if to < word_at.len() {
        out.push_str(" …");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_spellings_meet() {
        // Alef with hamza, harakat, teh marbuta, Arabic yeh and kaf, tatweel.
        assert_eq!(fold("أَحْمَد"), fold("احمد"));
        assert_eq!(fold("إسلام آمنة ٱلله"), "اسلام امنه الله");
        assert_eq!(fold("المدينة"), fold("المدينه"));
        assert_eq!(fold("كردي"), "کردی");
        assert_eq!(fold("كـــتاب"), "کتاب");
        assert_eq!(fold("مسؤول"), "مسوول");
        assert_eq!(fold("٢٠٢٦ ۱۴۰۵"), "2026 1405");
    }

    #[test]
    fn kurdish_and_persian_spellings_meet() {
        // Sorani typed on an Arabic keyboard: ي for ی, ك for ک, ه for ە.
        assert_eq!(fold("كوردستان"), fold("کوردستان"));
        assert_eq!(fold("بەیاننامە"), fold("بهیاننامه"));
        // Persian with and without the zero-width non-joiner.
        assert_eq!(fold("می‌خواهم"), fold("میخواهم"));
        assert_eq!(fold("خانۀ"), fold("خانه"));
    }

    #[test]
    fn turkish_and_kurmanji_spellings_meet() {
        assert_eq!(fold("İSTANBUL'da"), "istanbul da");
        assert_eq!(fold("Işık"), "isik");
        assert_eq!(fold("şehir"), "sehir");
        assert_eq!(fold("Kurdî û Zimanê"), "kurdi u zimane");
    }

    #[test]
    fn queries_are_terms_and_prefixes() {
        assert_eq!(
            terms("  Statement  statement, ON the-harbour "),
            ["statement", "on", "the", "harbour"]
        );
        assert_eq!(terms(&"a ".repeat(50)), ["a"]);
        assert_eq!(
            terms("one two three four five six seven eight nine").len(),
            MAX_TERMS
        );
        assert_eq!(fts5_query(&terms("harb a")), "\"harb\"* \"a\"");
        assert_eq!(tsquery(&terms("harb a")), "'harb':* & 'a'");
        // Nothing a query language would read as an operator survives.
        assert_eq!(
            fts5_query(&terms("\"x\" OR y* NEAR(z) 'q':* & !w")),
            "\"x\" \"or\"* \"y\" \"near\"* \"z\" \"q\" \"w\""
        );
        assert!(terms("*** ::: ''").is_empty());
    }

    #[test]
    fn matches_are_marked_in_the_writers_spelling() {
        let t = terms("المدينه istanbul");
        assert_eq!(
            highlight("في المدينة & <b> İstanbul'da", &t),
            "في <mark>المدينة</mark> &amp; &lt;b&gt; <mark>İstanbul</mark>&#39;da"
        );
        let long = (0..100)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let s = snippet(&long, &terms("w50"), 10);
        assert!(s.starts_with("… ") && s.ends_with(" …"), "{s}");
        assert!(s.contains("<mark>w50</mark>"), "{s}");
        assert_eq!(s.matches(' ').count(), 11, "{s}");
        // No match in the text: its beginning.
        assert!(snippet(&long, &terms("zzz"), 5).starts_with("w0 w1"));
        assert_eq!(snippet("", &terms("x"), 5), "");
    }
}
