//! Admin → Users: the staff accounts, inviting someone by email, changing a role,
//! switching an account off or on, and deleting one (its posts go to someone else).
//! Administrators only; nobody changes their own role or account here (that is how a
//! site loses its last administrator), and the store refuses to leave none.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::{page, staff_context};
use crate::domain::account::AccountLink;
use crate::domain::comment::plausible_email;
use crate::domain::role::Role;
use crate::store::{StaffChange, StoreError, UserRow};
use crate::web::error::{AppError, AppResult};
use crate::web::input::Form;
use crate::web::session::Staff;
use crate::web::AppState;

/// What the page says after an action (`?done=…`), by name: only these.
const DONE: &[(&str, &str)] = &[
    ("invited", "users-invited"),
    ("resent", "users-invitation-resent"),
    ("not-resent", "users-invitation-wait"),
    ("role", "users-role-changed"),
    ("off", "users-deactivated"),
    ("on", "users-activated"),
    ("removed", "users-removed"),
];

/// The form to invite someone, as typed.
#[derive(Default, serde::Serialize)]
struct Invite {
    email: String,
    name: String,
    role: String,
}

async fn users_page(
    state: &AppState,
    staff: &Staff,
    done: Option<&str>,
    error: Option<String>,
    invite: Invite,
) -> AppResult<Response> {
    let site = state.site();
    let lang = staff.language(&site).tag.to_string();
    let posts = state.store.post_counts_by_author().await?;
    let users: Vec<_> = state
        .store
        .list_users()
        .await?
        .into_iter()
        .map(|u| {
            context! {
                id => u.id,
                name => u.display_name,
                email => u.email,
                role => u.role,
                posts => posts.get(&u.id).copied().unwrap_or(0),
                invited => u.invited(),
                active => u.active(),
                since => state.i18n.date(&lang, u.created_at),
                is_me => u.id == staff.user.id,
            }
        })
        .collect();
    let notice = done.and_then(|d| DONE.iter().find(|(name, _)| *name == d).map(|(_, k)| *k));
    let ctx = staff_context(state, staff).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = state.templates.render(
        "admin/users.html",
        context! {
            users => users,
            roles => Role::ALL,
            notice => notice,
            error => error,
            invite => invite,
            ..ctx
        },
    )?;
    Ok(page(status, html))
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_manage_site())?;
    let invite = Invite {
        role: Role::Author.to_string(),
        ..Invite::default()
    };
    users_page(
        &state,
        &staff,
        q.get("done").map(String::as_str),
        None,
        invite,
    )
    .await
}

/// The account an action names, never the one acting.
async fn someone_else(state: &AppState, staff: &Staff, id: Option<&String>) -> AppResult<UserRow> {
    let id: i64 = id.and_then(|v| v.parse().ok()).ok_or(AppError::NotFound)?;
    if id == staff.user.id {
        return Err(AppError::forbidden("error-not-yourself"));
    }
    state.store.user_by_id(id).await?.ok_or(AppError::NotFound)
}

pub async fn act(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_manage_site())?;
    staff.verify_form(&form)?;
    let get = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let done = match get("action").as_str() {
        "invite" => return invite(&state, &staff, &form).await,
        "resend" => {
            let user = someone_else(&state, &staff, form.get("user")).await?;
            if !user.invited() {
                return Err(AppError::forbidden("error-already-has-password"));
            }
            let sent = state
                .notifier
                .account_link(&user, AccountLink::Invite, Some(&staff.user.display_name))
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            if sent {
                "resent"
            } else {
                "not-resent"
            }
        }
        "role" => {
            let user = someone_else(&state, &staff, form.get("user")).await?;
            let role: Role = get("role")
                .parse()
                .map_err(|_| AppError::bad_request("error-unknown-role"))?;
            if let Err(refused) = state
                .store
                .change_user(user.id, StaffChange::Role(role))
                .await
            {
                return refused_here(&state, &staff, refused).await;
            }
            tracing::info!(user = user.id, by = staff.user.id, %role, "role changed");
            "role"
        }
        action @ ("deactivate" | "activate") => {
            let user = someone_else(&state, &staff, form.get("user")).await?;
            let on = action == "activate";
            if let Err(refused) = state
                .store
                .change_user(user.id, StaffChange::Active(on))
                .await
            {
                return refused_here(&state, &staff, refused).await;
            }
            tracing::info!(user = user.id, by = staff.user.id, on, "account switched");
            if on {
                "on"
            } else {
                "off"
            }
        }
        _ => return Err(AppError::bad_request("error-unknown-action")),
    };
    Ok(Redirect::to(&format!("/admin/users?done={done}")).into_response())
}

/// A change the store refused, said on the users page; any other error as itself.
async fn refused_here(state: &AppState, staff: &Staff, err: StoreError) -> AppResult<Response> {
    let StoreError::Refused(key) = err else {
        return Err(err.into());
    };
    let site = state.site();
    let error = state.i18n.t(staff.language(&site).tag, key, None);
    users_page(state, staff, None, Some(error), Invite::default()).await
}

async fn invite(
    state: &AppState,
    staff: &Staff,
    form: &HashMap<String, String>,
) -> AppResult<Response> {
    let get = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let typed = Invite {
        email: get("email").to_lowercase(),
        name: get("name"),
        role: get("role"),
    };
    let site = state.site();
    let lang = staff.language(&site).tag.to_string();
    let refuse = |key: &'static str, typed: Invite| {
        let error = state.i18n.t(&lang, key, None);
        users_page(state, staff, None, Some(error), typed)
    };
    if !plausible_email(&typed.email) {
        return refuse("error-email-invalid", typed).await;
    }
    let Ok(role) = typed.role.parse::<Role>() else {
        return refuse("error-unknown-role", typed).await;
    };
    let name = if typed.name.is_empty() {
        typed
            .email
            .split('@')
            .next()
            .unwrap_or_default()
            .to_string()
    } else {
        typed.name.chars().take(100).collect()
    };
    let id = match state
        .store
        .insert_user(&typed.email, &name, None, role, false)
        .await
    {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => return refuse("error-user-exists", typed).await,
        Err(e) => return Err(e.into()),
    };
    let user = state
        .store
        .user_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    state
        .notifier
        .account_link(&user, AccountLink::Invite, Some(&staff.user.display_name))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    tracing::info!(user = id, by = staff.user.id, %role, "staff member invited");
    Ok(Redirect::to("/admin/users?done=invited").into_response())
}

/// `GET /admin/users/{id}/delete`: what deleting them means, and who gets their posts.
pub async fn delete_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    staff.require(staff.role.can_manage_site())?;
    let user = someone_else(&state, &staff, Some(&id.to_string())).await?;
    delete_page(&state, &staff, &user, None).await
}

async fn delete_page(
    state: &AppState,
    staff: &Staff,
    user: &UserRow,
    error: Option<String>,
) -> AppResult<Response> {
    let posts = state
        .store
        .post_counts_by_author()
        .await?
        .get(&user.id)
        .copied()
        .unwrap_or(0);
    let heirs: Vec<_> = state
        .store
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.id != user.id && u.role.can_write_posts())
        .map(|u| context! { id => u.id, name => u.display_name, email => u.email, is_me => u.id == staff.user.id })
        .collect();
    let status = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let ctx = staff_context(state, staff).await?;
    let html = state.templates.render(
        "admin/user_delete.html",
        context! {
            user => context! { id => user.id, name => user.display_name, email => user.email },
            posts => posts,
            heirs => heirs,
            error => error,
            ..ctx
        },
    )?;
    Ok(page(status, html))
}

pub async fn delete(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_manage_site())?;
    staff.verify_form(&form)?;
    let user = someone_else(&state, &staff, Some(&id.to_string())).await?;
    let heir = form.get("reassign").and_then(|v| v.parse::<i64>().ok());
    match state.store.remove_user(user.id, heir).await {
        Ok(moved) => {
            tracing::info!(
                user = user.id,
                by = staff.user.id,
                moved,
                ?heir,
                "staff account deleted"
            );
            if moved > 0 {
                state.content_changed().await;
            }
            Ok(Redirect::to("/admin/users?done=removed").into_response())
        }
        Err(StoreError::Refused(key)) => {
            let site = state.site();
            let error = state.i18n.t(staff.language(&site).tag, key, None);
            delete_page(&state, &staff, &user, Some(error)).await
        }
        Err(e) => Err(e.into()),
    }
}
