//! Who hears about what, by email. Builds each message from templates (`email/…`),
//! in the site's language, and queues it; the job runner delivers it.

use minijinja::context;

use super::moderate_link::{link, LINK_TTL_SECS};
use super::AppState;
use crate::domain::comment::CommentStatus;
use crate::domain::job::{self, Job, JobKind};
use crate::domain::post::Post;
use crate::jobs::{notify_decision, Notify, NOTIFY_WINDOW_SECS};
use crate::mail::OutgoingEmail;
use crate::store::{NewComment, NewJob};

/// Whether to send one more notification on `topic` now, fold it into a digest of
/// kind `digest_kind`, or leave it to the digest already waiting. Within a window this
/// asks the database at most a couple of times per topic: a decision to wait is
/// remembered in memory until the digest is due.
pub async fn decide(
    state: &AppState,
    digest_kind: JobKind,
    topic: &str,
    now: i64,
) -> Result<Notify, crate::store::StoreError> {
    if let Some(until) = state.notify_quiet.lock().expect("notify lock").get(topic) {
        if now < *until {
            return Ok(Notify::AlreadyInDigest);
        }
    }
    let (last, _) = state.store.last_job_on(JobKind::Email, topic).await?;
    let (_, waiting) = state.store.last_job_on(digest_kind, topic).await?;
    let decision = notify_decision(now, last, waiting, NOTIFY_WINDOW_SECS);
    let quiet_until = match decision {
        Notify::DigestAt(at) => Some(at),
        Notify::AlreadyInDigest => Some(now + 60),
        Notify::Now => None,
    };
    if let Some(until) = quiet_until {
        let mut quiet = state.notify_quiet.lock().expect("notify lock");
        if quiet.len() > 10_000 {
            quiet.retain(|_, u| *u > now);
        }
        quiet.insert(topic.to_string(), until);
    }
    Ok(decision)
}

/// Tells every moderator (admin, editor, moderator) that a comment waits for them,
/// with signed one-click links.
pub async fn held_comment(state: &AppState, base: &str, post: &Post, id: i64, c: &NewComment) {
    let users = match state.store.list_users().await {
        Ok(u) => u,
        Err(err) => {
            tracing::error!(error = %err, "could not list moderators to notify");
            return;
        }
    };
    // Decide first: in a burst most comments go into a digest already waiting, and
    // need no email drawn at all.
    let now = crate::store::now();
    let mut now_to = Vec::new();
    for user in users {
        if !user.role.can_moderate() {
            continue;
        }
        // A burst of held comments: one email now, the rest in one digest.
        let topic = format!("held:{}", user.email);
        let decision = match decide(state, JobKind::HeldDigest, &topic, now).await {
            Ok(d) => d,
            Err(err) => {
                tracing::error!(error = %err, "could not read notification history");
                continue;
            }
        };
        match decision {
            Notify::Now => now_to.push((user.email, topic)),
            Notify::AlreadyInDigest => {}
            Notify::DigestAt(at) => {
                let digest = Job::HeldDigest(job::HeldDigest { to: user.email });
                if let Err(err) = state
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
        return;
    }
    let site = state.site();
    let lang = state.i18n.resolve(&site.language).to_string();
    let expires = now + LINK_TTL_SECS;
    let post_url = format!("{base}{}", post.permalink());
    let ctx = context! {
        ui_lang => lang,
        site => context! { title => site.title },
        post_title => post.title,
        post_url => post_url,
        author => c.author_name,
        email => c.author_email,
        url => c.author_url,
        ip => c.ip,
        body => c.body,
        body_html => c.body_html,
        approve => link(state, base, id, "approve", expires),
        spam => link(state, base, id, "spam", expires),
        trash => link(state, base, id, "trash", expires),
        queue => format!("{base}/admin/comments"),
    };
    let subject = state.i18n.tr(
        &lang,
        "email-held-subject",
        &[
            ("site", site.title.clone().into()),
            ("title", post.title.clone().into()),
        ],
    );
    let (text, html) = match (
        state
            .templates
            .render("email/held_comment.txt", ctx.clone()),
        state.templates.render("email/held_comment.html", ctx),
    ) {
        (Ok(t), Ok(h)) => (t, h),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, "could not render the moderation email");
            return;
        }
    };
    for (to, topic) in now_to {
        let email = OutgoingEmail {
            to,
            subject: crate::i18n::plain(&subject),
            text: crate::i18n::plain(&text),
            html: html.clone(),
            message_id: state.mailer.message_id(),
            unsubscribe: None,
        };
        if let Err(err) = state.queue_email(&email, Some(&topic)).await {
            tracing::error!(error = %err, "could not queue the moderation email");
        }
    }
}

/// The digest for one moderator: every comment still waiting, written when it is sent.
/// `None` when nothing waits any more.
pub async fn held_digest(state: &AppState, to: &str) -> Result<Option<OutgoingEmail>, String> {
    let counts = state
        .store
        .queue_counts()
        .await
        .map_err(|e| e.to_string())?;
    if counts.pending == 0 {
        return Ok(None);
    }
    let rows = state
        .store
        .moderation_queue(Some(CommentStatus::Pending), None, 20, 0)
        .await
        .map_err(|e| e.to_string())?;
    let site = state.site();
    let lang = state.i18n.resolve(&site.language).to_string();
    let base = state.site_url();
    let comments: Vec<_> = rows
        .iter()
        .map(|c| {
            let excerpt: String = c
                .body
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(160)
                .collect();
            context! { author => c.author_name, post_title => c.post_title, excerpt => excerpt }
        })
        .collect();
    let ctx = context! {
        ui_lang => lang,
        count => counts.pending,
        comments => comments,
        queue => format!("{base}/admin/comments"),
    };
    let text = state
        .templates
        .render("email/held_digest.txt", ctx.clone())
        .map_err(|e| e.to_string())?;
    let html = state
        .templates
        .render("email/held_digest.html", ctx)
        .map_err(|e| e.to_string())?;
    let subject = state.i18n.tr(
        &lang,
        "email-digest-subject",
        &[
            ("site", site.title.clone().into()),
            ("count", counts.pending.into()),
        ],
    );
    Ok(Some(OutgoingEmail {
        to: to.to_string(),
        subject: plain(subject),
        text: plain(text),
        html,
        message_id: state.mailer.message_id(),
        unsubscribe: None,
    }))
}

fn base(state: &AppState) -> String {
    state.site_url()
}

fn plain(s: String) -> String {
    crate::i18n::plain(&s)
}

/// Renders `email/NAME.txt` and `email/NAME.html`.
fn render_pair(
    state: &AppState,
    name: &str,
    ctx: minijinja::Value,
) -> Result<(String, String), String> {
    let text = state
        .templates
        .render(&format!("email/{name}.txt"), ctx.clone())
        .map_err(|e| e.to_string())?;
    let html = state
        .templates
        .render(&format!("email/{name}.html"), ctx)
        .map_err(|e| e.to_string())?;
    Ok((plain(text), html))
}

/// A comment was approved: its post's author and the post's confirmed comment
/// subscribers hear of it (never the comment's own author).
pub async fn comment_approved(state: &AppState, comment_id: i64) -> Result<(), String> {
    let err = |e: crate::store::StoreError| e.to_string();
    let Some(c) = state.store.comment_by_id(comment_id).await.map_err(err)? else {
        return Ok(());
    };
    if c.status != CommentStatus::Approved {
        return Ok(());
    }
    let Some(post) = state.store.post_by_id(c.post_id).await.map_err(err)? else {
        return Ok(());
    };
    let site = state.site();
    let lang = state.i18n.resolve(&site.language).to_string();
    let base = base(state);
    let link = format!("{base}{}#comment-{}", post.permalink(), c.id);
    let body_text: String = c.body_html.replace("<br>", "\n").replace("</p>", "\n\n");
    let body_text = ammonia::Builder::empty()
        .clean(&body_text)
        .to_string()
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    let mut recipients: Vec<(String, Option<String>)> = Vec::new();
    if let Ok(Some(author)) = state.store.user_by_id(post.author_id).await {
        recipients.push((author.email, None));
    }
    for sub in state
        .store
        .comment_subscribers(post.id)
        .await
        .map_err(err)?
    {
        recipients.push((sub.email, Some(sub.token)));
    }
    let commenter = c.author_email.to_lowercase();
    let mut seen = std::collections::HashSet::new();
    let now = crate::store::now();
    for (to, token) in recipients {
        if to.to_lowercase() == commenter || !seen.insert(to.to_lowercase()) {
            continue;
        }
        // A lively thread: one email now, then one digest per window.
        let topic = format!("comments:{}:{}", to.to_lowercase(), post.id);
        match decide(state, JobKind::CommentDigest, &topic, now)
            .await
            .map_err(err)?
        {
            Notify::Now => {}
            Notify::AlreadyInDigest => continue,
            Notify::DigestAt(at) => {
                // From this comment on: the first one the reader was not told about
                // (by when it was approved, which is when readers could see it).
                let digest = Job::CommentDigest(job::CommentDigest {
                    to,
                    post_id: post.id,
                    token,
                    since: c.updated_at,
                });
                state
                    .store
                    .enqueue_job(NewJob::now(digest).at(at).topic(&topic))
                    .await
                    .map_err(err)?;
                continue;
            }
        }
        let unsubscribe = token
            .as_ref()
            .map(|t| format!("{base}/subscriptions/unsubscribe?t={t}"));
        let manage = token
            .as_ref()
            .map(|t| format!("{base}/subscriptions?t={t}"));
        let ctx = context! {
            ui_lang => lang,
            post_title => post.title,
            author => c.author_name,
            body => body_text.trim(),
            body_html => c.body_html,
            link => link,
            unsubscribe => unsubscribe,
            manage => manage,
        };
        let (text, html) = render_pair(state, "new_comment", ctx)?;
        let subject = plain(state.i18n.tr(
            &lang,
            "email-comment-subject",
            &[
                ("site", site.title.clone().into()),
                ("title", post.title.clone().into()),
            ],
        ));
        let email = OutgoingEmail {
            to,
            subject,
            text,
            html,
            message_id: state.mailer.message_id(),
            unsubscribe,
        };
        state.queue_email(&email, Some(&topic)).await.map_err(err)?;
    }
    Ok(())
}

/// The comments approved on a post since `since`, for one reader, written when sent.
/// `None` when there is nothing (left) to tell.
pub async fn comment_digest(
    state: &AppState,
    to: &str,
    post_id: i64,
    token: Option<String>,
    since: i64,
) -> Result<Option<OutgoingEmail>, String> {
    let err = |e: crate::store::StoreError| e.to_string();
    if let Some(t) = &token {
        if state.store.subscription(t).await.map_err(err)?.is_none() {
            return Ok(None); // unsubscribed meanwhile
        }
    }
    let Some(post) = state.store.post_by_id(post_id).await.map_err(err)? else {
        return Ok(None);
    };
    let fresh: Vec<_> = state
        .store
        .approved_comments(post_id)
        .await
        .map_err(err)?
        .into_iter()
        // Readers saw a comment from when it was approved, not when it was written
        // (a held one may wait hours): the digest goes by that moment.
        .filter(|c| c.updated_at >= since && !c.author_email.eq_ignore_ascii_case(to))
        .collect();
    if fresh.is_empty() {
        return Ok(None);
    }
    let site = state.site();
    let lang = state.i18n.resolve(&site.language).to_string();
    let base = base(state);
    let link = format!("{base}{}#comments", post.permalink());
    let comments: Vec<_> = fresh
        .iter()
        .map(|c| {
            let text = ammonia::Builder::empty().clean(&c.body_html).to_string();
            let excerpt: String = text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(200)
                .collect();
            context! { author => c.author_name, excerpt => excerpt.replace("&amp;", "&") }
        })
        .collect();
    let unsubscribe = token
        .as_ref()
        .map(|t| format!("{base}/subscriptions/unsubscribe?t={t}"));
    let ctx = context! {
        ui_lang => lang,
        count => fresh.len(),
        post_title => post.title,
        comments => comments,
        link => link,
        unsubscribe => unsubscribe,
        manage => token.as_ref().map(|t| format!("{base}/subscriptions?t={t}")),
    };
    let (text, html) = render_pair(state, "comment_digest", ctx)?;
    let subject = plain(state.i18n.tr(
        &lang,
        "email-comment-digest-subject",
        &[
            ("site", site.title.clone().into()),
            ("title", post.title.clone().into()),
            ("count", (fresh.len() as i64).into()),
        ],
    ));
    Ok(Some(OutgoingEmail {
        to: to.to_string(),
        subject,
        text,
        html,
        message_id: state.mailer.message_id(),
        unsubscribe,
    }))
}

/// A post went public: its confirmed subscribers hear of it, once.
pub async fn post_published(state: &AppState, post_id: i64) -> Result<(), String> {
    let err = |e: crate::store::StoreError| e.to_string();
    let Some(post) = state.store.post_by_id(post_id).await.map_err(err)? else {
        return Ok(());
    };
    if !post.is_public(crate::store::now()) {
        return Ok(()); // unpublished or rescheduled since; a later job will tell
    }
    if !state.store.mark_post_notified(post.id).await.map_err(err)? {
        return Ok(());
    }
    let site = state.site();
    let lang = state.i18n.resolve(&site.language).to_string();
    let base = base(state);
    let link = format!("{base}{}", post.permalink());
    let summary = if post.excerpt.is_empty() {
        post.summary(55)
    } else {
        post.excerpt.clone()
    };
    for sub in state.store.post_subscribers().await.map_err(err)? {
        let unsubscribe = format!("{base}/subscriptions/unsubscribe?t={}", sub.token);
        let ctx = context! {
            ui_lang => lang,
            site_title => site.title,
            post_title => post.title,
            summary => summary,
            link => link,
            unsubscribe => unsubscribe,
            manage => format!("{base}/subscriptions?t={}", sub.token),
        };
        let (text, html) = render_pair(state, "new_post", ctx)?;
        let subject = plain(state.i18n.tr(
            &lang,
            "email-post-subject",
            &[
                ("site", site.title.clone().into()),
                ("title", post.title.clone().into()),
            ],
        ));
        let email = OutgoingEmail {
            to: sub.email,
            subject,
            text,
            html,
            message_id: state.mailer.message_id(),
            unsubscribe: Some(unsubscribe),
        };
        state.queue_email(&email, None).await.map_err(err)?;
    }
    Ok(())
}

/// Asks a guest to confirm the subscriptions they ticked (double opt-in). At most
/// one such email per address in the notification window, so the form cannot be used
/// to flood someone's mailbox.
pub async fn confirm_subscriptions(
    state: &AppState,
    base: &str,
    to: &str,
    tokens: &[String],
    post_title: &str,
) {
    let topic = format!("confirm:{}", to.to_lowercase());
    match state.store.last_job_on(JobKind::Email, &topic).await {
        Ok((Some(last), _)) if crate::store::now() - last < NOTIFY_WINDOW_SECS => return,
        Err(err) => {
            tracing::error!(error = %err, "could not read notification history");
            return;
        }
        _ => {}
    }
    let site = state.site();
    let lang = state.i18n.resolve(&site.language).to_string();
    let query: Vec<String> = tokens.iter().map(|t| format!("t={t}")).collect();
    let ctx = context! {
        ui_lang => lang,
        site_title => site.title,
        post_title => post_title,
        confirm => format!("{base}/subscriptions/confirm?{}", query.join("&")),
    };
    let (text, html) = match render_pair(state, "confirm", ctx) {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "could not render the confirmation email");
            return;
        }
    };
    let subject = plain(state.i18n.tr(
        &lang,
        "email-confirm-subject",
        &[("site", site.title.clone().into())],
    ));
    let email = OutgoingEmail {
        to: to.to_string(),
        subject,
        text,
        html,
        message_id: state.mailer.message_id(),
        unsubscribe: None,
    };
    if let Err(err) = state.queue_email(&email, Some(&topic)).await {
        tracing::error!(error = %err, "could not queue the confirmation email");
    }
}
