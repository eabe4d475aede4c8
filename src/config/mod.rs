//! Settings, layered: defaults, then `tribune.toml` (or `--config FILE`), then
//! `TRIBUNE_*` environment variables, then flags. Clap reads flags and environment
//! together (flag wins); the file fills in what neither set; [`ServeSettings`] holds
//! the result — the one value `tribune serve` hands to the site — and its `Default`
//! is the one place each default lives.

pub mod auth;
pub mod file;
pub mod proxies;

use crate::say;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

pub use auth::auth_providers;
pub use file::{FileConfig, StringList};
pub use proxies::TrustedProxies;

use crate::domain::site_url::SiteUrl;

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "tribune-data";
pub const DEFAULT_FILE: &str = "tribune.toml";
pub const DEFAULT_MAIL_FROM: &str = "Tribune <tribune@localhost>";
pub const DEFAULT_COMMENTS_PER_MINUTE: u32 = 10;
pub const DEFAULT_LOGIN_LOCKOUT_AFTER: u32 = 10;

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

/// Options of `tribune serve`. The `[default: …]` in each help line is checked
/// against [`ServeSettings::default`] by a test.
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
    /// Sender of the site's email, e.g. "Ministry <news@example.org>" [default: Tribune <tribune@localhost>]
    #[arg(long, env = "TRIBUNE_MAIL_FROM", value_name = "ADDRESS")]
    pub mail_from: Option<String>,
}

/// Prefixes of `TRIBUNE_*` variables that are read without a flag: providers
/// (`config::auth`) and the test and benchmark switches.
const ENV_PREFIXES: &[&str] = &[
    "TRIBUNE_AUTH_",
    "TRIBUNE_TEST_",
    "TRIBUNE_REQUIRE_",
    "TRIBUNE_BENCH_",
    // Read by `config` itself rather than by a flag.
    "TRIBUNE_S3_",
    "TRIBUNE_MAX_UPLOAD_MB",
    "TRIBUNE_AKISMET_",
    "TRIBUNE_RATE_LIMIT_",
    "TRIBUNE_WEBMENTION_",
    "TRIBUNE_CACHE_",
];

/// Warnings for `TRIBUNE_*` variables nobody reads (a typo would otherwise go
/// unnoticed). `known` are the variables the command line reads (`cli` lists them
/// from its flags).
pub fn unknown_env_warnings(known: &[String]) -> Vec<String> {
    std::env::vars()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with("TRIBUNE_"))
        .filter(|k| !known.contains(k) && !ENV_PREFIXES.iter().any(|p| k.starts_with(p)))
        .map(|k| format!("unknown environment variable {k}; ignored"))
        .collect()
}

/// Where the data lives, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSettings {
    pub data_dir: PathBuf,
    pub database_url: String,
}

impl Default for DataSettings {
    fn default() -> Self {
        DataSettings::in_dir(PathBuf::from(DEFAULT_DATA_DIR))
    }
}

impl DataSettings {
    /// SQLite in `data_dir`.
    pub fn in_dir(data_dir: PathBuf) -> Self {
        DataSettings {
            database_url: sqlite_url(&data_dir.join("tribune.db")),
            data_dir,
        }
    }

    pub fn resolve(global: &GlobalArgs, file: &FileConfig) -> Self {
        let data_dir = global
            .data_dir
            .clone()
            .or_else(|| file.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        match global
            .database_url
            .clone()
            .or_else(|| file.database_url.clone())
        {
            Some(database_url) => DataSettings {
                data_dir,
                database_url,
            },
            None => DataSettings::in_dir(data_dir),
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

/// Everything `tribune serve` needs, resolved: what reaches the running site.
#[derive(Debug, Clone)]
pub struct ServeSettings {
    pub data: DataSettings,
    pub bind: SocketAddr,
    /// Public address of the site; overrides the address recorded at setup. Used for
    /// links that leave the site and for cookies.
    pub base_url: Option<SiteUrl>,
    /// A directory whose `templates/` and `assets/` override the embedded theme.
    pub theme: Option<PathBuf>,
    pub json_logs: bool,
    /// Comments one address may post per minute; 0 lifts the limit.
    pub comments_per_minute: u32,
    /// Comments one email address may post per hour; 0 lifts the limit.
    pub comments_per_email_per_hour: u32,
    /// Comments one post may take per minute, from everyone; 0 lifts the limit.
    pub comments_per_post_per_minute: u32,
    /// Failed staff sign-ins before a lock (per account and per address); 0 lifts it.
    pub login_lockout_after: u32,
    /// Reverse proxies whose forwarding headers are believed.
    pub trusted_proxies: TrustedProxies,
    /// Enabled sign-in providers.
    pub providers: Vec<crate::auth::ProviderSettings>,
    /// The OpenID Connect provider staff may sign in to `/admin/` with.
    pub staff_provider: Option<String>,
    /// `smtp://…`; without it, email is written as `.eml` files under `data_dir/mail`.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// First wait before a failed job is tried again; doubles each time (not a flag:
    /// tests shorten it).
    pub job_retry_base: Duration,
    /// `[discussion]`: rules the configuration fixes.
    pub discussion: crate::domain::settings::DiscussionConfig,
    /// `[akismet]`: an Akismet-compatible service asked about new comments; off
    /// unless a key is set.
    pub spam_service: Option<SpamService>,
    /// `[media]`: the upload limit and where library files go.
    pub media: crate::media::MediaConfig,
    /// Addresses in each sitemap (not a flag: tests make it small to see the split).
    pub sitemap_urls: usize,
    /// Up to how many matches a search is counted and ranked (not a flag: tests make it
    /// small to see what lies past it).
    pub search_ranked_matches: i64,
    /// Webmention may fetch loopback and private addresses (`[webmention]
    /// allow_private_addresses`, `TRIBUNE_WEBMENTION_ALLOW_PRIVATE=1`): for a site
    /// whose readers' sites are on its own network; off, a stranger's source URL
    /// cannot reach the machine's own services.
    pub webmention_private_addresses: bool,
    /// `[cache] pages_mb` (`TRIBUNE_CACHE_PAGES_MB`): memory for the page cache, in
    /// bytes; past it the pages kept longest go first.
    pub page_cache_bytes: usize,
    /// `[cache] search_results_mb` (`TRIBUNE_CACHE_SEARCH_RESULTS_MB`): memory for
    /// search results pages kept until content changes, in bytes; 0 keeps none.
    pub search_cache_bytes: usize,
    /// What the page cache keeps (not a flag: `TRIBUNE_BENCH_NO_PAGE_CACHE=1` keeps no
    /// page, `=all` not even comments as drawn, so a benchmark can measure a page drawn
    /// for every request).
    pub page_cache: PageCaching,
}

/// What the page cache keeps; anything but `All` only for benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageCaching {
    /// Pages, search results, and each comment as drawn.
    All,
    /// No page: each is drawn for every request, its comments from those drawn before.
    DrawnComments,
    /// Nothing: every page drawn whole for every request.
    Nothing,
}

/// An Akismet-compatible spam-checking service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpamService {
    pub key: String,
    /// Its REST base, e.g. `https://rest.akismet.com/1.1`.
    pub endpoint: url::Url,
}

pub const DEFAULT_AKISMET_ENDPOINT: &str = "https://rest.akismet.com/1.1";

/// A number from the environment, if set.
fn env_number(key: &str) -> anyhow::Result<Option<u32>> {
    match std::env::var(key) {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().map(Some).map_err(|_| {
            anyhow::anyhow!(crate::say!(
                "config-env-number",
                key = key,
                value = v.as_str()
            ))
        }),
        _ => Ok(None),
    }
}

/// `[media]` in the file, `TRIBUNE_MAX_UPLOAD_MB` and `TRIBUNE_S3_*` over it: the
/// bucket is used when an endpoint and a bucket are both given.
pub fn media(file: &FileConfig) -> anyhow::Result<crate::media::MediaConfig> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let m = &file.media;
    let mb = env_number("TRIBUNE_MAX_UPLOAD_MB")?.or(m.max_upload_mb);
    let max_upload_bytes = mb.map_or(crate::domain::media::DEFAULT_MAX_BYTES, |mb| {
        u64::from(mb.max(1)) * 1024 * 1024
    });
    let endpoint = env("TRIBUNE_S3_ENDPOINT").or_else(|| m.s3_endpoint.clone());
    let bucket = env("TRIBUNE_S3_BUCKET").or_else(|| m.s3_bucket.clone());
    let bucket = match (endpoint, bucket) {
        (None, None) => None,
        (Some(endpoint), Some(bucket)) => {
            let parsed = url::Url::parse(endpoint.trim())
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .ok_or_else(|| {
                    anyhow::anyhow!(crate::say!(
                        "config-s3-endpoint",
                        endpoint = endpoint.as_str()
                    ))
                })?;
            let access_key = env("TRIBUNE_S3_ACCESS_KEY").or_else(|| m.s3_access_key.clone());
            let secret_key = env("TRIBUNE_S3_SECRET_KEY").or_else(|| m.s3_secret_key.clone());
            let (Some(access_key), Some(secret_key)) = (access_key, secret_key) else {
                anyhow::bail!(crate::say!("config-s3-incomplete"));
            };
            Some(crate::media::s3::BucketConfig {
                endpoint: parsed,
                bucket: bucket.trim().to_string(),
                region: env("TRIBUNE_S3_REGION")
                    .or_else(|| m.s3_region.clone())
                    .unwrap_or_else(|| "us-east-1".into()),
                access_key,
                secret_key,
                prefix: env("TRIBUNE_S3_PREFIX")
                    .or_else(|| m.s3_prefix.clone())
                    .unwrap_or_default(),
            })
        }
        _ => anyhow::bail!(crate::say!("config-s3-incomplete")),
    };
    Ok(crate::media::MediaConfig {
        max_upload_bytes,
        bucket,
    })
}

/// `[akismet]` in the file, `TRIBUNE_AKISMET_KEY` / `TRIBUNE_AKISMET_ENDPOINT` over it.
pub fn spam_service(file: &FileConfig) -> anyhow::Result<Option<SpamService>> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let key = env("TRIBUNE_AKISMET_KEY").or_else(|| file.akismet.key.clone());
    let Some(key) = key.map(|k| k.trim().to_string()).filter(|k| !k.is_empty()) else {
        return Ok(None);
    };
    let endpoint = env("TRIBUNE_AKISMET_ENDPOINT")
        .or_else(|| file.akismet.endpoint.clone())
        .unwrap_or_else(|| DEFAULT_AKISMET_ENDPOINT.to_string());
    let endpoint = url::Url::parse(endpoint.trim_end_matches('/'))
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| {
            anyhow::anyhow!(crate::say!(
                "config-akismet-endpoint",
                endpoint = endpoint.as_str()
            ))
        })?;
    Ok(Some(SpamService { key, endpoint }))
}

impl Default for ServeSettings {
    fn default() -> Self {
        ServeSettings {
            data: DataSettings::default(),
            bind: DEFAULT_BIND.parse().expect("the default address parses"),
            base_url: None,
            theme: None,
            json_logs: false,
            comments_per_minute: DEFAULT_COMMENTS_PER_MINUTE,
            comments_per_email_per_hour: 20,
            comments_per_post_per_minute: 60,
            login_lockout_after: DEFAULT_LOGIN_LOCKOUT_AFTER,
            trusted_proxies: TrustedProxies::default(),
            providers: Vec::new(),
            staff_provider: None,
            smtp_url: None,
            mail_from: DEFAULT_MAIL_FROM.into(),
            job_retry_base: Duration::from_secs(30),
            discussion: Default::default(),
            spam_service: None,
            media: Default::default(),
            sitemap_urls: crate::domain::sitemap::URLS_PER_SITEMAP,
            search_ranked_matches: crate::store::RANKED_MATCHES,
            webmention_private_addresses: false,
            page_cache_bytes: 64 * 1024 * 1024,
            search_cache_bytes: 8 * 1024 * 1024,
            page_cache: PageCaching::All,
        }
    }
}

impl ServeSettings {
    pub fn resolve(
        global: &GlobalArgs,
        serve: &ServeArgs,
        file: &FileConfig,
    ) -> anyhow::Result<Self> {
        let d = ServeSettings::default();
        let bind = match serve.bind.clone().or_else(|| file.bind.clone()) {
            Some(bind) => bind
                .parse()
                .map_err(|_| anyhow::anyhow!(say!("config-bad-bind", bind = bind.as_str())))?,
            None => d.bind,
        };
        let base_url = serve
            .base_url
            .clone()
            .or_else(|| file.base_url.clone())
            .map(|u| {
                SiteUrl::parse(&u)
                    .map_err(|e| anyhow::Error::new(e).context(say!("config-base-url")))
            })
            .transpose()?;
        let json_logs = match serve.log_format.clone().or_else(|| file.log_format.clone()) {
            None => d.json_logs,
            Some(f) if f == "text" => false,
            Some(f) if f == "json" => true,
            Some(other) => anyhow::bail!(say!("config-bad-log-format", format = other.as_str())),
        };
        let env: std::collections::BTreeMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("TRIBUNE_AUTH_"))
            .collect();
        let (providers, staff_provider) = auth_providers(&file.auth, &env)?;
        let theme = serve.theme.clone().or_else(|| file.theme.clone());
        if let Some(t) = &theme {
            if !t.is_dir() {
                anyhow::bail!(say!("config-no-theme", path = t.display().to_string()));
            }
        }
        let trusted_proxies = match serve
            .trusted_proxies
            .clone()
            .or_else(|| file.trusted_proxies.as_ref().map(StringList::items))
        {
            Some(list) => TrustedProxies::parse(&list).map_err(anyhow::Error::msg)?,
            None => d.trusted_proxies,
        };
        Ok(ServeSettings {
            data: DataSettings::resolve(global, file),
            bind,
            base_url,
            theme,
            json_logs,
            comments_per_minute: serve
                .comments_per_minute
                .or(file.rate_limit.comments_per_minute)
                .unwrap_or(d.comments_per_minute),
            comments_per_email_per_hour: env_number(
                "TRIBUNE_RATE_LIMIT_COMMENTS_PER_EMAIL_PER_HOUR",
            )?
            .or(file.rate_limit.comments_per_email_per_hour)
            .unwrap_or(d.comments_per_email_per_hour),
            comments_per_post_per_minute: env_number(
                "TRIBUNE_RATE_LIMIT_COMMENTS_PER_POST_PER_MINUTE",
            )?
            .or(file.rate_limit.comments_per_post_per_minute)
            .unwrap_or(d.comments_per_post_per_minute),
            spam_service: spam_service(file)?,
            media: media(file)?,
            login_lockout_after: serve
                .login_lockout_after
                .or(file.rate_limit.login_lockout_after)
                .unwrap_or(d.login_lockout_after),
            trusted_proxies,
            providers,
            staff_provider,
            smtp_url: serve.smtp_url.clone().or_else(|| file.smtp_url.clone()),
            mail_from: serve
                .mail_from
                .clone()
                .or_else(|| file.mail_from.clone())
                .unwrap_or(d.mail_from),
            job_retry_base: d.job_retry_base,
            discussion: file.discussion.clone(),
            sitemap_urls: d.sitemap_urls,
            search_ranked_matches: d.search_ranked_matches,
            webmention_private_addresses: std::env::var("TRIBUNE_WEBMENTION_ALLOW_PRIVATE")
                .map(|v| v == "1" || v == "true")
                .ok()
                .or(file.webmention.allow_private_addresses)
                .unwrap_or(d.webmention_private_addresses),
            page_cache_bytes: env_number("TRIBUNE_CACHE_PAGES_MB")?
                .or(file.cache.pages_mb)
                .map_or(d.page_cache_bytes, |mb| mb as usize * 1024 * 1024),
            search_cache_bytes: env_number("TRIBUNE_CACHE_SEARCH_RESULTS_MB")?
                .or(file.cache.search_results_mb)
                .map_or(d.search_cache_bytes, |mb| mb as usize * 1024 * 1024),
            page_cache: std::env::var("TRIBUNE_BENCH_NO_PAGE_CACHE").map_or(
                PageCaching::All,
                |v| match v.as_str() {
                    "1" => PageCaching::DrawnComments,
                    "all" => PageCaching::Nothing,
                    _ => PageCaching::All,
                },
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_config_states_the_defaults() {
        let (file, warnings) =
            FileConfig::parse(include_str!("../../tribune.example.toml")).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let example =
            ServeSettings::resolve(&GlobalArgs::default(), &ServeArgs::default(), &file).unwrap();
        let d = ServeSettings::default();
        assert_eq!(example.bind, d.bind);
        assert_eq!(example.data, d.data);
        assert_eq!(example.json_logs, d.json_logs);
        assert_eq!(example.mail_from, d.mail_from);
        assert_eq!(example.comments_per_minute, d.comments_per_minute);
        assert_eq!(example.login_lockout_after, d.login_lockout_after);
        assert_eq!(
            example.webmention_private_addresses,
            d.webmention_private_addresses
        );
        assert_eq!(example.search_cache_bytes, d.search_cache_bytes);
        assert_eq!(example.page_cache_bytes, d.page_cache_bytes);
    }

    #[test]
    fn unknown_keys_are_warned_about_not_fatal() {
        let (cfg, warnings) =
            FileConfig::parse("bind = \"127.0.0.1:9\"\ncolour = \"red\"\n[rate_limit]\nx = 1")
                .unwrap();
        assert_eq!(cfg.bind.as_deref(), Some("127.0.0.1:9"));
        assert_eq!(
            warnings,
            [
                "unknown setting `colour` in config file; ignored",
                "unknown setting `rate_limit.x` in config file; ignored"
            ]
        );
        let (_, warnings) =
            FileConfig::parse("[auth.oidc.corp]\nissuer = \"https://x.org\"\nscope = \"x\"")
                .unwrap();
        assert_eq!(
            warnings,
            ["unknown setting `auth.oidc.corp.scope` in config file; ignored"]
        );
    }

    #[test]
    fn flags_and_environment_win_over_the_file() {
        let (file, _) =
            FileConfig::parse("bind = \"127.0.0.1:9\"\nbase_url = \"https://file.example/\"")
                .unwrap();
        let serve = ServeArgs {
            bind: Some("127.0.0.1:7".into()),
            ..ServeArgs::default()
        };
        let s = ServeSettings::resolve(&GlobalArgs::default(), &serve, &file).unwrap();
        assert_eq!(s.bind.port(), 7);
        assert_eq!(
            s.base_url.as_ref().map(SiteUrl::as_str),
            Some("https://file.example")
        );
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
        let resolve = |serve: ServeArgs| {
            let err =
                ServeSettings::resolve(&GlobalArgs::default(), &serve, &FileConfig::default())
                    .unwrap_err();
            format!("{err:#}")
        };
        let err = resolve(ServeArgs {
            bind: Some("localhost".into()),
            ..ServeArgs::default()
        });
        assert!(err.contains("HOST:PORT"), "{err}");
        let err = resolve(ServeArgs {
            base_url: Some("example.org".into()),
            ..ServeArgs::default()
        });
        assert!(err.contains("not a site address"), "{err}");
    }

    #[test]
    fn the_help_states_the_defaults_that_apply() {
        use clap::CommandFactory;
        #[derive(clap::Parser)]
        struct Serve {
            #[command(flatten)]
            args: ServeArgs,
        }
        let help = Serve::command().render_long_help().to_string();
        let d = ServeSettings::default();
        for stated in [
            format!("[default: {}]", d.bind),
            format!("0 lifts the limit [default: {}]", d.comments_per_minute),
            format!("0 lifts it [default: {}]", d.login_lockout_after),
            format!("[default: {}]", d.mail_from),
        ] {
            assert!(help.contains(&stated), "help lacks {stated}:\n{help}");
        }
    }
}
