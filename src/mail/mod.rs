//! Outgoing email: the message as queued (so every retry sends the same bytes, with the
//! same Message-ID) and the transport that delivers it — SMTP from one URL, or `.eml`
//! files under the data directory when no SMTP server is configured.

use std::path::PathBuf;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub use crate::domain::email::OutgoingEmail;

/// `List-Unsubscribe: <URL>` (RFC 2369).
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.trim_matches(['<', '>']).to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_string())
    }
}

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    /// `smtp://user:pass@host:587?tls=required`, `smtps://…`, or plain
    /// `smtp://127.0.0.1:2525`; without one, messages go to `DATA_DIR/mail/*.eml`.
    pub fn new(smtp_url: Option<&str>, from: &str, data_dir: PathBuf) -> anyhow::Result<Self> {
        let from: Mailbox = from.parse().map_err(|e| {
            anyhow::anyhow!(
                "mail sender `{from}` is not an address like \"Site <news@example.org>\": {e}"
            )
        })?;
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| {
                        anyhow::anyhow!(
                            "SMTP URL is not usable (smtp://user:pass@host:587?tls=required): {e}"
                        )
                    })?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build(),
            ),
            None => {
                let dir = data_dir.join("mail");
                std::fs::create_dir_all(&dir).map_err(|e| {
                    anyhow::anyhow!("cannot create mail directory {}: {e}", dir.display())
                })?;
                Transport::Files(AsyncFileTransport::new(&dir), dir)
            }
        };
        Ok(Mailer { transport, from })
    }

    /// Where messages go when there is no SMTP server: `.eml` files in this directory.
    pub fn files_dir(&self) -> Option<&std::path::Path> {
        match &self.transport {
            Transport::Smtp(_) => None,
            Transport::Files(_, dir) => Some(dir),
        }
    }

    /// The transport, for the log.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "SMTP".into(),
            Transport::Files(_, dir) => format!("files in {}", dir.display()),
        }
    }

    pub fn build(&self, email: &OutgoingEmail) -> Result<Message, String> {
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|e| format!("bad recipient {}: {e}", email.to))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .message_id(Some(format!("<{}>", email.message_id)));
        if let Some(url) = &email.unsubscribe {
            builder = builder
                .header(ListUnsubscribe(url.clone()))
                .header(ListUnsubscribePost);
        }
        builder
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(email.text.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(email.html.clone()),
                    ),
            )
            .map_err(|e| format!("cannot build the message: {e}"))
    }

    pub async fn send(&self, email: &OutgoingEmail) -> Result<(), String> {
        let message = self.build(email)?;
        match &self.transport {
            Transport::Smtp(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("SMTP: {e}")),
            Transport::Files(t, _) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("writing .eml: {e}")),
        }
    }

    /// A Message-ID under the sender's domain.
    pub fn message_id(&self) -> String {
        format!(
            "{}@{}",
            crate::token::random_hex(12),
            self.from.email.domain()
        )
    }
}
