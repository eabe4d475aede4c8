//! The spam filter that learns from moderators: a comment becomes a set of features
//! (its words, the character 4-grams of its longer words — so Arabic, Kurdish and
//! Persian words are recognised in their many forms — the hosts it links to, who it
//! says it is), and each feature's counts in the comments moderators called spam and
//! not spam give it a probability. The most telling features are combined by Fisher's
//! method (Robinson's chi-square, as SpamBayes does) into one score between 0 (not
//! spam) and 1 (spam), with the features that weighed most kept as its reasons.
//!
//! Plain functions: the counts come from the caller (`store::spam`), nothing is read
//! or written here.

use std::collections::HashSet;

use super::discussion::Submission;

/// At most this many distinct features are taken from one comment.
pub const MAX_FEATURES: usize = 600;
/// The filter decides nothing until it has learned from this many comments of each
/// kind; it still scores them, so a moderator sees it learn.
pub const MIN_TRAINED: i64 = 10;
/// The key under which the number of trained comments is counted (no feature has it).
pub const DOCUMENTS_KEY: &str = "#documents";

/// Robinson's strength of the prior for a rare feature, and its prior (SpamBayes'
/// defaults).
const UNKNOWN_STRENGTH: f64 = 0.45;
const UNKNOWN_PROB: f64 = 0.5;
/// Features nearer 0.5 than this say nothing and are left out.
const MIN_STRENGTH: f64 = 0.1;
/// The most telling features used for a score.
const MAX_DISCRIMINATORS: usize = 150;
/// The reasons kept with a score.
const CLUES_KEPT: usize = 6;

/// What the filter learned about a feature, or the comments it learned from
/// ([`DOCUMENTS_KEY`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub spam: i64,
    pub ham: i64,
}

/// One feature of a comment, and the number it is stored under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    pub text: String,
    pub key: i64,
}

/// A feature that weighed in a score, and its probability of spam.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Clue {
    pub token: String,
    pub p: f64,
}

/// A comment's score and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Score {
    /// 0: surely not spam; 1: surely spam.
    pub spam: f64,
    /// The features that weighed most, the most telling first.
    pub clues: Vec<Clue>,
}

/// The number a feature's text is stored under: its 64-bit FNV-1a hash (a fixed,
/// published function, so every instance and every version agree; fast enough for a
/// thousand features per comment).
pub fn key(text: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash as i64
}

/// The features of a comment, each once, in the order found, at most [`MAX_FEATURES`].
pub fn features(s: &Submission<'_>) -> Vec<Feature> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut add = |text: String| {
        if out.len() < MAX_FEATURES && seen.insert(text.clone()) {
            out.push(Feature {
                key: key(&text),
                text,
            });
        }
    };
    let body = s.body;
    let mut links = 0usize;
    for host in link_hosts(body) {
        links += 1;
        add(format!("host:{host}"));
    }
    add(format!("links:{}", links.min(3)));
    let length = body.chars().count();
    add(format!("length:{}", usize::BITS - length.leading_zeros()));
    let letters = body.chars().filter(|c| c.is_alphabetic()).count();
    let capitals = body.chars().filter(|c| c.is_uppercase()).count();
    if letters >= 20 && capitals * 3 > letters {
        add("shouting".into());
    }
    if body.contains("<a ") || body.contains("<a\n") || body.contains("[url") {
        add("markup:link".into());
    }
    let name = normalise(s.name.trim());
    if name.is_empty() {
        add("name:none".into());
    } else {
        add(format!("name:{name}"));
        if name.chars().any(|c| c.is_ascii_digit()) {
            add("name:digits".into());
        }
        if name.split_whitespace().count() >= 4 {
            add("name:long".into());
        }
    }
    match s.email.rsplit_once('@') {
        Some((_, domain)) => add(format!("email:{}", domain.trim().to_lowercase())),
        None => add("email:none".into()),
    }
    match host_of(s.url) {
        Some(host) => add(format!("website:{host}")),
        None => add("website:none".into()),
    }
    let agent = s
        .user_agent
        .split(['/', ' '])
        .next()
        .unwrap_or("")
        .to_lowercase();
    add(format!(
        "agent:{}",
        if agent.is_empty() { "none" } else { &agent }
    ));
    for word in words(body) {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() > 40 {
            add(format!("long-word:{}", chars.len() / 10));
            continue;
        }
        if chars.len() >= 2 || !chars.iter().all(char::is_ascii) {
            add(word.clone());
        }
        if chars.len() >= 6 {
            for gram in chars.windows(4) {
                add(format!("4:{}", gram.iter().collect::<String>()));
            }
        }
    }
    out
}

/// A feature as a moderator reads it: a word as itself, part of a word with an
/// ellipsis, a linked host or an email domain as such; each kept whole in any
/// direction of text (isolated), so an Arabic word next to a host stays readable.
pub fn describe(feature: &str) -> String {
    let shown = match feature.split_once(':') {
        Some(("4", gram)) => format!("…{gram}…"),
        Some(("host", host)) => format!("🔗 {host}"),
        Some(("email", domain)) => format!("@{domain}"),
        Some(("website", host)) => format!("⌂ {host}"),
        Some(("name", name)) => format!("👤 {name}"),
        Some(("links", n)) => format!("🔗 × {n}"),
        Some(("agent", agent)) => format!("⚙ {agent}"),
        Some((_, _)) | None => feature.to_string(),
    };
    format!("\u{2068}{shown}\u{2069}")
}

/// The words of `text`, lower-cased and normalised: letters, digits and the marks and
/// joiners that belong inside words of Arabic-script languages.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || is_word_mark(c)))
        .map(normalise)
        .filter(|w| !w.is_empty())
}

/// Lower-cased, with Arabic-script spelling variants made one: short-vowel marks and
/// the tatweel dropped, Arabic yeh and kaf written as the Persian and Kurdish ones.
fn normalise(word: &str) -> String {
    word.chars()
        .filter(|c| !matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}'))
        .map(|c| match c {
            '\u{064A}' | '\u{0649}' => '\u{06CC}',
            '\u{0643}' => '\u{06A9}',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_word_mark(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' | '\u{200C}' | '\u{0300}'..='\u{036F}')
}

/// The hosts of the links in `body` (`http://`, `https://`, `www.`), lower-cased.
fn link_hosts(body: &str) -> Vec<String> {
    let lower = body.to_lowercase();
    let mut hosts = Vec::new();
    let mut rest = lower.as_str();
    while let Some(at) = ["http://", "https://", "www."]
        .iter()
        .filter_map(|p| rest.find(p).map(|i| (i, *p)))
        .min()
    {
        let (i, prefix) = at;
        let after = &rest[i + prefix.len()..];
        let end = after
            .find(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(after.len());
        let host = after[..end].trim_end_matches('.');
        let host = if prefix == "www." {
            format!("www.{host}")
        } else {
            host.to_string()
        };
        if !host.is_empty() {
            hosts.push(host);
        }
        rest = &after[end..];
    }
    hosts
}

fn host_of(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#', ':']).next().unwrap_or("");
    (!host.is_empty()).then(|| host.to_lowercase())
}

/// The score of a comment with these features, given what the filter learned
/// (`counts` of each feature by key, `documents`: how many comments of each kind it
/// learned from). `None` until it has learned from at least one of each.
pub fn score(
    features: &[Feature],
    documents: Counts,
    counts: impl Fn(i64) -> Option<Counts>,
) -> Option<Score> {
    if documents.spam < 1 || documents.ham < 1 {
        return None;
    }
    let mut clues: Vec<(f64, &str)> = features
        .iter()
        .filter_map(|f| {
            let c = counts(f.key)?;
            let p = probability(c, documents);
            ((p - 0.5).abs() >= MIN_STRENGTH).then_some((p, f.text.as_str()))
        })
        .collect();
    // Most telling first; the same strength keeps the order found.
    clues.sort_by(|a, b| (b.0 - 0.5).abs().total_cmp(&(a.0 - 0.5).abs()));
    clues.truncate(MAX_DISCRIMINATORS);
    let spam = combine(clues.iter().map(|(p, _)| *p));
    Some(Score {
        spam,
        clues: clues
            .iter()
            .take(CLUES_KEPT)
            .map(|(p, t)| Clue {
                token: t.to_string(),
                p: (p * 1000.0).round() / 1000.0,
            })
            .collect(),
    })
}

/// Robinson's probability that a comment with this feature is spam, pulled towards
/// 0.5 while the feature is rare.
fn probability(c: Counts, documents: Counts) -> f64 {
    let spam_ratio = c.spam.max(0) as f64 / documents.spam as f64;
    let ham_ratio = c.ham.max(0) as f64 / documents.ham as f64;
    if spam_ratio + ham_ratio == 0.0 {
        return UNKNOWN_PROB;
    }
    let p = spam_ratio / (spam_ratio + ham_ratio);
    let n = (c.spam.max(0) + c.ham.max(0)) as f64;
    let f = (UNKNOWN_STRENGTH * UNKNOWN_PROB + n * p) / (UNKNOWN_STRENGTH + n);
    f.clamp(0.0001, 0.9999)
}

/// Fisher's combination of the probabilities: how far they are from chance towards
/// spam, against how far towards not spam. 0.5 with nothing to go on.
fn combine(probs: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = probs.clone().count();
    if n == 0 {
        return 0.5;
    }
    let ln_ham: f64 = probs.clone().map(f64::ln).sum();
    let ln_spam: f64 = probs.map(|p| (1.0 - p).ln()).sum();
    let s = 1.0 - chi2_q(-2.0 * ln_spam, 2 * n);
    let h = 1.0 - chi2_q(-2.0 * ln_ham, 2 * n);
    ((s - h + 1.0) / 2.0).clamp(0.0, 1.0)
}

/// The probability that a chi-square variable with `v` (even) degrees of freedom is at
/// least `x2`.
fn chi2_q(x2: f64, v: usize) -> f64 {
    let m = x2 / 2.0;
    let mut term = (-m).exp();
    let mut sum = term;
    for i in 1..v / 2 {
        term *= m / i as f64;
        sum += term;
    }
    sum.min(1.0)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn comment(body: &'static str) -> Submission<'static> {
        Submission {
            body,
            name: "Reader",
            email: "reader@example.org",
            ..Submission::default()
        }
    }

    /// A filter trained on `spam` and `ham`, as `store::spam` would hold it.
    struct Trained {
        counts: HashMap<i64, Counts>,
        documents: Counts,
    }

    impl Trained {
        fn new(spam: &[Submission<'_>], ham: &[Submission<'_>]) -> Self {
            let mut counts: HashMap<i64, Counts> = HashMap::new();
            for s in spam {
                for f in features(s) {
                    counts.entry(f.key).or_default().spam += 1;
                }
            }
            for s in ham {
                for f in features(s) {
                    counts.entry(f.key).or_default().ham += 1;
                }
            }
            let documents = Counts {
                spam: spam.len() as i64,
                ham: ham.len() as i64,
            };
            Trained { counts, documents }
        }

        fn score(&self, s: &Submission<'_>) -> Score {
            score(&features(s), self.documents, |k| {
                self.counts.get(&k).copied()
            })
            .unwrap()
        }
    }

    #[test]
    fn words_are_lower_cased_and_arabic_script_spellings_are_made_one() {
        let w: Vec<String> = words("Hello, WORLD! الميزانيّة كتاب می‌خواهم İstanbul").collect();
        assert_eq!(w[0], "hello");
        assert_eq!(w[1], "world");
        // The shadda is dropped; Arabic yeh becomes Persian yeh.
        assert_eq!(w[2], "المیزانیة");
        // Arabic kaf becomes keheh, as Persian and Kurdish write it.
        assert_eq!(w[3], "کتاب");
        // The zero-width non-joiner keeps a Persian word whole.
        assert_eq!(w[4], "می\u{200C}خواهم");
        assert_eq!(w.len(), 6);
    }

    #[test]
    fn a_comment_gives_its_words_grams_links_and_author_as_features() {
        let s = Submission {
            body: "Buy cheap watches at https://Spam.example/shop and www.other.example",
            name: "Best Deals 2024",
            email: "x@Mailer.example",
            url: "http://site.example/path",
            user_agent: "python-requests/2.31",
            ip: "203.0.113.9",
        };
        let texts: Vec<String> = features(&s).into_iter().map(|f| f.text).collect();
        for want in [
            "host:spam.example",
            "host:www.other.example",
            "links:2",
            "name:best deals 2024",
            "name:digits",
            "email:mailer.example",
            "website:site.example",
            "agent:python-requests",
            "cheap",
            "watches",
            "4:watc",
            "4:ches",
        ] {
            assert!(
                texts.iter().any(|t| t == want),
                "{want} missing in {texts:?}"
            );
        }
        // Each once, and the address is not a feature (it changes too easily).
        let unique: HashSet<&String> = texts.iter().collect();
        assert_eq!(unique.len(), texts.len());
        assert!(!texts.iter().any(|t| t.contains("203.0.113")));
    }

    #[test]
    fn features_are_bounded_for_a_huge_comment() {
        let body: String = (0..20_000).map(|i| format!("w{i} ")).collect();
        let body: &'static str = Box::leak(body.into_boxed_str());
        assert_eq!(features(&comment(body)).len(), MAX_FEATURES);
    }

    #[test]
    fn nothing_learned_gives_no_score_and_unknown_words_say_nothing() {
        let f = features(&comment("hello there"));
        assert!(score(&f, Counts::default(), |_| None).is_none());
        let s = score(&f, Counts { spam: 5, ham: 5 }, |_| None).unwrap();
        assert_eq!(s.spam, 0.5);
        assert!(s.clues.is_empty());
    }

    #[test]
    fn it_learns_spam_from_ham_with_the_words_that_told_it_as_reasons() {
        let spam = [
            comment("Cheap viagra pills, buy now at https://pills.example"),
            comment("Buy cheap pills online, best viagra prices https://pills.example"),
            comment("Casino bonus! Win money now https://casino.example"),
            comment("Cheap loans and casino money, buy now"),
        ];
        let ham = [
            comment("I disagree with the minister's statement on the budget."),
            comment("Thank you for publishing the full statement."),
            comment("The budget vote is on Thursday; will you report on it?"),
            comment("A clear statement. The minister should answer the questions."),
        ];
        let t = Trained::new(&spam, &ham);
        let verdict = t.score(&comment("buy cheap viagra now https://pills.example"));
        assert!(verdict.spam > 0.9, "{verdict:?}");
        assert!(verdict.clues.iter().all(|c| c.p > 0.5), "{verdict:?}");
        assert!(verdict.clues.iter().any(|c| ["viag", "pills", "cheap"]
            .iter()
            .any(|w| c.token.contains(w))));
        assert!(verdict.clues.len() <= CLUES_KEPT);
        let fine = t.score(&comment(
            "Will the minister answer questions on the budget?",
        ));
        assert!(fine.spam < 0.1, "{fine:?}");
    }

    #[test]
    fn it_learns_in_any_script_and_recognises_other_forms_of_a_word() {
        let spam = [
            comment("اربح المال الآن مع كازينو اونلاين"),
            comment("كازينو مجاني اربح جوائز"),
            comment("قمار وكازينوهات اربح الآن"),
        ];
        let ham = [
            comment("نشكركم على نشر البيان الكامل للوزارة"),
            comment("متى يناقش البرلمان الميزانية الجديدة؟"),
            comment("بيان واضح، وننتظر الإجابة على الأسئلة"),
        ];
        let t = Trained::new(&spam, &ham);
        // "والكازينو" was never seen whole: its 4-grams carry it.
        let s = t.score(&comment("والكازينو ينتظركم"));
        assert!(s.spam > 0.8, "{s:?}");
        let h = t.score(&comment("البيان عن الميزانية"));
        assert!(h.spam < 0.2, "{h:?}");
    }

    #[test]
    fn features_read_as_what_they_are() {
        let plain = |f: &str| describe(f).replace(['\u{2068}', '\u{2069}'], "");
        assert_eq!(plain("viagra"), "viagra");
        assert_eq!(plain("4:وزار"), "…وزار…");
        assert_eq!(plain("email:spam.example"), "@spam.example");
        assert_eq!(plain("host:pills.example"), "🔗 pills.example");
        assert!(describe("x").starts_with('\u{2068}') && describe("x").ends_with('\u{2069}'));
    }

    #[test]
    fn chi_square_tail_is_right_at_known_points() {
        // Q(x2 = 2, v = 2) = e^-1; Q(0, v) = 1.
        assert!((chi2_q(2.0, 2) - (-1f64).exp()).abs() < 1e-12);
        assert_eq!(chi2_q(0.0, 8), 1.0);
        assert!(chi2_q(1e6, 4) < 1e-100);
    }

    #[test]
    fn keys_are_stable() {
        // Stored in the database: a change would forget everything learned.
        assert_eq!(key("viagra"), key("viagra"));
        assert_ne!(key("viagra"), key("Viagra"));
        // FNV-1a's published values.
        assert_eq!(key("") as u64, 0xcbf2_9ce4_8422_2325);
        assert_eq!(key("a") as u64, 0xaf63_dc4c_8601_ec8c);
    }
}
