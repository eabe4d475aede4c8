//! `POST /comments`: a reader's comment, from the form to the database.
//!
//! A refused comment comes back on the post page with the reader's words in the form
//! and the reason beside the field; nothing typed is lost.

use crate::web::input::Form;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::post_page::{moderation_hash, render, Personal};
use super::{not_found_page, personal_response};
use axum_extra::extract::cookie::CookieJar;

use crate::domain::comment::CommentStatus;
use crate::domain::comment::{
    check_body, check_guest, duplicate_key, normalise_url, parent_accepts_reply, parse_parent,
    Commenter, GuestComment, GuestInput, Limits, ModerationPolicy, DUPLICATE_WINDOW_SECS,
};
use crate::domain::subscription::SubscriptionKind;
use crate::domain::text::render_comment;
use crate::store::{Inserted, NewComment, StoreError};
use crate::web::client::Client;
use crate::web::error::{AppError, AppResult};
use crate::web::signin;
use crate::web::AppState;

/// The form's fields carry WordPress's names, so themes and tools that know
/// `wp-comments-post.php` feel at home.
#[derive(Debug, Default, serde::Deserialize)]
pub struct CommentForm {
    #[serde(rename = "comment_post_ID", default)]
    post_id: String,
    #[serde(default)]
    comment_parent: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    comment: String,
    subscribe_comments: Option<String>,
    subscribe_posts: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Form(form): Form<CommentForm>,
) -> AppResult<Response> {
    let typed = form.comment.clone();
    match receive(state, client, headers, form).await {
        // The database could not even be read: the post page cannot be drawn, but the
        // reader's words still come back.
        Err(AppError::Unavailable) => Ok(kept_text_page(&typed)),
        Err(AppError::Internal(err)) => {
            tracing::error!(error = format!("{err:#}"), "comment form failed");
            Ok(kept_text_page(&typed))
        }
        other => other,
    }
}

async fn receive(
    state: AppState,
    client: Client,
    headers: HeaderMap,
    form: CommentForm,
) -> AppResult<Response> {
    let Ok(post_id) = form.post_id.trim().parse::<i64>() else {
        return Err(AppError::BadRequest(
            "The comment form did not say which post it belongs to. Go back to the post and send it from there.".into(),
        ));
    };
    let Some(post) = state.store.post_by_id(post_id).await? else {
        return Ok(not_found_page(&state));
    };
    if !post.is_public(crate::store::now()) {
        return Ok(not_found_page(&state));
    }
    let site = state.site();
    let ui_lang = state.i18n.resolve(&site.language).to_string();
    let parent = parse_parent(&form.comment_parent);
    let parent_id = parent.unwrap_or(None);
    let jar = CookieJar::from_headers(&headers);
    let commenter = signin::commenter(&state, &jar).await;
    let input = GuestInput {
        name: form.author,
        email: form.email,
        url: form.url,
        body: form.comment,
        notify_comments: form.subscribe_comments.is_some(),
        notify_posts: form.subscribe_posts.is_some(),
    };
    let refuse = |notice: Option<String>, problems, status| {
        let state = state.clone();
        let post = post.clone();
        let input = input.clone();
        let commenter = commenter.clone();
        async move {
            let personal = Personal {
                form: input,
                problems,
                notice,
                reply_to: parent_id,
                pending: None,
                commenter,
            };
            let html = render(&state, &post, personal).await?;
            Ok::<_, AppError>(personal_response(status, html))
        }
    };

    if parent.is_err() {
        state.metrics.comment("rejected");
        let notice = state.i18n.t(&ui_lang, "error-parent-invalid", None);
        return refuse(Some(notice), Vec::new(), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if !post.comments_open {
        let notice = state.i18n.t(&ui_lang, "comments-closed", None);
        return refuse(Some(notice), Vec::new(), StatusCode::FORBIDDEN).await;
    }
    if !state.limiter.allow(client.ip) {
        state.metrics.comment("rate_limited");
        let notice = state.i18n.t(&ui_lang, "error-rate-limited", None);
        return refuse(Some(notice), Vec::new(), StatusCode::TOO_MANY_REQUESTS).await;
    }
    if let Some(parent) = parent_id {
        let ok = state
            .store
            .comment_by_id(parent)
            .await?
            .is_some_and(|p| parent_accepts_reply(p.post_id, p.status, post.id));
        if !ok {
            state.metrics.comment("rejected");
            let notice = state.i18n.t(&ui_lang, "error-parent-gone", None);
            return refuse(Some(notice), Vec::new(), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    }
    let limits = Limits {
        body: site.max_comment_chars,
        ..Limits::default()
    };
    let checked = match &commenter {
        Some(who) => check_body(&input.body, limits).map(|body| GuestComment {
            name: who.name.clone(),
            email: who.email.clone().unwrap_or_default(),
            url: who.profile_url.as_deref().and_then(normalise_url),
            body,
        }),
        None => check_guest(&input, limits),
    };
    let comment = match checked {
        Ok(c) => c,
        Err(problems) => {
            state.metrics.comment("rejected");
            return refuse(None, problems, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let who = match &commenter {
        Some(c) => Commenter::Identity {
            has_approved: state.store.identity_has_approved_comment(c.id).await?,
        },
        None => Commenter::Guest,
    };
    let status = ModerationPolicy {
        hold_new_comments: site.hold_new_comments,
        approve_returning_identities: site.approve_returning_identities,
    }
    .initial_status(who);
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(255)
        .collect();
    let body_html = render_comment(&comment.body);
    let identity_id = commenter.as_ref().map(|c| c.id);
    let new = NewComment {
        duplicate_key: Some(duplicate_key(identity_id, &comment.email, &comment.body)),
        post_id: post.id,
        parent_id,
        status,
        author_name: comment.name,
        author_email: comment.email,
        author_url: comment.url,
        identity_id,
        body: comment.body,
        body_html,
        ip: client.ip.to_string(),
        user_agent,
    };
    let id = match state
        .store
        .insert_comment(&new, DUPLICATE_WINDOW_SECS)
        .await
    {
        Ok(Inserted::New(id)) => id,
        Ok(Inserted::Duplicate(earlier)) => {
            state.metrics.comment("duplicate");
            tracing::info!(post = post.id, earlier, "duplicate comment refused");
            let notice = state.i18n.t(&ui_lang, "error-duplicate", None);
            return refuse(Some(notice), Vec::new(), StatusCode::CONFLICT).await;
        }
        // Not stored: say so, keep every word in the form, and ask for another try.
        Err(StoreError::Unavailable(cause)) => {
            tracing::warn!(%cause, post = post.id, "comment not stored: database unavailable");
            state.metrics.comment("unavailable");
            let notice = state.i18n.t(&ui_lang, "error-unavailable", None);
            let mut res = refuse(Some(notice), Vec::new(), StatusCode::SERVICE_UNAVAILABLE)
                .await
                .unwrap_or_else(|_| kept_text_page(&input.body));
            res.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
            return Ok(res);
        }
        Err(err) => {
            // Any other failure: the reader still gets their text back.
            let id = crate::web::request_id::current().unwrap_or_default();
            tracing::error!(error = %err, post = post.id, "comment not stored");
            state.metrics.comment("failed");
            let notice = state
                .i18n
                .tr(&ui_lang, "error-not-stored", &[("id", id.into())]);
            return Ok(
                refuse(Some(notice), Vec::new(), StatusCode::INTERNAL_SERVER_ERROR)
                    .await
                    .unwrap_or_else(|_| kept_text_page(&input.body)),
            );
        }
    };
    let base = state.site_url();
    if status == CommentStatus::Pending {
        crate::web::notify::held_comment(&state, &base, &post, id, &new).await;
    }
    if input.notify_comments || input.notify_posts {
        // Signed-in readers with a verified email are confirmed; guests confirm by email.
        let (address, confirmed) = match &commenter {
            Some(c) => (c.email.clone(), true),
            None => (Some(new.author_email.clone()), false),
        };
        if let Some(address) = address.filter(|a| !a.is_empty()) {
            let mut unconfirmed = Vec::new();
            let wanted = [
                (
                    input.notify_comments,
                    SubscriptionKind::Comments,
                    Some(post.id),
                ),
                (input.notify_posts, SubscriptionKind::Posts, None),
            ];
            for (want, kind, post_id) in wanted {
                if want {
                    let sub = state
                        .store
                        .subscribe(&address.to_lowercase(), kind, post_id, confirmed)
                        .await?;
                    if sub.confirmed_at.is_none() {
                        unconfirmed.push(sub.token);
                    }
                }
            }
            if !unconfirmed.is_empty() {
                crate::web::notify::confirm_subscriptions(
                    &state,
                    &base,
                    &address,
                    &unconfirmed,
                    &post.title,
                )
                .await;
            }
        }
    }
    tracing::info!(
        comment = id,
        post = post.id,
        status = status.as_str(),
        "comment received"
    );

    let link = post.permalink();
    let to = if status == CommentStatus::Approved {
        state.metrics.comment("approved");
        state.content_changed().await;
        format!("{link}#comment-{id}")
    } else {
        state.metrics.comment("held");
        format!(
            "{link}?unapproved={id}&moderation-hash={}#comment-{id}",
            moderation_hash(&state, id)
        )
    };
    let jar = signin::forget_draft(&state, jar).await;
    Ok((jar, Redirect::to(&to)).into_response())
}

/// The last resort when even the post page cannot be drawn: the reader's words on a
/// plain page, ready to copy, so nothing they typed is lost.
fn kept_text_page(body: &str) -> Response {
    let escaped = body
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let html = format!(
        "<!doctype html><html lang=\"en\" dir=\"ltr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Your comment was not saved</title></head><body><main>\
         <h1>Your comment was not saved</h1>\
         <p>The site cannot save anything right now. Here is what you wrote; copy it and \
         send it again in a minute.</p>\
         <p><label for=\"kept\">Your comment</label></p>\
         <textarea id=\"kept\" readonly rows=\"12\" cols=\"60\">{escaped}</textarea>\
         </main></body></html>"
    );
    let mut res = personal_response(StatusCode::SERVICE_UNAVAILABLE, html);
    res.headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
    res
}
