//! `/auth/NAME/start`, `/auth/NAME/callback`, `/auth/logout`: readers (and staff, by
//! single sign-on) signing in with an identity provider.
//!
//! The pending sign-in lives in the database, keyed by a random browser cookie
//! (`tribune_auth`), with the reader's draft comment. Every failure ends on the page the
//! reader came from, with a message and the draft back in the form; a half-finished
//! sign-in never leaves a session behind.

use std::collections::HashMap;

use crate::web::input::Form;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use minijinja::context;

use super::client::Client;
use super::error::{AppError, AppResult};
use super::public::{base_context, not_found_page, personal_response};
use super::{csrf, session, AppState};
use crate::auth::AuthError;
use crate::domain::comment::GuestInput;
use crate::store::IdentityRow;

pub const BROWSER_COOKIE: &str = "tribune_auth";
pub const COMMENTER_COOKIE: &str = "tribune_commenter";
const ATTEMPT_TTL_SECS: i64 = 600;
const COMMENTER_TTL_SECS: i64 = 30 * 24 * 3600;

/// The comment a reader had typed when they clicked a provider's icon.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Draft {
    pub post_id: i64,
    pub parent_id: i64,
    /// What they typed, the "Notify me" boxes included (stored flat, as before).
    #[serde(flatten)]
    pub form: GuestInput,
}

fn cookie(
    name: &'static str,
    value: String,
    secure: bool,
    max_age: Option<i64>,
) -> Cookie<'static> {
    let mut c = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax);
    if let Some(s) = max_age {
        c = c.max_age(time::Duration::seconds(s));
    }
    c.build()
}

fn browser_hash(jar: &CookieJar) -> Option<String> {
    jar.get(BROWSER_COOKIE)
        .map(axum_extra::extract::cookie::Cookie::value)
        .filter(|v| v.len() == 64)
        .map(crate::token::sha256_hex)
}

/// The reader signed in on this browser, if any.
pub async fn commenter(state: &AppState, jar: &CookieJar) -> Option<IdentityRow> {
    let token = jar.get(COMMENTER_COOKIE)?.value();
    let hash = crate::token::sha256_hex(token);
    if let Some(known) = state.known_sessions.get(&hash) {
        return known;
    }
    read_session(state, hash).await
}

/// [`commenter`] read from the database, for what the reader does (posting a comment).
pub async fn commenter_checked(state: &AppState, jar: &CookieJar) -> Option<IdentityRow> {
    let token = jar.get(COMMENTER_COOKIE)?.value();
    read_session(state, crate::token::sha256_hex(token)).await
}

async fn read_session(state: &AppState, hash: String) -> Option<IdentityRow> {
    match state.store.commenter_session(&hash).await {
        Ok(found) => {
            state.known_sessions.keep(hash, found.clone());
            found
        }
        Err(err) => {
            tracing::warn!(error = %err, "could not read commenter session");
            None
        }
    }
}

/// Commenter sessions as last read, for a few seconds, so a signed-in reader's page
/// view reads nothing from the database. A sign-out here forgets its entry at once;
/// on another instance it may show the reader's name for at most [`SESSION_MEMORY`]
/// (their browser has dropped the cookie by then anyway). What a reader posts is
/// always checked against the database.
#[derive(Default)]
pub struct KnownSessions(
    std::sync::Mutex<HashMap<String, (std::time::Instant, Option<IdentityRow>)>>,
);

const SESSION_MEMORY: std::time::Duration = std::time::Duration::from_secs(5);
/// More sessions than this (a stranger sending made-up cookies) and the old are swept.
const KNOWN_SESSIONS: usize = 10_000;

impl KnownSessions {
    fn get(&self, hash: &str) -> Option<Option<IdentityRow>> {
        let known = self.0.lock().expect("sessions lock");
        known
            .get(hash)
            .filter(|(at, _)| at.elapsed() < SESSION_MEMORY)
            .map(|(_, row)| row.clone())
    }

    fn keep(&self, hash: String, row: Option<IdentityRow>) {
        let mut known = self.0.lock().expect("sessions lock");
        if known.len() >= KNOWN_SESSIONS {
            known.retain(|_, (at, _)| at.elapsed() < SESSION_MEMORY);
            if known.len() >= KNOWN_SESSIONS {
                known.clear();
            }
        }
        known.insert(hash, (std::time::Instant::now(), row));
    }

    fn forget(&self, hash: &str) {
        self.0.lock().expect("sessions lock").remove(hash);
    }

    /// After any change that may end sessions (an identity erased, a site change).
    pub fn forget_all(&self) {
        self.0.lock().expect("sessions lock").clear();
    }
}

/// Ends the commenter session of cookie value `token`, in the database and here.
async fn end_session(state: &AppState, token: &str) -> AppResult<()> {
    let hash = crate::token::sha256_hex(token);
    state.store.delete_commenter_session(&hash).await?;
    state.known_sessions.forget(&hash);
    Ok(())
}

/// The draft this browser carried through a sign-in, if it belongs to `post_id`.
pub async fn draft_for(state: &AppState, jar: &CookieJar, post_id: i64) -> Option<Draft> {
    let hash = browser_hash(jar)?;
    let attempt = state.store.auth_attempt(&hash).await.ok()??;
    let draft: Draft = serde_json::from_str(&attempt.draft).ok()?;
    (draft.post_id == post_id).then_some(draft)
}

/// Forgets the draft once the comment it held has been posted.
pub async fn forget_draft(state: &AppState, jar: CookieJar) -> CookieJar {
    if let Some(hash) = browser_hash(&jar) {
        let _ = state.store.delete_auth_attempt(&hash).await;
        return jar.remove(Cookie::build(BROWSER_COOKIE).path("/").build());
    }
    jar
}

fn with_error(return_to: &str, code: &str, anchor: &str) -> String {
    let sep = if return_to.contains('?') { '&' } else { '?' };
    format!("{return_to}{sep}auth_error={code}{anchor}")
}

pub async fn start(
    State(state): State<AppState>,
    Path(name): Path<String>,
    client: Client,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    if !state.signin_starts.allow(client.ip).await {
        return Err(AppError::TooManyRequests);
    }
    let providers = state.auth();
    let Some(provider) = providers.get(&name) else {
        return Ok(not_found_page(&state));
    };
    let label = provider.label.clone();
    let staff = get("purpose") == "staff";
    let (return_to, draft) = if staff {
        csrf::verify(
            jar.get(csrf::COOKIE)
                .map(axum_extra::extract::cookie::Cookie::value),
            &get(csrf::FIELD),
        )?;
        if state.settings.staff_provider.as_deref() != Some(name.as_str()) {
            return Err(AppError::forbidden("error-staff-provider"));
        }
        ("/admin/login".to_string(), Draft::default())
    } else {
        let post_id: i64 = get("comment_post_ID")
            .trim()
            .parse()
            .map_err(|_| AppError::bad_request("error-signin-button"))?;
        // Only a post readers can see: the attempt's return address must not reveal
        // where a draft, private or scheduled post will live.
        let post = state
            .store
            .post_by_id(post_id)
            .await?
            .filter(|p| p.is_public(crate::store::now()));
        let Some(post) = post else {
            return Ok(not_found_page(&state));
        };
        let link = post.permalink();
        let draft = Draft {
            post_id,
            parent_id: get("comment_parent").trim().parse().unwrap_or(0),
            form: GuestInput {
                name: get("author"),
                email: get("email"),
                url: get("url"),
                body: get("comment"),
                notify_comments: !get("subscribe_comments").is_empty(),
                notify_posts: !get("subscribe_posts").is_empty(),
                shown: get("tribune_shown"),
            },
        };
        (link, draft)
    };
    let token = crate::token::random_hex(32);
    let hash = crate::token::sha256_hex(&token);
    let jar = jar.add(cookie(
        BROWSER_COOKIE,
        token,
        state.secure_cookies(&client),
        Some(24 * 3600),
    ));
    let redirect_uri = format!("{}/auth/{name}/callback", state.site.url());
    let draft_json = serde_json::to_string(&draft).map_err(|e| AppError::Internal(e.into()))?;
    let purpose = if staff { "staff" } else { "comment" };
    let begun = match state.auth().begin(&name, &redirect_uri).await {
        Ok(b) => b,
        Err(err) => {
            tracing::warn!(provider = name, error = %err, "could not start sign-in");
            // Keep the draft so the form comes back filled in.
            state
                .store
                .put_auth_attempt(&hash, &name, purpose, "", "", None, &return_to, &draft_json)
                .await?;
            let anchor = if staff { "" } else { "#respond" };
            return Ok((
                jar,
                Redirect::to(&with_error(&return_to, err.code(), anchor)),
            )
                .into_response());
        }
    };
    state
        .store
        .put_auth_attempt(
            &hash,
            &name,
            purpose,
            &begun.state,
            &begun.pkce_verifier,
            begun.nonce.as_deref(),
            &return_to,
            &draft_json,
        )
        .await?;
    let site = state.site();
    let html = state.templates.render(
        "connecting.html",
        context! { provider => label, url => begun.authorize_url, ..base_context(&state, &site) },
    )?;
    let mut res = personal_response(StatusCode::OK, html);
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    Ok((jar, res).into_response())
}

pub async fn callback(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    client: Client,
    device: session::Device,
    jar: CookieJar,
) -> AppResult<Response> {
    let attempt = match browser_hash(&jar) {
        Some(h) => state.store.auth_attempt(&h).await?.map(|a| (h, a)),
        None => None,
    };
    let Some((hash, attempt)) = attempt else {
        return Err(AppError::bad_request("auth-error-state"));
    };
    let staff = attempt.purpose == "staff";
    let fail = |err: AuthError| {
        tracing::warn!(provider = name, error = %err, "sign-in failed");
        let anchor = if staff { "" } else { "#respond" };
        Redirect::to(&with_error(&attempt.return_to, err.code(), anchor)).into_response()
    };
    if attempt.provider != name {
        return Ok(fail(AuthError::WrongState));
    }
    if let Some(error) = q.get("error") {
        let err = if error == "access_denied" {
            AuthError::Denied
        } else {
            AuthError::ProviderDown(error.clone())
        };
        let _ = state
            .store
            .spend_auth_state(&hash, attempt.state.as_deref().unwrap_or(""))
            .await;
        return Ok(fail(err));
    }
    let (Some(code), Some(given_state)) = (q.get("code"), q.get("state")) else {
        return Ok(fail(AuthError::WrongState));
    };
    let expected = attempt.state.clone().unwrap_or_default();
    if expected.is_empty() || !crate::token::constant_time_eq(&expected, given_state) {
        return Ok(fail(AuthError::WrongState));
    }
    if !state.store.spend_auth_state(&hash, &expected).await? {
        return Ok(fail(AuthError::WrongState));
    }
    if crate::store::now() - attempt.created_at > ATTEMPT_TTL_SECS {
        return Ok(fail(AuthError::Expired));
    }
    let redirect_uri = format!("{}/auth/{name}/callback", state.site.url());
    let identity = match state
        .auth()
        .finish(
            &name,
            &redirect_uri,
            code,
            &attempt.pkce_verifier,
            attempt.nonce.as_deref(),
        )
        .await
    {
        Ok(i) => i,
        Err(err) => return Ok(fail(err)),
    };

    if staff {
        let user = match &identity.email {
            Some(email) => state.store.user_by_email(email).await?,
            None => None,
        };
        let Some(user) = user.filter(crate::store::UserRow::active) else {
            tracing::warn!(provider = name, email = ?identity.email, "single sign-on: no staff account with this verified email");
            return Ok(Redirect::to("/admin/login?auth_error=nostaff").into_response());
        };
        state.store.delete_auth_attempt(&hash).await?;
        let jar = session::start(&state, jar, user.id, &client, &device).await?;
        tracing::info!(
            user = user.id,
            provider = name,
            "staff signed in by single sign-on"
        );
        return Ok((jar, Redirect::to("/admin/")).into_response());
    }

    let identity_id = state.store.upsert_identity(&identity).await?;
    // A new session at each sign-in; the old one ends.
    if let Some(old) = jar.get(COMMENTER_COOKIE) {
        end_session(&state, old.value()).await?;
    }
    let token = crate::token::random_hex(32);
    state
        .store
        .create_commenter_session(
            &crate::token::sha256_hex(&token),
            identity_id,
            COMMENTER_TTL_SECS,
        )
        .await?;
    let jar = jar.add(cookie(
        COMMENTER_COOKIE,
        token,
        state.secure_cookies(&client),
        Some(COMMENTER_TTL_SECS),
    ));
    tracing::info!(
        provider = name,
        identity = identity_id,
        "commenter signed in"
    );
    Ok((jar, Redirect::to(&format!("{}#respond", attempt.return_to))).into_response())
}

/// "Log Out" and "Change": end the commenter's session and show the icons again.
pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    if let Some(c) = jar.get(COMMENTER_COOKIE) {
        end_session(&state, c.value()).await?;
    }
    let jar = jar.remove(Cookie::build(COMMENTER_COOKIE).path("/").build());
    let back = session::safe_next(form.get("return_to").map(String::as_str));
    let back = if back == "/admin/" {
        "/".to_string()
    } else {
        back
    };
    Ok((jar, Redirect::to(&format!("{back}#respond"))).into_response())
}

/// The message for an `?auth_error=` code.
pub fn error_message(state: &AppState, lang: &str, code: &str) -> Option<String> {
    AuthError::CODES
        .contains(&code)
        .then(|| state.i18n.t(lang, &format!("auth-error-{code}"), None))
}
