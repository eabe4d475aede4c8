//! Bot traps on the comment form, as plain rules: a honeypot field no person sees, and
//! a signed "form shown at" time that a small script fetches when the form is shown
//! (so the cached page stays the same bytes for everyone). A bot that fills every
//! field, or posts a second after the page was drawn, or forges the time, is caught;
//! a reader without JavaScript has no time at all and is held for a moderator, never
//! refused. A caught comment is kept in spam, so a person caught by mistake can be
//! restored.

/// The honeypot's field name: a "subject" line, which comment forms do not have and
/// form-filling bots love.
pub const HONEYPOT_FIELD: &str = "subject";
/// The field the script fills with the signed time the form was shown.
pub const SHOWN_FIELD: &str = "tribune_shown";

/// How long a person takes at least, and how long a form stays good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormTiming {
    /// Sent sooner than this after the form was shown: a bot. 0 turns the check off.
    pub min_secs: i64,
    /// Sent later than this: held (a tab left open for days), not spam.
    pub max_secs: i64,
}

impl Default for FormTiming {
    fn default() -> Self {
        FormTiming {
            min_secs: 3,
            max_secs: 2 * 24 * 3600,
        }
    }
}

/// The "form shown at" time as it came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// No time: the reader's browser ran no script.
    Missing,
    /// A time whose signature is not ours, or that cannot be read.
    Forged,
    /// A time we signed.
    At(i64),
}

/// What a trap caught, kept with the comment so a moderator sees why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "trap", rename_all = "snake_case")]
pub enum Trap {
    /// The hidden field was filled in.
    Honeypot,
    /// The form's time was not one we signed (or for another post).
    Forged,
    /// Sent this many seconds after the form was shown.
    TooFast { secs: i64 },
    /// Sent this many seconds after the form was shown, past the limit.
    Expired { secs: i64 },
    /// No time came back: no JavaScript ran.
    NoScript,
}

/// What the traps make of a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caught {
    Nothing,
    /// Held for a moderator.
    Hold(Trap),
    /// Spam.
    Spam(Trap),
}

/// The traps' verdict on a submission with honeypot text `honeypot` and form time
/// `shown`, sent at `now`.
pub fn judge(honeypot: &str, shown: Shown, now: i64, timing: FormTiming) -> Caught {
    if !honeypot.trim().is_empty() {
        return Caught::Spam(Trap::Honeypot);
    }
    match shown {
        Shown::Missing => Caught::Hold(Trap::NoScript),
        Shown::Forged => Caught::Spam(Trap::Forged),
        // Signed by us in the future: a clock moved back a little is fine, more is not ours.
        Shown::At(at) if at > now + 300 => Caught::Spam(Trap::Forged),
        Shown::At(at) => {
            let secs = (now - at).max(0);
            if secs < timing.min_secs {
                Caught::Spam(Trap::TooFast { secs })
            } else if secs > timing.max_secs {
                Caught::Hold(Trap::Expired { secs })
            } else {
                Caught::Nothing
            }
        }
    }
}

/// The text the script puts in the form: `TIME.SIGNATURE`; `sign` signs the post and
/// the time.
pub fn shown_token(post_id: i64, at: i64, sign: impl Fn(&str) -> String) -> String {
    format!("{at}.{}", sign(&signed_text(post_id, at)))
}

/// Reads a token from the form for `post_id`; `signed` checks a signature.
pub fn read_shown(token: &str, post_id: i64, signed: impl Fn(&str, &str) -> bool) -> Shown {
    let token = token.trim();
    if token.is_empty() {
        return Shown::Missing;
    }
    let Some((at, sig)) = token.split_once('.') else {
        return Shown::Forged;
    };
    match at.parse::<i64>() {
        Ok(at) if signed(&signed_text(post_id, at), sig) => Shown::At(at),
        _ => Shown::Forged,
    }
}

fn signed_text(post_id: i64, at: i64) -> String {
    format!("form-shown:{post_id}:{at}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(text: &str) -> String {
        format!("sig({text})")
    }

    fn signed(text: &str, sig: &str) -> bool {
        sign(text) == sig
    }

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn a_filled_honeypot_is_spam_whatever_else() {
        let t = FormTiming::default();
        assert_eq!(
            judge("Buy now", Shown::At(NOW - 60), NOW, t),
            Caught::Spam(Trap::Honeypot)
        );
        assert_eq!(judge("  ", Shown::At(NOW - 60), NOW, t), Caught::Nothing);
    }

    #[test]
    fn the_form_time_catches_the_fast_the_forged_and_holds_the_late_and_the_scriptless() {
        let t = FormTiming {
            min_secs: 3,
            max_secs: 3600,
        };
        assert_eq!(
            judge("", Shown::At(NOW - 1), NOW, t),
            Caught::Spam(Trap::TooFast { secs: 1 })
        );
        assert_eq!(judge("", Shown::At(NOW - 3), NOW, t), Caught::Nothing);
        assert_eq!(judge("", Shown::At(NOW - 3600), NOW, t), Caught::Nothing);
        assert_eq!(
            judge("", Shown::At(NOW - 3601), NOW, t),
            Caught::Hold(Trap::Expired { secs: 3601 })
        );
        assert_eq!(
            judge("", Shown::Missing, NOW, t),
            Caught::Hold(Trap::NoScript)
        );
        assert_eq!(judge("", Shown::Forged, NOW, t), Caught::Spam(Trap::Forged));
        assert_eq!(
            judge("", Shown::At(NOW + 3600), NOW, t),
            Caught::Spam(Trap::Forged)
        );
        // 0 turns the minimum off.
        let off = FormTiming { min_secs: 0, ..t };
        assert_eq!(judge("", Shown::At(NOW), NOW, off), Caught::Nothing);
    }

    #[test]
    fn a_token_is_read_back_only_for_its_post_and_untouched() {
        let token = shown_token(7, NOW, sign);
        assert_eq!(read_shown(&token, 7, signed), Shown::At(NOW));
        assert_eq!(read_shown(&token, 8, signed), Shown::Forged);
        let moved = token.replacen(&NOW.to_string(), &(NOW - 100).to_string(), 1);
        assert_eq!(read_shown(&moved, 7, signed), Shown::Forged);
        assert_eq!(read_shown("", 7, signed), Shown::Missing);
        assert_eq!(read_shown("garbage", 7, signed), Shown::Forged);
        assert_eq!(read_shown("x.y", 7, signed), Shown::Forged);
    }
}
