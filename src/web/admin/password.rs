//! Choosing a password without being signed in: "Lost your password?" sends a link by
//! email; the link (or an invitation's) opens a form to choose one. The answer to a
//! request never says whether the address has an account; a link works once, for a
//! short time (`domain::account`, `links::account`).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;

use super::page;
use crate::domain::account::{check_new_password, AccountLink, MIN_PASSWORD_CHARS};
use crate::domain::comment::plausible_email;
use crate::store::UserRow;
use crate::web::client::Client;
use crate::web::error::{AppError, AppResult};
use crate::web::input::Form;
use crate::web::public::base_context;
use crate::web::{csrf, AppState};

/// `GET /admin/lost-password`.
pub async fn lost_form(
    State(state): State<AppState>,
    client: Client,
    jar: CookieJar,
) -> AppResult<Response> {
    lost_page(&state, &client, jar, "", false, StatusCode::OK)
}

fn lost_page(
    state: &AppState,
    client: &Client,
    jar: CookieJar,
    email: &str,
    sent: bool,
    status: StatusCode,
) -> AppResult<Response> {
    let (jar, token) = csrf::pre_session_token(jar, state.secure_cookies(client));
    let site = state.site();
    let html = state.templates.render(
        "admin/lost_password.html",
        context! {
            csrf => token,
            email => email,
            sent => sent,
            error => (status != StatusCode::OK).then_some(()),
            hours => AccountLink::Reset.ttl_secs() / 3600,
            ..base_context(state, &site)
        },
    )?;
    Ok((jar, page(status, html)).into_response())
}

/// `POST /admin/lost-password`: queues the link when the address is an active staff
/// account's, and answers the same either way.
pub async fn lost_submit(
    State(state): State<AppState>,
    client: Client,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    csrf::verify_pre_session(&jar, &form)?;
    let email: String = form
        .get("email")
        .map(|e| e.trim().to_lowercase())
        .unwrap_or_default()
        .chars()
        .take(254)
        .collect();
    if !plausible_email(&email) {
        return lost_page(
            &state,
            &client,
            jar,
            &email,
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    // A stranger can trigger this: the sign-in starts' limit per address applies.
    if !state.signin_starts.allow(client.ip).await {
        return Err(AppError::TooManyRequests);
    }
    match state.store.user_by_email(&email).await? {
        Some(user) if user.active() => {
            match state
                .notifier
                .account_link(&user, AccountLink::Reset, None)
                .await
            {
                Ok(true) => tracing::info!(user = user.id, "password reset link sent"),
                Ok(false) => tracing::info!(user = user.id, "password reset asked again too soon"),
                Err(err) => return Err(AppError::Internal(err.into())),
            }
        }
        _ => tracing::info!(ip = %client.ip, "password reset asked for an unknown address"),
    }
    lost_page(&state, &client, jar, &email, true, StatusCode::OK)
}

/// The account and purpose a link names, if it still works.
async fn linked_user(
    state: &AppState,
    q: &HashMap<String, String>,
) -> AppResult<Option<(UserRow, AccountLink)>> {
    let num = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok());
    let (Some(id), Some(expires)) = (num("u"), num("exp")) else {
        return Ok(None);
    };
    let Some(purpose) = q.get("p").and_then(|p| p.parse::<AccountLink>().ok()) else {
        return Ok(None);
    };
    let sig = q.get("sig").map(String::as_str).unwrap_or("");
    let Some(user) = state.store.user_by_id(id).await? else {
        return Ok(None);
    };
    let valid = crate::links::account_valid(
        &state.site,
        purpose,
        &user,
        expires,
        sig,
        crate::store::now(),
    );
    Ok(valid.then_some((user, purpose)))
}

struct SetPage<'a> {
    q: &'a HashMap<String, String>,
    found: Option<&'a (UserRow, AccountLink)>,
    error: Option<String>,
    status: StatusCode,
}

fn set_page(
    state: &AppState,
    client: &Client,
    jar: CookieJar,
    p: SetPage<'_>,
) -> AppResult<Response> {
    let (jar, token) = csrf::pre_session_token(jar, state.secure_cookies(client));
    let site = state.site();
    let keep = |k: &str| p.q.get(k).cloned().unwrap_or_default();
    let html = state.templates.render(
        "admin/password.html",
        context! {
            csrf => token,
            valid => p.found.is_some(),
            email => p.found.map(|(u, _)| u.email.clone()),
            name => p.found.map(|(u, _)| u.display_name.clone()),
            invite => p.found.is_some_and(|(_, purpose)| *purpose == AccountLink::Invite),
            link => context! { u => keep("u"), p => keep("p"), exp => keep("exp"), sig => keep("sig") },
            error => p.error,
            min_password => MIN_PASSWORD_CHARS,
            ..base_context(state, &site)
        },
    )?;
    let mut res = (jar, page(p.status, html)).into_response();
    // The link's signature must not leak to other sites through the Referer.
    res.headers_mut().insert(
        axum::http::header::REFERRER_POLICY,
        axum::http::HeaderValue::from_static("no-referrer"),
    );
    Ok(res)
}

/// `GET /admin/password?u=…&p=…&exp=…&sig=…`: the form, or why the link no longer works.
pub async fn set_form(
    State(state): State<AppState>,
    client: Client,
    jar: CookieJar,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let found = linked_user(&state, &q).await?;
    let status = if found.is_some() {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    let p = SetPage {
        q: &q,
        found: found.as_ref(),
        error: None,
        status,
    };
    set_page(&state, &client, jar, p)
}

/// `POST /admin/password`: sets the password, ends every session of theirs, and sends
/// them to sign in with it.
pub async fn set_submit(
    State(state): State<AppState>,
    client: Client,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    csrf::verify_pre_session(&jar, &form)?;
    let Some(found) = linked_user(&state, &form).await? else {
        let p = SetPage {
            q: &form,
            found: None,
            error: None,
            status: StatusCode::GONE,
        };
        return set_page(&state, &client, jar, p);
    };
    let password = form.get("password").cloned().unwrap_or_default();
    let again = form.get("password2").map(String::as_str).unwrap_or("");
    if let Err(problem) = check_new_password(&password, Some(again)) {
        let site = state.site();
        let lang = state.i18n.resolve(&site.language).to_string();
        let error = state.i18n.tr(
            &lang,
            problem.key(),
            &[("min", (MIN_PASSWORD_CHARS as i64).into())],
        );
        let p = SetPage {
            q: &form,
            found: Some(&found),
            error: Some(error),
            status: StatusCode::UNPROCESSABLE_ENTITY,
        };
        return set_page(&state, &client, jar, p);
    }
    let hash = super::setup::hash_password(password).await?;
    let (user, purpose) = found;
    let replaced = state
        .store
        .replace_password(user.id, user.password_hash.as_deref(), &hash)
        .await?;
    if !replaced {
        // Someone used this link a moment ago, in another tab.
        let p = SetPage {
            q: &form,
            found: None,
            error: None,
            status: StatusCode::GONE,
        };
        return set_page(&state, &client, jar, p);
    }
    tracing::info!(user = user.id, %purpose, "password chosen through an emailed link");
    Ok(Redirect::to("/admin/login?password=set").into_response())
}
