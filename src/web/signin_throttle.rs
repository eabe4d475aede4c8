//! The counts behind [`crate::domain::signin_throttle`]: failed staff sign-ins per
//! account and per address, in memory, or in the database when several instances
//! share one (each failure through any of them counts for all).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use crate::domain::signin_throttle::{Failures, SigninPolicy, Verdict, WINDOW_SECS};
use crate::store::Store;

/// More entries than this and the expired ones are swept out.
const SWEEP_AT: usize = 10_000;
/// If a flood of different accounts or addresses keeps it this large, single
/// failures are forgotten first.
const CAP: usize = 200_000;
const BY_ACCOUNT: &str = "signin-account";
const BY_ADDRESS: &str = "signin-address";

pub struct SigninThrottle {
    policy: SigninPolicy,
    accounts: Mutex<HashMap<String, Failures>>,
    addresses: Mutex<HashMap<IpAddr, Failures>>,
    /// Counts in `limit_counts` instead (PostgreSQL); memory when it cannot.
    shared: Option<Store>,
}

impl SigninThrottle {
    pub fn new(lockout_after: u32, shared: Option<Store>) -> Self {
        SigninThrottle {
            policy: SigninPolicy { lockout_after },
            accounts: Mutex::new(HashMap::new()),
            addresses: Mutex::new(HashMap::new()),
            shared,
        }
    }

    fn now() -> u64 {
        u64::try_from(crate::store::now()).unwrap_or(0)
    }

    /// May `account` sign in from `ip` now? The stricter of the two counts decides.
    pub async fn verdict(&self, account: &str, ip: IpAddr) -> Verdict {
        if self.policy.lockout_after == 0 {
            return Verdict::Allowed;
        }
        let now = Self::now();
        let (by_account, by_address) = match self.shared_failures(account, ip).await {
            Some(both) => both,
            None => (
                lookup(&self.accounts, account),
                lookup(&self.addresses, &ip),
            ),
        };
        SigninPolicy::stricter(
            self.policy.verdict(by_account, now),
            self.policy.verdict(by_address, now),
        )
    }

    async fn shared_failures(&self, account: &str, ip: IpAddr) -> Option<(Failures, Failures)> {
        let store = self.shared.as_ref()?;
        let read = |scope, key: String| async move {
            store.failures(scope, &key).await.map(|f| {
                f.map(|(count, last_at)| Failures {
                    count: u32::try_from(count).unwrap_or(u32::MAX),
                    last_at: u64::try_from(last_at).unwrap_or(0),
                })
                .unwrap_or_default()
            })
        };
        match tokio::try_join!(
            read(BY_ACCOUNT, account.to_string()),
            read(BY_ADDRESS, ip.to_string())
        ) {
            Ok(both) => Some(both),
            Err(e) => {
                tracing::warn!(
                    "the shared sign-in failures could not be read, counting here alone: {e}"
                );
                None
            }
        }
    }

    pub async fn failed(&self, account: &str, ip: IpAddr) {
        let now = Self::now();
        if let Some(store) = &self.shared {
            let at = now as i64;
            let window = WINDOW_SECS as i64;
            match tokio::try_join!(
                store.record_failure(BY_ACCOUNT, account.to_string(), window, at),
                store.record_failure(BY_ADDRESS, ip.to_string(), window, at),
            ) {
                Ok(_) => return,
                Err(e) => {
                    tracing::warn!("a failed sign-in could not be counted for every instance: {e}");
                }
            }
        }
        record(&self.accounts, account.to_string(), now);
        record(&self.addresses, ip, now);
    }

    pub async fn succeeded(&self, account: &str, ip: IpAddr) {
        if let Some(store) = &self.shared {
            if let Err(e) = tokio::try_join!(
                store.clear_count(BY_ACCOUNT, account.to_string()),
                store.clear_count(BY_ADDRESS, ip.to_string()),
            ) {
                tracing::warn!("a sign-in's failures could not be forgotten: {e}");
            }
        }
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
