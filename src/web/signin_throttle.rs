//! The counts behind [`crate::domain::signin_throttle`]: failed staff sign-ins per
//! account and per address, in memory (each instance keeps its own).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use crate::domain::signin_throttle::{Failures, SigninPolicy, Verdict};

/// More entries than this and the expired ones are swept out.
const SWEEP_AT: usize = 10_000;
/// If a flood of different accounts or addresses keeps it this large, single
/// failures are forgotten first.
const CAP: usize = 200_000;

pub struct SigninThrottle {
    policy: SigninPolicy,
    started: Instant,
    accounts: Mutex<HashMap<String, Failures>>,
    addresses: Mutex<HashMap<IpAddr, Failures>>,
}

impl SigninThrottle {
    pub fn new(lockout_after: u32) -> Self {
        SigninThrottle {
            policy: SigninPolicy { lockout_after },
            started: Instant::now(),
            accounts: Mutex::new(HashMap::new()),
            addresses: Mutex::new(HashMap::new()),
        }
    }

    fn now(&self) -> u64 {
        self.started.elapsed().as_secs()
    }

    /// May `account` sign in from `ip` now? The stricter of the two counts decides.
    pub fn verdict(&self, account: &str, ip: IpAddr) -> Verdict {
        let now = self.now();
        let by_account = lookup(&self.accounts, account);
        let by_address = lookup(&self.addresses, &ip);
        SigninPolicy::stricter(
            self.policy.verdict(by_account, now),
            self.policy.verdict(by_address, now),
        )
    }

    pub fn failed(&self, account: &str, ip: IpAddr) {
        let now = self.now();
        record(&self.accounts, account.to_string(), now);
        record(&self.addresses, ip, now);
    }

    pub fn succeeded(&self, account: &str, ip: IpAddr) {
        self.accounts.lock().expect("throttle lock").remove(account);
        self.addresses.lock().expect("throttle lock").remove(&ip);
    }
}

fn lookup<K, Q>(map: &Mutex<HashMap<K, Failures>>, key: &Q) -> Failures
where
    K: std::hash::Hash + Eq + std::borrow::Borrow<Q>,
    Q: std::hash::Hash + Eq + ?Sized,
{
    map.lock()
        .expect("throttle lock")
        .get(key)
        .copied()
        .unwrap_or_default()
}

fn record<K: std::hash::Hash + Eq>(map: &Mutex<HashMap<K, Failures>>, key: K, now: u64) {
    let mut map = map.lock().expect("throttle lock");
    if map.len() >= SWEEP_AT {
        map.retain(|_, f| !f.expired(now));
        if map.len() >= CAP {
            map.retain(|_, f| f.count > 1);
        }
    }
    let entry = map.entry(key).or_default();
    *entry = entry.record(now);
}
