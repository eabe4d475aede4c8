//! Staff on the public site: a slim bar (Dashboard, New post, Edit this post, the
//! post's comments waiting) and, on each comment, Unapprove / Spam / Trash / Edit. The
//! public page stays the same bytes for everyone: a staff session also sets the
//! harmless `tribune_staff` hint, and only then does the page's script
//! (`assets/staff-bar.js`) ask `GET /admin/bar` — personal, never cached — for both
//! pieces, written in the staff member's language. Moderating from there is the
//! queue's own form (`comments::act`), which sends them back to the page.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;

use crate::web::error::AppResult;
use crate::web::public::page_context;
use crate::web::session;
use crate::web::AppState;

/// `GET /admin/bar?post=ID`: `{"bar": HTML, "comment_tools": HTML or null}`, or
/// 204 (and the hint forgotten) when this browser is not signed in to staff pages.
pub async fn bar(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let Some(staff) = session::current(&state, &jar).await else {
        let jar = jar.remove(session::hint_cookie_removal());
        return Ok((jar, StatusCode::NO_CONTENT).into_response());
    };
    let post = match q.get("post").and_then(|p| p.parse::<i64>().ok()) {
        Some(id) => state.store.post_by_id(id).await?,
        None => None,
    };
    let site = state.site();
    let lang = staff.language(&site);
    let edit_post = post.as_ref().filter(|p| {
        staff.role.can_edit_others_posts()
            || (staff.role.can_write_posts() && p.author_id == staff.user.id)
    });
    let waiting = match (&post, staff.role.can_moderate()) {
        (Some(p), true) => state.store.pending_count(p.id).await?,
        _ => 0,
    };
    let ctx = context! {
        name => staff.user.display_name,
        can_write => staff.role.can_write_posts(),
        can_moderate => staff.role.can_moderate(),
        edit_post => edit_post.map(|p| p.id),
        post_id => post.as_ref().map(|p| p.id),
        waiting => waiting,
        csrf => staff.csrf,
        ..page_context(&site, lang)
    };
    let bar = state
        .templates
        .render("admin/staff_bar.html", ctx.clone())?;
    let tools = if staff.role.can_moderate() {
        Some(
            state
                .templates
                .render("admin/staff_comment_tools.html", ctx)?,
        )
    } else {
        None
    };
    let body = serde_json::json!({ "bar": bar, "comment_tools": tools }).to_string();
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response())
}
