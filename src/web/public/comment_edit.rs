//! A commenter changes or deletes their own comment, from the browser that wrote it,
//! during the site's edit window (`edit_minutes`, WordPress plugins' usual 15). The
//! browser holds a signed entry per comment (`tribune_own`, written when the comment
//! was stored); the post page stays the same for everyone and its script shows the
//! Edit link where an entry is. Changed text passes the discussion rules again: one
//! that trips a rule goes back to the queue. Deleting moves it to the trash.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;

use super::{not_found_page, personal_response, post_language};
use crate::domain::activity::Actor;
use crate::domain::comment::{check_body, Comment, CommentStatus, Limits};
use crate::domain::discussion::{Submission, Verdict};
use crate::domain::post::Post;
use crate::web::error::{AppError, AppResult};
use crate::web::input::Form;
use crate::web::AppState;

/// The cookie that says which comments this browser wrote, and until when it may
/// change them.
pub const OWN_COOKIE: &str = "tribune_own";

/// The comment, its post, and until when this browser may change it — or why not.
async fn own(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
) -> AppResult<Result<(Comment, Post, i64), Response>> {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(Err(not_found_page(state)));
    };
    let now = crate::store::now();
    let jar = CookieJar::from_headers(headers);
    let until = jar
        .get(OWN_COOKIE)
        .and_then(|c| {
            crate::links::own_comments(&state.site, c.value(), now)
                .into_iter()
                .find(|(c, _)| *c == id)
        })
        .map(|(_, until)| until);
    let comment = state.store.comment_by_id(id).await?;
    let post = match &comment {
        Some(c) => state.store.post_by_id(c.post_id).await?,
        None => None,
    };
    let (Some(comment), Some(post)) = (comment, post) else {
        return Ok(Err(not_found_page(state)));
    };
    // The window as the site sets it now (it may have been shortened since).
    let window = i64::from(state.site().edit_minutes) * 60;
    let until = until.map(|u| u.min(comment.created_at + window));
    match until {
        Some(until) if until > now && comment.status != CommentStatus::Trash => {
            Ok(Ok((comment, post, until)))
        }
        _ => Err(AppError::forbidden("error-edit-window-over")),
    }
}

fn edit_page(
    state: &AppState,
    (comment, post, until): (&Comment, &Post, i64),
    text: &str,
    error: Option<String>,
) -> AppResult<Response> {
    let site = state.site();
    let lang = post_language(&site, post);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = state.templates.render(
        "comment_edit.html",
        context! {
            comment => context! { id => comment.id, author_name => comment.author_name },
            post_title => post.title,
            post_url => post.permalink(),
            text => text,
            error => error,
            until => state.i18n.datetime(lang.tag, until),
            minutes => ((until - crate::store::now()) / 60).max(1),
            max_comment_chars => site.max_comment_chars,
            ..super::page_context(&site, lang)
        },
    )?;
    Ok(personal_response(status, html))
}

/// `GET /comments/ID/edit`.
pub async fn form(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (comment, post, until) = match own(&state, &headers, &id).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let text = state
        .store
        .comment_text(comment.id)
        .await?
        .unwrap_or_default();
    edit_page(&state, (&comment, &post, until), &text, None)
}

/// `POST /comments/ID/edit`: `action=save` with the new `comment`, or `action=delete`.
pub async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let (comment, post, until) = match own(&state, &headers, &id).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let actor = Actor::author(&comment.author_name);
    if form.get("action").map(String::as_str) == Some("delete") {
        state
            .store
            .set_comment_status(&[comment.id], CommentStatus::Trash, &actor)
            .await?;
        state.moderated().await;
        tracing::info!(comment = comment.id, "comment deleted by its author");
        return Ok(Redirect::to(&format!("{}#comments", post.permalink())).into_response());
    }
    let site = state.site();
    let lang = post_language(&site, &post);
    let typed = form.get("comment").cloned().unwrap_or_default();
    let limits = Limits {
        body: site.max_comment_chars,
        ..Limits::default()
    };
    let body = match check_body(&typed, limits) {
        Ok(body) => body,
        Err(problems) => {
            let error = problems
                .first()
                .map(|p| super::problem_message(&state, lang.tag, p));
            return edit_page(&state, (&comment, &post, until), &typed, error);
        }
    };
    let verdict = site.discussion_rules().judge(&Submission {
        body: &body,
        name: &comment.author_name,
        email: &comment.author_email,
        url: comment.author_url.as_deref().unwrap_or(""),
        ip: "",
        user_agent: "",
    });
    let hold = !matches!(verdict, Verdict::Pass);
    let html = crate::domain::text::render_comment(&body);
    let status = state
        .store
        .edit_comment(comment.id, (&body, &html), None, hold, &actor)
        .await?
        .ok_or(AppError::NotFound)?;
    if comment.status == CommentStatus::Approved {
        state.comments_changed().await;
    }
    tracing::info!(comment = comment.id, %status, "comment edited by its author");
    let path = super::comment_link::page_path(&state, &post, comment.id, comment.parent_id).await?;
    let to = if status == CommentStatus::Approved {
        format!("{path}#comment-{}", comment.id)
    } else {
        format!(
            "{path}?unapproved={id}&moderation-hash={}#comment-{id}",
            crate::links::held_comment_hash(&state.site, comment.id),
            id = comment.id
        )
    };
    Ok(Redirect::to(&to).into_response())
}
