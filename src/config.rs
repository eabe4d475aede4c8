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
    #[serde(default)]
    pub rate_limit: RateLimitFile,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitFile {
    pub comments_per_minute: Option<u32>,
}

const KNOWN_KEYS: &[&str] = &[
    "bind",
    "base_url",
    "data_dir",
    "database_url",
    "theme",
    "log_format",
    "rate_limit",
    "rate_limit.comments_per_minute",
];

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
        if !KNOWN_KEYS.contains(&full.as_str()) {
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
        .filter(|k| !KNOWN_ENV.contains(&k.as_str()))
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
        let theme = serve.theme.clone().or_else(|| file.theme.clone());
        if let Some(t) = &theme {
            if !t.is_dir() {
                anyhow::bail!("theme directory {} does not exist", t.display());
            }
        }
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
