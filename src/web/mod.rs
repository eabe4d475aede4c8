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
pub mod encoding;
pub mod error;
pub mod hits;
pub mod input;
pub mod moderate_link;
pub mod ops;
pub mod public;
pub mod rate_limit;
pub mod request_id;
pub mod security_headers;
pub mod session;
pub mod signin;
pub mod signin_throttle;
pub mod subscriptions;

use std::future::Future;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::config::ServeSettings;
use crate::domain::settings::SiteSettings;
use crate::i18n::I18n;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::notify::Notifier;
use crate::render::{Assets, Templates};
use crate::site::Site;
use crate::store::Store;

pub struct App {
    pub store: Store,
    /// How the server runs: flags, environment and `tribune.toml`, resolved.
    pub settings: ServeSettings,
    /// The site's settings, address and link signer (shared with the notifier).
    pub site: Arc<Site>,
    pub templates: Arc<Templates>,
    pub assets: Assets,
    /// Each asset's compressed forms (by its address), made once at the strongest levels.
    pub asset_forms: std::collections::HashMap<String, Arc<encoding::Compressed>>,
    /// The Content-Security-Policy sent with every answer (`security_headers::policy`).
    pub csp: axum::http::HeaderValue,
    pub i18n: Arc<I18n>,
    /// Who hears about what, by email.
    pub notifier: Arc<Notifier>,
    pub mailer: Arc<Mailer>,
    pub cache: cache::PageCache,
    /// The media library: its rows and the files beside them.
    pub media: crate::media::Library,
    pub metrics: Arc<Metrics>,
    pub limiter: rate_limit::RateLimiter,
    /// Comments per email address, per hour.
    pub email_limiter: rate_limit::RateLimiter<String>,
    /// Comments per post, per minute, from everyone.
    pub post_limiter: rate_limit::RateLimiter<i64>,
    /// What the spam filter learned, held in memory (`crate::filter`).
    pub filter: crate::filter::Filter,
    /// The Akismet-compatible service, when configured.
    pub checker: Option<Arc<crate::spam_service::Checker>>,
    /// Sign-in attempts to start with an identity provider, per address.
    pub signin_starts: rate_limit::RateLimiter,
    /// Webmentions received, per address and minute.
    pub webmention_limiter: rate_limit::RateLimiter,
    /// Searches (uncached work a stranger can ask for), per address and minute.
    pub search_limiter: rate_limit::RateLimiter,
    /// Fetches sources and sends mentions (from jobs only).
    pub webmention: Arc<crate::webmention::Webmention>,
    pub signin_throttle: signin_throttle::SigninThrottle,
    /// When the write probe behind `/healthz` last ran, and what it found.
    pub health: std::sync::Mutex<Option<(std::time::Instant, ops::WriteHealth)>>,
    /// Long threads' comment pages, as last cut, by post (`public::comment_link`).
    pub thread_pages: public::comment_link::ThreadPages,
    /// Commenter sessions as last read, for a few seconds (`signin::KnownSessions`).
    pub known_sessions: signin::KnownSessions,
    auth: RwLock<Arc<crate::auth::Providers>>,
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
    pub async fn new(store: Store, settings: ServeSettings) -> anyhow::Result<Self> {
        store.migrate().await?;
        let pairs = store.all_settings().await?;
        let mut site_settings = SiteSettings::from_pairs(pairs.clone());
        if site_settings.secret.is_empty() {
            let secret = crate::token::random_hex(32);
            store
                .put_settings(&[("secret", secret.clone())], false)
                .await?;
            site_settings.secret = secret;
        }
        let i18n = Arc::new(I18n::new());
        let assets = Assets::load(settings.theme.as_deref())?;
        let templates = Arc::new(Templates::new(
            settings.theme.clone(),
            i18n.clone(),
            &assets,
        )?);
        let version = store.content_version().await?;
        i18n.set_latin_digits(site_settings.latin_digits);
        let site = Arc::new(Site::with_discussion(
            settings.base_url.clone(),
            settings.discussion.clone(),
            site_settings,
        ));
        let mailer = Arc::new(Mailer::new(
            settings.smtp_url.as_deref(),
            &settings.mail_from,
            settings.data.data_dir.clone(),
        )?);
        let notifier = Arc::new(Notifier::new(
            store.clone(),
            mailer.clone(),
            templates.clone(),
            i18n.clone(),
            site.clone(),
        ));
        let lift = |n: u32| {
            if settings.comments_per_minute == 0 {
                0
            } else {
                n
            }
        };
        let filter = crate::filter::Filter::default();
        filter.refresh(&store).await?;
        let checker = settings
            .spam_service
            .clone()
            .map(|s| Arc::new(crate::spam_service::Checker::new(s)));
        store.report_decisions(checker.is_some());
        // The spam folder's clean-up runs hourly from the first start on.
        store
            .ensure_queued(
                crate::domain::job::Job::PurgeSpam(crate::domain::job::PurgeSpam {}),
                crate::store::now(),
                "spam",
            )
            .await?;
        // On PostgreSQL several instances may serve one site: what limits a stranger
        // across the site (the comment limits, staff sign-in failures) is counted in
        // the database by all of them together. Limits that spare one process's CPU
        // (searches, sign-in starts, webmentions) stay each instance's own.
        let several = store.backend() == crate::store::Backend::Postgres;
        let counts = several.then(|| store.clone());
        Ok(AppState(Arc::new(App {
            filter,
            checker,
            limiter: rate_limit::RateLimiter::new(settings.comments_per_minute)
                .shared(counts.as_ref(), "comments-address"),
            // `comments_per_minute = 0` lifts every comment limit (benchmarks, tests).
            email_limiter: rate_limit::RateLimiter::per(
                lift(settings.comments_per_email_per_hour),
                std::time::Duration::from_secs(3600),
            )
            .shared(counts.as_ref(), "comments-email"),
            post_limiter: rate_limit::RateLimiter::new(lift(settings.comments_per_post_per_minute))
                .shared(counts.as_ref(), "comments-post"),
            signin_starts: rate_limit::RateLimiter::new(lift(30)),
            webmention_limiter: rate_limit::RateLimiter::new(lift(30)),
            search_limiter: rate_limit::RateLimiter::new(lift(60)),
            webmention: Arc::new(crate::webmention::Webmention::new(
                settings.webmention_private_addresses,
            )),
            signin_throttle: signin_throttle::SigninThrottle::new(
                settings.login_lockout_after,
                counts.clone(),
            ),
            health: std::sync::Mutex::new(None),
            thread_pages: Default::default(),
            known_sessions: Default::default(),
            auth: RwLock::new(Arc::new(crate::auth::Providers::new(admin_providers(
                &settings.providers,
                &pairs,
            )))),
            cache: cache::PageCache::new(
                version,
                (settings.page_cache_bytes, settings.search_cache_bytes),
                settings.page_cache,
            ),
            media: crate::media::Library::new(
                store.clone(),
                &settings.media,
                &settings.data.data_dir,
            )?,
            notifier,
            mailer,
            site,
            store,
            templates,
            asset_forms: assets
                .urls()
                .into_values()
                .map(|url| (url, encoding::Compressed::new(encoding::Effort::Asset)))
                .collect(),
            csp: security_headers::policy(&assets.inline_style_sources()),
            assets,
            i18n,
            settings,
            metrics: Arc::new(Metrics::new()),
        })))
    }

    /// The enabled sign-in providers: those in the configuration, then those the
    /// administrator entered in `/admin/settings`.
    pub fn auth(&self) -> Arc<crate::auth::Providers> {
        self.auth.read().expect("providers lock").clone()
    }

    /// The site's settings as last read.
    pub fn site(&self) -> Arc<SiteSettings> {
        self.site.settings()
    }

    /// Re-reads settings from the database (after a change here or elsewhere).
    /// After a moderator's decision here: pages change, and the spam filter learned
    /// (read again at once, not at the next poll).
    pub async fn moderated(&self) {
        self.comments_changed().await;
        self.refresh_filter().await;
    }

    /// Reads what the spam filter learned again if any instance changed it.
    pub async fn refresh_filter(&self) {
        if let Err(err) = self.filter.refresh(&self.store).await {
            tracing::warn!(error = %err, "could not read what the spam filter learned");
        }
    }

    pub async fn reload_settings(&self) -> anyhow::Result<()> {
        let pairs = self.store.all_settings().await?;
        let providers = admin_providers(&self.settings.providers, &pairs);
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
        self.i18n.set_latin_digits(settings.latin_digits);
        self.site.replace(settings);
        Ok(())
    }

    /// The job runner's context: the store, the notifier, the mailer, the metrics.
    pub fn worker(&self) -> crate::jobs::Worker {
        crate::jobs::Worker {
            store: self.store.clone(),
            notifier: self.notifier.clone(),
            mailer: self.mailer.clone(),
            metrics: self.metrics.clone(),
            retry_base: self.settings.job_retry_base,
            site: self.site.clone(),
            checker: self.checker.clone(),
            webmention: self.webmention.clone(),
        }
    }

    /// Whether cookies set for `client` must carry `Secure`: the site is served over
    /// HTTPS, or this reader came through a trusted proxy over HTTPS.
    pub fn secure_cookies(&self, client: &client::Client) -> bool {
        client.https || self.site.is_https()
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
        .route(
            "/{y}/{m}/{d}/{slug}/{cpage}/",
            get(public::post_page::show_comment_page),
        )
        .route(
            "/{slug}/{cpage}/",
            get(public::post_page::show_page_comment_page),
        )
        .route("/category/{slug}/", get(public::home::category))
        .route("/category/{slug}/page/{n}/", get(public::home::category))
        .route("/tag/{slug}/", get(public::home::tag))
        .route("/tag/{slug}/page/{n}/", get(public::home::tag))
        .route("/{slug}/page/{n}/", get(public::home::language_page))
        // Feeds, where WordPress has them (`…/feed/` RSS, `…/feed/atom/` Atom).
        .route("/robots.txt", get(public::sitemaps::robots))
        .route("/webmention", post(public::webmention::receive))
        .route("/sitemap.xml", get(public::sitemaps::index))
        .route(
            "/wp-sitemap.xml",
            get(|| async { axum::response::Redirect::permanent("/sitemap.xml") }),
        )
        .route("/sitemaps/{file}", get(public::sitemaps::sitemap))
        .route(
            "/feed",
            get(|| async { axum::response::Redirect::permanent("/feed/") }),
        )
        .route("/feed/", get(public::feeds::site))
        .route("/feed/{kind}/", get(public::feeds::site))
        .route("/comments/feed/", get(public::feeds::comments))
        .route("/comments/feed/{kind}/", get(public::feeds::comments))
        .route("/category/{slug}/feed/", get(public::feeds::category))
        .route(
            "/category/{slug}/feed/{kind}/",
            get(public::feeds::category),
        )
        .route("/tag/{slug}/feed/", get(public::feeds::tag))
        .route("/tag/{slug}/feed/{kind}/", get(public::feeds::tag))
        .route(
            "/{slug}/feed/{kind}/",
            get(public::feeds::language_or_page_kind),
        )
        .route(
            "/{y}/{m}/{d}/{slug}/feed/{kind}/",
            get(public::feeds::post_kind),
        )
        .route("/comments", post(public::comment_submit::submit))
        .route("/comments/shown", get(public::comment_submit::form_shown))
        .route("/comment/{id}/", get(public::comment_link::show))
        .route(
            "/comments/{id}/edit",
            get(public::comment_edit::form).post(public::comment_edit::submit),
        )
        .route("/avatar/{file}", get(public::avatar::identicon))
        .route("/media/{file}", get(public::media::serve))
        // Uploads may be larger than any other form: the library's own limit, plus
        // room for the form around the file.
        .route(
            "/admin/media",
            get(admin::media::library)
                .post(admin::media::upload)
                .layer(DefaultBodyLimit::max(
                    usize::try_from(state.media.max_bytes)
                        .unwrap_or(usize::MAX)
                        .saturating_add(1024 * 1024),
                )),
        )
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
        .route("/manifest.webmanifest", get(assets::manifest))
        .route("/favicon.ico", get(assets::favicon))
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .merge(admin)
        .route(
            "/admin",
            get(|| async { axum::response::Redirect::permanent("/admin/") }),
        )
        .fallback(public::not_found)
        .layer(encoding::per_request_layer())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::record,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::origin_guard,
        ))
        .layer(DefaultBodyLimit::max(2 * 1024 * 1024))
        // Inside the edge layer, so it writes their pages too.
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            edge::edge,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_id::make_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(axum::middleware::from_fn(request_id::assign))
        .with_state(state)
}

/// The site as served: cached pages answered before routing (`hits`), the rest routed.
pub fn app(state: AppState) -> hits::Hits<Router> {
    tower::Layer::layer(&hits::HitsLayer(state.clone()), router(state))
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
        state.site.listening_on(addr);
    }
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let poller = tokio::spawn(cache::watch_content_version(state.clone()));
    let worker = tokio::spawn(crate::jobs::work(state.worker(), stop.clone()));
    // Posts from before search, or from before folding changed, are indexed while the
    // site serves (a batch a transaction; another instance doing it too does no harm).
    let indexing = state.clone();
    tokio::spawn(async move {
        match indexing.store.complete_search_index().await {
            Ok(n) => {
                if n > 0 {
                    tracing::info!(posts = n, "search index completed");
                }
                indexing.cache.search_index_complete();
            }
            // Results are then never kept: each search reads the index as it is.
            Err(err) => tracing::warn!(error = %err, "could not complete the search index"),
        }
    });
    let app = axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
        SocketAddr,
    >(app(state.clone()));
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
