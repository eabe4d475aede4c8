//! An email as it waits in the job queue: written once, so every retry sends the same
//! bytes with the same Message-ID. Delivering it is `mail`'s job.

/// A message waiting in the job queue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Without angle brackets.
    pub message_id: String,
    /// One-click unsubscribe address (RFC 8058), for notifications.
    #[serde(default)]
    pub unsubscribe: Option<String>,
}
