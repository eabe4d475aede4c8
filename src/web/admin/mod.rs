//! `/admin/`: setup, sign-in, posts, the comment queue and site settings.
//! Every page here is personal (never cached) and every form carries a CSRF token.

pub mod activity;
pub mod comments;
pub mod jobs;
pub mod login;
pub mod media;
pub mod password;
pub mod posts;
pub mod privacy;
pub mod profile;
pub mod revisions;
pub mod settings;
pub mod setup;
pub mod staff_bar;
pub mod users;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};

use super::error::AppResult;
use super::public::page_context;
use super::session::Staff;
use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/", get(setup::index))
        .route("/admin/setup", post(setup::submit))
        .route("/admin/login", get(login::form).post(login::submit))
        .route("/admin/logout", post(login::logout))
        .route(
            "/admin/lost-password",
            get(password::lost_form).post(password::lost_submit),
        )
        .route(
            "/admin/password",
            get(password::set_form).post(password::set_submit),
        )
        .route("/admin/users", get(users::list).post(users::act))
        .route(
            "/admin/users/{id}/delete",
            get(users::delete_form).post(users::delete),
        )
        .route("/admin/posts", get(posts::list).post(posts::create))
        .route("/admin/posts/new", get(posts::new_form))
        .route("/admin/posts/act", post(posts::act))
        .route("/admin/posts/autosave", post(revisions::autosave))
        .route(
            "/admin/posts/{id}/revisions",
            get(revisions::list).post(revisions::restore),
        )
        .route(
            "/admin/posts/{id}",
            get(posts::edit_form).post(posts::update),
        )
        .route("/admin/comments", get(comments::queue).post(comments::act))
        .route(
            "/admin/comments/{id}/edit",
            get(comments::edit_form).post(comments::edit),
        )
        .route("/admin/bar", get(staff_bar::bar))
        .route("/admin/media/pick", get(media::pick))
        .route("/admin/media/{id}", get(media::detail).post(media::change))
        .route("/admin/settings", get(settings::form).post(settings::save))
        .route("/admin/jobs", get(jobs::list))
        .route("/admin/activity", get(activity::list))
        .route("/admin/privacy", get(privacy::form).post(privacy::act))
        .route("/admin/profile", get(profile::form).post(profile::save))
        .route("/admin/jobs/{id}/retry", post(jobs::retry))
}

/// Context for a page shown to a signed-in staff member, in their language.
pub async fn staff_context(state: &AppState, staff: &Staff) -> AppResult<Value> {
    let site = state.site();
    let lang = staff.language(&site);
    let pending = if staff.role.can_moderate() {
        state.store.queue_counts().await?.pending
    } else {
        0
    };
    Ok(context! {
        staff => context! {
            name => staff.user.display_name,
            email => staff.user.email,
            role => staff.role,
            can_write => staff.role.can_write_posts(),
            can_moderate => staff.role.can_moderate(),
            can_manage => staff.role.can_manage_site(),
        },
        csrf => staff.csrf,
        // Past the cap the badge says "10,000+" (the count stops there).
        pending_count => pending.min(crate::store::QueueCounts::CAP),
        pending_over => pending > crate::store::QueueCounts::CAP, ..page_context(&site, lang)
    })
}

/// An admin page: never stored by browsers or proxies, never framed.
/// The `page=N` of a listing's address: 1 unless a number from 1 up, and never past
/// a million (past any list there will be; keeps the offset a number both databases
/// take).
pub fn page_number(q: &std::collections::HashMap<String, String>) -> i64 {
    q.get("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
        .min(1_000_000)
}

pub fn page(status: StatusCode, html: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
        html,
    )
        .into_response()
}

/// Translated messages for form problems, keyed by field.
pub fn problem_messages(
    state: &AppState,
    lang: &str,
    problems: &[crate::domain::comment::Problem],
) -> std::collections::BTreeMap<&'static str, String> {
    problems
        .iter()
        .map(|p| (p.field, super::public::problem_message(state, lang, p)))
        .collect()
}
