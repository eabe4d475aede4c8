//! The web layer: router, handlers, sessions, CSRF, templates and the page cache.
//!
//! Handlers are thin: they read the request, call the domain and the store, and
//! render a template. Nothing here decides what a comment or a post may be.

pub mod admin;
pub mod assets;
pub mod cache;
pub mod client;
pub mod csrf;
pub mod detach;
pub mod edge;
pub mod error;
pub mod input;
pub mod moderate_link;
pub mod notify;
pub mod ops;
pub mod public;
pub mod rate_limit;
pub mod request_id;
pub mod security_headers;
pub mod session;
pub mod signin;
pub mod signin_throttle;
pub mod subscriptions;
pub mod templates;

use std::future::Future;
use std::net::SocketAddr;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::domain::settings::SiteSettings;
use crate::i18n::I18n;
use crate::metrics::Metrics;
use crate::store::Store;

/// How the server runs; comes from flags, environment and `tribune.toml`.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Public address of the site, e.g. `https://example.org`; overrides the address
    /// recorded at setup. Used for links that leave the site and for cookies.
    pub base_url: Option<String>,
    /// Reverse proxies whose forwarding headers are believed.
    pub trusted_proxies: client::TrustedProxies,
    /// A directory whose `templates/` and `assets/` override the embedded theme.
    pub theme_dir: Option<PathBuf>,
    /// Comments one address may post per minute; 0 lifts the limit.
    pub comments_per_minute: u32,
    /// Failed staff sign-ins before a lock (per account and per address); 0 lifts it.
    pub login_lockout_after: u32,
    /// Enabled sign-in providers.
    pub providers: Vec<crate::auth::ProviderSettings>,
    /// The OpenID Connect provider staff may sign in to `/admin/` with.
    pub staff_provider: Option<String>,
    /// `smtp://…`; without it, email is written as `.eml` files under `data_dir/mail`.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub data_dir: PathBuf,
    /// First wait before a failed job is tried again; doubles each time.
    pub job_retry_base: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            base_url: None,
            trusted_proxies: client::TrustedProxies::default(),
            theme_dir: None,
            comments_per_minute: 10,
            login_lockout_after: 10,
            providers: Vec::new(),
            staff_provider: None,
            smtp_url: None,
            mail_from: "Tribune <tribune@localhost>".into(),
            data_dir: PathBuf::from(crate::config::DEFAULT_DATA_DIR),
            job_retry_base: Duration::from_secs(30),
        }
    }
}

pub struct App {
    pub store: Store,
    pub templates: templates::Templates,
    pub i18n: Arc<I18n>,
    pub cache: cache::PageCache,
    pub config: ServerConfig,
    pub metrics: Metrics,
    pub limiter: rate_limit::RateLimiter,
    /// Sign-in attempts to start with an identity provider, per address.
    pub signin_starts: rate_limit::RateLimiter,
    pub signin_throttle: signin_throttle::SigninThrottle,
    pub assets: assets::Assets,
    /// The address the server listens on, as a last resort for links when no site
    /// address is configured or recorded yet.
    listen_url: std::sync::OnceLock<String>,
    /// Whether the site's address is `https://` (kept current by `reload_settings`).
    https: std::sync::atomic::AtomicBool,
    /// When the write probe behind `/healthz` last ran, and what it found.
    pub health: std::sync::Mutex<Option<(std::time::Instant, ops::WriteHealth)>>,
    auth: RwLock<Arc<crate::auth::Providers>>,
    pub mailer: crate::mail::Mailer,
    /// Woken when a job is queued, so the worker need not wait for its next poll.
    pub jobs_wakeup: tokio::sync::Notify,
    /// Notification topics folded into a digest, and until when (see `notify::decide`).
    pub notify_quiet: std::sync::Mutex<std::collections::HashMap<String, i64>>,
    site: RwLock<Arc<SiteSettings>>,
}

/// Shared state of a running site. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<App>);

impl Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

impl AppState {
    /// Migrates the database, makes sure the site has a secret, loads the settings.
    pub async fn new(store: Store, config: ServerConfig) -> anyhow::Result<Self> {
        store.migrate().await?;
        let pairs = store.all_settings().await?;
        let mut settings = SiteSettings::from_pairs(pairs.clone());
        if settings.secret.is_empty() {
            let secret = crate::token::random_hex(32);
            store
                .put_settings(&[("secret", secret.clone())], false)
                .await?;
            settings.secret = secret;
        }
        let i18n = Arc::new(I18n::new());
        let assets = assets::Assets::load(config.theme_dir.as_deref())?;
        let templates = templates::Templates::new(config.theme_dir.clone(), i18n.clone(), &assets)?;
        let version = store.content_version().await?;
        Ok(AppState(Arc::new(App {
            limiter: rate_limit::RateLimiter::new(config.comments_per_minute),
            signin_starts: rate_limit::RateLimiter::new(if config.comments_per_minute == 0 {
                0
            } else {
                30
            }),
            signin_throttle: signin_throttle::SigninThrottle::new(config.login_lockout_after),
            listen_url: std::sync::OnceLock::new(),
            health: std::sync::Mutex::new(None),
            https: std::sync::atomic::AtomicBool::new(
                config
                    .base_url
                    .as_deref()
                    .unwrap_or(&settings.site_url)
                    .starts_with("https://"),
            ),
            mailer: crate::mail::Mailer::new(
                config.smtp_url.as_deref(),
                &config.mail_from,
                config.data_dir.clone(),
            )?,
            jobs_wakeup: tokio::sync::Notify::new(),
            notify_quiet: std::sync::Mutex::new(std::collections::HashMap::new()),
            auth: RwLock::new(Arc::new(crate::auth::Providers::new(admin_providers(
                &config.providers,
                &pairs,
            )))),
            cache: cache::PageCache::new(version),
            store,
            templates,
            i18n,
            config,
            metrics: Metrics::new(),
            assets,
            site: RwLock::new(Arc::new(settings)),
        })))
    }

    /// The enabled sign-in providers: those in the configuration, then those the
    /// administrator entered in `/admin/settings`.
    pub fn auth(&self) -> Arc<crate::auth::Providers> {
        self.auth.read().expect("providers lock").clone()
    }

    pub fn site(&self) -> Arc<SiteSettings> {
        self.site.read().expect("settings lock").clone()
    }

    /// Re-reads settings from the database (after a change here or elsewhere).
    pub async fn reload_settings(&self) -> anyhow::Result<()> {
        let pairs = self.store.all_settings().await?;
        let providers = admin_providers(&self.config.providers, &pairs);
        let changed = {
            // Providers::all() is ordered by name; compare in that order.
            let current = self.auth();
            let mut new: Vec<_> = providers
                .iter()
                .map(|p| (&p.name, &p.client_id, &p.client_secret))
                .collect();
            new.sort();
            let old: Vec<_> = current
                .all()
                .map(|p| (&p.name, &p.client_id, &p.client_secret))
                .collect();
            old != new
        };
        if changed {
            *self.auth.write().expect("providers lock") =
                Arc::new(crate::auth::Providers::new(providers));
        }
        let settings = SiteSettings::from_pairs(pairs);
        let https = self
            .config
            .base_url
            .as_deref()
            .unwrap_or(&settings.site_url)
            .starts_with("https://");
        self.https
            .store(https, std::sync::atomic::Ordering::Relaxed);
        *self.site.write().expect("settings lock") = Arc::new(settings);
        Ok(())
    }

    /// HMAC-SHA256 of `msg` under the site secret, hex.
    pub fn sign(&self, msg: &str) -> String {
        let site = self.site();
        let mut mac = Hmac::<Sha256>::new_from_slice(site.secret.as_bytes()).expect("any key");
        mac.update(msg.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Queues an email; the job runner delivers it, retrying until it goes through.
    pub async fn queue_email(
        &self,
        email: &crate::mail::OutgoingEmail,
        topic: Option<&str>,
    ) -> Result<i64, crate::store::StoreError> {
        let mut job = crate::store::NewJob::now(crate::domain::job::Job::Email(email.clone()));
        job.topic = topic.map(str::to_string);
        self.store.enqueue_job(job).await
    }

    /// The site's public address, without a trailing `/`, for every absolute link
    /// (emails, redirect URIs, feeds): `base_url` from the configuration, else the
    /// address recorded at setup (Settings), else the address the server listens on.
    /// Never a request's `Host` header, which anyone can write.
    pub fn site_url(&self) -> String {
        if let Some(b) = &self.config.base_url {
            return b.clone();
        }
        let site = self.site();
        if !site.site_url.is_empty() {
            return site.site_url.clone();
        }
        self.listen_url
            .get()
            .cloned()
            .unwrap_or_else(|| format!("http://{}", crate::config::DEFAULT_BIND))
    }

    /// Whether the site is served over HTTPS (its address says so); cheap, for every
    /// response's headers.
    pub fn site_is_https(&self) -> bool {
        self.https.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether the site's address is known (configured or recorded), not guessed.
    pub fn site_url_known(&self) -> bool {
        self.config.base_url.is_some() || !self.site().site_url.is_empty()
    }

    /// Whether cookies set for `client` must carry `Secure`: the site is served over
    /// HTTPS, or this reader came through a trusted proxy over HTTPS.
    pub fn secure_cookies(&self, client: &client::Client) -> bool {
        client.https || self.site_is_https()
    }
}

/// The configured providers, plus presets an administrator enabled in the settings
/// page (`auth.NAME.client_id` / `auth.NAME.client_secret`); configuration wins.
pub fn admin_providers(
    configured: &[crate::auth::ProviderSettings],
    pairs: &[(String, String)],
) -> Vec<crate::auth::ProviderSettings> {
    let mut out = configured.to_vec();
    let get = |k: String| {
        pairs
            .iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    for (name, _) in crate::auth::PRESETS {
        if out.iter().any(|p| p.name == *name) {
            continue;
        }
        if let (Some(id), Some(secret)) = (
            get(format!("auth.{name}.client_id")),
            get(format!("auth.{name}.client_secret")),
        ) {
            out.extend(crate::auth::preset(name, id, crate::auth::Secret(secret)));
        }
    }
    out
}

/// All routes of the site.
pub fn router(state: AppState) -> Router {
    let admin = admin::routes();
    Router::new()
        .route("/", get(public::home::first_page))
        .route("/page/{n}/", get(public::home::page))
        .route("/{y}/{m}/{d}/{slug}/", get(public::post_page::show))
        .route("/{y}/{m}/{d}/{slug}", get(public::post_page::add_slash))
        .route("/{slug}/", get(public::post_page::show_page))
        .route("/category/{slug}/", get(public::home::category))
        .route("/category/{slug}/page/{n}/", get(public::home::category))
        .route("/tag/{slug}/", get(public::home::tag))
        .route("/tag/{slug}/page/{n}/", get(public::home::tag))
        .route("/comments", post(public::comment_submit::submit))
        .route("/avatar/{file}", get(public::avatar::identicon))
        .route("/auth/{provider}/start", post(signin::start))
        .route("/auth/{provider}/callback", get(signin::callback))
        .route("/auth/logout", post(signin::logout))
        .route(
            "/moderate/{id}/{action}",
            get(moderate_link::confirm).post(moderate_link::apply),
        )
        .route("/subscriptions", get(subscriptions::manage))
        .route(
            "/subscriptions/confirm",
            get(subscriptions::confirm_page).post(subscriptions::confirm),
        )
        .route(
            "/subscriptions/unsubscribe",
            get(subscriptions::unsubscribe_page).post(subscriptions::unsubscribe),
        )
        .route("/assets/{file}", get(assets::serve))
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .merge(admin)
        .route(
            "/admin",
            get(|| async { axum::response::Redirect::permanent("/admin/") }),
        )
        .fallback(public::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::record,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::origin_guard,
        ))
        .layer(DefaultBodyLimit::max(2 * 1024 * 1024))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            edge::edge,
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_id::make_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(axum::middleware::from_fn(request_id::assign))
        .with_state(state)
}

/// How long requests in flight may take to finish once shutdown begins; after that the
/// server stops anyway (a client that never finishes sending cannot hold it up).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Serves the site on `listener` until `shutdown` completes, then lets in-flight
/// requests finish for up to [`SHUTDOWN_GRACE`] and the job runner finish its job.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        let _ = state.listen_url.set(format!("http://{addr}"));
    }
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let poller = tokio::spawn(cache::watch_content_version(state.clone()));
    let worker = tokio::spawn(crate::jobs::work(state.clone(), stop.clone()));
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stopping.send(true);
    });
    let mut stop_wait = stop;
    let deadline = async move {
        let _ = stop_wait.wait_for(|stopping| *stopping).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    let result = tokio::select! {
        result = server => result,
        () = deadline => {
            tracing::warn!("requests still running {} s after shutdown began; stopping anyway", SHUTDOWN_GRACE.as_secs());
            Ok(())
        }
    };
    poller.abort();
    let abort_worker = worker.abort_handle();
    if tokio::time::timeout(Duration::from_secs(3), worker)
        .await
        .is_err()
    {
        abort_worker.abort();
        tracing::warn!("the job runner did not finish its job in time; it will be taken again");
    }
    result
}
