//! Sign-in providers from `[auth]` and `TRIBUNE_AUTH_*`: the presets (Google,
//! Facebook, X/Twitter, WordPress.com, GitHub), any OpenID Connect issuer, any plain
//! OAuth 2.0 server, and the provider staff may sign in to `/admin/` with.

use crate::say;
use std::collections::BTreeMap;

use super::file::AuthFile;

/// Reads a setting from the environment; `NAME_FILE` names a file holding it.
fn env_value(env: &BTreeMap<String, String>, name: &str) -> anyhow::Result<Option<String>> {
    if let Some(v) = env.get(name) {
        return Ok(Some(v.clone()));
    }
    if let Some(path) = env.get(&format!("{name}_FILE")) {
        let v = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!(say!(
                "config-cannot-read-secret",
                name = format!("{name}_FILE"),
                path = path.as_str(),
                reason = e.to_string()
            ))
        })?;
        return Ok(Some(v.trim().to_string()));
    }
    Ok(None)
}

fn valid_provider_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The sign-in providers enabled by `[auth]` and `TRIBUNE_AUTH_*` (environment wins).
pub fn auth_providers(
    file: &AuthFile,
    env: &BTreeMap<String, String>,
) -> anyhow::Result<(Vec<crate::auth::ProviderSettings>, Option<String>)> {
    use crate::auth::{Secret, PRESETS};
    let mut out = Vec::new();
    for (name, _) in PRESETS {
        let f = match *name {
            "google" => &file.google,
            "facebook" => &file.facebook,
            "twitter" => &file.twitter,
            "wordpress" => &file.wordpress,
            _ => &file.github,
        };
        let up = name.to_uppercase();
        let id = env_value(env, &format!("TRIBUNE_AUTH_{up}_CLIENT_ID"))?
            .or_else(|| f.as_ref().and_then(|f| f.client_id.clone()));
        let secret = env_value(env, &format!("TRIBUNE_AUTH_{up}_CLIENT_SECRET"))?
            .or_else(|| f.as_ref().and_then(|f| f.client_secret.clone()));
        match (id, secret) {
            (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => {
                out.extend(crate::auth::preset(name, id, Secret(secret)));
            }
            (None, None) => {}
            _ => anyhow::bail!(say!(
                "config-preset-needs-both",
                section = format!("[auth.{name}]"),
                env = format!("TRIBUNE_AUTH_{up}_CLIENT_ID")
            )),
        }
    }
    // Generic providers: names from the file and from TRIBUNE_AUTH_OIDC_<NAME>_<KEY>.
    let env_names = |kind: &str, keys: &[&str]| -> Vec<String> {
        let prefix = format!("TRIBUNE_AUTH_{kind}_");
        env.keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .filter_map(|rest| {
                let rest = rest.strip_suffix("_FILE").unwrap_or(rest);
                keys.iter()
                    .find_map(|key| rest.strip_suffix(&format!("_{key}")))
            })
            .map(|n| n.to_lowercase().replace('_', "-"))
            .collect()
    };
    let mut oidc_names: std::collections::BTreeSet<String> = file.oidc.keys().cloned().collect();
    oidc_names.extend(env_names(
        "OIDC",
        &["ISSUER", "CLIENT_ID", "CLIENT_SECRET", "LABEL"],
    ));
    for name in oidc_names {
        let f = file.oidc.get(&name).cloned().unwrap_or_default();
        let up = name.to_uppercase().replace('-', "_");
        let get = |key: &str, from_file: Option<String>| -> anyhow::Result<Option<String>> {
            Ok(env_value(env, &format!("TRIBUNE_AUTH_OIDC_{up}_{key}"))?.or(from_file))
        };
        let issuer = get("ISSUER", f.issuer)?;
        let id = get("CLIENT_ID", f.client_id)?;
        let secret = get("CLIENT_SECRET", f.client_secret)?;
        let label = get("LABEL", f.label)?.unwrap_or_else(|| name.clone());
        if !valid_provider_name(&name) || PRESETS.iter().any(|(n, _)| *n == name) {
            anyhow::bail!(say!(
                "config-oidc-bad-name",
                section = format!("[auth.oidc.{name}]")
            ));
        }
        let (Some(issuer), Some(id), Some(secret)) = (issuer, id, secret) else {
            anyhow::bail!(say!(
                "config-oidc-needs",
                section = format!("[auth.oidc.{name}]")
            ));
        };
        if !(issuer.starts_with("https://")
            || issuer.starts_with("http://127.0.0.1")
            || issuer.starts_with("http://localhost"))
        {
            anyhow::bail!(say!(
                "config-oidc-https",
                section = format!("[auth.oidc.{name}]")
            ));
        }
        out.push(crate::auth::oidc(
            &name,
            &label,
            &issuer,
            id,
            Secret(secret),
        ));
    }
    let mut oauth_names: std::collections::BTreeSet<String> = file.oauth2.keys().cloned().collect();
    oauth_names.extend(env_names(
        "OAUTH2",
        &[
            "AUTHORIZE_URL",
            "TOKEN_URL",
            "USERINFO_URL",
            "SCOPES",
            "CLIENT_ID",
            "CLIENT_SECRET",
            "LABEL",
        ],
    ));
    for name in oauth_names {
        let f = file.oauth2.get(&name).cloned().unwrap_or_default();
        let up = name.to_uppercase().replace('-', "_");
        let get = |key: &str, from_file: Option<String>| -> anyhow::Result<Option<String>> {
            Ok(env_value(env, &format!("TRIBUNE_AUTH_OAUTH2_{up}_{key}"))?.or(from_file))
        };
        let (a, t, u) = (
            get("AUTHORIZE_URL", f.authorize_url)?,
            get("TOKEN_URL", f.token_url)?,
            get("USERINFO_URL", f.userinfo_url)?,
        );
        let (id, secret) = (
            get("CLIENT_ID", f.client_id)?,
            get("CLIENT_SECRET", f.client_secret)?,
        );
        let scopes = get("SCOPES", f.scopes)?.unwrap_or_else(|| "openid profile email".into());
        let label = get("LABEL", f.label)?.unwrap_or_else(|| name.clone());
        if !valid_provider_name(&name)
            || PRESETS.iter().any(|(n, _)| *n == name)
            || out.iter().any(|p| p.name == name)
        {
            anyhow::bail!(say!(
                "config-oauth2-bad-name",
                section = format!("[auth.oauth2.{name}]")
            ));
        }
        let (Some(a), Some(t), Some(u), Some(id), Some(secret)) = (a, t, u, id, secret) else {
            anyhow::bail!(say!(
                "config-oauth2-needs",
                section = format!("[auth.oauth2.{name}]")
            ));
        };
        out.push(crate::auth::oauth2(
            &name,
            &label,
            &a,
            &t,
            &u,
            &scopes,
            id,
            Secret(secret),
        ));
    }
    let staff = env
        .get("TRIBUNE_AUTH_STAFF_PROVIDER")
        .cloned()
        .or_else(|| file.staff_provider.clone());
    if let Some(s) = &staff {
        if !out
            .iter()
            .any(|p| &p.name == s && matches!(p.protocol, crate::auth::Protocol::Oidc { .. }))
        {
            anyhow::bail!(say!("config-staff-provider", name = s.as_str()));
        }
    }
    Ok((out, staff))
}
