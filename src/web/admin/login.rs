//! Staff sign-in and sign-out with email and password.

use std::collections::HashMap;

use crate::web::input::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;

use super::page;
use crate::domain::signin_throttle::Verdict;
use crate::web::client::Client;
use crate::web::error::{AppError, AppResult};
use crate::web::public::base_context;
use crate::web::{csrf, session, AppState};

struct LoginPage<'a> {
    email: &'a str,
    /// Arrived from choosing a password through an emailed link.
    password_set: bool,
    next: &'a str,
    error: Option<String>,
    status: StatusCode,
}

fn login_page(
    state: &AppState,
    client: &Client,
    jar: CookieJar,
    p: LoginPage<'_>,
) -> AppResult<Response> {
    let (jar, token) = csrf::pre_session_token(jar, state.secure_cookies(client));
    let site = state.site();
    let LoginPage {
        email,
        password_set: p_set,
        next,
        error,
        status,
    } = p;
    let html = state.templates.render(
        "admin/login.html",
        context! {
            csrf => token,
            email => email,
            next => next,
            error => error,
            password_set => p_set,
            sso => state.settings.staff_provider.as_deref().and_then(|n| {
                state.auth().get(n).map(|p| context! { name => p.name, label => p.label })
            }),
            ..base_context(state, &site)
        },
    )?;
    Ok((jar, page(status, html)).into_response())
}

pub async fn form(
    State(state): State<AppState>,
    client: Client,
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
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let page = LoginPage {
        email: "",
        password_set: q.get("password").is_some_and(|v| v == "set"),
        next: &next,
        error,
        status,
    };
    login_page(&state, &client, jar, page)
}

/// "Try again in 4 minutes." / "… 30 seconds."
fn wait_message(state: &AppState, lang: &str, verdict: Verdict) -> String {
    let secs = verdict.wait_secs().unwrap_or(1) as i64;
    let key = match verdict {
        Verdict::Locked(_) => "error-login-locked",
        _ => "error-login-slow-down",
    };
    let (unit, n) = if secs >= 60 {
        ("minutes", (secs + 59) / 60)
    } else {
        ("seconds", secs)
    };
    state
        .i18n
        .tr(lang, key, &[("unit", unit.into()), ("count", n.into())])
}

pub async fn submit(
    State(state): State<AppState>,
    client: Client,
    device: session::Device,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    csrf::verify_pre_session(&jar, &form)?;
    let next = session::safe_next(form.get("next").map(String::as_str));
    let email: String = get("email")
        .trim()
        .to_lowercase()
        .chars()
        .take(254)
        .collect();
    let site = state.site();
    let lang = state.i18n.resolve(&site.language).to_string();
    let verdict = state.signin_throttle.verdict(&email, client.ip).await;
    if verdict != Verdict::Allowed {
        tracing::warn!(email, ip = %client.ip, ?verdict, "sign-in refused: too many failures");
        let wait = verdict.wait_secs().unwrap_or(1);
        let page = LoginPage {
            email: &email,
            password_set: false,
            next: &next,
            error: Some(wait_message(&state, &lang, verdict)),
            status: StatusCode::TOO_MANY_REQUESTS,
        };
        let mut res = login_page(&state, &client, jar, page)?;
        if let Ok(v) = axum::http::HeaderValue::from_str(&wait.to_string()) {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        return Ok(res);
    }
    // A switched-off account is refused like a wrong password: the page does not
    // say which accounts exist.
    let user = state
        .store
        .user_by_email(&email)
        .await?
        .filter(crate::store::UserRow::active);
    let password = get("password");
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok =
        tokio::task::spawn_blocking(move || crate::passwords::verify(&password, hash.as_deref()))
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
    match (ok, user) {
        (true, Some(user)) => {
            tracing::info!(user = user.id, "staff signed in");
            state.signin_throttle.succeeded(&email, client.ip).await;
            let jar = session::start(&state, jar, user.id, &client, &device).await?;
            Ok((jar, Redirect::to(&next)).into_response())
        }
        _ => {
            tracing::info!(email, ip = %client.ip, "failed sign-in");
            state.signin_throttle.failed(&email, client.ip).await;
            let page = LoginPage {
                email: &email,
                password_set: false,
                next: &next,
                error: Some(state.i18n.t(&lang, "error-login-failed", None)),
                status: StatusCode::UNAUTHORIZED,
            };
            login_page(&state, &client, jar, page)
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
