//! The job runner: takes due jobs from the durable queue, runs them, retries failures
//! with exponential back-off, and leaves a job that keeps failing in the `failed` state
//! for a person to look at (`/admin/jobs`). It stands beside the web layer, not inside
//! it: a [`Worker`] has the store, the notifier, the mailer and the metrics, and the web
//! layer only queues jobs (`domain::job::Job`).

use std::sync::Arc;
use std::time::Duration;

use crate::domain::activity::{Actor, Source};
use crate::domain::comment::CommentStatus;
use crate::domain::job::{Job, PurgeSpam, WebmentionReceive, WebmentionSend};
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::notify::Notifier;
use crate::spam_service::Asked;
use crate::store::{JobRow, Kept, NewComment, Store};

/// A running job whose worker has not finished it in this time is taken again.
const STALE_SECS: i64 = 600;

/// The wait before the next try after `attempt` failures: `base · 2^(attempt-1)`,
/// at most six hours.
pub fn retry_delay(attempt: i64, base: Duration) -> Duration {
    let exp = attempt.clamp(1, 20) as u32 - 1;
    base.saturating_mul(2u32.saturating_pow(exp))
        .min(Duration::from_secs(6 * 3600))
}

/// Everything the runner needs, and nothing of the web layer.
#[derive(Clone)]
pub struct Worker {
    pub store: Store,
    pub notifier: Arc<Notifier>,
    pub mailer: Arc<Mailer>,
    pub metrics: Arc<Metrics>,
    /// First wait before a failed job is tried again; doubles each time.
    pub retry_base: Duration,
    /// The site's settings and address (the spam clean-up's days, links for the service).
    pub site: Arc<crate::site::Site>,
    /// The Akismet-compatible service, when `[akismet]` has a key.
    pub checker: Option<Arc<crate::spam_service::Checker>>,
    /// Fetches Webmention sources and sends mentions.
    pub webmention: Arc<crate::webmention::Webmention>,
}

/// How often the spam folder is cleaned.
pub const PURGE_EVERY_SECS: i64 = 3600;

/// How one run of a job ended.
enum Outcome {
    Done,
    /// Worth another try (a mail server down, a database busy).
    Retry(String),
    /// Will never work (a payload this version cannot read): failed at once.
    Broken(String),
}

impl Worker {
    async fn run(&self, job: Job) -> Result<(), String> {
        let n = &self.notifier;
        let email = match job {
            Job::Email(email) => Some(email),
            Job::HeldDigest(d) => n.held_digest(&d).await.map_err(|e| e.to_string())?,
            Job::CommentDigest(d) => n.comment_digest(&d).await.map_err(|e| e.to_string())?,
            Job::CommentApproved(c) => {
                n.comment_approved(c).await.map_err(|e| e.to_string())?;
                None
            }
            Job::PostPublished(p) => {
                n.post_published(p).await.map_err(|e| e.to_string())?;
                None
            }
            Job::PurgeSpam(_) => {
                self.purge_spam().await.map_err(|e| e.to_string())?;
                None
            }
            Job::SpamCheck(c) => {
                self.spam_check(c.comment_id).await?;
                None
            }
            Job::SpamReport(r) => {
                self.spam_report(r.comment_id, r.spam).await?;
                None
            }
            Job::WebmentionReceive(w) => {
                self.mention_received(&w).await?;
                None
            }
            Job::WebmentionsSend(w) => {
                self.mentions_to_send(w.post_id).await?;
                None
            }
            Job::WebmentionSend(w) => {
                self.send_mention(w.post_id, &w.target).await?;
                None
            }
        };
        // A digest with nothing left to say (all moderated meanwhile) sends nothing.
        match email {
            Some(email) => self.mailer.send(&email).await,
            None => Ok(()),
        }
    }

    /// Verifies a Webmention received; a new one is held, and moderators hear of it
    /// as of any held comment.
    async fn mention_received(&self, w: &WebmentionReceive) -> Result<(), String> {
        let kept = self
            .webmention
            .receive(&self.store, w.post_id, &w.source, &w.target)
            .await?;
        if let Some(Kept::New(id)) = kept {
            let post = self
                .store
                .post_by_id(w.post_id)
                .await
                .map_err(|e| e.to_string())?;
            let comment = self
                .store
                .comment_by_id(id)
                .await
                .map_err(|e| e.to_string())?;
            if let (Some(post), Some(c)) = (post, comment) {
                let held = NewComment {
                    post_id: post.id,
                    parent_id: None,
                    status: c.status,
                    author_name: c.author_name.clone(),
                    author_email: String::new(),
                    author_url: c.author_url.clone(),
                    identity_id: None,
                    body: crate::domain::html::plain_text(&c.body_html),
                    body_html: c.body_html.clone(),
                    ip: String::new(),
                    user_agent: String::new(),
                    duplicate_key: None,
                    moderation_note: None,
                    arrival: None,
                };
                self.notifier.held_comment(&post, id, &held).await;
            }
        }
        Ok(())
    }

    /// Queues a mention for each page post `post_id` links to now, and each it linked
    /// to before (so a page a link was taken from hears of it too).
    async fn mentions_to_send(&self, post_id: i64) -> Result<(), String> {
        let Some(post) = self
            .store
            .post_by_id(post_id)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(());
        };
        let base = self.site.url();
        let Ok(own) = url::Url::parse(base.as_str()) else {
            return Ok(());
        };
        let mut targets: Vec<String> = if post.is_public(crate::store::now()) {
            crate::domain::webmention::outgoing_links(&post.body_html, &own)
                .into_iter()
                .map(|u| u.to_string())
                .collect()
        } else {
            Vec::new()
        };
        for before in self
            .store
            .mentioned_targets(post_id)
            .await
            .map_err(|e| e.to_string())?
        {
            if !targets.contains(&before) {
                targets.push(before);
            }
        }
        for target in targets {
            let job = Job::WebmentionSend(WebmentionSend { post_id, target });
            self.store
                .enqueue_job(crate::store::NewJob::now(job))
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Tells `target` that post `post_id` links to it; retried with back-off while
    /// its server fails.
    async fn send_mention(&self, post_id: i64, target: &str) -> Result<(), String> {
        let Some(post) = self
            .store
            .post_by_id(post_id)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(());
        };
        let source = self.site.url().uri(&post.permalink());
        let sent = self.webmention.send(&source, target).await?;
        let (endpoint, status) = match &sent {
            Some((e, s)) => (Some(e.as_str()), Some(*s)),
            None => (None, None),
        };
        tracing::info!(source, target, ?endpoint, ?status, "webmention sent");
        self.store
            .record_mention_sent(post_id, target, endpoint, status)
            .await
            .map_err(|e| e.to_string())
    }

    /// Deletes spam older than `spam_days` and queues the next clean-up.
    async fn purge_spam(&self) -> crate::store::StoreResult<()> {
        let now = crate::store::now();
        let days = self.site.settings().spam_days;
        if days > 0 {
            let actor = Actor::tribune(Source::Job);
            let n = self
                .store
                .purge_spam(now - i64::from(days) * 86_400, &actor)
                .await?;
            if n > 0 {
                tracing::info!(deleted = n, days, "old spam deleted");
            }
        }
        // The rate-limit counts several instances share go with it.
        self.store
            .prune_counts(now - crate::store::COUNTS_KEPT_SECS)
            .await?;
        self.store
            .ensure_queued(Job::PurgeSpam(PurgeSpam {}), now + PURGE_EVERY_SECS, "spam")
            .await?;
        Ok(())
    }

    /// What the service is told about comment `id`; `None` if it is gone.
    async fn asked(&self, id: i64) -> Result<Option<(Asked, crate::store::ModerationRow)>, String> {
        let Some(row) = self
            .store
            .moderation_row(id)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(None);
        };
        let site = self.site.url();
        let permalink =
            crate::domain::post::permalink(row.post_published_at.unwrap_or(0), &row.post_slug);
        let asked = Asked {
            blog: site.to_string(),
            permalink: site.join(&permalink),
            user_ip: row.ip.clone(),
            user_agent: row.user_agent.clone(),
            author: row.author_name.clone(),
            author_email: row.author_email.clone(),
            author_url: row.author_url.clone().unwrap_or_default(),
            content: row.body.clone(),
            lang: self.site.settings().language.clone(),
        };
        Ok(Some((asked, row)))
    }

    /// Asks the service about a new comment; one it calls spam goes to spam, unless a
    /// moderator decided on it meanwhile.
    async fn spam_check(&self, id: i64) -> Result<(), String> {
        let Some(checker) = &self.checker else {
            return Ok(());
        };
        let Some((asked, row)) = self.asked(id).await? else {
            return Ok(());
        };
        if !matches!(row.status, CommentStatus::Pending | CommentStatus::Approved) {
            return Ok(());
        }
        let spam = checker.check(&asked).await.map_err(|e| e.to_string())?;
        tracing::info!(comment = id, spam, "spam service answered");
        if !spam {
            return Ok(());
        }
        let actor = Actor {
            user_id: None,
            name: "Akismet".into(),
            source: Source::Service,
        };
        // Only a comment no person has judged: `set_comment_status_unless_judged`.
        self.store
            .spam_unless_judged(id, &actor)
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Tells the service a moderator's decision.
    async fn spam_report(&self, id: i64, spam: bool) -> Result<(), String> {
        let Some(checker) = &self.checker else {
            return Ok(());
        };
        let Some((asked, _)) = self.asked(id).await? else {
            return Ok(());
        };
        checker
            .report(&asked, spam)
            .await
            .map_err(|e| e.to_string())
    }

    async fn run_row(&self, row: &JobRow) -> Outcome {
        match row.job() {
            Ok(job) => match self.run(job).await {
                Ok(()) => Outcome::Done,
                Err(err) => Outcome::Retry(err),
            },
            Err(err) => Outcome::Broken(err.to_string()),
        }
    }

    /// Records how a claimed job ended.
    async fn settle(&self, row: &JobRow, worker: &str, now: i64, outcome: &Outcome) {
        let recorded = match outcome {
            Outcome::Done => self.store.finish_job(row.id, worker).await,
            Outcome::Retry(err) | Outcome::Broken(err) => {
                let retry = matches!(outcome, Outcome::Retry(_) if row.attempts < row.max_attempts)
                    .then(|| {
                        now + retry_delay(row.attempts, self.retry_base).as_secs().max(1) as i64
                    });
                tracing::warn!(job = row.id, kind = row.kind, attempt = row.attempts, error = %err, will_retry = retry.is_some(), "job failed");
                self.store.fail_job(row.id, worker, err, retry).await
            }
        };
        if let Err(err) = recorded {
            tracing::error!(job = row.id, error = %err, "could not record a job's outcome");
        }
        self.metrics.job(matches!(outcome, Outcome::Done));
    }
}

/// Works the queue until `stop` turns true; a job under way is finished first.
pub async fn work(worker: Worker, mut stop: tokio::sync::watch::Receiver<bool>) {
    let name = format!("{}-{}", std::process::id(), crate::token::random_hex(4));
    while !*stop.borrow() {
        let now = crate::store::now();
        match worker.store.claim_job(&name, now, STALE_SECS).await {
            Ok(Some(row)) => {
                let outcome = worker.run_row(&row).await;
                worker.settle(&row, &name, now, &outcome).await;
            }
            Ok(None) => {
                tokio::select! {
                    () = worker.store.job_may_be_waiting() => {}
                    _ = stop.changed() => {}
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not read the job queue");
                tokio::select! {
                    _ = stop.changed() => {}
                    () = tokio::time::sleep(Duration::from_secs(2)) => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_and_stops_at_six_hours() {
        let base = Duration::from_secs(30);
        assert_eq!(retry_delay(1, base), Duration::from_secs(30));
        assert_eq!(retry_delay(2, base), Duration::from_secs(60));
        assert_eq!(retry_delay(5, base), Duration::from_secs(480));
        assert_eq!(retry_delay(30, base), Duration::from_secs(6 * 3600));
        let total: u64 = (1..crate::domain::job::DEFAULT_ATTEMPTS)
            .map(|a| retry_delay(a, base).as_secs())
            .sum();
        assert!(total > 3600, "an hour-long outage is ridden out: {total} s");
    }
}
