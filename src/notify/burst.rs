//! The burst rule: at most one email per topic (a moderator's queue, a reader's
//! thread) in a window; the rest of a burst goes into one digest at its end. Pure: the
//! caller looks up when the last email went and whether a digest waits.

/// At most one notification email per topic in this window.
pub const WINDOW_SECS: i64 = 600;

/// What to do about one more notification on a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notify {
    /// Nothing was sent lately: send this one now.
    Now,
    /// Fold it into a digest sent at the given time.
    DigestAt(i64),
    /// A digest is already waiting and will include it.
    AlreadyInDigest,
}

pub fn decision(now: i64, last_email: Option<i64>, digest_waiting: bool, window: i64) -> Notify {
    match last_email {
        Some(last) if now - last < window => {
            if digest_waiting {
                Notify::AlreadyInDigest
            } else {
                Notify::DigestAt(last + window)
            }
        }
        _ if digest_waiting => Notify::AlreadyInDigest,
        _ => Notify::Now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_notifications_becomes_one_email_and_one_digest() {
        let w = 600;
        assert_eq!(decision(1000, None, false, w), Notify::Now);
        assert_eq!(decision(1000, Some(900), false, w), Notify::DigestAt(1500));
        assert_eq!(decision(1001, Some(900), true, w), Notify::AlreadyInDigest);
        assert_eq!(decision(2000, Some(900), false, w), Notify::Now);
    }
}
