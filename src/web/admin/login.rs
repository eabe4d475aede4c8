//! Staff sign-in and sign-out with email and password.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;

use super::page;
use crate::web::error::{AppError, AppResult};
use crate::web::public::base_context;
use crate::web::{csrf, session, AppState};

fn login_page(
    state: &AppState,
    jar: CookieJar,
    email: &str,
    next: &str,
    error: Option<String>,
) -> AppResult<Response> {
    let (jar, token) = csrf::pre_session_token(jar, state.secure_cookies());
    let site = state.site();
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let html = state.templates.render(
        "admin/login.html",
        context! {
            csrf => token,
            email => email,
            next => next,
            error => error,
            sso => state.config.staff_provider.as_deref().and_then(|n| {
                state.auth().get(n).map(|p| context! { name => p.name, label => p.label })
            }),
            ..base_context(state, &site)
        },
    )?;
    Ok((jar, page(status, html)).into_response())
}

pub async fn form(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let next = session::safe_next(q.get("next").map(String::as_str));
    if session::current(&state, &jar).await.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    if state.store.count_admins().await? == 0 {
        return Ok(Redirect::to("/admin/").into_response());
    }
    let site = state.site();
    let lang = state.i18n.resolve(&site.language).to_string();
    let error = q
        .get("auth_error")
        .and_then(|c| crate::web::signin::error_message(&state, &lang, c));
    login_page(&state, jar, "", &next, error)
}

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    csrf::verify(jar.get(csrf::COOKIE).map(|c| c.value()), &get(csrf::FIELD))?;
    let next = session::safe_next(form.get("next").map(String::as_str));
    let email = get("email").trim().to_lowercase();
    let site = state.site();
    let lang = state.i18n.resolve(&site.language).to_string();
    if !state.limiter.allow(peer.ip()) {
        let msg = state.i18n.t(&lang, "error-rate-limited", None);
        return login_page(&state, jar, &email, &next, Some(msg));
    }
    let user = state.store.user_by_email(&email).await?;
    let password = get("password");
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok =
        tokio::task::spawn_blocking(move || crate::passwords::verify(&password, hash.as_deref()))
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
    match (ok, user) {
        (true, Some(user)) => {
            tracing::info!(user = user.id, "staff signed in");
            let jar = session::start(&state, jar, user.id).await?;
            Ok((jar, Redirect::to(&next)).into_response())
        }
        _ => {
            tracing::info!(email, "failed sign-in");
            let msg = state.i18n.t(&lang, "error-login-failed", None);
            login_page(&state, jar, &email, &next, Some(msg))
        }
    }
}

pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    if let Some(staff) = session::current(&state, &jar).await {
        staff.verify_form(&form)?;
    }
    let jar = session::end(&state, jar).await?;
    Ok((jar, Redirect::to("/admin/login")).into_response())
}
