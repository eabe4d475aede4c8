//! `/admin/privacy`: everything stored about one email address, downloaded as JSON, and
//! erasing it (WordPress's Tools → Export/Erase Personal Data). Administrators only.

use std::collections::HashMap;

use crate::web::input::Form;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;

use super::{page, staff_context};
use crate::domain::comment::plausible_email;
use crate::web::error::AppResult;
use crate::web::session::Staff;
use crate::web::AppState;

pub async fn form(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_manage_site())?;
    render(
        &state,
        &staff,
        q.get("email").cloned().unwrap_or_default(),
        None,
        None,
    )
    .await
}

async fn render(
    state: &AppState,
    staff: &Staff,
    email: String,
    error: Option<String>,
    done: Option<minijinja::Value>,
) -> AppResult<Response> {
    let ctx = staff_context(state, staff).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = state.templates.render(
        "admin/privacy.html",
        context! { email => email, error => error, done => done, ..ctx },
    )?;
    Ok(page(status, html))
}

pub async fn act(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_manage_site())?;
    staff.verify_form(&form)?;
    let email = form
        .get("email")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let site = state.site();
    let lang = staff.language(&site).tag.to_string();
    if !plausible_email(&email) {
        let msg = state.i18n.t(&lang, "privacy-bad-email", None);
        return render(&state, &staff, email, Some(msg), None).await;
    }
    match form.get("action").map(String::as_str) {
        Some("export") => {
            let data = state.store.personal_data(&email).await?;
            let json = serde_json::to_string_pretty(&data.to_json())
                .map_err(|e| anyhow::anyhow!("cannot write JSON: {e}"))?;
            let name = format!(
                "personal-data-{}.json",
                email.replace(
                    |c: char| !c.is_ascii_alphanumeric() && c != '.' && c != '@',
                    "-"
                )
            );
            tracing::info!(user = staff.user.id, "personal data exported");
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/json; charset=utf-8".to_string(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                ],
                json,
            )
                .into_response())
        }
        Some(action @ ("anonymise" | "delete")) => {
            if form.get("confirm").map(String::as_str) != Some("yes") {
                let msg = state.i18n.t(&lang, "privacy-confirm-needed", None);
                return render(&state, &staff, email, Some(msg), None).await;
            }
            let anonymous = state.i18n.t(&lang, "anonymous", None);
            let erased = state
                .store
                .erase_personal_data(&email, action == "delete", &anonymous)
                .await?;
            state.content_changed().await;
            tracing::info!(user = staff.user.id, action, "personal data erased");
            let done = context! {
                anonymised => erased.comments_anonymised,
                deleted => erased.comments_deleted,
                subscriptions => erased.subscriptions,
                identities => erased.identities,
                emails => erased.emails,
                staff_kept => erased.staff_account_kept,
            };
            render(&state, &staff, email, None, Some(done)).await
        }
        _ => {
            let msg = state.i18n.t(&lang, "privacy-pick-action", None);
            render(&state, &staff, email, Some(msg), None).await
        }
    }
}
