//! WordPress's discussion rules (Settings → Discussion), as plain functions: what a
//! comment's words, links and author make of it before any moderator sees it.
//!
//! - "Hold a comment in the queue if it contains N or more links" (default 2).
//! - "Comment Moderation" words hold a comment; "Disallowed Comment Keys" send it to
//!   spam. Each line is a word or phrase matched, as WordPress does, as a substring
//!   without regard to case in the comment's text, name, email, website, IP address and
//!   browser — in any script (`ميزانية` matches inside `الميزانية`). A line that is
//!   wrapped in slashes, `/word/`, matches whole words only.
//! - "Automatically close comments on posts older than N days".
//!
//! Disallowed words win over moderation words, which win over the link count.

/// The rules as the site's settings hold them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscussionRules {
    /// Hold a comment with this many links or more; 0 turns the rule off.
    pub max_links: usize,
    /// One word or phrase per line; a match holds the comment.
    pub moderation_keys: String,
    /// One word or phrase per line; a match sends the comment to spam.
    pub disallowed_keys: String,
}

/// What the rules look at: everything the reader sent, and where from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Submission<'a> {
    pub body: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub url: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

/// Which part of a comment a word was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Body,
    Name,
    Email,
    Url,
    Ip,
    UserAgent,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Body => "body",
            Field::Name => "name",
            Field::Email => "email",
            Field::Url => "url",
            Field::Ip => "ip",
            Field::UserAgent => "user_agent",
        }
    }
}

/// The rule a comment met, so a moderator can see why it was held or sent to spam.
/// Kept with the comment as JSON (`comments.moderation_note`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum RuleHit {
    Links { count: usize, max: usize },
    ModerationWord { word: String, field: Field },
    DisallowedWord { word: String, field: Field },
}

/// A block-list entry a comment matched: its email, address or name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Blocked {
    pub field: Field,
    pub value: String,
}

/// The block list: one `email …`, `ip …` or `name …` per line, matched whole and
/// without regard to case (a line with no such word is taken as an email when it has
/// an `@`, an address when it parses as one, else a name).
pub fn blocked(list: &str, s: &Submission<'_>) -> Option<Blocked> {
    for line in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (field, value) = block_entry(line);
        let have = match field {
            Field::Email => s.email,
            Field::Ip => s.ip,
            _ => s.name,
        };
        if !value.is_empty() && have.trim().to_lowercase() == value.to_lowercase() {
            return Some(Blocked {
                field,
                value: value.to_string(),
            });
        }
    }
    None
}

/// What a block-list line blocks.
pub fn block_entry(line: &str) -> (Field, &str) {
    let line = line.trim();
    if let Some((word, rest)) = line.split_once(char::is_whitespace) {
        match word.to_lowercase().as_str() {
            "email" => return (Field::Email, rest.trim()),
            "ip" => return (Field::Ip, rest.trim()),
            "name" => return (Field::Name, rest.trim()),
            _ => {}
        }
    }
    if line.contains('@') {
        (Field::Email, line)
    } else if line.parse::<std::net::IpAddr>().is_ok() {
        (Field::Ip, line)
    } else {
        (Field::Name, line)
    }
}

/// The block-list line for `value` in `field`.
pub fn block_line(field: Field, value: &str) -> String {
    let word = match field {
        Field::Email => "email",
        Field::Ip => "ip",
        _ => "name",
    };
    format!("{word} {}", value.trim())
}

/// What the rules make of a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No rule has anything to say; the moderation policy decides.
    Pass,
    /// Held for a moderator, whatever the policy says.
    Hold(RuleHit),
    /// Spam: never in the queue, no email.
    Spam(RuleHit),
}

impl DiscussionRules {
    /// The verdict on `s`.
    pub fn judge(&self, s: &Submission<'_>) -> Verdict {
        // Lower-cased once for both lists, and not at all when both are empty.
        if !(self.disallowed_keys.trim().is_empty() && self.moderation_keys.trim().is_empty()) {
            let fields = lowered(s);
            if let Some((word, field)) = find_key(&self.disallowed_keys, &fields) {
                return Verdict::Spam(RuleHit::DisallowedWord { word, field });
            }
            if let Some((word, field)) = find_key(&self.moderation_keys, &fields) {
                return Verdict::Hold(RuleHit::ModerationWord { word, field });
            }
        }
        let count = count_links(s.body);
        if self.max_links > 0 && count >= self.max_links {
            return Verdict::Hold(RuleHit::Links {
                count,
                max: self.max_links,
            });
        }
        Verdict::Pass
    }
}

/// Every field of `s`, lower-cased, with its name.
fn lowered(s: &Submission<'_>) -> Vec<(Field, String)> {
    [
        (Field::Body, s.body),
        (Field::Name, s.name),
        (Field::Email, s.email),
        (Field::Url, s.url),
        (Field::Ip, s.ip),
        (Field::UserAgent, s.user_agent),
    ]
    .iter()
    .map(|(f, text)| (*f, text.to_lowercase()))
    .collect()
}

/// The first line of `keys` found in the `lowered` fields, and where.
fn find_key(keys: &str, lowered: &[(Field, String)]) -> Option<(String, Field)> {
    for line in keys.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (key, whole_words) = match line.strip_prefix('/').and_then(|l| l.strip_suffix('/')) {
            Some(inner) if !inner.trim().is_empty() => (inner.trim().to_lowercase(), true),
            _ => (line.to_lowercase(), false),
        };
        for (field, text) in lowered {
            let found = if whole_words {
                contains_word(text, &key)
            } else {
                text.contains(&key)
            };
            if found {
                return Some((line.to_string(), *field));
            }
        }
    }
    None
}

/// Whether `word` occurs in `text` with no letter or digit right before or after it.
fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Links in a comment's text, counted as WordPress counts them: every `http://`,
/// `https://` or protocol-relative `//` address, and every bare `www.` address.
pub fn count_links(body: &str) -> usize {
    let lower = body.to_lowercase();
    let addresses = lower.matches("//").count();
    let bare_www = lower
        .match_indices("www.")
        .filter(|(at, _)| {
            let before = lower[..*at].chars().next_back();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '/' || c == '.')
        })
        .count();
    addresses + bare_www
}

/// Whether comments on a post published at `published_at` are closed by age at
/// `now`: "Automatically close comments on posts older than `days` days" (0: never).
pub fn closed_by_age(published_at: Option<i64>, now: i64, days: u32) -> bool {
    match published_at {
        Some(at) if days > 0 => now - at > i64::from(days) * 86_400,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(body: &'static str) -> Submission<'static> {
        Submission {
            body,
            name: "Amina",
            email: "amina@example.org",
            url: "",
            ip: "203.0.113.7",
            user_agent: "Mozilla/5.0",
        }
    }

    fn rules(moderation: &str, disallowed: &str) -> DiscussionRules {
        DiscussionRules {
            max_links: 2,
            moderation_keys: moderation.into(),
            disallowed_keys: disallowed.into(),
        }
    }

    #[test]
    fn two_links_hold_a_comment_and_the_rule_can_be_turned_off() {
        let r = rules("", "");
        assert_eq!(r.judge(&comment("See https://example.org")), Verdict::Pass);
        assert_eq!(
            r.judge(&comment("See https://a.example and http://b.example")),
            Verdict::Hold(RuleHit::Links { count: 2, max: 2 })
        );
        assert!(matches!(
            r.judge(&comment("<a href=\"//a.example\">a</a> and www.b.example")),
            Verdict::Hold(RuleHit::Links { count: 2, .. })
        ));
        let off = DiscussionRules {
            max_links: 0,
            ..rules("", "")
        };
        assert_eq!(
            off.judge(&comment("https://a https://b https://c")),
            Verdict::Pass
        );
    }

    #[test]
    fn links_are_counted_as_wordpress_counts_them() {
        assert_eq!(count_links("no links here"), 0);
        assert_eq!(count_links("HTTPS://A.EXAMPLE"), 1);
        assert_eq!(count_links("www.a.example, https://www.b.example"), 2);
        assert_eq!(count_links("a.www.example is not bare"), 0);
        assert_eq!(count_links("زوروا https://مثال.عرب"), 1);
    }

    #[test]
    fn moderation_words_hold_and_disallowed_words_send_to_spam_in_every_field() {
        let r = rules("casino\n\n  budget leak  ", "viagra\n198.51.100.");
        assert_eq!(
            r.judge(&comment("Best CASINO offers")),
            Verdict::Hold(RuleHit::ModerationWord {
                word: "casino".into(),
                field: Field::Body
            })
        );
        assert_eq!(
            r.judge(&comment("about the Budget Leak")),
            Verdict::Hold(RuleHit::ModerationWord {
                word: "budget leak".into(),
                field: Field::Body
            })
        );
        let mut by_name = comment("Hello");
        by_name.name = "Cheap Viagra";
        assert_eq!(
            r.judge(&by_name),
            Verdict::Spam(RuleHit::DisallowedWord {
                word: "viagra".into(),
                field: Field::Name
            })
        );
        let mut by_ip = comment("Hello");
        by_ip.ip = "198.51.100.23";
        assert!(matches!(
            r.judge(&by_ip),
            Verdict::Spam(RuleHit::DisallowedWord {
                field: Field::Ip,
                ..
            })
        ));
        let mut by_url = comment("Hello");
        by_url.url = "https://casino.example";
        assert!(matches!(
            r.judge(&by_url),
            Verdict::Hold(RuleHit::ModerationWord {
                field: Field::Url,
                ..
            })
        ));
        let mut by_email = comment("Hello");
        by_email.email = "x@casino.example";
        assert!(matches!(
            r.judge(&by_email),
            Verdict::Hold(RuleHit::ModerationWord {
                field: Field::Email,
                ..
            })
        ));
        let mut by_agent = comment("Hello");
        by_agent.user_agent = "ViagraBot/1.0";
        assert!(matches!(
            r.judge(&by_agent),
            Verdict::Spam(RuleHit::DisallowedWord {
                field: Field::UserAgent,
                ..
            })
        ));
        // Disallowed wins over moderation, which wins over links.
        assert!(matches!(
            r.judge(&comment("casino viagra https://a https://b")),
            Verdict::Spam(_)
        ));
        assert!(matches!(
            r.judge(&comment("casino https://a https://b")),
            Verdict::Hold(RuleHit::ModerationWord { .. })
        ));
    }

    #[test]
    fn words_match_as_substrings_like_wordpress_or_whole_with_slashes() {
        // WordPress matches "press" inside "WordPress".
        let substring = rules("press", "");
        assert!(matches!(
            substring.judge(&comment("I use WordPress")),
            Verdict::Hold(_)
        ));
        let whole = rules("/press/", "");
        assert_eq!(whole.judge(&comment("I use WordPress")), Verdict::Pass);
        assert!(matches!(
            whole.judge(&comment("the press, today")),
            Verdict::Hold(RuleHit::ModerationWord { .. })
        ));
        // Empty slashes are the text `//`, not a word.
        assert_eq!(rules("/ /", "").judge(&comment("Hello")), Verdict::Pass);
    }

    #[test]
    fn words_match_in_any_script() {
        let r = rules("ميزانية\nقومار", "Qumar\nİLAN");
        // Arabic: inside a word with its article, as a substring.
        assert!(matches!(
            r.judge(&comment("عن الميزانية الجديدة")),
            Verdict::Hold(_)
        ));
        // Sorani and Kurmanji, case-insensitive in Latin script.
        assert!(matches!(r.judge(&comment("یاری قومار")), Verdict::Hold(_)));
        assert!(matches!(
            r.judge(&comment("lîstika qumar")),
            Verdict::Spam(_)
        ));
        // Turkish dotted capital I lowers to i + combining dot, on both sides alike.
        assert!(matches!(
            r.judge(&comment("bedava İlan burada")),
            Verdict::Spam(_)
        ));
        // Whole words in Arabic script.
        let whole = rules("/ميزانية/", "");
        assert_eq!(whole.judge(&comment("الميزانية")), Verdict::Pass);
        assert!(matches!(
            whole.judge(&comment("عن ميزانية")),
            Verdict::Hold(_)
        ));
    }

    #[test]
    fn old_posts_close_after_the_days_set() {
        let day = 86_400;
        let now = 100 * day;
        assert!(!closed_by_age(Some(now - 14 * day), now, 14));
        assert!(closed_by_age(Some(now - 14 * day - 1), now, 14));
        assert!(!closed_by_age(Some(now - 1000 * day), now, 0), "0 is never");
        assert!(!closed_by_age(None, now, 14), "not published yet");
    }

    #[test]
    fn the_block_list_matches_an_email_an_address_or_a_name_whole() {
        let s = Submission {
            body: "hello",
            name: "Cheap Pills",
            email: "Bot@Spam.example",
            ip: "203.0.113.9",
            ..Submission::default()
        };
        let list = "email bot@spam.example";
        assert_eq!(
            blocked(list, &s),
            Some(Blocked {
                field: Field::Email,
                value: "bot@spam.example".into()
            })
        );
        assert_eq!(blocked("ip 203.0.113.9", &s).unwrap().field, Field::Ip);
        assert_eq!(blocked("name cheap pills", &s).unwrap().field, Field::Name);
        // Whole values, not parts: another address in the same network, part of a name.
        assert_eq!(
            blocked("ip 203.0.113.90\nname Cheap\nemail spam.example", &s),
            None
        );
        // Without a leading word, the line says what it is.
        assert_eq!(blocked("203.0.113.9", &s).unwrap().field, Field::Ip);
        assert_eq!(blocked("BOT@spam.example", &s).unwrap().field, Field::Email);
        assert_eq!(block_line(Field::Ip, " 203.0.113.9 "), "ip 203.0.113.9");
        assert_eq!(
            block_entry(&block_line(Field::Name, "Cheap Pills")),
            (Field::Name, "Cheap Pills")
        );
    }
}
