//! The running site: its settings as last read from the database, its public address,
//! and the secret that signs the links it writes. One value, shared by the web layer
//! and the notifications, so pages and emails always agree on both.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::settings::{DiscussionConfig, SiteSettings};
use crate::domain::site_url::SiteUrl;

pub struct Site {
    /// `base_url` from the configuration: wins over the address recorded at setup.
    configured: Option<SiteUrl>,
    /// The address the server listens on: the last resort for links.
    listening: OnceLock<SiteUrl>,
    settings: RwLock<Arc<SiteSettings>>,
    /// Whether the address is `https://`, kept beside it: every response asks.
    https: AtomicBool,
    /// `[discussion]` from the configuration: applied to every read of the settings.
    discussion: DiscussionConfig,
}

impl Site {
    pub fn new(configured: Option<SiteUrl>, settings: SiteSettings) -> Site {
        Site::with_discussion(configured, DiscussionConfig::default(), settings)
    }

    /// A site whose discussion rules the configuration fixes where `discussion` says.
    pub fn with_discussion(
        configured: Option<SiteUrl>,
        discussion: DiscussionConfig,
        settings: SiteSettings,
    ) -> Site {
        let site = Site {
            configured,
            listening: OnceLock::new(),
            settings: RwLock::new(Arc::new(SiteSettings::default())),
            https: AtomicBool::new(false),
            discussion,
        };
        site.replace(settings);
        site
    }

    /// The settings as last read.
    pub fn settings(&self) -> Arc<SiteSettings> {
        self.settings.read().expect("settings lock").clone()
    }

    /// Takes settings read afresh (after a change here or elsewhere).
    pub fn replace(&self, settings: SiteSettings) {
        let settings = self.discussion.apply(settings);
        let https = self
            .configured
            .as_ref()
            .or(settings.site_url.as_ref())
            .is_some_and(SiteUrl::is_https);
        self.https.store(https, Ordering::Relaxed);
        *self.settings.write().expect("settings lock") = Arc::new(settings);
    }

    /// The discussion settings the configuration fixes (shown read-only in Settings).
    pub fn fixed_by_config(&self) -> Vec<&'static str> {
        self.discussion.fixed()
    }

    /// Records the address the server listens on (once).
    pub fn listening_on(&self, addr: SocketAddr) {
        let _ = self.listening.set(SiteUrl::listening(addr));
    }

    /// The site's public address, for every absolute link (emails, redirect URIs,
    /// feeds): `base_url` from the configuration, else the address recorded at setup
    /// (Settings), else the address the server listens on. Never a request's `Host`
    /// header, which anyone can write.
    pub fn url(&self) -> SiteUrl {
        if let Some(u) = &self.configured {
            return u.clone();
        }
        if let Some(u) = &self.settings().site_url {
            return u.clone();
        }
        self.listening.get().cloned().unwrap_or_else(|| {
            SiteUrl::listening(
                crate::config::DEFAULT_BIND
                    .parse()
                    .expect("the default address parses"),
            )
        })
    }

    /// Whether the address is known (configured or recorded), not guessed.
    pub fn url_known(&self) -> bool {
        self.configured.is_some() || self.settings().site_url.is_some()
    }

    /// Whether the address comes from the configuration (Settings cannot change it).
    pub fn url_configured(&self) -> bool {
        self.configured.is_some()
    }

    /// Whether the site is served over HTTPS (its address says so).
    pub fn is_https(&self) -> bool {
        self.https.load(Ordering::Relaxed)
    }

    /// HMAC-SHA256 of `msg` under the site secret, hex.
    pub fn sign(&self, msg: &str) -> String {
        let settings = self.settings();
        let mut mac =
            Hmac::<Sha256>::new_from_slice(settings.secret.as_bytes()).expect("any key length");
        mac.update(msg.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(site_url: Option<&str>) -> SiteSettings {
        SiteSettings {
            site_url: site_url.map(|u| SiteUrl::parse(u).unwrap()),
            secret: "k".into(),
            ..SiteSettings::default()
        }
    }

    #[test]
    fn the_configured_address_wins_then_the_recorded_then_the_listening_one() {
        let site = Site::new(None, settings(None));
        assert!(!site.url_known());
        site.listening_on("127.0.0.1:9999".parse().unwrap());
        assert_eq!(site.url().as_str(), "http://127.0.0.1:9999");
        site.replace(settings(Some("https://news.example.org")));
        assert_eq!(site.url().as_str(), "https://news.example.org");
        assert!(site.is_https() && site.url_known());
        let fixed = Site::new(
            Some(SiteUrl::parse("http://example.org").unwrap()),
            settings(Some("https://other.example")),
        );
        assert_eq!(fixed.url().as_str(), "http://example.org");
        assert!(!fixed.is_https() && fixed.url_configured());
    }

    #[test]
    fn signatures_depend_on_the_secret_and_the_message() {
        let a = Site::new(None, settings(None));
        assert_eq!(a.sign("x"), a.sign("x"));
        assert_ne!(a.sign("x"), a.sign("y"));
        let b = Site::new(
            None,
            SiteSettings {
                secret: "other".into(),
                ..settings(None)
            },
        );
        assert_ne!(a.sign("x"), b.sign("x"));
    }
}
