//! Which shipped language a text is written in, from its script and its words: for
//! posts that arrive without a language of their own (a WordPress export carries only
//! the site's `<language>`, the same for every post), so an Arabic statement from an
//! English site's export is Arabic and right to left, not `en-US`.
//!
//! Arabic script: Central Kurdish writes ڕ ڵ ێ ۆ ە, which Arabic and Persian do not;
//! Persian writes پ چ ژ گ and its own ی ک where Arabic writes ي ك ة. Latin script:
//! the commonest short words and the letters each language has (ê î û in Kurmanji,
//! ı ğ ö ü in Turkish). A text too short, or not clearly one of them, has no guess.

/// The language of `text`, when it is clearly one Tribune ships.
pub fn guess(text: &str) -> Option<&'static str> {
    let mut arabic_script = 0usize;
    let mut latin = 0usize;
    let (mut kurdish, mut persian, mut arabic) = (0usize, 0usize, 0usize);
    let (mut kmr_letters, mut tr_letters) = (0usize, 0usize);
    for c in text.chars() {
        match c {
            '\u{0600}'..='\u{06FF}'
            | '\u{0750}'..='\u{077F}'
            | '\u{FB50}'..='\u{FDFF}'
            | '\u{FE70}'..='\u{FEFF}' => {
                if c.is_alphabetic() {
                    arabic_script += 1;
                }
                match c {
                    'ڕ' | 'ڵ' | 'ێ' | 'ۆ' | 'ە' | 'ڤ' => kurdish += 1,
                    // Not ی and ک: Arabic typed on a Persian or Kurdish keyboard has them.
                    'پ' | 'چ' | 'ژ' | 'گ' | 'ۀ' => persian += 1,
                    'ة' | 'ى' | 'أ' | 'إ' | 'ؤ' => arabic += 1,
                    _ => {}
                }
            }
            c if c.is_ascii_alphabetic() => latin += 1,
            'ê' | 'î' | 'û' | 'Ê' | 'Î' | 'Û' => {
                latin += 1;
                kmr_letters += 1;
            }
            'ı' | 'ğ' | 'ö' | 'ü' | 'İ' | 'Ğ' | 'Ö' | 'Ü' => {
                latin += 1;
                tr_letters += 1;
            }
            c if c.is_alphabetic() && c.is_ascii() => latin += 1,
            'ç' | 'ş' | 'Ç' | 'Ş' => latin += 1,
            _ => {}
        }
    }
    if arabic_script + latin < 20 {
        return None;
    }
    if arabic_script > 2 * latin {
        // A few Kurdish letters in every hundred is Sorani; Arabic and Persian have none.
        if kurdish * 50 > arabic_script {
            return Some("ckb");
        }
        let (ar_words, fa_words) = arabic_script_words(text);
        let (ar, fa) = (2 * arabic + 3 * ar_words, 2 * persian + 3 * fa_words);
        return Some(if fa > ar { "fa" } else { "ar" });
    }
    if latin > 2 * arabic_script {
        return latin_language(text, kmr_letters, tr_letters);
    }
    None
}

const AR: &[&str] = &[
    "في", "من", "على", "إلى", "عن", "التي", "الذي", "هذا", "هذه", "أن", "إن", "كان", "مع", "قد",
    "لا", "ما", "هو", "هي", "بين", "كل", "أو", "ثم", "حتى", "عند", "بعد",
];
const FA: &[&str] = &[
    "و", "به", "از", "که", "این", "را", "است", "می", "با", "برای", "آن", "تا", "هم", "بر", "شد",
    "شده", "کرد", "نیز", "یا", "اما", "هر", "خود", "بود", "باید",
];

/// How many of the commonest Arabic, and Persian, words `text` has; Arabic also gets
/// its article (`ال…`).
fn arabic_script_words(text: &str) -> (usize, usize) {
    let (mut ar, mut fa) = (0, 0);
    for word in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
    {
        if AR.contains(&word) || (word.starts_with("ال") && word.chars().count() > 3) {
            ar += 1;
        }
        if FA.contains(&word) {
            fa += 1;
        }
    }
    (ar, fa)
}

const EN: &[&str] = &[
    "the", "and", "of", "to", "is", "in", "that", "it", "for", "on", "with", "as", "was", "are",
    "be", "this", "by", "at", "from", "or", "an", "have", "has", "not", "will", "we", "our",
];
const KMR: &[&str] = &[
    "û", "ji", "di", "li", "bi", "ku", "ev", "ew", "jî", "ye", "bû", "ne", "wê", "wî", "em", "ez",
    "tê", "yên", "ên", "ya", "yê", "re", "ve", "xwe", "me", "heta", "piştî",
];
const TR: &[&str] = &[
    "ve", "bir", "bu", "için", "ile", "da", "olarak", "çok", "daha", "gibi", "ama", "olan", "ki",
    "şu", "her", "kadar", "sonra", "değil", "var", "yok", "göre", "ise", "veya",
];

fn latin_language(text: &str, kmr_letters: usize, tr_letters: usize) -> Option<&'static str> {
    let mut scores = [
        ("en", 0usize),
        ("kmr", 2 * kmr_letters),
        ("tr", 2 * tr_letters),
    ];
    for word in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_lowercase();
        for (i, list) in [EN, KMR, TR].iter().enumerate() {
            if list.contains(&word.as_str()) {
                scores[i].1 += 3;
            }
        }
    }
    scores.sort_by_key(|s| std::cmp::Reverse(s.1));
    let (best, second) = (scores[0], scores[1]);
    (best.1 >= 9 && best.1 * 2 >= second.1 * 3).then_some(best.0)
}

#[cfg(test)]
mod tests {
    use super::guess;

    #[test]
    fn arabic_script_texts_are_told_apart() {
        assert_eq!(
            guess("أعلنت حكومة الإقليم اليوم عن الميزانية الجديدة، وتشمل زيادة في تمويل المدارس."),
            Some("ar")
        );
        assert_eq!(
            guess("حکومەتی هەرێم ئەمڕۆ بودجەی نوێی ڕاگەیاند، کە زیادکردنی پارەی قوتابخانەکان لەخۆ دەگرێت."),
            Some("ckb")
        );
        assert_eq!(
            guess(
                "دولت منطقه امروز بودجهٔ تازه را اعلام کرد که افزایش بودجهٔ مدرسه‌ها را در بر می‌گیرد."
            ),
            Some("fa")
        );
        // Arabic typed on a Kurdish or Persian keyboard (ی and ک) is still Arabic.
        assert_eq!(
            guess(
                "أعلنت حکومة الإقلیم الیوم عن المیزانیة الجدیدة التی تشمل زیادة فی تمویل المدارس."
            ),
            Some("ar")
        );
    }

    #[test]
    fn latin_script_texts_are_told_apart() {
        assert_eq!(
            guess("The regional government announced the budget today, with more for the schools of every district."),
            Some("en")
        );
        assert_eq!(
            guess("Hikûmeta herêmê îro budceya nû ragihand, ku ji bo dibistanan û nexweşxaneyan pereyê zêdetir dide."),
            Some("kmr")
        );
        assert_eq!(
            guess("Bölge hükümeti bugün yeni bütçeyi açıkladı ve okullar için daha fazla kaynak ayırdı."),
            Some("tr")
        );
    }

    #[test]
    fn short_mixed_or_other_texts_have_no_guess() {
        assert_eq!(guess("OK"), None);
        assert_eq!(
            guess("Le gouvernement régional a présenté son budget aujourd'hui."),
            None
        );
        assert_eq!(guess("Budget 2027 بيان Budget 2027 بيان"), None);
    }
}
