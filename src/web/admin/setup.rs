//! The one-time setup form that creates the first admin account, and the dashboard.

use std::collections::HashMap;

use crate::web::input::Form;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;

use super::{page, staff_context};
use crate::domain::comment::plausible_email;
use crate::domain::site_url::SiteUrl;
use crate::web::client::Client;
use crate::web::error::{AppError, AppResult};
use crate::web::public::base_context;
use crate::web::{csrf, session, AppState};

use crate::domain::account::{check_new_password, MIN_PASSWORD_CHARS};

/// Hashes a password with Argon2id on a blocking thread.
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || crate::passwords::hash(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(AppError::Internal)
}

pub async fn index(
    State(state): State<AppState>,
    client: Client,
    jar: CookieJar,
) -> AppResult<Response> {
    if state.store.count_admins().await? == 0 {
        return setup_page(&state, &client, jar, HashMap::new(), Vec::new());
    }
    let Some(staff) = session::current(&state, &jar).await else {
        return Ok(Redirect::to("/admin/login").into_response());
    };
    let ctx = staff_context(&state, &staff).await?;
    let counts = state.store.queue_counts().await?;
    let html = state
        .templates
        .render("admin/dashboard.html", context! { counts => counts, ..ctx })?;
    Ok(page(StatusCode::OK, html))
}

fn setup_page(
    state: &AppState,
    client: &Client,
    jar: CookieJar,
    values: HashMap<String, String>,
    errors: Vec<String>,
) -> AppResult<Response> {
    let (jar, token) = csrf::pre_session_token(jar, state.secure_cookies(client));
    let site = state.site();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let html = state.templates.render(
        "admin/setup.html",
        context! {
            csrf => token,
            errors => errors,
            site_title => if values.is_empty() { site.title.clone() } else { get("site_title") },
            name => get("name"),
            email => get("email"),
            min_password => MIN_PASSWORD_CHARS, ..base_context(state, &site)
        },
    )?;
    Ok((jar, page(status, html)).into_response())
}

/// The address the browser used to reach the site (`https://example.org`), as
/// WordPress records its site address at installation: the `Host` it sent and the
/// scheme it used (HTTPS if a trusted proxy said so).
fn address_used(client: &Client, headers: &HeaderMap) -> Option<SiteUrl> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let valid = !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    if !valid {
        return None;
    }
    let scheme = if client.https { "https" } else { "http" };
    SiteUrl::parse(&format!("{scheme}://{host}")).ok()
}

pub async fn submit(
    State(state): State<AppState>,
    client: Client,
    device: session::Device,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let get = |k: &str| {
        form.get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    csrf::verify_pre_session(&jar, &form)?;
    if state.store.count_admins().await? > 0 {
        return Err(AppError::forbidden("error-already-set-up"));
    }
    let site = state.site();
    let lang = state.i18n.resolve(&site.language).to_string();
    let t = |k: &str| state.i18n.t(&lang, k, None);
    let (name, email, title) = (get("name"), get("email").to_lowercase(), get("site_title"));
    let password = form.get("password").cloned().unwrap_or_default();
    let mut errors = Vec::new();
    if title.is_empty() {
        errors.push(t("error-site-title-required"));
    }
    if name.is_empty() {
        errors.push(t("error-display-name-required"));
    }
    if !plausible_email(&email) {
        errors.push(t("error-email-invalid"));
    }
    if let Err(problem) = check_new_password(
        &password,
        Some(form.get("password2").map(String::as_str).unwrap_or("")),
    ) {
        errors.push(state.i18n.tr(
            &lang,
            problem.key(),
            &[("min", (MIN_PASSWORD_CHARS as i64).into())],
        ));
    }
    if !errors.is_empty() {
        let mut values = form.clone();
        values.remove("password");
        values.remove("password2");
        return setup_page(&state, &client, jar, values, errors);
    }
    let hash = hash_password(password).await?;
    let id = match state
        .store
        .insert_user(
            &email,
            &name,
            Some(&hash),
            crate::domain::role::Role::Admin,
            true,
        )
        .await
    {
        Ok(id) => id,
        Err(crate::store::StoreError::Conflict(_)) => {
            return Err(AppError::forbidden("error-already-set-up"))
        }
        Err(e) => return Err(e.into()),
    };
    let mut settings = vec![("title", title)];
    if !state.site.url_known() {
        if let Some(address) = address_used(&client, &headers) {
            tracing::info!(
                %address,
                "site address recorded at setup; change it in Settings"
            );
            settings.push(("site_url", address.to_string()));
        }
    }
    state.store.put_settings(&settings, true).await?;
    state.content_changed().await;
    tracing::info!(user = id, "site set up; first admin account created");
    let jar = session::start(&state, jar, id, &client, &device).await?;
    Ok((jar, Redirect::to("/admin/")).into_response())
}
