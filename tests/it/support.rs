//! Test harness: databases created and dropped per test, the server on port 0, and an
//! HTTP client that keeps cookies and does not follow redirects (so tests see them).

use std::time::Duration;

use reqwest::header::{HeaderMap, LOCATION};
use reqwest::{Client, StatusCode};
use sqlx::{Connection, Executor};
use tokio::sync::oneshot;
use tribune::config::{DataSettings, ServeSettings};
use tribune::store::Store;
use tribune::web::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

fn required(var: &str) -> bool {
    std::env::var(var).is_ok_and(|v| v == "1" || v == "true")
        || std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The backends this run covers. PostgreSQL needs `TRIBUNE_TEST_POSTGRES_URL` (an admin
/// URL such as `postgres://postgres@127.0.0.1:5432/postgres`); in CI its absence fails.
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    if std::env::var("TRIBUNE_TEST_POSTGRES_URL").is_ok() {
        v.push(Backend::Postgres);
    } else if required("TRIBUNE_REQUIRE_POSTGRES") {
        panic!("TRIBUNE_TEST_POSTGRES_URL is not set, but CI requires the PostgreSQL run");
    } else {
        eprintln!("skipping PostgreSQL: set TRIBUNE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres to run it");
    }
    v
}

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<(String, String)>,
}

impl TestDb {
    pub async fn create(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = tribune::config::sqlite_url(&dir.path().join("tribune.db"));
                TestDb {
                    url,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let admin =
                    std::env::var("TRIBUNE_TEST_POSTGRES_URL").expect("checked in backends()");
                let name = format!("tribune_test_{}", tribune::token::random_hex(6));
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("connect to PostgreSQL");
                conn.execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("create database");
                conn.close().await.ok();
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                let url = format!("{base}/{name}");
                TestDb {
                    url,
                    _dir: None,
                    pg_name: Some((admin, name)),
                }
            }
        }
    }

    pub async fn drop_db(&mut self) {
        if let Some((admin, name)) = self.pg_name.take() {
            if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                let _ = conn
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await;
                conn.close().await.ok();
            }
        }
    }
}

impl Drop for TestDb {
    /// A test that panicked before `stop()` still drops its database.
    fn drop(&mut self) {
        if self.pg_name.is_some() {
            let mut this = TestDb {
                url: String::new(),
                _dir: None,
                pg_name: self.pg_name.take(),
            };
            let _ = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime")
                    .block_on(this.drop_db());
            })
            .join();
        }
    }
}

pub struct TestServer {
    pub base: String,
    pub client: Client,
    /// The cookies `client` holds (to send them on raw sockets).
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
    pub store: Store,
    pub state: AppState,
    pub db: TestDb,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _data: tempfile::TempDir,
}

pub fn client() -> Client {
    client_with_jar(Default::default())
}

pub fn client_with_jar(jar: std::sync::Arc<reqwest::cookie::Jar>) -> Client {
    Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Response {
    /// Reads a response. The body is kept without Fluent's invisible isolation marks
    /// (U+2068, U+2069), so tests compare text as a reader sees it.
    pub async fn new(res: reqwest::Response) -> Response {
        let status = res.status();
        let headers = res.headers().clone();
        let body = res
            .text()
            .await
            .unwrap()
            .replace(['\u{2068}', '\u{2069}'], "");
        Response {
            status,
            headers,
            body,
        }
    }

    pub fn location(&self) -> String {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("expected a redirect, got {} {}", self.status, self.body))
            .to_string()
    }

    #[track_caller]
    pub fn assert_contains(&self, needle: &str) -> &Self {
        assert!(
            self.body.contains(needle),
            "expected {needle:?} in a {} page:\n{}",
            self.status,
            self.body
        );
        self
    }

    #[track_caller]
    pub fn assert_lacks(&self, needle: &str) -> &Self {
        assert!(
            !self.body.contains(needle),
            "did not expect {needle:?} in:\n{}",
            self.body
        );
        self
    }
}

/// The value of a hidden `csrf` field in a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no csrf field in:\n{html}"))
        + marker.len();
    html[at..].split('"').next().unwrap().to_string()
}

impl TestServer {
    pub async fn start(backend: Backend) -> TestServer {
        Self::start_with(
            backend,
            ServeSettings {
                comments_per_minute: 0,
                ..ServeSettings::default()
            },
        )
        .await
    }

    pub async fn start_with(backend: Backend, config: ServeSettings) -> TestServer {
        Self::start_with_fn(backend, |_| config).await
    }

    /// Starts a server whose configuration depends on its own address (sign-in tests
    /// need it for redirect URIs).
    pub async fn start_with_fn(
        backend: Backend,
        make: impl FnOnce(&str) -> ServeSettings,
    ) -> TestServer {
        static LOGS: std::sync::Once = std::sync::Once::new();
        LOGS.call_once(|| {
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_test_writer()
                .try_init();
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().unwrap();
        let config = make(&format!("http://{addr}"));
        let db = TestDb::create(backend).await;
        Self::launch(listener, db, config).await
    }

    /// A second server on the same database (several instances behind one PostgreSQL).
    pub async fn another_on_same_database(&self, config: ServeSettings) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let db = TestDb {
            url: self.db.url.clone(),
            _dir: None,
            pg_name: None,
        };
        Self::launch(listener, db, config).await
    }

    /// Serves `db` on `listener`, with a data directory of its own unless `config`
    /// names one.
    async fn launch(
        listener: tokio::net::TcpListener,
        db: TestDb,
        mut config: ServeSettings,
    ) -> TestServer {
        let addr = listener.local_addr().unwrap();
        let data = tempfile::tempdir().expect("data dir");
        if config.data == DataSettings::default() {
            config.data = DataSettings::in_dir(data.path().to_path_buf());
        }
        seed_form_timing(&db.url).await;
        let store = Store::connect(&db.url).await.expect("connect");
        let state = AppState::new(store.clone(), config).await.expect("state");
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(tribune::web::serve(state.clone(), listener, async {
            let _ = rx.await;
        }));
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        TestServer {
            base: format!("http://{addr}"),
            client: client_with_jar(jar.clone()),
            jar,
            store,
            state,
            db,
            shutdown: Some(tx),
            handle: Some(handle),
            _data: data,
        }
    }

    /// Signals shutdown; the returned future completes when the server has stopped.
    pub fn begin_shutdown(&mut self) -> impl std::future::Future<Output = ()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let handle = self.handle.take();
        async move {
            if let Some(h) = handle {
                let _ = tokio::time::timeout(Duration::from_secs(10), h).await;
            }
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), h).await;
        }
        self.store.close().await;
        self.db.drop_db().await;
    }

    /// The `Cookie` header `client` would send to this server.
    pub fn cookie_header(&self) -> String {
        use reqwest::cookie::CookieStore;
        let url: reqwest::Url = self.base.parse().expect("base URL");
        self.jar
            .cookies(&url)
            .and_then(|v| v.to_str().ok().map(str::to_string))
            .unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get_with(&self, client: &Client, path: &str) -> Response {
        let res = client.get(self.url(path)).send().await.expect("GET");
        Response::new(res).await
    }

    pub async fn get(&self, path: &str) -> Response {
        self.get_with(&self.client, path).await
    }

    pub async fn post_with(&self, client: &Client, path: &str, form: &[(&str, &str)]) -> Response {
        let res = client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("POST");
        Response::new(res).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.post_with(&self.client, path, form).await
    }

    /// Runs `statement` on the test's database directly (what no interface does:
    /// fixing dates, writing a row as another version would).
    pub async fn sql(&self, statement: &str) {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.db.url).await.unwrap();
        conn.execute(statement).await.unwrap();
        conn.close().await.unwrap();
    }

    /// Runs the one-time setup as an administrator; the client stays signed in.
    pub async fn setup_admin(&self) {
        let page = self.get("/admin/").await;
        page.assert_contains("Set up your site");
        let csrf = csrf_of(&page.body);
        let res = self
            .post(
                "/admin/setup",
                &[
                    ("csrf", &csrf),
                    ("site_title", "Ministry of Examples"),
                    ("name", "Ada Admin"),
                    ("email", "ada@example.org"),
                    ("password", "correct horse battery"),
                    ("password2", "correct horse battery"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }

    /// The csrf token of the signed-in admin client.
    pub async fn admin_csrf(&self) -> String {
        csrf_of(&self.get("/admin/").await.body)
    }

    /// Publishes an English post through the editor; returns (id, permalink).
    pub async fn publish(&self, title: &str, body: &str) -> (i64, String) {
        self.publish_in("en", title, body).await
    }

    /// Publishes a post in `lang` through the editor; returns (id, permalink).
    pub async fn publish_in(&self, lang: &str, title: &str, body: &str) -> (i64, String) {
        let csrf = self.admin_csrf().await;
        let res = self
            .post(
                "/admin/posts",
                &[
                    ("csrf", &csrf),
                    ("title", title),
                    ("body", body),
                    ("lang", lang),
                    ("status", "published"),
                    ("comments_open", "on"),
                    ("action", "save"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let loc = res.location();
        let id: i64 = loc
            .trim_start_matches("/admin/posts/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let post = self.store.post_by_id(id).await.unwrap().unwrap();
        (
            id,
            tribune::domain::post::permalink(post.published_at.unwrap(), &post.slug),
        )
    }

    /// Posts a guest comment from `client`; returns the redirect target.
    pub async fn comment(
        &self,
        client: &Client,
        post_id: i64,
        parent: i64,
        name: &str,
        body: &str,
    ) -> Response {
        let post = post_id.to_string();
        let parent = parent.to_string();
        let email = format!("{}@example.net", name.to_lowercase().replace(' ', "."));
        // As the page's script does: the signed time the form was shown.
        let shown = self
            .get_with(client, &format!("/comments/shown?post={post_id}"))
            .await
            .body;
        self.post_with(
            client,
            "/comments",
            &[
                ("comment_post_ID", &post),
                ("comment_parent", &parent),
                ("author", name),
                ("email", &email),
                ("url", ""),
                ("comment", body),
                ("tribune_shown", &shown),
            ],
        )
        .await
    }
}

/// The comment id in a redirect such as `/…/?unapproved=7&moderation-hash=…#comment-7`.
pub fn comment_id_of(location: &str) -> i64 {
    location
        .rsplit("#comment-")
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Runs `f` once per backend, each time with a fresh server and database.
#[macro_export]
macro_rules! each_backend {
    ($name:ident, $body:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for backend in $crate::support::backends() {
                eprintln!("-- {} on {:?}", stringify!($name), backend);
                let server = $crate::support::TestServer::start(backend).await;
                let f = $body;
                f(&server).await;
                server.stop().await;
            }
        }
    };
}

/// `tribune serve` as its own process (for what only a process can suffer: `kill -9`,
/// SIGTERM, a file-size limit, a proxy in front).
pub struct ServerProcess {
    child: Option<std::process::Child>,
    pub base: String,
    pub port: u16,
    log: std::path::PathBuf,
}

impl ServerProcess {
    /// Starts `tribune serve` on a free loopback port over `db_url`, data in `data`,
    /// with `extra` flags; returns once `/healthz` answers.
    pub async fn start(db_url: &str, data: &std::path::Path, extra: &[&str]) -> ServerProcess {
        seed_form_timing(db_url).await;
        // A free port can be taken by another test between being found and being
        // listened on: then another one is tried.
        for _ in 0..5 {
            if let Some(server) = Self::start_on_free_port(db_url, data, extra).await {
                return server;
            }
        }
        panic!("tribune serve found no free port in five tries");
    }

    /// `None` when the port was taken before the server could listen on it.
    async fn start_on_free_port(
        db_url: &str,
        data: &std::path::Path,
        extra: &[&str],
    ) -> Option<ServerProcess> {
        let port = crate::signin::free_port();
        let log = data.join(format!("serve-{port}.log"));
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_tribune"))
            .arg("serve")
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .args(["--database-url", db_url])
            .args(["--data-dir", data.to_str().unwrap()])
            .args(extra)
            .current_dir(data)
            .env_remove("TRIBUNE_BASE_URL")
            .env("RUST_LOG", "info")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start tribune serve");
        let mut server = ServerProcess {
            child: Some(child),
            base: format!("http://127.0.0.1:{port}"),
            port,
            log,
        };
        for _ in 0..300 {
            if let Ok(res) = reqwest::get(format!("{}/healthz", server.base)).await {
                if res.status().is_success() {
                    return Some(server);
                }
            }
            let exited = server
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
                .is_some();
            if exited && server.log().contains("Address already in use") {
                server.child = None;
                return None;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("tribune serve did not start:\n{}", server.log());
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// `kill -9`: no shutdown, no flushing, nothing.
    pub fn kill_hard(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM, then waits; returns how long the process took to exit.
    pub fn terminate(&mut self) -> Duration {
        let started = std::time::Instant::now();
        if let Some(mut c) = self.child.take() {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            for _ in 0..300 {
                if c.try_wait().ok().flatten().is_some() {
                    return started.elapsed();
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
        started.elapsed()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill_hard();
    }
}

/// A site ready to serve: the schema, an administrator, one published post (comments
/// approved at once unless `hold`). Returns the post's id and permalink.
pub async fn prepared_site(store: &Store, hold: bool) -> (i64, String) {
    store.migrate().await.unwrap();
    let admin = store
        .insert_user(
            "ada@example.org",
            "Ada",
            Some("unusable-hash"),
            tribune::domain::role::Role::Admin,
            false,
        )
        .await
        .unwrap();
    store
        .put_settings(
            &[
                ("hold_new_comments", hold.to_string()),
                ("form_min_seconds", "0".into()),
            ],
            true,
        )
        .await
        .unwrap();
    let now = tribune::store::now() - 60;
    let post = tribune::store::PostWrite {
        slug: "a-statement".into(),
        title: "A statement".into(),
        excerpt: String::new(),
        body_md: "Text.".into(),
        body_html: "<p>Text.</p>".into(),
        status: tribune::domain::post::PostStatus::Published,
        lang: "en".into(),
        translation_group: None,
        author_id: admin,
        comments_open: true,
        published_at: Some(now),
        featured_media_id: None,
        media_ids: Vec::new(),
    };
    let id = store.insert_post(&post).await.unwrap();
    (id, tribune::domain::post::permalink(now, "a-statement"))
}

/// Posts a guest comment to `base`; returns the status and, for a 303, the id.
pub async fn post_comment(
    client: &Client,
    base: &str,
    post_id: i64,
    body: &str,
) -> (StatusCode, Option<i64>, String) {
    // As the page's script does: the signed time the form was shown.
    let shown = match client
        .get(format!("{base}/comments/shown?post={post_id}"))
        .send()
        .await
    {
        Ok(res) => res.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let res = client
        .post(format!("{base}/comments"))
        .form(&[
            ("comment_post_ID", post_id.to_string().as_str()),
            ("author", "Load Reader"),
            ("email", "load@example.net"),
            ("comment", body),
            ("tribune_shown", &shown),
        ])
        .send()
        .await;
    match res {
        Ok(res) => {
            let status = res.status();
            let id = res
                .headers()
                .get(LOCATION)
                .and_then(|l| l.to_str().ok())
                .filter(|_| status == StatusCode::SEE_OTHER)
                .map(comment_id_of);
            let text = res.text().await.unwrap_or_default();
            (status, id, text)
        }
        Err(_) => (StatusCode::from_u16(599).unwrap(), None, String::new()),
    }
}

/// A moderator acting from the command line, for store calls that record who acted.
pub fn actor() -> tribune::domain::activity::Actor {
    tribune::domain::activity::Actor {
        user_id: None,
        name: "test".into(),
        source: tribune::domain::activity::Source::Cli,
    }
}

/// Test readers post the moment the form is shown: a site under test takes a form at
/// once unless it says otherwise (the bot-trap tests set the minimum themselves).
async fn seed_form_timing(db_url: &str) {
    let store = Store::connect(db_url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let stored = store.all_settings().await.expect("settings");
    if !stored.iter().any(|(k, _)| k == "form_min_seconds") {
        store
            .put_settings(&[("form_min_seconds", "0".into())], false)
            .await
            .expect("settings");
    }
    store.close().await;
}

/// A server this test started on loopback (moto's S3, Python's HTTP server): stopped
/// and waited for however the test ends.
pub struct Loopback {
    child: std::process::Child,
    pub port: u16,
}

impl Drop for Loopback {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Loopback {
    /// Starts `command` (told to listen on `port`), held at once, and waits up to
    /// `tries` tenths of a second for the port to answer.
    pub async fn start(
        what: &str,
        mut command: std::process::Command,
        port: u16,
        tries: u32,
    ) -> Loopback {
        let server = Loopback {
            child: command
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("start {what}: {e}")),
            port,
        };
        for _ in 0..tries {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{what} did not start");
    }
}
