//! The authorization code flow with PKCE, for OpenID Connect and plain OAuth 2.0.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, TokenResponse,
};
use serde_json::Value;

use super::{profile, AuthError, ProfileShape, Protocol, ProviderMap, ProviderSettings};
use crate::store::NewIdentity;

/// An OpenID Connect client made from discovery: endpoints set as the issuer published them.
type OidcClient = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

const DISCOVERY_TTL: Duration = Duration::from_secs(3600);

/// A started sign-in: where to send the browser, and what to keep until it returns.
#[derive(Debug, Clone)]
pub struct Begun {
    pub authorize_url: String,
    pub state: String,
    pub pkce_verifier: String,
    pub nonce: Option<String>,
}

/// The enabled providers, an HTTP client that never follows redirects, and cached
/// OpenID discovery documents (with their JWKS).
pub struct Providers {
    providers: ProviderMap,
    http: reqwest::Client,
    discovered: Mutex<HashMap<String, (Instant, CoreProviderMetadata)>>,
}

fn down(e: impl std::fmt::Display) -> AuthError {
    AuthError::ProviderDown(e.to_string())
}

fn token_error<
    RE: std::error::Error + 'static,
    T: std::fmt::Debug + openidconnect::ErrorResponse,
>(
    e: RequestTokenError<RE, T>,
) -> AuthError {
    match e {
        RequestTokenError::ServerResponse(r) => AuthError::CodeRejected(format!("{r:?}")),
        RequestTokenError::Parse(err, _) => AuthError::BadToken(err.to_string()),
        RequestTokenError::Request(err) => AuthError::ProviderDown(err.to_string()),
        RequestTokenError::Other(s) => AuthError::ProviderDown(s),
    }
}

impl Providers {
    pub fn new(list: Vec<ProviderSettings>) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("Tribune/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("an HTTP client with default TLS roots");
        Providers {
            providers: list.into_iter().map(|p| (p.name.clone(), p)).collect(),
            http,
            discovered: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, name: &str) -> Option<&ProviderSettings> {
        self.providers.get(name)
    }

    pub fn all(&self) -> impl Iterator<Item = &ProviderSettings> {
        self.providers.values()
    }

    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }

    async fn metadata(
        &self,
        p: &ProviderSettings,
        issuer: &str,
    ) -> Result<CoreProviderMetadata, AuthError> {
        if let Some((at, m)) = self
            .discovered
            .lock()
            .expect("discovery cache")
            .get(&p.name)
        {
            if at.elapsed() < DISCOVERY_TTL {
                return Ok(m.clone());
            }
        }
        let issuer = IssuerUrl::new(issuer.to_string()).map_err(down)?;
        let m = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(down)?;
        self.discovered
            .lock()
            .expect("discovery cache")
            .insert(p.name.clone(), (Instant::now(), m.clone()));
        Ok(m)
    }

    /// Starts a sign-in with `name`; the browser goes to `authorize_url`.
    pub async fn begin(&self, name: &str, redirect_uri: &str) -> Result<Begun, AuthError> {
        let p = self
            .get(name)
            .ok_or_else(|| AuthError::UnknownProvider(name.into()))?;
        let redirect = RedirectUrl::new(redirect_uri.to_string()).map_err(down)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let scopes = p.scopes.iter().cloned().map(Scope::new);
        match &p.protocol {
            Protocol::Oidc { issuer } => {
                let client = self.oidc_client(p, issuer, redirect).await?;
                let (url, state, nonce) = client
                    .authorize_url(
                        CoreAuthenticationFlow::AuthorizationCode,
                        CsrfToken::new_random,
                        Nonce::new_random,
                    )
                    .add_scopes(scopes.filter(|s| s.as_str() != "openid"))
                    .set_pkce_challenge(challenge)
                    .url();
                Ok(Begun {
                    authorize_url: url.to_string(),
                    state: state.secret().clone(),
                    pkce_verifier: verifier.secret().clone(),
                    nonce: Some(nonce.secret().clone()),
                })
            }
            Protocol::OAuth2 { .. } => {
                let client = self.oauth2_client(p, redirect)?;
                let (url, state) = client
                    .authorize_url(CsrfToken::new_random)
                    .add_scopes(scopes.map(|s| oauth2::Scope::new(s.to_string())))
                    .set_pkce_challenge(oauth2::PkceCodeChallenge::from_code_verifier_sha256(
                        &oauth2::PkceCodeVerifier::new(verifier.secret().clone()),
                    ))
                    .url();
                Ok(Begun {
                    authorize_url: url.to_string(),
                    state: state.secret().clone(),
                    pkce_verifier: verifier.secret().clone(),
                    nonce: None,
                })
            }
        }
    }

    /// The OpenID Connect client for `p`, from its issuer's (cached) discovery document.
    async fn oidc_client(
        &self,
        p: &ProviderSettings,
        issuer: &str,
        redirect: RedirectUrl,
    ) -> Result<OidcClient, AuthError> {
        let meta = self.metadata(p, issuer).await?;
        Ok(CoreClient::from_provider_metadata(
            meta,
            ClientId::new(p.client_id.clone()),
            Some(ClientSecret::new(p.client_secret.0.clone())),
        )
        .set_redirect_uri(redirect))
    }

    fn oauth2_client(
        &self,
        p: &ProviderSettings,
        redirect: RedirectUrl,
    ) -> Result<
        oauth2::basic::BasicClient<
            oauth2::EndpointSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointSet,
        >,
        AuthError,
    > {
        let Protocol::OAuth2 {
            authorize_url,
            token_url,
            secret_in_body,
            ..
        } = &p.protocol
        else {
            unreachable!("only called for OAuth 2.0 providers")
        };
        let client = oauth2::basic::BasicClient::new(oauth2::ClientId::new(p.client_id.clone()))
            .set_client_secret(oauth2::ClientSecret::new(p.client_secret.0.clone()))
            .set_auth_uri(oauth2::AuthUrl::new(authorize_url.clone()).map_err(down)?)
            .set_token_uri(oauth2::TokenUrl::new(token_url.clone()).map_err(down)?)
            .set_redirect_uri(oauth2::RedirectUrl::new(redirect.to_string()).map_err(down)?)
            .set_auth_type(if *secret_in_body {
                oauth2::AuthType::RequestBody
            } else {
                oauth2::AuthType::BasicAuth
            });
        Ok(client)
    }

    /// Finishes a sign-in: trades the code for tokens, checks them, reads the profile.
    pub async fn finish(
        &self,
        name: &str,
        redirect_uri: &str,
        code: &str,
        pkce_verifier: &str,
        nonce: Option<&str>,
    ) -> Result<NewIdentity, AuthError> {
        let p = self
            .get(name)
            .ok_or_else(|| AuthError::UnknownProvider(name.into()))?;
        let redirect = RedirectUrl::new(redirect_uri.to_string()).map_err(down)?;
        let profile = match &p.protocol {
            Protocol::Oidc { issuer } => {
                let client = self.oidc_client(p, issuer, redirect).await?;
                let token = client
                    .exchange_code(AuthorizationCode::new(code.to_string()))
                    .map_err(down)?
                    .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
                    .request_async(&self.http)
                    .await
                    .map_err(token_error)?;
                let id_token = token
                    .id_token()
                    .ok_or_else(|| AuthError::BadToken("no ID token in the answer".into()))?;
                let nonce = Nonce::new(nonce.unwrap_or_default().to_string());
                let claims = id_token
                    .claims(&client.id_token_verifier(), &nonce)
                    .map_err(|e| AuthError::BadToken(e.to_string()))?;
                let mut merged =
                    serde_json::to_value(claims).map_err(|e| AuthError::BadToken(e.to_string()))?;
                // Many providers put name and picture only in userinfo.
                if let Ok(req) =
                    client.user_info(token.access_token().clone(), Some(claims.subject().clone()))
                {
                    match req.request_async::<openidconnect::EmptyAdditionalClaims, _, openidconnect::core::CoreGenderClaim>(&self.http).await {
                        Ok(info) => {
                            if let (Some(m), Ok(Value::Object(extra))) = (merged.as_object_mut(), serde_json::to_value(info)) {
                                for (k, v) in extra {
                                    m.entry(k).or_insert(v);
                                }
                            }
                        }
                        Err(e) => tracing::warn!(provider = name, error = %e, "userinfo request failed; using the ID token alone"),
                    }
                }
                merged
            }
            Protocol::OAuth2 { userinfo_url, .. } => {
                let client = self.oauth2_client(p, redirect)?;
                let token = client
                    .exchange_code(oauth2::AuthorizationCode::new(code.to_string()))
                    .set_pkce_verifier(oauth2::PkceCodeVerifier::new(pkce_verifier.to_string()))
                    .request_async(&self.http)
                    .await
                    .map_err(token_error)?;
                let res = self
                    .http
                    .get(userinfo_url)
                    .bearer_auth(token.access_token().secret())
                    .header(reqwest::header::ACCEPT, "application/json")
                    .send()
                    .await
                    .map_err(down)?;
                if !res.status().is_success() {
                    return Err(AuthError::ProviderDown(format!(
                        "profile answered {}",
                        res.status()
                    )));
                }
                res.json::<Value>()
                    .await
                    .map_err(|e| AuthError::BadToken(e.to_string()))?
            }
        };
        profile::map(&p.name, p.shape, &profile)
            .ok_or_else(|| AuthError::Profile("a subject".into()))
    }
}

impl ProfileShape {
    pub fn is_oidc(self) -> bool {
        self == ProfileShape::Oidc
    }
}
