//! Work that waits in the durable queue (`jobs` table): each kind is a variant of
//! [`Job`] with a serde payload, stored as its [`JobKind`] name and the payload's JSON.
//! A row whose kind this version does not know (written by a newer one) is never
//! claimed: it waits for that version. A known kind with a payload that does not read
//! fails with the reason, for a person to look at in `/admin/jobs`.

use super::email::OutgoingEmail;
use super::names::named;
use crate::i18n::Message;

/// How often a job is tried before it is marked failed (about four hours at the
/// default 30 s base: 30 s, 1 min, 2 min … 2 h).
pub const DEFAULT_ATTEMPTS: i64 = 10;

named! {
    /// Where a job stands.
    pub enum JobStatus: "job status" {
        /// Waiting for its `run_at`.
        Queued = "queued",
        /// A worker holds it.
        Running = "running",
        Done = "done",
        /// Tried `max_attempts` times (or unreadable); a person may retry it.
        Failed = "failed",
    }
}

named! {
    /// The name a job's kind is stored under.
    pub enum JobKind: "job kind" {
        Email = "email",
        HeldDigest = "held_digest",
        CommentDigest = "comment_digest",
        CommentApproved = "comment_approved",
        PostPublished = "post_published",
        PurgeSpam = "purge_spam",
        SpamCheck = "spam_check",
        SpamReport = "spam_report",
        WebmentionReceive = "webmention_receive",
        WebmentionsSend = "webmentions_send",
        WebmentionSend = "webmention_send",
    }
}

/// One piece of outside work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Deliver this message.
    Email(OutgoingEmail),
    /// Tell a moderator about every comment still held (the end of a burst).
    HeldDigest(HeldDigest),
    /// Tell a reader about the comments approved on a post since a moment.
    CommentDigest(CommentDigest),
    /// A comment became visible: its post's author and subscribers hear of it.
    CommentApproved(CommentApproved),
    /// A post went public: its subscribers hear of it, once.
    PostPublished(PostPublished),
    /// Delete spam older than the site's `spam_days`, then come back in an hour.
    PurgeSpam(PurgeSpam),
    /// Ask the Akismet-compatible service about a new comment.
    SpamCheck(SpamCheck),
    /// Tell the service a moderator's decision ("submit-spam" / "submit-ham").
    SpamReport(SpamReport),
    /// Verify a Webmention someone sent: fetch its source, keep or remove the mention.
    WebmentionReceive(WebmentionReceive),
    /// A post went public or changed: queue a mention for each page it links to (and
    /// each it linked to before).
    WebmentionsSend(WebmentionsSend),
    /// Tell one page of a link from a post: find its endpoint, send.
    WebmentionSend(WebmentionSend),
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WebmentionReceive {
    pub source: String,
    pub target: String,
    pub post_id: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WebmentionsSend {
    pub post_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WebmentionSend {
    pub post_id: i64,
    pub target: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PurgeSpam {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpamCheck {
    pub comment_id: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpamReport {
    pub comment_id: i64,
    /// True: the moderator called it spam; false: not spam.
    pub spam: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HeldDigest {
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommentDigest {
    pub to: String,
    pub post_id: i64,
    /// The reader's subscription token; `None` for the post's author.
    #[serde(default)]
    pub token: Option<String>,
    /// Comments approved from this moment on (seconds since the epoch).
    #[serde(default)]
    pub since: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommentApproved {
    pub comment_id: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PostPublished {
    pub post_id: i64,
}

/// A job row that cannot become a [`Job`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    #[error("no runner for jobs of kind `{0}` in this version of Tribune")]
    UnknownKind(String),
    #[error("the payload of this {kind} job cannot be read ({error}); it was written by another version or by hand")]
    BadPayload { kind: JobKind, error: String },
}

fn json<T: serde::Serialize>(value: &T) -> String {
    // Plain structs of strings and numbers: serialising cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

impl Job {
    pub fn kind(&self) -> JobKind {
        match self {
            Job::Email(_) => JobKind::Email,
            Job::HeldDigest(_) => JobKind::HeldDigest,
            Job::CommentDigest(_) => JobKind::CommentDigest,
            Job::CommentApproved(_) => JobKind::CommentApproved,
            Job::PostPublished(_) => JobKind::PostPublished,
            Job::PurgeSpam(_) => JobKind::PurgeSpam,
            Job::SpamCheck(_) => JobKind::SpamCheck,
            Job::SpamReport(_) => JobKind::SpamReport,
            Job::WebmentionReceive(_) => JobKind::WebmentionReceive,
            Job::WebmentionsSend(_) => JobKind::WebmentionsSend,
            Job::WebmentionSend(_) => JobKind::WebmentionSend,
        }
    }

    /// The payload as stored: JSON of the variant's fields.
    pub fn payload(&self) -> String {
        match self {
            Job::Email(p) => json(p),
            Job::HeldDigest(p) => json(p),
            Job::CommentDigest(p) => json(p),
            Job::CommentApproved(p) => json(p),
            Job::PostPublished(p) => json(p),
            Job::PurgeSpam(p) => json(p),
            Job::SpamCheck(p) => json(p),
            Job::SpamReport(p) => json(p),
            Job::WebmentionReceive(p) => json(p),
            Job::WebmentionsSend(p) => json(p),
            Job::WebmentionSend(p) => json(p),
        }
    }

    /// How often it is tried before it is marked failed.
    pub fn max_attempts(&self) -> i64 {
        DEFAULT_ATTEMPTS
    }

    /// Reads a stored job back.
    pub fn decode(kind: &str, payload: &str) -> Result<Job, JobError> {
        let kind: JobKind = kind
            .parse()
            .map_err(|_| JobError::UnknownKind(kind.to_string()))?;
        let bad = |e: serde_json::Error| JobError::BadPayload {
            kind,
            error: e.to_string(),
        };
        Ok(match kind {
            JobKind::Email => Job::Email(serde_json::from_str(payload).map_err(bad)?),
            JobKind::HeldDigest => Job::HeldDigest(serde_json::from_str(payload).map_err(bad)?),
            JobKind::CommentDigest => {
                Job::CommentDigest(serde_json::from_str(payload).map_err(bad)?)
            }
            JobKind::CommentApproved => {
                Job::CommentApproved(serde_json::from_str(payload).map_err(bad)?)
            }
            JobKind::PurgeSpam => Job::PurgeSpam(serde_json::from_str(payload).map_err(bad)?),
            JobKind::SpamCheck => Job::SpamCheck(serde_json::from_str(payload).map_err(bad)?),
            JobKind::SpamReport => Job::SpamReport(serde_json::from_str(payload).map_err(bad)?),
            JobKind::PostPublished => {
                Job::PostPublished(serde_json::from_str(payload).map_err(bad)?)
            }
            JobKind::WebmentionReceive => {
                Job::WebmentionReceive(serde_json::from_str(payload).map_err(bad)?)
            }
            JobKind::WebmentionsSend => {
                Job::WebmentionsSend(serde_json::from_str(payload).map_err(bad)?)
            }
            JobKind::WebmentionSend => {
                Job::WebmentionSend(serde_json::from_str(payload).map_err(bad)?)
            }
        })
    }

    /// A line for the jobs page: whom or what it is about, never a message's text.
    /// What the job is about, for Admin → Jobs (in the staff member's language).
    pub fn summary(&self) -> Message {
        match self {
            Job::Email(e) => Message::new("job-summary-email")
                .arg("subject", e.subject.as_str())
                .arg("to", e.to.as_str()),
            Job::HeldDigest(d) => Message::new("job-summary-held-digest").arg("to", d.to.as_str()),
            Job::CommentDigest(d) => Message::new("job-summary-comment-digest")
                .arg("post", d.post_id.to_string())
                .arg("to", d.to.as_str()),
            Job::CommentApproved(c) => {
                Message::new("job-summary-comment-approved").arg("id", c.comment_id.to_string())
            }
            Job::PostPublished(p) => {
                Message::new("job-summary-post-published").arg("id", p.post_id.to_string())
            }
            Job::PurgeSpam(_) => Message::new("job-summary-purge-spam"),
            Job::SpamCheck(c) => {
                Message::new("job-summary-spam-check").arg("id", c.comment_id.to_string())
            }
            Job::SpamReport(r) => Message::new(if r.spam {
                "job-summary-spam-report-spam"
            } else {
                "job-summary-spam-report-ham"
            })
            .arg("id", r.comment_id.to_string()),
            Job::WebmentionReceive(w) => Message::new("job-summary-webmention-receive")
                .arg("source", w.source.as_str())
                .arg("id", w.post_id.to_string()),
            Job::WebmentionsSend(w) => {
                Message::new("job-summary-webmentions-send").arg("id", w.post_id.to_string())
            }
            Job::WebmentionSend(w) => Message::new("job-summary-webmention-send")
                .arg("target", w.target.as_str())
                .arg("id", w.post_id.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_what_it_wrote() {
        let jobs = [
            Job::Email(OutgoingEmail {
                to: "a@example.org".into(),
                subject: "Hi".into(),
                text: "t".into(),
                html: "<p>t</p>".into(),
                message_id: "1@x".into(),
                unsubscribe: None,
            }),
            Job::HeldDigest(HeldDigest {
                to: "mo@example.org".into(),
            }),
            Job::CommentDigest(CommentDigest {
                to: "r@example.org".into(),
                post_id: 3,
                token: Some("tok".into()),
                since: 99,
            }),
            Job::CommentApproved(CommentApproved { comment_id: 7 }),
            Job::PostPublished(PostPublished { post_id: 8 }),
            Job::PurgeSpam(PurgeSpam {}),
            Job::SpamCheck(SpamCheck { comment_id: 9 }),
            Job::SpamReport(SpamReport {
                comment_id: 9,
                spam: true,
            }),
            Job::WebmentionReceive(WebmentionReceive {
                source: "https://a.example/p".into(),
                target: "https://t.example/x/".into(),
                post_id: 3,
            }),
            Job::WebmentionsSend(WebmentionsSend { post_id: 4 }),
            Job::WebmentionSend(WebmentionSend {
                post_id: 4,
                target: "https://a.example/p".into(),
            }),
        ];
        assert_eq!(jobs.len(), JobKind::ALL.len(), "one example per kind");
        for job in jobs {
            let back = Job::decode(job.kind().as_str(), &job.payload()).unwrap();
            assert_eq!(back, job);
        }
    }

    #[test]
    fn payloads_written_before_jobs_were_typed_still_read() {
        // As store/comments.rs and web/notify.rs wrote them by hand.
        assert_eq!(
            Job::decode("comment_approved", "{\"comment_id\":12}"),
            Ok(Job::CommentApproved(CommentApproved { comment_id: 12 }))
        );
        assert_eq!(
            Job::decode(
                "comment_digest",
                "{\"to\":\"r@x.org\",\"post_id\":1,\"token\":null,\"since\":5}"
            ),
            Ok(Job::CommentDigest(CommentDigest {
                to: "r@x.org".into(),
                post_id: 1,
                token: None,
                since: 5
            }))
        );
    }

    #[test]
    fn unknown_kinds_and_bad_payloads_are_errors_that_say_so() {
        let err = Job::decode("carrier_pigeon", "{}").unwrap_err();
        assert_eq!(err, JobError::UnknownKind("carrier_pigeon".into()));
        assert!(err.to_string().contains("`carrier_pigeon`"), "{err}");
        let err = Job::decode("post_published", "{\"post\":1}").unwrap_err();
        assert!(
            matches!(
                err,
                JobError::BadPayload {
                    kind: JobKind::PostPublished,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("post_published job"), "{err}");
    }
}
