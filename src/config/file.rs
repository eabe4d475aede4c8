//! `tribune.toml`: the optional file of settings, read from the working directory or
//! named by `--config`. Every key is optional; flags and `TRIBUNE_*` variables win
//! over it (`config::ServeSettings::resolve`).

use crate::say;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The contents of `tribune.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
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
    /// `[discussion]`: rules fixed here instead of in Settings → Discussion.
    #[serde(default)]
    pub discussion: crate::domain::settings::DiscussionConfig,
    /// `[akismet]`: an Akismet-compatible service asked about new comments.
    #[serde(default)]
    pub akismet: AkismetFile,
    /// `[media]`: the upload limit, and an S3-compatible bucket instead of the folder.
    #[serde(default)]
    pub media: MediaFile,
    /// `[webmention]`: whether sources may be on private addresses.
    #[serde(default)]
    pub webmention: WebmentionFile,
    /// `[cache]`: how much memory search results may keep.
    #[serde(default)]
    pub cache: CacheFile,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheFile {
    pub pages_mb: Option<u32>,
    pub search_results_mb: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebmentionFile {
    pub allow_private_addresses: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaFile {
    pub max_upload_mb: Option<u32>,
    pub s3_endpoint: Option<String>,
    pub s3_bucket: Option<String>,
    pub s3_region: Option<String>,
    pub s3_access_key: Option<String>,
    pub s3_secret_key: Option<String>,
    pub s3_prefix: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AkismetFile {
    pub key: Option<String>,
    pub endpoint: Option<String>,
}

/// `[auth]`: sign-in providers.
#[derive(Debug, Clone, Default, Deserialize)]
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
pub struct ClientFile {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OidcFile {
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub label: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
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
pub struct RateLimitFile {
    pub comments_per_minute: Option<u32>,
    pub comments_per_email_per_hour: Option<u32>,
    pub comments_per_post_per_minute: Option<u32>,
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

impl FileConfig {
    /// Reads `explicit`, or `./tribune.toml` if it exists. Unknown keys are reported in
    /// the returned warnings and otherwise ignored.
    pub fn load(explicit: Option<&Path>) -> anyhow::Result<(Self, Vec<String>)> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = PathBuf::from(super::DEFAULT_FILE);
                if !p.exists() {
                    return Ok((FileConfig::default(), Vec::new()));
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            anyhow::anyhow!(say!(
                "config-cannot-read",
                path = path.display().to_string(),
                reason = e.to_string()
            ))
        })?;
        Self::parse(&text).map_err(|e| {
            anyhow::anyhow!(say!(
                "config-file-problem",
                path = path.display().to_string(),
                reason = e.to_string()
            ))
        })
    }

    /// Reads the file's text. A key the settings do not have is reported in the
    /// warnings (a typo would otherwise go unnoticed) and otherwise ignored; the list
    /// of keys is the struct itself.
    pub fn parse(text: &str) -> anyhow::Result<(Self, Vec<String>)> {
        let mut warnings = Vec::new();
        let cfg: FileConfig = serde_ignored::deserialize(toml::Deserializer::new(text), |path| {
            warnings.push(say!("config-unknown-setting", setting = path.to_string()));
        })?;
        Ok((cfg, warnings))
    }
}
