//! Who hears about what, by email: moderators about held comments, readers about new
//! comments and posts they subscribed to, guests asked to confirm a subscription.
//! Each message is written from templates (`email/NAME.txt|html`) in the site's
//! language and queued as a job; the job runner (`jobs.rs`) delivers it, and runs the
//! digests and announcements queued here.
//!
//! The [`Notifier`] is its own context — store, mailer, templates, translations and
//! the site (address, settings, link signer) — so background work never needs the web
//! layer, and the web layer only calls it.

mod burst;
mod moderators;
mod readers;
mod staff;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub use burst::{Notify, WINDOW_SECS};
pub use staff::ACCOUNT_EMAIL_GAP_SECS;

use crate::domain::email::OutgoingEmail;
use crate::domain::job::{Job, JobKind};
use crate::i18n::{I18n, Language};
use crate::mail::Mailer;
use crate::render::Templates;
use crate::site::Site;
use crate::store::{NewJob, Store, StoreError};

/// Why a notification could not be prepared; the job that asked is tried again.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("email template: {0:#}")]
    Template(#[from] minijinja::Error),
}

pub type NotifyResult<T> = Result<T, NotifyError>;

pub struct Notifier {
    store: Store,
    mailer: Arc<Mailer>,
    templates: Arc<Templates>,
    i18n: Arc<I18n>,
    site: Arc<Site>,
    /// Topics folded into a digest, and until when (see [`Notifier::decide`]).
    quiet: Mutex<HashMap<String, i64>>,
}

/// A message's subject and its two bodies.
struct Written {
    subject: String,
    text: String,
    html: String,
}

impl Notifier {
    pub fn new(
        store: Store,
        mailer: Arc<Mailer>,
        templates: Arc<Templates>,
        i18n: Arc<I18n>,
        site: Arc<Site>,
    ) -> Self {
        Notifier {
            store,
            mailer,
            templates,
            i18n,
            site,
            quiet: Mutex::new(HashMap::new()),
        }
    }

    pub fn mailer(&self) -> &Mailer {
        &self.mailer
    }

    /// The language an email to someone is written in: theirs (a staff member's
    /// administration language, the language of the page where a reader subscribed)
    /// when Tribune speaks it, else the site's.
    fn language(&self, theirs: Option<&str>) -> &'static Language {
        theirs
            .and_then(crate::i18n::shipped)
            .unwrap_or_else(|| crate::i18n::speak(&self.site.settings().language))
    }

    /// The language of emails to the staff member or reader with address `email`.
    async fn language_of_user(&self, email: &str) -> NotifyResult<&'static Language> {
        let user = self.store.user_by_email(&email.to_lowercase()).await?;
        Ok(self.language(user.and_then(|u| u.ui_lang).as_deref()))
    }

    /// Writes `email/NAME.txt` and `email/NAME.html` with `ctx` in `lang` (`ui_lang` and
    /// `dir` are added), and the subject from the catalogue's `subject_key`.
    fn write(
        &self,
        name: &str,
        ctx: minijinja::Value,
        lang: &Language,
        subject_key: &str,
        subject_args: &[(&str, fluent_bundle::FluentValue<'_>)],
    ) -> NotifyResult<Written> {
        let ctx = minijinja::context! { ui_lang => lang.tag, dir => lang.dir, ..ctx };
        let text = self
            .templates
            .render(&format!("email/{name}.txt"), ctx.clone())?;
        let html = self.templates.render(&format!("email/{name}.html"), ctx)?;
        let subject = self.i18n.tr(lang.tag, subject_key, subject_args);
        Ok(Written {
            subject: crate::i18n::plain(&subject),
            text: crate::i18n::plain(&text),
            html,
        })
    }

    /// An email to `to`, ready to queue.
    fn email(&self, to: String, written: &Written, unsubscribe: Option<String>) -> OutgoingEmail {
        OutgoingEmail {
            to,
            subject: written.subject.clone(),
            text: written.text.clone(),
            html: written.html.clone(),
            message_id: self.mailer.message_id(),
            unsubscribe,
        }
    }

    /// Queues an email; the job runner delivers it, retrying until it goes through.
    pub async fn queue_email(
        &self,
        email: OutgoingEmail,
        topic: Option<&str>,
    ) -> NotifyResult<i64> {
        let mut job = NewJob::now(Job::Email(email));
        job.topic = topic.map(str::to_string);
        Ok(self.store.enqueue_job(job).await?)
    }

    /// Whether to send one more notification on `topic` now, fold it into a digest of
    /// kind `digest_kind`, or leave it to the digest already waiting. Within a window
    /// this asks the database at most a couple of times per topic: a decision to wait
    /// is remembered in memory until the digest is due.
    async fn decide(&self, digest_kind: JobKind, topic: &str, now: i64) -> NotifyResult<Notify> {
        if let Some(until) = self.quiet.lock().expect("notify lock").get(topic) {
            if now < *until {
                return Ok(Notify::AlreadyInDigest);
            }
        }
        let (last, _) = self.store.last_job_on(JobKind::Email, topic).await?;
        let (_, waiting) = self.store.last_job_on(digest_kind, topic).await?;
        let decision = burst::decision(now, last, waiting, WINDOW_SECS);
        let quiet_until = match decision {
            Notify::DigestAt(at) => Some(at),
            Notify::AlreadyInDigest => Some(now + 60),
            Notify::Now => None,
        };
        if let Some(until) = quiet_until {
            let mut quiet = self.quiet.lock().expect("notify lock");
            if quiet.len() > 10_000 {
                quiet.retain(|_, u| *u > now);
            }
            quiet.insert(topic.to_string(), until);
        }
        Ok(decision)
    }
}

/// Text on one line, cut to `chars` characters: for excerpts in digests.
fn one_line(text: &str, chars: usize) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(chars)
        .collect()
}
