//! One-click moderation from an email: `/moderate/ID/ACTION?exp=…&sig=…`.
//!
//! The link is signed with the site secret and expires; opening it shows the comment
//! and one button (mail scanners that open links must not moderate anything), and the
//! button's POST does the work.

use crate::domain::activity::{Actor, Source};
use std::collections::HashMap;

use crate::web::input::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::error::{AppError, AppResult};
use super::public::{base_context, personal_response};
use super::AppState;
use crate::domain::comment::{CommentStatus, ModerationAction};

/// The action a link may carry (`links::moderation` writes them).
fn target(action: &str) -> Option<ModerationAction> {
    let action = action.parse::<ModerationAction>().ok()?;
    ModerationAction::BY_EMAIL
        .contains(&action)
        .then_some(action)
}

fn check(
    state: &AppState,
    id: i64,
    action: &str,
    q: &HashMap<String, String>,
) -> AppResult<CommentStatus> {
    let action = target(action).ok_or(AppError::NotFound)?;
    let exp: i64 = q.get("exp").and_then(|e| e.parse().ok()).unwrap_or(0);
    let sig = q.get("sig").map(String::as_str).unwrap_or("");
    if !crate::links::moderation_signed(&state.site, id, action, exp, sig) {
        return Err(AppError::forbidden("error-link-invalid"));
    }
    if exp < crate::store::now() {
        return Err(AppError::forbidden("error-link-expired"));
    }
    Ok(action.status())
}

async fn page(
    state: &AppState,
    id: i64,
    action: &str,
    q: &HashMap<String, String>,
    done: bool,
) -> AppResult<Response> {
    let row = state
        .store
        .comment_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let post = state
        .store
        .post_by_id(row.post_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let site = state.site();
    let html = state.templates.render(
        "moderate.html",
        context! {
            action => action,
            done => done,
            comment => row,
            post_title => post.title,
            post_url => post.permalink(),
            exp => q.get("exp"),
            sig => q.get("sig"),
            ..base_context(state, &site)
        },
    )?;
    Ok(personal_response(StatusCode::OK, html))
}

pub async fn confirm(
    State(state): State<AppState>,
    Path((id, action)): Path<(i64, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    check(&state, id, &action, &q)?;
    page(&state, id, &action, &q, false).await
}

pub async fn apply(
    State(state): State<AppState>,
    Path((id, action)): Path<(i64, String)>,
    Form(q): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let status = check(&state, id, &action, &q)?;
    // The link names no one: it went to every moderator.
    let actor = Actor {
        user_id: None,
        name: String::new(),
        source: Source::Email,
    };
    if state
        .store
        .set_comment_status(&[id], status, &actor)
        .await?
        > 0
    {
        state.moderated().await;
        tracing::info!(comment = id, action, "moderated from an email link");
    }
    page(&state, id, &action, &q, true).await
}
