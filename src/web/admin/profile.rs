//! `/admin/profile`: what a staff member sets for themselves — for now the language
//! of their administration pages and of the emails Tribune sends them.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::{page, staff_context};
use crate::i18n::{speak, SHIPPED};
use crate::web::error::AppResult;
use crate::web::input::Form;
use crate::web::session::Staff;
use crate::web::AppState;

pub async fn form(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let site = state.site();
    let ctx = staff_context(&state, &staff).await?;
    let html = state.templates.render(
        "admin/profile.html",
        context! {
            languages => SHIPPED,
            chosen => staff.user.ui_lang.clone().unwrap_or_default(),
            site_language => speak(&site.language).name,
            saved => q.contains_key("saved"),
            ..ctx
        },
    )?;
    Ok(page(StatusCode::OK, html))
}

pub async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.verify_form(&form)?;
    // Empty (or a language Tribune does not ship): the site's language.
    let lang = form
        .get("ui_lang")
        .and_then(|t| SHIPPED.iter().find(|l| l.tag == t.as_str()))
        .map(|l| l.tag);
    state.store.set_user_language(staff.user.id, lang).await?;
    tracing::info!(user = staff.user.id, lang, "administration language chosen");
    Ok(Redirect::to("/admin/profile?saved=1").into_response())
}
