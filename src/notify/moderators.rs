//! Moderators hear of held comments: one email with signed one-click links, then, in
//! a burst, one digest of everything still waiting.

use minijinja::context;

use super::{one_line, Notifier, NotifyResult};
use crate::domain::comment::{CommentStatus, ModerationAction};
use crate::domain::email::OutgoingEmail;
use crate::domain::job::{HeldDigest, Job, JobKind};
use crate::domain::post::Post;
use crate::i18n::Language;
use crate::links;
use crate::notify::Notify;
use crate::store::{NewComment, NewJob};

impl Notifier {
    /// Tells every moderator (admin, editor, moderator) that comment `id` waits for
    /// them. Failures are logged: the comment is stored whatever happens here.
    pub async fn held_comment(&self, post: &Post, id: i64, c: &NewComment) {
        if let Err(err) = self.try_held_comment(post, id, c).await {
            tracing::error!(error = %err, comment = id, "could not queue the moderation email");
        }
    }

    async fn try_held_comment(&self, post: &Post, id: i64, c: &NewComment) -> NotifyResult<()> {
        // Decide first: in a burst most comments go into a digest already waiting, and
        // need no email drawn at all.
        let now = crate::store::now();
        let mut now_to = Vec::new();
        for user in self.store.list_users().await? {
            if !user.role.can_moderate() {
                continue;
            }
            let topic = format!("held:{}", user.email);
            let decision = match self.decide(JobKind::HeldDigest, &topic, now).await {
                Ok(d) => d,
                Err(err) => {
                    tracing::error!(error = %err, "could not read notification history");
                    continue;
                }
            };
            match decision {
                Notify::Now => {
                    let lang = self.language(user.ui_lang.as_deref());
                    now_to.push((user.email, topic, lang));
                }
                Notify::AlreadyInDigest => {}
                Notify::DigestAt(at) => {
                    let digest = Job::HeldDigest(HeldDigest { to: user.email });
                    if let Err(err) = self
                        .store
                        .enqueue_job(NewJob::now(digest).at(at).topic(&topic))
                        .await
                    {
                        tracing::error!(error = %err, "could not queue the moderation digest");
                    }
                }
            }
        }
        if now_to.is_empty() {
            return Ok(());
        }
        let site = self.site.settings();
        let expires = now + links::MODERATION_LINK_TTL_SECS;
        let link = |action| links::moderation(&self.site, id, action, expires);
        let base = self.site.url();
        let ctx = context! {
            site => context! { title => site.title },
            post_title => post.title,
            post_url => base.join(&post.permalink()),
            author => c.author_name,
            email => c.author_email,
            url => c.author_url,
            ip => c.ip,
            body => c.body,
            body_html => c.body_html,
            approve => link(ModerationAction::Approve),
            spam => link(ModerationAction::Spam),
            trash => link(ModerationAction::Trash),
            queue => base.join("/admin/comments"),
        };
        // Each moderator in their administration language: written once per language.
        let mut written: Vec<(&Language, super::Written)> = Vec::new();
        for (to, topic, lang) in now_to {
            let letter = match written.iter().position(|(l, _)| l.tag == lang.tag) {
                Some(i) => &written[i].1,
                None => {
                    let w = self.write(
                        "held_comment",
                        ctx.clone(),
                        lang,
                        "email-held-subject",
                        &[
                            ("site", site.title.clone().into()),
                            ("title", post.title.clone().into()),
                        ],
                    )?;
                    written.push((lang, w));
                    &written[written.len() - 1].1
                }
            };
            let email = self.email(to, letter, None);
            if let Err(err) = self.queue_email(email, Some(&topic)).await {
                tracing::error!(error = %err, "could not queue the moderation email");
            }
        }
        Ok(())
    }

    /// The digest for one moderator: every comment still waiting, written when it is
    /// sent. `None` when nothing waits any more.
    pub async fn held_digest(&self, d: &HeldDigest) -> NotifyResult<Option<OutgoingEmail>> {
        let counts = self.store.queue_counts().await?;
        if counts.pending == 0 {
            return Ok(None);
        }
        let rows = self
            .store
            .moderation_queue(Some(CommentStatus::Pending), None, 20, 0)
            .await?;
        let site = self.site.settings();
        let lang = self.language_of_user(&d.to).await?;
        let comments: Vec<_> = rows
            .iter()
            .map(|c| {
                context! {
                    author => c.author_name,
                    post_title => c.post_title,
                    excerpt => one_line(&c.body, 160),
                }
            })
            .collect();
        let ctx = context! {
            count => counts.pending,
            comments => comments,
            queue => self.site.url().join("/admin/comments"),
        };
        let written = self.write(
            "held_digest",
            ctx,
            lang,
            "email-digest-subject",
            &[
                ("site", site.title.clone().into()),
                ("count", counts.pending.into()),
            ],
        )?;
        Ok(Some(self.email(d.to.clone(), &written, None)))
    }
}
