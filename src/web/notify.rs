//! Who hears about what, by email. Builds each message from templates (`email/…`),
//! in the site's language, and queues it; the job runner delivers it.

use minijinja::context;

use super::moderate_link::{link, LINK_TTL_SECS};
use super::AppState;
use crate::domain::role::Role;
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
    for user in users {
        let moderates = user.role.parse::<Role>().is_ok_and(Role::can_moderate);
        if !moderates {
            continue;
        }
        let email = OutgoingEmail {
            to: user.email.clone(),
            subject: subject.replace(['\u{2068}', '\u{2069}'], ""),
            text: text.replace(['\u{2068}', '\u{2069}'], ""),
            html: html.clone(),
            message_id: state.mailer.message_id(),
        };
        if let Err(err) = state.queue_email(&email).await {
            tracing::error!(error = %err, "could not queue the moderation email");
        }
    }
}
