//! The job runner: takes due jobs from the durable queue, runs them, retries failures
//! with exponential back-off, and leaves a job that keeps failing in the `failed` state
//! for a person to look at (`/admin/jobs`). The same queue will carry federation and
//! webhooks: a job is a `kind` and a JSON payload.

use std::time::Duration;

use crate::store::JobRow;
use crate::web::AppState;

/// Email: delivered by the configured transport.
pub const KIND_EMAIL: &str = "email";
/// A digest of held comments for one moderator, written when it runs.
pub const KIND_HELD_DIGEST: &str = "held_digest";
/// New comments on a post for one subscriber, written when it runs.
pub const KIND_COMMENT_DIGEST: &str = "comment_digest";
/// At most one held-comment email per moderator in this window; the rest of a burst
/// goes into one digest at its end.
pub const NOTIFY_WINDOW_SECS: i64 = 600;

/// What to do about one more notification on a topic (pure; the caller looks up the
/// facts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notify {
    /// Nothing was sent lately: send this one now.
    Now,
    /// Fold it into a digest sent at the given time.
    DigestAt(i64),
    /// A digest is already waiting and will include it.
    AlreadyInDigest,
}

pub fn notify_decision(
    now: i64,
    last_email: Option<i64>,
    digest_waiting: bool,
    window: i64,
) -> Notify {
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
/// How often an email is tried before it is marked failed (about four hours at the
/// default 30 s base: 30 s, 1 min, 2 min … 2 h).
pub const EMAIL_ATTEMPTS: i64 = 10;
/// A running job whose worker has not finished it in this time is taken again.
const STALE_SECS: i64 = 600;

/// The wait before the next try after `attempt` failures: `base · 2^(attempt-1)`,
/// at most six hours.
pub fn retry_delay(attempt: i64, base: Duration) -> Duration {
    let exp = attempt.clamp(1, 20) as u32 - 1;
    base.saturating_mul(2u32.saturating_pow(exp))
        .min(Duration::from_secs(6 * 3600))
}

async fn run_one(state: &AppState, job: &JobRow) -> Result<(), String> {
    match job.kind.as_str() {
        KIND_EMAIL => {
            let email: crate::mail::OutgoingEmail = serde_json::from_str(&job.payload)
                .map_err(|e| format!("unreadable email job: {e}"))?;
            state.mailer.send(&email).await
        }
        KIND_HELD_DIGEST => {
            let to: String = serde_json::from_str::<serde_json::Value>(&job.payload)
                .ok()
                .and_then(|v| v["to"].as_str().map(str::to_string))
                .ok_or("unreadable digest job")?;
            match crate::web::notify::held_digest(state, &to).await? {
                Some(email) => state.mailer.send(&email).await,
                None => Ok(()), // everything was moderated meanwhile
            }
        }
        KIND_COMMENT_DIGEST => {
            let v: serde_json::Value =
                serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
            let to = v["to"].as_str().ok_or("no recipient")?;
            let post_id = v["post_id"].as_i64().ok_or("no post_id")?;
            let token = v["token"].as_str().map(str::to_string);
            let since = v["since"].as_i64().unwrap_or(0);
            match crate::web::notify::comment_digest(state, to, post_id, token, since).await? {
                Some(email) => state.mailer.send(&email).await,
                None => Ok(()),
            }
        }
        "comment_approved" | "post_published" => {
            let v: serde_json::Value =
                serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
            if job.kind == "comment_approved" {
                let id = v["comment_id"].as_i64().ok_or("no comment_id")?;
                crate::web::notify::comment_approved(state, id).await
            } else {
                let id = v["post_id"].as_i64().ok_or("no post_id")?;
                crate::web::notify::post_published(state, id).await
            }
        }
        other => Err(format!("no runner for jobs of kind `{other}`")),
    }
}

/// Works the queue until `stop` turns true; a job under way is finished first.
pub async fn work(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let worker = format!("{}-{}", std::process::id(), crate::token::random_hex(4));
    while !*stop.borrow() {
        let now = crate::store::now();
        match state.store.claim_job(&worker, now, STALE_SECS).await {
            Ok(Some(job)) => {
                let result = run_one(&state, &job).await;
                let outcome = match &result {
                    Ok(()) => state.store.finish_job(job.id, &worker).await,
                    Err(err) => {
                        let retry = (job.attempts < job.max_attempts).then(|| {
                            now + retry_delay(job.attempts, state.config.job_retry_base)
                                .as_secs()
                                .max(1) as i64
                        });
                        tracing::warn!(job = job.id, kind = job.kind, attempt = job.attempts, error = %err, will_retry = retry.is_some(), "job failed");
                        state.store.fail_job(job.id, &worker, err, retry).await
                    }
                };
                if let Err(err) = outcome {
                    tracing::error!(job = job.id, error = %err, "could not record a job's outcome");
                }
                state
                    .metrics
                    .job(if result.is_ok() { "done" } else { "failed" });
            }
            Ok(None) => {
                tokio::select! {
                    _ = state.jobs_wakeup.notified() => {}
                    _ = stop.changed() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not read the job queue");
                tokio::select! {
                    _ = stop.changed() => {}
                    _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_notifications_becomes_one_email_and_one_digest() {
        let w = 600;
        assert_eq!(notify_decision(1000, None, false, w), Notify::Now);
        assert_eq!(
            notify_decision(1000, Some(900), false, w),
            Notify::DigestAt(1500)
        );
        assert_eq!(
            notify_decision(1001, Some(900), true, w),
            Notify::AlreadyInDigest
        );
        assert_eq!(notify_decision(2000, Some(900), false, w), Notify::Now);
    }

    #[test]
    fn back_off_doubles_and_stops_at_six_hours() {
        let base = Duration::from_secs(30);
        assert_eq!(retry_delay(1, base), Duration::from_secs(30));
        assert_eq!(retry_delay(2, base), Duration::from_secs(60));
        assert_eq!(retry_delay(5, base), Duration::from_secs(480));
        assert_eq!(retry_delay(30, base), Duration::from_secs(6 * 3600));
        let total: u64 = (1..EMAIL_ATTEMPTS)
            .map(|a| retry_delay(a, base).as_secs())
            .sum();
        assert!(total > 3600, "an hour-long outage is ridden out: {total} s");
    }
}
