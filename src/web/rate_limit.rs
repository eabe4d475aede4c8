//! Limits on what a stranger can trigger (posting comments, signing in): per address,
//! per email, per post. A fixed window per key, kept in memory, or in the database when
//! several instances share one (`RateLimiter::shared`); 0 lifts the limit.

use std::collections::HashMap;
use std::fmt::Display;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::store::Store;

/// At most `per_window` attempts per key in each `window`.
pub struct RateLimiter<K = IpAddr> {
    per_window: u32,
    window: Duration,
    windows: Mutex<HashMap<K, (Instant, u32)>>,
    shared: Option<Shared>,
}

/// Where a shared limiter counts: `limit_counts` rows of its scope (the hourly spam
/// clean-up job prunes them).
struct Shared {
    store: Store,
    scope: &'static str,
}

const MINUTE: Duration = Duration::from_secs(60);

impl<K: Hash + Eq + Clone + Display> RateLimiter<K> {
    /// `per_minute` attempts per key each minute.
    pub fn new(per_minute: u32) -> Self {
        Self::per(per_minute, MINUTE)
    }

    /// `n` attempts per key each `window`.
    pub fn per(n: u32, window: Duration) -> Self {
        RateLimiter {
            per_window: n,
            window,
            windows: Mutex::new(HashMap::new()),
            shared: None,
        }
    }

    /// With a `store`, the same limit counted there under `scope`, together with every
    /// other instance on the same database. If the database cannot count, this
    /// instance counts alone until it can again.
    pub fn shared(mut self, store: Option<&Store>, scope: &'static str) -> Self {
        self.shared = store.map(|store| Shared {
            store: store.clone(),
            scope,
        });
        self
    }

    /// Counts one attempt for `key`; false when it is over the limit.
    pub async fn allow(&self, key: K) -> bool {
        if self.per_window == 0 {
            return true;
        }
        if let Some(shared) = &self.shared {
            match shared.count(key.to_string(), self.window).await {
                Ok(n) => return n <= i64::from(self.per_window),
                Err(e) => tracing::warn!(
                    scope = shared.scope,
                    "the shared rate limit could not be counted, counting here alone: {e}"
                ),
            }
        }
        self.allow_at(key, Instant::now())
    }

    fn allow_at(&self, key: K, now: Instant) -> bool {
        if self.per_window == 0 {
            return true;
        }
        let mut windows = self.windows.lock().expect("rate limit lock");
        if windows.len() > 50_000 {
            let window = self.window;
            windows.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = windows.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.per_window
    }
}

impl Shared {
    async fn count(&self, key: String, window: Duration) -> crate::store::StoreResult<i64> {
        let now = crate::store::now();
        let secs = i64::try_from(window.as_secs()).unwrap_or(i64::MAX);
        self.store.count_attempt(self.scope, key, secs, now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_limit_waits_for_the_next_minute() {
        let l = RateLimiter::new(2);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "::1".parse().unwrap();
        let t = Instant::now();
        assert!(l.allow_at(ip, t) && l.allow_at(ip, t));
        assert!(!l.allow_at(ip, t));
        assert!(l.allow_at(other, t));
        assert!(l.allow_at(ip, t + MINUTE));
    }

    #[test]
    fn an_email_has_an_hourly_window() {
        let hour = Duration::from_secs(3600);
        let l = RateLimiter::per(1, hour);
        let t = Instant::now();
        assert!(l.allow_at("a@example.org".to_string(), t));
        assert!(!l.allow_at("a@example.org".to_string(), t + MINUTE));
        assert!(l.allow_at("b@example.org".to_string(), t + MINUTE));
        assert!(l.allow_at("a@example.org".to_string(), t + hour));
    }

    #[test]
    fn zero_lifts_the_limit() {
        let l = RateLimiter::new(0);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let t = Instant::now();
        assert!((0..1000).all(|_| l.allow_at(ip, t)));
    }
}
