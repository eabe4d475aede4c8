//! `/admin/profile`: what a staff member sets for themselves — their name and email,
//! their password, the language of their administration pages and of the emails
//! Tribune sends them — and the list of their sessions, to end the ones they do not
//! recognise ("Sign out everywhere").

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;

use super::{page, staff_context};
use crate::domain::account::{check_new_password, MIN_PASSWORD_CHARS};
use crate::domain::comment::plausible_email;
use crate::i18n::{speak, SHIPPED};
use crate::store::StoreError;
use crate::web::error::{AppError, AppResult};
use crate::web::input::Form;
use crate::web::session::{self, Staff};
use crate::web::AppState;

/// What the page says after a change (`?saved=…`), by name: only these.
const SAVED: &[(&str, &str)] = &[
    ("1", "profile-saved"),
    ("about", "profile-saved"),
    ("password", "profile-password-changed"),
    ("others", "profile-signed-out-others"),
    ("one", "profile-signed-out-one"),
];

/// What they typed in the "about you" section, kept when it is refused.
#[derive(serde::Serialize)]
struct About {
    name: String,
    email: String,
}

async fn profile_page(
    state: &AppState,
    staff: &Staff,
    saved: Option<&str>,
    errors: HashMap<&'static str, String>,
    about: About,
) -> AppResult<Response> {
    let site = state.site();
    let lang = staff.language(&site).tag.to_string();
    let now = crate::store::now();
    let sessions: Vec<_> = state
        .store
        .sessions_of(staff.user.id)
        .await?
        .into_iter()
        .map(|s| {
            context! {
                id => s.id_hash,
                this => s.id_hash == staff.session,
                started => state.i18n.datetime(&lang, s.created_at),
                ago => state.i18n.ago(&lang, s.created_at, now),
                ends => state.i18n.date(&lang, s.expires_at),
                browser => crate::domain::user_agent::describe(&s.user_agent),
                user_agent => s.user_agent,
                ip => s.ip,
            }
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let ctx = staff_context(state, staff).await?;
    let html = state.templates.render(
        "admin/profile.html",
        context! {
            languages => SHIPPED,
            chosen => staff.user.ui_lang.clone().unwrap_or_default(),
            site_language => speak(&site.language).name,
            saved => saved.and_then(|s| SAVED.iter().find(|(n, _)| *n == s).map(|(_, k)| *k)),
            errors => errors,
            about => about,
            sessions => sessions,
            min_password => MIN_PASSWORD_CHARS,
            ..ctx
        },
    )?;
    Ok(page(status, html))
}

fn as_saved(staff: &Staff) -> About {
    About {
        name: staff.user.display_name.clone(),
        email: staff.user.email.clone(),
    }
}

pub async fn form(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let about = as_saved(&staff);
    let saved = q.get("saved").map(String::as_str);
    profile_page(&state, &staff, saved, HashMap::new(), about).await
}

/// Whether `password` is the staff member's current one (the hash is read again: the
/// session's copy of the account carries none).
async fn is_current_password(state: &AppState, staff: &Staff, password: &str) -> AppResult<bool> {
    let hash = state
        .store
        .user_by_id(staff.user.id)
        .await?
        .and_then(|u| u.password_hash);
    let password = password.to_string();
    tokio::task::spawn_blocking(move || crate::passwords::verify(&password, hash.as_deref()))
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

pub async fn save(
    State(state): State<AppState>,
    staff: Staff,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.verify_form(&form)?;
    let get = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let site = state.site();
    let lang = staff.language(&site).tag.to_string();
    let t = |k: &str| state.i18n.t(&lang, k, None);
    let saved = match get("action").as_str() {
        // The language form (also what older pages sent, without an action).
        "" | "language" => {
            // Empty (or a language Tribune does not ship): the site's language.
            let lang = form
                .get("ui_lang")
                .and_then(|t| SHIPPED.iter().find(|l| l.tag == t.as_str()))
                .map(|l| l.tag);
            state.store.set_user_language(staff.user.id, lang).await?;
            tracing::info!(user = staff.user.id, lang, "administration language chosen");
            "1"
        }
        "about" => {
            let about = About {
                name: get("name").chars().take(100).collect(),
                email: get("email").to_lowercase(),
            };
            let mut errors = HashMap::new();
            if about.name.is_empty() {
                errors.insert("name", t("error-display-name-required"));
            }
            if !plausible_email(&about.email) {
                errors.insert("email", t("error-email-invalid"));
            } else if about.email != staff.user.email
                && !is_current_password(
                    &state,
                    &staff,
                    &form.get("current").cloned().unwrap_or_default(),
                )
                .await?
            {
                // A borrowed session must not be enough to take the account over.
                errors.insert("current", t("error-current-password"));
            }
            if errors.is_empty() {
                match state
                    .store
                    .update_user_profile(staff.user.id, &about.name, &about.email)
                    .await
                {
                    Ok(()) => {}
                    Err(StoreError::Conflict(_)) => {
                        errors.insert("email", t("error-user-exists"));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            if !errors.is_empty() {
                return profile_page(&state, &staff, None, errors, about).await;
            }
            // Their name is on their posts.
            state.content_changed().await;
            "about"
        }
        "password" => {
            let password = form.get("password").cloned().unwrap_or_default();
            let again = form.get("password2").map(String::as_str).unwrap_or("");
            let mut errors = HashMap::new();
            if !is_current_password(
                &state,
                &staff,
                &form.get("current").cloned().unwrap_or_default(),
            )
            .await?
            {
                errors.insert("current", t("error-current-password"));
            } else if let Err(problem) = check_new_password(&password, Some(again)) {
                let text = state.i18n.tr(
                    &lang,
                    problem.key(),
                    &[("min", (MIN_PASSWORD_CHARS as i64).into())],
                );
                errors.insert("password", text);
            }
            if !errors.is_empty() {
                return profile_page(&state, &staff, None, errors, as_saved(&staff)).await;
            }
            let hash = super::setup::hash_password(password).await?;
            // This browser stays signed in; every other session ends.
            state
                .store
                .set_password(staff.user.id, &hash, Some(&staff.session))
                .await?;
            tracing::info!(user = staff.user.id, "password changed");
            "password"
        }
        "signout-others" => {
            let n = state
                .store
                .end_sessions(staff.user.id, None, Some(&staff.session))
                .await?;
            tracing::info!(
                user = staff.user.id,
                ended = n,
                "signed out everywhere else"
            );
            "others"
        }
        "signout-one" => {
            let one = get("session");
            if one == staff.session {
                return sign_out_here(&state, jar).await;
            }
            state
                .store
                .end_sessions(staff.user.id, Some(&one), None)
                .await?;
            "one"
        }
        "signout-all" => {
            state.store.end_sessions(staff.user.id, None, None).await?;
            tracing::info!(user = staff.user.id, "signed out everywhere");
            return sign_out_here(&state, jar).await;
        }
        _ => return Err(AppError::bad_request("error-unknown-action")),
    };
    Ok(Redirect::to(&format!("/admin/profile?saved={saved}")).into_response())
}

async fn sign_out_here(state: &AppState, jar: CookieJar) -> AppResult<Response> {
    let jar = session::end(state, jar).await?;
    Ok((jar, Redirect::to("/admin/login")).into_response())
}
