//! Sign-in with identity providers: any OpenID Connect provider by issuer, and presets
//! for Google (OIDC), Facebook, X/Twitter, WordPress.com and GitHub (OAuth 2.0).
//!
//! Authorization code flow only, PKCE always, a `state` bound to the browser, an OIDC
//! `nonce`, ID tokens checked against the provider's JWKS (signature, issuer, audience,
//! expiry, nonce) by the `openidconnect` crate. This module talks to providers over
//! HTTP and maps what they return to a [`NewIdentity`]; it knows nothing of pages.

pub mod flow;
pub mod profile;

use std::collections::BTreeMap;
use std::fmt;

pub use flow::{Begun, Providers};

/// A secret from configuration; never printed.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How a provider's user profile is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileShape {
    /// OpenID Connect standard claims (ID token and userinfo).
    Oidc,
    Facebook,
    Twitter,
    WordPress,
    GitHub,
}

/// How Tribune reaches a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protocol {
    /// Discovery from `issuer`, ID token verified with the provider's JWKS.
    Oidc { issuer: String },
    /// Plain OAuth 2.0: a token, then the profile from `userinfo_url`.
    OAuth2 {
        authorize_url: String,
        token_url: String,
        userinfo_url: String,
        /// Send the client secret in the request body instead of HTTP Basic.
        secret_in_body: bool,
    },
}

/// One enabled provider.
#[derive(Debug, Clone)]
pub struct ProviderSettings {
    /// The name in URLs (`/auth/NAME/callback`) and config (`[auth.NAME]`).
    pub name: String,
    pub label: String,
    pub protocol: Protocol,
    pub shape: ProfileShape,
    pub scopes: Vec<String>,
    pub client_id: String,
    pub client_secret: Secret,
}

/// The presets: `(name, label)`.
pub const PRESETS: &[(&str, &str)] = &[
    ("google", "Google"),
    ("facebook", "Facebook"),
    ("twitter", "X"),
    ("wordpress", "WordPress.com"),
    ("github", "GitHub"),
];

fn scopes(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

/// Settings for a preset provider with the owner's client id and secret.
pub fn preset(name: &str, client_id: String, client_secret: Secret) -> Option<ProviderSettings> {
    let oauth2 = |a: &str, t: &str, u: &str, body: bool| Protocol::OAuth2 {
        authorize_url: a.into(),
        token_url: t.into(),
        userinfo_url: u.into(),
        secret_in_body: body,
    };
    let (protocol, shape, scope) = match name {
        "google" => (
            Protocol::Oidc {
                issuer: "https://accounts.google.com".into(),
            },
            ProfileShape::Oidc,
            "openid email profile",
        ),
        "facebook" => (
            oauth2(
                "https://www.facebook.com/v19.0/dialog/oauth",
                "https://graph.facebook.com/v19.0/oauth/access_token",
                "https://graph.facebook.com/me?fields=id,name,email,link,picture.type(large)",
                true,
            ),
            ProfileShape::Facebook,
            "public_profile email",
        ),
        "twitter" => (
            oauth2(
                "https://x.com/i/oauth2/authorize",
                "https://api.x.com/2/oauth2/token",
                "https://api.x.com/2/users/me?user.fields=profile_image_url,username,name",
                false,
            ),
            ProfileShape::Twitter,
            "users.read tweet.read",
        ),
        "wordpress" => (
            oauth2(
                "https://public-api.wordpress.com/oauth2/authorize",
                "https://public-api.wordpress.com/oauth2/token",
                "https://public-api.wordpress.com/rest/v1/me",
                true,
            ),
            ProfileShape::WordPress,
            "auth",
        ),
        "github" => (
            oauth2(
                "https://github.com/login/oauth/authorize",
                "https://github.com/login/oauth/access_token",
                "https://api.github.com/user",
                true,
            ),
            ProfileShape::GitHub,
            "read:user",
        ),
        _ => return None,
    };
    let label = PRESETS.iter().find(|(n, _)| *n == name)?.1.to_string();
    Some(ProviderSettings {
        name: name.into(),
        label,
        protocol,
        shape,
        scopes: scopes(scope),
        client_id,
        client_secret,
    })
}

/// A generic OpenID Connect provider (`[auth.oidc.NAME]`).
pub fn oidc(
    name: &str,
    label: &str,
    issuer: &str,
    client_id: String,
    client_secret: Secret,
) -> ProviderSettings {
    ProviderSettings {
        name: name.into(),
        label: label.into(),
        protocol: Protocol::Oidc {
            issuer: issuer.trim_end_matches('/').into(),
        },
        shape: ProfileShape::Oidc,
        scopes: scopes("openid email profile"),
        client_id,
        client_secret,
    }
}

/// A generic OAuth 2.0 provider whose profile endpoint speaks OIDC claims
/// (`[auth.oauth2.NAME]`).
#[allow(clippy::too_many_arguments)]
pub fn oauth2(
    name: &str,
    label: &str,
    authorize_url: &str,
    token_url: &str,
    userinfo_url: &str,
    scope: &str,
    client_id: String,
    client_secret: Secret,
) -> ProviderSettings {
    ProviderSettings {
        name: name.into(),
        label: label.into(),
        protocol: Protocol::OAuth2 {
            authorize_url: authorize_url.into(),
            token_url: token_url.into(),
            userinfo_url: userinfo_url.into(),
            secret_in_body: false,
        },
        shape: ProfileShape::Oidc,
        scopes: scopes(scope),
        client_id,
        client_secret,
    }
}

/// Why a sign-in did not complete. Each maps to a message for the reader.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no sign-in provider named `{0}` is enabled")]
    UnknownProvider(String),
    #[error("the reader declined at the provider")]
    Denied,
    #[error("the sign-in did not start in this browser, or was already used")]
    WrongState,
    #[error("the sign-in took too long")]
    Expired,
    #[error("the provider refused the code (used twice or expired): {0}")]
    CodeRejected(String),
    #[error("the provider's answer could not be verified: {0}")]
    BadToken(String),
    #[error("the provider could not be reached: {0}")]
    ProviderDown(String),
    #[error("the provider's profile lacks {0}")]
    Profile(String),
}

impl AuthError {
    /// A short code for URLs, and the translation key of its message.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::UnknownProvider(_) => "unknown",
            AuthError::Denied => "denied",
            AuthError::WrongState => "state",
            AuthError::Expired => "expired",
            AuthError::CodeRejected(_) => "code",
            AuthError::BadToken(_) => "token",
            AuthError::ProviderDown(_) => "down",
            AuthError::Profile(_) => "profile",
        }
    }

    pub const CODES: &'static [&'static str] = &[
        "unknown", "denied", "state", "expired", "code", "token", "down", "profile", "nostaff",
    ];
}

/// The enabled providers by name.
pub type ProviderMap = BTreeMap<String, ProviderSettings>;
