//! Configuration, layered: defaults, then `tribune.toml` (or `--config FILE`), then
//! `TRIBUNE_*` environment variables, then flags. Clap reads flags and environment
//! together (flag wins); the file fills in what neither set.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Deserialize;

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "tribune-data";
pub const DEFAULT_FILE: &str = "tribune.toml";

/// Options every subcommand shares: where the data is.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// Read settings from this file [default: ./tribune.toml if present]
    #[arg(long, global = true, env = "TRIBUNE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory for the SQLite database and other data [default: ./tribune-data]
    #[arg(long, global = true, env = "TRIBUNE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database to use: sqlite://PATH or postgres://USER@HOST/DB [default: SQLite in the data directory]
    #[arg(long, global = true, env = "TRIBUNE_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// Create a new, empty site if there is none at the data directory or database URL (`serve` always does)
    #[arg(long, global = true)]
    pub create_site: bool,
}

/// Options of `tribune serve`.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "TRIBUNE_BIND", value_name = "ADDR")]
    pub bind: Option<String>,
    /// Public address of the site, e.g. https://example.org (for links and secure cookies)
    #[arg(long, env = "TRIBUNE_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// Theme directory whose templates/ and assets/ override the built-in theme
    #[arg(long, env = "TRIBUNE_THEME", value_name = "DIR")]
    pub theme: Option<PathBuf>,
    /// Log format: text or json [default: text]
    #[arg(long, env = "TRIBUNE_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Comments one address may post per minute; 0 lifts the limit [default: 10]
    #[arg(long, env = "TRIBUNE_RATE_LIMIT_COMMENTS_PER_MINUTE", value_name = "N")]
    pub comments_per_minute: Option<u32>,
    /// Failed staff sign-ins (per account, and per address) before a 15-minute lock; slower answers start at a third of it; 0 lifts it [default: 10]
    #[arg(long, env = "TRIBUNE_RATE_LIMIT_LOGIN_LOCKOUT_AFTER", value_name = "N")]
    pub login_lockout_after: Option<u32>,
    /// Reverse proxies whose X-Forwarded-For / Forwarded / X-Forwarded-Proto are believed, comma-separated addresses or networks, e.g. 127.0.0.1,::1 [default: none]
    #[arg(
        long,
        env = "TRIBUNE_TRUSTED_PROXIES",
        value_name = "LIST",
        value_delimiter = ','
    )]
    pub trusted_proxies: Option<Vec<String>>,
    /// SMTP server for email, e.g. smtp://user:pass@host:587?tls=required [default: .eml files in DATA_DIR/mail]
    #[arg(long, env = "TRIBUNE_SMTP_URL", value_name = "URL")]
    pub smtp_url: Option<String>,
    /// Sender of the site's email, e.g. "Ministry <news@example.org>"
    #[arg(long, env = "TRIBUNE_MAIL_FROM", value_name = "ADDRESS")]
    pub mail_from: Option<String>,
}

/// Every `TRIBUNE_*` variable Tribune reads; others get a warning.
pub const KNOWN_ENV: &[&str] = &[
    "TRIBUNE_CONFIG",
    "TRIBUNE_DATA_DIR",
    "TRIBUNE_DATABASE_URL",
    "TRIBUNE_BIND",
    "TRIBUNE_BASE_URL",
    "TRIBUNE_THEME",
    "TRIBUNE_LOG_FORMAT",
    "TRIBUNE_RATE_LIMIT_COMMENTS_PER_MINUTE",
    "TRIBUNE_RATE_LIMIT_LOGIN_LOCKOUT_AFTER",
    "TRIBUNE_TRUSTED_PROXIES",
    "TRIBUNE_SMTP_URL",
    "TRIBUNE_MAIL_FROM",
];

/// The contents of `tribune.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<String>,
    pub base_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub theme: Option<PathBuf>,
    pub log_format: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub trusted_proxies: Option<StringList>,
    #[serde(default)]
    pub rate_limit: RateLimitFile,
    #[serde(default)]
    pub auth: AuthFile,
}

/// `[auth]`: sign-in providers.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthFile {
    pub google: Option<ClientFile>,
    pub facebook: Option<ClientFile>,
    pub twitter: Option<ClientFile>,
    pub wordpress: Option<ClientFile>,
    pub github: Option<ClientFile>,
    #[serde(default)]
    pub oidc: std::collections::BTreeMap<String, OidcFile>,
    #[serde(default)]
    pub oauth2: std::collections::BTreeMap<String, OAuth2File>,
    /// The provider staff may sign in to /admin/ with (single sign-on).
    pub staff_provider: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientFile {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcFile {
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub label: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth2File {
    pub authorize_url: Option<String>,
    pub token_url: Option<String>,
    pub userinfo_url: Option<String>,
    pub scopes: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub label: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitFile {
    pub comments_per_minute: Option<u32>,
    pub login_lockout_after: Option<u32>,
}

/// A list in the file, written either as an array or as one comma-separated string.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StringList {
    List(Vec<String>),
    Joined(String),
}

impl StringList {
    pub fn items(&self) -> Vec<String> {
        match self {
            StringList::List(v) => v.clone(),
            StringList::Joined(s) => s.split(',').map(|p| p.trim().to_string()).collect(),
        }
    }
}

const KNOWN_KEYS: &[&str] = &[
    "bind",
    "base_url",
    "data_dir",
    "database_url",
    "theme",
    "log_format",
    "smtp_url",
    "mail_from",
    "trusted_proxies",
    "rate_limit",
    "rate_limit.comments_per_minute",
    "rate_limit.login_lockout_after",
    "auth",
    "auth.staff_provider",
    "auth.*",
    "auth.*.client_id",
    "auth.*.client_secret",
    "auth.oidc.*",
    "auth.oidc.*.issuer",
    "auth.oidc.*.client_id",
    "auth.oidc.*.client_secret",
    "auth.oidc.*.label",
    "auth.oauth2.*",
    "auth.oauth2.*.authorize_url",
    "auth.oauth2.*.token_url",
    "auth.oauth2.*.userinfo_url",
    "auth.oauth2.*.scopes",
    "auth.oauth2.*.client_id",
    "auth.oauth2.*.client_secret",
    "auth.oauth2.*.label",
];

/// Whether a dotted key matches a pattern where `*` stands for one segment. The
/// preset names are the only values `auth.*` takes besides `oidc` and `oauth2`.
fn known_key(key: &str) -> bool {
    let segs: Vec<&str> = key.split('.').collect();
    if segs.len() >= 2
        && segs[0] == "auth"
        && !["oidc", "oauth2", "staff_provider"].contains(&segs[1])
        && !crate::auth::PRESETS.iter().any(|(n, _)| *n == segs[1])
    {
        return false;
    }
    KNOWN_KEYS.iter().any(|pattern| {
        let pat: Vec<&str> = pattern.split('.').collect();
        pat.len() == segs.len() && pat.iter().zip(&segs).all(|(p, s)| *p == "*" || p == s)
    })
}

impl FileConfig {
    /// Reads `explicit`, or `./tribune.toml` if it exists. Unknown keys are reported in
    /// the returned warnings and otherwise ignored.
    pub fn load(explicit: Option<&Path>) -> anyhow::Result<(Self, Vec<String>)> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = PathBuf::from(DEFAULT_FILE);
                if !p.exists() {
                    return Ok((FileConfig::default(), Vec::new()));
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| anyhow::anyhow!("config file {}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<(Self, Vec<String>)> {
        let mut table: toml::Table = text.parse()?;
        let mut warnings = Vec::new();
        strip_unknown(&mut table, "", &mut warnings);
        let cfg = FileConfig::deserialize(toml::Value::Table(table))?;
        Ok((cfg, warnings))
    }
}

fn strip_unknown(table: &mut toml::Table, prefix: &str, warnings: &mut Vec<String>) {
    let keys: Vec<String> = table.keys().cloned().collect();
    for key in keys {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if !known_key(&full) {
            warnings.push(format!("unknown setting `{full}` in config file; ignored"));
            table.remove(&key);
        } else if let Some(toml::Value::Table(inner)) = table.get_mut(&key) {
            strip_unknown(inner, &full, warnings);
        }
    }
}

/// Warnings for `TRIBUNE_*` variables nobody reads (a typo would otherwise go unnoticed).
pub fn unknown_env_warnings() -> Vec<String> {
    std::env::vars()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with("TRIBUNE_"))
        .filter(|k| !KNOWN_ENV.contains(&k.as_str()) && !k.starts_with("TRIBUNE_AUTH_"))
        .filter(|k| {
            !["TRIBUNE_TEST_", "TRIBUNE_REQUIRE_", "TRIBUNE_BENCH_"]
                .iter()
                .any(|p| k.starts_with(p))
        })
        .map(|k| format!("unknown environment variable {k}; ignored"))
        .collect()
}

/// Where the data lives, resolved.
#[derive(Debug, Clone)]
pub struct DataSettings {
    pub data_dir: PathBuf,
    pub database_url: String,
}

impl DataSettings {
    pub fn resolve(global: &GlobalArgs, file: &FileConfig) -> Self {
        let data_dir = global
            .data_dir
            .clone()
            .or_else(|| file.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let database_url = global
            .database_url
            .clone()
            .or_else(|| file.database_url.clone())
            .unwrap_or_else(|| sqlite_url(&data_dir.join("tribune.db")));
        DataSettings {
            data_dir,
            database_url,
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// The SQLite database file this URL names (`sqlite://PATH?mode=rwc`, `sqlite:PATH`).
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or(rest);
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }
}

pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// Everything `tribune serve` needs, resolved.
#[derive(Debug, Clone)]
pub struct ServeSettings {
    pub data: DataSettings,
    pub bind: SocketAddr,
    pub base_url: Option<String>,
    pub theme: Option<PathBuf>,
    pub json_logs: bool,
    pub comments_per_minute: u32,
    pub login_lockout_after: u32,
    pub trusted_proxies: crate::web::client::TrustedProxies,
    pub providers: Vec<crate::auth::ProviderSettings>,
    pub staff_provider: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: String,
}

/// Reads a setting from the environment; `NAME_FILE` names a file holding it.
fn env_value(
    env: &std::collections::BTreeMap<String, String>,
    name: &str,
) -> anyhow::Result<Option<String>> {
    if let Some(v) = env.get(name) {
        return Ok(Some(v.clone()));
    }
    if let Some(path) = env.get(&format!("{name}_FILE")) {
        let v = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {name}_FILE {path}: {e}"))?;
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
    env: &std::collections::BTreeMap<String, String>,
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
            _ => anyhow::bail!("[auth.{name}] needs both client_id and client_secret (or TRIBUNE_AUTH_{up}_CLIENT_ID and _CLIENT_SECRET)"),
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
            anyhow::bail!("[auth.oidc.{name}]: a provider name is lower-case letters, digits and -, and not a preset's name");
        }
        let (Some(issuer), Some(id), Some(secret)) = (issuer, id, secret) else {
            anyhow::bail!("[auth.oidc.{name}] needs issuer, client_id and client_secret");
        };
        if !(issuer.starts_with("https://")
            || issuer.starts_with("http://127.0.0.1")
            || issuer.starts_with("http://localhost"))
        {
            anyhow::bail!("[auth.oidc.{name}] issuer must be an https:// URL");
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
            anyhow::bail!("[auth.oauth2.{name}]: a provider name is lower-case letters, digits and -, used once");
        }
        let (Some(a), Some(t), Some(u), Some(id), Some(secret)) = (a, t, u, id, secret) else {
            anyhow::bail!("[auth.oauth2.{name}] needs authorize_url, token_url, userinfo_url, client_id and client_secret");
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
            anyhow::bail!("auth.staff_provider `{s}` must name an enabled OpenID Connect provider");
        }
    }
    Ok((out, staff))
}

impl ServeSettings {
    pub fn resolve(
        global: &GlobalArgs,
        serve: &ServeArgs,
        file: &FileConfig,
    ) -> anyhow::Result<Self> {
        let bind = serve
            .bind
            .clone()
            .or_else(|| file.bind.clone())
            .unwrap_or_else(|| DEFAULT_BIND.to_string());
        let bind: SocketAddr = bind.parse().map_err(|_| {
            anyhow::anyhow!("bind address `{bind}` is not HOST:PORT, e.g. 127.0.0.1:8080")
        })?;
        let base_url = serve.base_url.clone().or_else(|| file.base_url.clone());
        if let Some(u) = &base_url {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                anyhow::bail!("base URL `{u}` must start with http:// or https://");
            }
        }
        let log_format = serve
            .log_format
            .clone()
            .or_else(|| file.log_format.clone())
            .unwrap_or_else(|| "text".into());
        let json_logs = match log_format.as_str() {
            "text" => false,
            "json" => true,
            other => anyhow::bail!("log format `{other}` is not text or json"),
        };
        let env: std::collections::BTreeMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("TRIBUNE_AUTH_"))
            .collect();
        let (providers, staff_provider) = auth_providers(&file.auth, &env)?;
        let theme = serve.theme.clone().or_else(|| file.theme.clone());
        if let Some(t) = &theme {
            if !t.is_dir() {
                anyhow::bail!("theme directory {} does not exist", t.display());
            }
        }
        let proxies = serve
            .trusted_proxies
            .clone()
            .or_else(|| file.trusted_proxies.as_ref().map(StringList::items))
            .unwrap_or_default();
        let trusted_proxies =
            crate::web::client::TrustedProxies::parse(&proxies).map_err(anyhow::Error::msg)?;
        Ok(ServeSettings {
            data: DataSettings::resolve(global, file),
            bind,
            base_url: base_url.map(|u| u.trim_end_matches('/').to_string()),
            theme,
            json_logs,
            comments_per_minute: serve
                .comments_per_minute
                .or(file.rate_limit.comments_per_minute)
                .unwrap_or(10),
            login_lockout_after: serve
                .login_lockout_after
                .or(file.rate_limit.login_lockout_after)
                .unwrap_or(10),
            trusted_proxies,
            providers,
            staff_provider,
            smtp_url: serve.smtp_url.clone().or_else(|| file.smtp_url.clone()),
            mail_from: serve
                .mail_from
                .clone()
                .or_else(|| file.mail_from.clone())
                .unwrap_or_else(|| "Tribune <tribune@localhost>".into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_config_matches_the_settings() {
        let (cfg, warnings) = FileConfig::parse(include_str!("../tribune.example.toml")).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(cfg.bind.as_deref(), Some("127.0.0.1:8080"));
        assert_eq!(cfg.rate_limit.comments_per_minute, Some(10));
    }

    #[test]
    fn unknown_keys_are_warned_about_not_fatal() {
        let (cfg, warnings) =
            FileConfig::parse("bind = \"127.0.0.1:9\"\ncolour = \"red\"\n[rate_limit]\nx = 1")
                .unwrap();
        assert_eq!(cfg.bind.as_deref(), Some("127.0.0.1:9"));
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }

    #[test]
    fn flags_and_environment_win_over_the_file() {
        let (file, _) =
            FileConfig::parse("bind = \"127.0.0.1:9\"\nbase_url = \"https://file.example\"")
                .unwrap();
        let serve = ServeArgs {
            bind: Some("127.0.0.1:7".into()),
            ..ServeArgs::default()
        };
        let s = ServeSettings::resolve(&GlobalArgs::default(), &serve, &file).unwrap();
        assert_eq!(s.bind.port(), 7);
        assert_eq!(s.base_url.as_deref(), Some("https://file.example"));
        assert!(s
            .data
            .database_url
            .starts_with("sqlite://tribune-data/tribune.db"));
    }

    #[test]
    fn providers_come_from_the_file_and_the_environment() {
        let (file, warnings) = FileConfig::parse(
            "[auth.google]\nclient_id = \"g-id\"\nclient_secret = \"g-secret\"\n\
             [auth.oidc.corp]\nissuer = \"https://id.example.org\"\nclient_id = \"c\"\nclient_secret = \"s\"\nlabel = \"Corp\"\n\
             [auth.myspace]\nclient_id = \"x\"",
        )
        .unwrap();
        assert_eq!(
            warnings,
            ["unknown setting `auth.myspace` in config file; ignored"]
        );
        let env: std::collections::BTreeMap<String, String> = [
            ("TRIBUNE_AUTH_GOOGLE_CLIENT_ID", "env-id"),
            ("TRIBUNE_AUTH_GITHUB_CLIENT_ID", "gh"),
            ("TRIBUNE_AUTH_GITHUB_CLIENT_SECRET", "gh-s"),
            (
                "TRIBUNE_AUTH_OIDC_KEYCLOAK_ISSUER",
                "https://kc.example.org/realms/x",
            ),
            ("TRIBUNE_AUTH_OIDC_KEYCLOAK_CLIENT_ID", "kc"),
            ("TRIBUNE_AUTH_OIDC_KEYCLOAK_CLIENT_SECRET", "kc-s"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (providers, staff) = auth_providers(&file.auth, &env).unwrap();
        let names: Vec<_> = providers.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["google", "github", "corp", "keycloak"]);
        assert_eq!(providers[0].client_id, "env-id", "the environment wins");
        assert_eq!(format!("{:?}", providers[0].client_secret), "***");
        assert_eq!(providers[2].label, "Corp");
        assert_eq!(staff, None);
    }

    #[test]
    fn half_configured_providers_are_refused_with_a_reason() {
        let (file, _) = FileConfig::parse("[auth.facebook]\nclient_id = \"x\"").unwrap();
        let err = auth_providers(&file.auth, &Default::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains("[auth.facebook] needs both client_id and client_secret"),
            "{err}"
        );
        let (file, _) = FileConfig::parse("[auth]\nstaff_provider = \"github\"").unwrap();
        let err = auth_providers(&file.auth, &Default::default()).unwrap_err();
        assert!(err.to_string().contains("staff_provider"), "{err}");
    }

    #[test]
    fn trusted_proxies_come_from_a_list_or_a_string() {
        let (file, w) =
            FileConfig::parse("trusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]").unwrap();
        assert!(w.is_empty(), "{w:?}");
        let s =
            ServeSettings::resolve(&GlobalArgs::default(), &ServeArgs::default(), &file).unwrap();
        assert!(s.trusted_proxies.contains("10.1.2.3".parse().unwrap()));
        let (file, _) = FileConfig::parse("trusted_proxies = \"::1, 127.0.0.1\"").unwrap();
        let s =
            ServeSettings::resolve(&GlobalArgs::default(), &ServeArgs::default(), &file).unwrap();
        assert!(s.trusted_proxies.contains("::1".parse().unwrap()));
        let serve = ServeArgs {
            trusted_proxies: Some(vec!["nginx".into()]),
            ..ServeArgs::default()
        };
        let err = ServeSettings::resolve(&GlobalArgs::default(), &serve, &FileConfig::default())
            .unwrap_err();
        assert!(err.to_string().contains("trusted proxy `nginx`"), "{err}");
    }

    #[test]
    fn bad_values_say_what_is_expected() {
        let serve = ServeArgs {
            bind: Some("localhost".into()),
            ..ServeArgs::default()
        };
        let err = ServeSettings::resolve(&GlobalArgs::default(), &serve, &FileConfig::default())
            .unwrap_err();
        assert!(err.to_string().contains("HOST:PORT"), "{err}");
    }
}
