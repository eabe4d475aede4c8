//! Staff sessions: a random token in an HttpOnly cookie, the session itself in the
//! database (so several instances share it). Rotated at sign-in, ended at sign-out.

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::error::AppError;
use super::AppState;
use crate::domain::role::Role;
use crate::store::UserRow;

pub const COOKIE: &str = "tribune_session";
/// Says "a staff member uses this browser" to the public pages' script, which then
/// asks for the staff bar. Not a credential: the bar is only given for a session.
pub const HINT_COOKIE: &str = "tribune_staff";
const TTL_SECS: i64 = 14 * 24 * 3600;

/// A signed-in staff member.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user: UserRow,
    pub role: Role,
    pub csrf: String,
    /// The stored hash of this browser's session token.
    pub session: String,
}

impl Staff {
    /// This staff member acting from the admin pages, for the activity log.
    pub fn actor(&self) -> crate::domain::activity::Actor {
        crate::domain::activity::Actor::staff(
            self.user.id,
            &self.user.display_name,
            crate::domain::activity::Source::Admin,
        )
    }

    /// Checks an admin form's CSRF token against this session's.
    pub fn verify_form(
        &self,
        form: &std::collections::HashMap<String, String>,
    ) -> Result<(), AppError> {
        super::csrf::verify(
            Some(&self.csrf),
            form.get(super::csrf::FIELD)
                .map(String::as_str)
                .unwrap_or(""),
        )
    }

    /// The language their administration pages speak: the one they chose in their
    /// profile, else the site's.
    pub fn language(
        &self,
        site: &crate::domain::settings::SiteSettings,
    ) -> &'static crate::i18n::Language {
        self.user
            .ui_lang
            .as_deref()
            .and_then(crate::i18n::shipped)
            .unwrap_or_else(|| crate::i18n::speak(&site.language))
    }

    pub fn require(&self, allowed: bool) -> Result<(), AppError> {
        if allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                super::error::Message::new("error-role")
                    .arg_key("role", format!("role-{}", self.role)),
            ))
        }
    }
}

/// Where a request for a staff page goes when nobody is signed in.
pub struct SignInFirst(String);

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        let next: String = form_urlencoded::byte_serialize(self.0.as_bytes()).collect();
        Redirect::to(&format!("/admin/login?next={next}")).into_response()
    }
}

pub async fn current(state: &AppState, jar: &CookieJar) -> Option<Staff> {
    let token = jar.get(COOKIE)?.value();
    let id_hash = crate::token::sha256_hex(token);
    let session = match state.store.session(&id_hash).await {
        Ok(s) => s?,
        Err(err) => {
            tracing::warn!(error = %err, "could not read session");
            return None;
        }
    };
    let role = session.user.role;
    Some(Staff {
        user: session.user,
        role,
        csrf: session.csrf_token,
        session: id_hash,
    })
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = SignInFirst;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let path = parts
            .extensions
            .get::<OriginalUri>()
            .map(|u| u.0.path().to_string())
            .unwrap_or_else(|| "/admin/".into());
        current(state, &jar).await.ok_or(SignInFirst(path))
    }
}

/// The browser a session is started from, as its `User-Agent` names it: kept with the
/// session so its owner can tell their sessions apart.
pub struct Device(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Device {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Ok(Device(
            agent
                .chars()
                .filter(|c| !c.is_control())
                .take(300)
                .collect(),
        ))
    }
}

/// Starts a session for `user_id`, replacing any session the browser had. The cookie is
/// `Secure` when the reader came over HTTPS (see [`AppState::secure_cookies`]).
pub async fn start(
    state: &AppState,
    jar: CookieJar,
    user_id: i64,
    client: &super::client::Client,
    device: &Device,
) -> Result<CookieJar, AppError> {
    let secure = state.secure_cookies(client);
    if let Some(old) = jar.get(COOKIE) {
        state
            .store
            .delete_session(&crate::token::sha256_hex(old.value()))
            .await?;
    }
    let token = crate::token::random_hex(32);
    let csrf = crate::token::random_hex(32);
    state
        .store
        .create_session(
            &crate::token::sha256_hex(&token),
            user_id,
            &csrf,
            TTL_SECS,
            (&device.0, &client.ip.to_string()),
        )
        .await?;
    let cookie = Cookie::build((COOKIE, token))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(TTL_SECS))
        .build();
    let hint = Cookie::build((HINT_COOKIE, "1"))
        .path("/")
        .http_only(false)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(TTL_SECS))
        .build();
    Ok(jar.add(cookie).add(hint))
}

/// The staff hint cookie, to remove.
pub fn hint_cookie_removal() -> Cookie<'static> {
    Cookie::build(HINT_COOKIE).path("/").build()
}

/// Ends the browser's session, in the database and in the cookie.
pub async fn end(state: &AppState, jar: CookieJar) -> Result<CookieJar, AppError> {
    if let Some(old) = jar.get(COOKIE) {
        state
            .store
            .delete_session(&crate::token::sha256_hex(old.value()))
            .await?;
    }
    Ok(jar
        .remove(Cookie::build(COOKIE).path("/").build())
        .remove(hint_cookie_removal()))
}

/// A `next` address that can only lead to a page on this site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n.to_string()
        }
        _ => "/admin/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next(Some("/admin/comments")), "/admin/comments");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "evil",
            "/a\\b",
            "/a\nb",
        ] {
            assert_eq!(safe_next(Some(bad)), "/admin/", "{bad}");
        }
        assert_eq!(safe_next(None), "/admin/");
    }
}
