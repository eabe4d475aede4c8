//! Per-address limits on what a stranger can trigger (posting comments, signing in).
//! A fixed one-minute window per address, kept in memory; 0 lifts the limit.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

const WINDOW: Duration = Duration::from_secs(60);

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one attempt from `ip`; false when it is over the limit.
    pub fn allow(&self, ip: IpAddr) -> bool {
        self.allow_at(ip, Instant::now())
    }

    fn allow_at(&self, ip: IpAddr, now: Instant) -> bool {
        if self.per_minute == 0 {
            return true;
        }
        let mut windows = self.windows.lock().expect("rate limit lock");
        if windows.len() > 50_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = windows.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.per_minute
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
        assert!(l.allow_at(ip, t + WINDOW));
    }

    #[test]
    fn zero_lifts_the_limit() {
        let l = RateLimiter::new(0);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        assert!((0..1000).all(|_| l.allow(ip)));
    }
}
