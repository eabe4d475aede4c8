//! How sign-in slows down guessing: after a few failures each further attempt must
//! wait (1 s, 2 s, 4 s … at most a minute), and after `lockout_after` failures sign-in
//! is locked for a quarter of an hour. Counted per account (a password guessed from
//! many addresses) and per address (many accounts tried from one), independently of
//! the comment limits. A success clears the count; failures older than the window are
//! forgotten. Pure: the caller keeps the counts and passes the time.

/// Failures further apart than this start a new count.
pub const WINDOW_SECS: u64 = 15 * 60;
/// How long sign-in stays locked once `lockout_after` failures are reached.
pub const LOCKOUT_SECS: u64 = 15 * 60;
/// The longest wait between attempts before the lock.
const MAX_DELAY_SECS: u64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigninPolicy {
    /// Failures before the lock; slowing starts at a third of it. 0 lifts both.
    pub lockout_after: u32,
}

/// Failures on one account or from one address.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    /// When the last failure happened, in seconds on the caller's clock.
    pub last_at: u64,
}

impl Failures {
    /// Counts one more failure at `now`.
    pub fn record(self, now: u64) -> Failures {
        let count = if now.saturating_sub(self.last_at) > WINDOW_SECS {
            1
        } else {
            self.count.saturating_add(1)
        };
        Failures {
            count,
            last_at: now,
        }
    }

    /// Whether the count is old enough to be forgotten.
    pub fn expired(&self, now: u64) -> bool {
        now.saturating_sub(self.last_at) > WINDOW_SECS.max(LOCKOUT_SECS)
    }
}

/// What the next attempt may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Too soon after the last failure: wait this many seconds.
    Slowed(u64),
    /// Locked after too many failures: wait this many seconds.
    Locked(u64),
}

impl Verdict {
    pub fn wait_secs(self) -> Option<u64> {
        match self {
            Verdict::Allowed => None,
            Verdict::Slowed(s) | Verdict::Locked(s) => Some(s),
        }
    }
}

impl SigninPolicy {
    fn slow_from(&self) -> u32 {
        (self.lockout_after / 3).max(1)
    }

    /// May another attempt be made at `now`, after `f`?
    pub fn verdict(&self, f: Failures, now: u64) -> Verdict {
        if self.lockout_after == 0 || f.count == 0 {
            return Verdict::Allowed;
        }
        let since = now.saturating_sub(f.last_at);
        if f.count >= self.lockout_after {
            return match LOCKOUT_SECS.checked_sub(since) {
                Some(left) if left > 0 => Verdict::Locked(left),
                _ => Verdict::Allowed,
            };
        }
        if since > WINDOW_SECS || f.count < self.slow_from() {
            return Verdict::Allowed;
        }
        let step = (f.count - self.slow_from()).min(6);
        let delay = (1u64 << step).min(MAX_DELAY_SECS);
        match delay.checked_sub(since) {
            Some(left) if left > 0 => Verdict::Slowed(left),
            _ => Verdict::Allowed,
        }
    }

    /// The stricter of two verdicts (the account's and the address's).
    pub fn stricter(a: Verdict, b: Verdict) -> Verdict {
        match (a, b) {
            (Verdict::Locked(x), Verdict::Locked(y)) => Verdict::Locked(x.max(y)),
            (Verdict::Locked(x), _) | (_, Verdict::Locked(x)) => Verdict::Locked(x),
            (Verdict::Slowed(x), Verdict::Slowed(y)) => Verdict::Slowed(x.max(y)),
            (Verdict::Slowed(x), _) | (_, Verdict::Slowed(x)) => Verdict::Slowed(x),
            _ => Verdict::Allowed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(n: u32, at: u64) -> Failures {
        (0..n).fold(Failures::default(), |f, _| f.record(at))
    }

    #[test]
    fn the_first_few_failures_cost_nothing() {
        let p = SigninPolicy { lockout_after: 10 };
        assert_eq!(p.verdict(after(2, 100), 100), Verdict::Allowed);
    }

    #[test]
    fn then_each_attempt_waits_longer() {
        let p = SigninPolicy { lockout_after: 10 };
        assert_eq!(p.verdict(after(3, 100), 100), Verdict::Slowed(1));
        assert_eq!(p.verdict(after(3, 100), 101), Verdict::Allowed);
        assert_eq!(p.verdict(after(5, 100), 100), Verdict::Slowed(4));
        assert_eq!(p.verdict(after(9, 100), 100), Verdict::Slowed(60));
    }

    #[test]
    fn then_sign_in_is_locked_for_a_quarter_of_an_hour() {
        let p = SigninPolicy { lockout_after: 10 };
        assert_eq!(p.verdict(after(10, 100), 100), Verdict::Locked(900));
        assert_eq!(p.verdict(after(10, 100), 700), Verdict::Locked(300));
        assert_eq!(p.verdict(after(10, 100), 1000), Verdict::Allowed);
        // Once the lock has run out the count starts again: about ten guesses per
        // quarter of an hour is all an account ever gives away.
        let f = after(10, 100).record(1001);
        assert_eq!(f.count, 1);
        assert_eq!(p.verdict(f, 1001), Verdict::Allowed);
    }

    #[test]
    fn old_failures_are_forgotten() {
        let p = SigninPolicy { lockout_after: 10 };
        let f = after(9, 100).record(100 + WINDOW_SECS + 1);
        assert_eq!(f.count, 1);
        assert_eq!(p.verdict(f, f.last_at), Verdict::Allowed);
        assert!(after(1, 0).expired(LOCKOUT_SECS + 1));
    }

    #[test]
    fn zero_lifts_the_policy_and_the_stricter_verdict_wins() {
        let p = SigninPolicy { lockout_after: 0 };
        assert_eq!(p.verdict(after(1000, 5), 5), Verdict::Allowed);
        assert_eq!(
            SigninPolicy::stricter(Verdict::Slowed(30), Verdict::Locked(5)),
            Verdict::Locked(5)
        );
        assert_eq!(
            SigninPolicy::stricter(Verdict::Allowed, Verdict::Slowed(2)),
            Verdict::Slowed(2)
        );
    }
}
