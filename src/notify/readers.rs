//! Readers hear of what they subscribed to: new comments on a post (one email, then a
//! digest per window), new posts, and the confirmation a guest's subscription needs.

use std::collections::HashSet;

use minijinja::context;

use super::{one_line, Notifier, NotifyResult, WINDOW_SECS};
use crate::domain::comment::CommentStatus;
use crate::domain::email::OutgoingEmail;
use crate::domain::job::{CommentApproved, CommentDigest, Job, JobKind, PostPublished};
use crate::i18n::Language;
use crate::links;
use crate::notify::Notify;
use crate::store::NewJob;

/// A comment's HTML as the plain text of an email: paragraphs and line breaks kept.
fn email_text(html: &str) -> String {
    let text = html.replace("<br>", "\n").replace("</p>", "\n\n");
    ammonia::Builder::empty()
        .clean(&text)
        .to_string()
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

impl Notifier {
    /// A comment was approved: its post's author and the post's confirmed comment
    /// subscribers hear of it (never the comment's own author).
    pub async fn comment_approved(&self, job: CommentApproved) -> NotifyResult<()> {
        let Some(c) = self.store.comment_by_id(job.comment_id).await? else {
            return Ok(());
        };
        if c.status != CommentStatus::Approved {
            return Ok(());
        }
        let Some(post) = self.store.post_by_id(c.post_id).await? else {
            return Ok(());
        };
        let site = self.site.settings();
        let link = links::comment(&self.site, c.id);
        let body_text = email_text(&c.body_html);
        // (address, subscription token, the language they read)
        let mut recipients: Vec<(String, Option<String>, &Language)> = Vec::new();
        if let Ok(Some(author)) = self.store.user_by_id(post.author_id).await {
            let lang = self.language(author.ui_lang.as_deref());
            recipients.push((author.email, None, lang));
        }
        for sub in self.store.comment_subscribers(post.id).await? {
            let lang = self.language(sub.lang.as_deref());
            recipients.push((sub.email, Some(sub.token), lang));
        }
        let commenter = c.author_email.to_lowercase();
        let mut seen = HashSet::new();
        let now = crate::store::now();
        for (to, token, lang) in recipients {
            if to.to_lowercase() == commenter || !seen.insert(to.to_lowercase()) {
                continue;
            }
            // A lively thread: one email now, then one digest per window.
            let topic = format!("comments:{}:{}", to.to_lowercase(), post.id);
            match self.decide(JobKind::CommentDigest, &topic, now).await? {
                Notify::Now => {}
                Notify::AlreadyInDigest => continue,
                Notify::DigestAt(at) => {
                    // From this comment on: the first one the reader was not told about
                    // (by when it was approved, which is when readers could see it).
                    let digest = Job::CommentDigest(CommentDigest {
                        to,
                        post_id: post.id,
                        token,
                        since: c.updated_at,
                    });
                    self.store
                        .enqueue_job(NewJob::now(digest).at(at).topic(&topic))
                        .await?;
                    continue;
                }
            }
            let unsubscribe = token.as_deref().map(|t| links::unsubscribe(&self.site, t));
            let ctx = context! {
                post_title => post.title,
                author => c.author_name,
                body => body_text.trim(),
                body_html => c.body_html,
                link => link,
                unsubscribe => unsubscribe,
                manage => token.as_deref().map(|t| links::manage_subscriptions(&self.site, t)),
            };
            let written = self.write(
                "new_comment",
                ctx,
                lang,
                "email-comment-subject",
                &[
                    ("site", site.title.clone().into()),
                    ("title", post.title.clone().into()),
                ],
            )?;
            let email = self.email(to, &written, unsubscribe);
            self.queue_email(email, Some(&topic)).await?;
        }
        Ok(())
    }

    /// The comments approved on a post since the digest's moment, for one reader,
    /// written when sent. `None` when there is nothing (left) to tell.
    pub async fn comment_digest(&self, d: &CommentDigest) -> NotifyResult<Option<OutgoingEmail>> {
        let lang = match &d.token {
            Some(t) => match self.store.subscription(t).await? {
                Some(sub) => self.language(sub.lang.as_deref()),
                None => return Ok(None), // unsubscribed meanwhile
            },
            None => self.language_of_user(&d.to).await?,
        };
        let Some(post) = self.store.post_by_id(d.post_id).await? else {
            return Ok(None);
        };
        let fresh: Vec<_> = self
            .store
            .approved_comments(d.post_id)
            .await?
            .into_iter()
            // Readers saw a comment from when it was approved, not when it was written
            // (a held one may wait hours): the digest goes by that moment.
            .filter(|c| c.updated_at >= d.since && !c.author_email.eq_ignore_ascii_case(&d.to))
            .collect();
        if fresh.is_empty() {
            return Ok(None);
        }
        let site = self.site.settings();
        let comments: Vec<_> = fresh
            .iter()
            .map(|c| {
                let text = ammonia::Builder::empty().clean(&c.body_html).to_string();
                let excerpt = one_line(&text, 200).replace("&amp;", "&");
                context! { author => c.author_name, excerpt => excerpt }
            })
            .collect();
        let unsubscribe = d
            .token
            .as_deref()
            .map(|t| links::unsubscribe(&self.site, t));
        let ctx = context! {
            count => fresh.len(),
            post_title => post.title,
            comments => comments,
            link => self.site.url().join(&format!("{}#comments", post.permalink())),
            unsubscribe => unsubscribe,
            manage => d.token.as_deref().map(|t| links::manage_subscriptions(&self.site, t)),
        };
        let written = self.write(
            "comment_digest",
            ctx,
            lang,
            "email-comment-digest-subject",
            &[
                ("site", site.title.clone().into()),
                ("title", post.title.clone().into()),
                ("count", (fresh.len() as i64).into()),
            ],
        )?;
        Ok(Some(self.email(d.to.clone(), &written, unsubscribe)))
    }

    /// A post went public: its confirmed subscribers hear of it, once.
    pub async fn post_published(&self, job: PostPublished) -> NotifyResult<()> {
        let Some(post) = self.store.post_by_id(job.post_id).await? else {
            return Ok(());
        };
        if !post.is_public(crate::store::now()) {
            return Ok(()); // unpublished or rescheduled since; a later job will tell
        }
        if !self.store.mark_post_notified(post.id).await? {
            return Ok(());
        }
        let site = self.site.settings();
        let link = self.site.url().join(&post.permalink());
        let summary = if post.excerpt.is_empty() {
            post.summary(55)
        } else {
            post.excerpt.clone()
        };
        for sub in self.store.post_subscribers().await? {
            let unsubscribe = links::unsubscribe(&self.site, &sub.token);
            let lang = self.language(sub.lang.as_deref());
            let ctx = context! {
                site_title => site.title,
                post_title => post.title,
                summary => summary,
                link => link,
                unsubscribe => unsubscribe,
                manage => links::manage_subscriptions(&self.site, &sub.token),
            };
            let written = self.write(
                "new_post",
                ctx,
                lang,
                "email-post-subject",
                &[
                    ("site", site.title.clone().into()),
                    ("title", post.title.clone().into()),
                ],
            )?;
            let email = self.email(sub.email, &written, Some(unsubscribe));
            self.queue_email(email, None).await?;
        }
        Ok(())
    }

    /// Asks a guest to confirm the subscriptions they ticked (double opt-in). At most
    /// one such email per address in the notification window, so the form cannot be
    /// used to flood someone's mailbox. Failures are logged.
    /// `lang` is the language of the page where they subscribed.
    pub async fn confirm_subscriptions(
        &self,
        to: &str,
        tokens: &[String],
        post_title: &str,
        lang: &str,
    ) {
        if let Err(err) = self
            .try_confirm_subscriptions(to, tokens, post_title, lang)
            .await
        {
            tracing::error!(error = %err, "could not queue the confirmation email");
        }
    }

    async fn try_confirm_subscriptions(
        &self,
        to: &str,
        tokens: &[String],
        post_title: &str,
        lang: &str,
    ) -> NotifyResult<()> {
        let topic = format!("confirm:{}", to.to_lowercase());
        let (last, _) = self.store.last_job_on(JobKind::Email, &topic).await?;
        if last.is_some_and(|last| crate::store::now() - last < WINDOW_SECS) {
            return Ok(());
        }
        let site = self.site.settings();
        let lang = self.language(Some(lang));
        let ctx = context! {
            site_title => site.title,
            post_title => post_title,
            confirm => links::confirm_subscriptions(&self.site, tokens),
        };
        let written = self.write(
            "confirm",
            ctx,
            lang,
            "email-confirm-subject",
            &[("site", site.title.clone().into())],
        )?;
        let email = self.email(to.to_string(), &written, None);
        self.queue_email(email, Some(&topic)).await?;
        Ok(())
    }
}
