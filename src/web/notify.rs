//! Who hears about what, by email. Builds each message from templates (`email/…`),
//! in the site's language, and queues it; the job runner delivers it.

use minijinja::context;

use super::moderate_link::{link, LINK_TTL_SECS};
use super::AppState;
use crate::domain::role::Role;
use crate::jobs::{notify_decision, Notify, KIND_EMAIL, KIND_HELD_DIGEST, NOTIFY_WINDOW_SECS};
use crate::mail::OutgoingEmail;
use crate::store::{NewComment, PostRow};

/// Tells every moderator (admin, editor, moderator) that a comment waits for them,
/// with signed one-click links.
pub async fn held_comment(state: &AppState, base: &str, post: &PostRow, id: i64, c: &NewComment) {
    let users = match state.store.list_users().await {
        Ok(u) => u,
        Err(err) => {
            tracing::error!(error = %err, "could not list moderators to notify");
            return;
        }
    };
    let site = state.site();
    let lang = state.i18n.resolve(&site.language).to_string();
    let expires = crate::store::now() + LINK_TTL_SECS;
    let post_url = format!(
        "{base}{}",
        crate::domain::post::permalink(post.published_at.unwrap_or(post.created_at), &post.slug)
    );
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
    let now = crate::store::now();
    for user in users {
        let moderates = user.role.parse::<Role>().is_ok_and(Role::can_moderate);
        if !moderates {
            continue;
        }
        // A burst of held comments: one email now, the rest in one digest.
        let topic = format!("held:{}", user.email);
        let decision = match (
            state.store.last_job_on(KIND_EMAIL, &topic).await,
            state.store.last_job_on(KIND_HELD_DIGEST, &topic).await,
        ) {
            (Ok((last, _)), Ok((_, digest_waiting))) => {
                notify_decision(now, last, digest_waiting, NOTIFY_WINDOW_SECS)
            }
            (Err(err), _) | (_, Err(err)) => {
                tracing::error!(error = %err, "could not read notification history");
                continue;
            }
        };
        match decision {
            Notify::Now => {}
            Notify::AlreadyInDigest => continue,
            Notify::DigestAt(at) => {
                let payload = serde_json::json!({ "to": user.email }).to_string();
                if let Err(err) = state
                    .store
                    .enqueue_job_at(
                        KIND_HELD_DIGEST,
                        &payload,
                        crate::jobs::EMAIL_ATTEMPTS,
                        at,
                        Some(&topic),
                    )
                    .await
                {
                    tracing::error!(error = %err, "could not queue the moderation digest");
                }
                continue;
            }
        }
        let email = OutgoingEmail {
            to: user.email.clone(),
            subject: subject.replace(['\u{2068}', '\u{2069}'], ""),
            text: text.replace(['\u{2068}', '\u{2069}'], ""),
            html: html.clone(),
            message_id: state.mailer.message_id(),
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
        .moderation_queue(Some("pending"), None, 20, 0)
        .await
        .map_err(|e| e.to_string())?;
    let site = state.site();
    let lang = state.i18n.resolve(&site.language).to_string();
    let base = state.config.base_url.clone().unwrap_or_default();
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
    let plain = |s: String| s.replace(['\u{2068}', '\u{2069}'], "");
    Ok(Some(OutgoingEmail {
        to: to.to_string(),
        subject: plain(subject),
        text: plain(text),
        html,
        message_id: state.mailer.message_id(),
    }))
}
