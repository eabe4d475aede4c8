//! Tribune behind a real reverse proxy on loopback, with the configurations from
//! `docs/deploy/` (nginx and Caddy from Debian). Readers come from different loopback
//! addresses (127.0.0.2, 127.0.0.3: all of 127/8 is loopback on Linux), so the proxy
//! sees them as different hosts; only 127.0.0.1, where the proxy connects from, is
//! trusted. Skips with a message without nginx or Caddy unless `CI=true`.

use std::net::IpAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;

use crate::support::{csrf_of, post_comment, prepared_site, ServerProcess, TestDb};

fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
        || std::env::var("TRIBUNE_REQUIRE_PROXY").is_ok_and(|v| v == "1")
}

fn have(program: &str) -> bool {
    let found = Command::new(program)
        .arg(if program == "nginx" { "-v" } else { "version" })
        .output()
        .is_ok();
    if !found {
        assert!(
            !required(),
            "the proxy tests are required: apt-get install nginx-light caddy"
        );
        eprintln!("skipping the {program} test: apt-get install nginx-light caddy to run it");
    }
    found
}

struct Proxy {
    child: Child,
    port: u16,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn wait_for_port(port: u16, what: &str, log: &Path) {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{what} did not start:\n{}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

fn deploy_file(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs/deploy")
            .join(name),
    )
    .unwrap()
}

/// nginx with `docs/deploy/nginx.conf`, its ports changed, as an unprivileged
/// foreground process.
async fn nginx(dir: &Path, upstream: u16) -> Proxy {
    nginx_with(dir, "nginx.conf", &[(8080, upstream)]).await
}

/// nginx with `docs/deploy/{file}`, each `(port in the file, port here)` replaced.
async fn nginx_with(dir: &Path, file: &str, upstreams: &[(u16, u16)]) -> Proxy {
    let port = crate::signin::free_port();
    let mut site = deploy_file(file)
        .replace("listen 80;", &format!("listen 127.0.0.1:{port};"))
        .replace("listen [::]:80;", "");
    for (theirs, ours) in upstreams {
        let theirs = format!("127.0.0.1:{theirs};");
        assert!(site.contains(&theirs), "{file} names {theirs}");
        site = site.replace(&theirs, &format!("127.0.0.1:{ours};"));
    }
    std::fs::write(dir.join("site.conf"), site).unwrap();
    let d = dir.display();
    let main = format!(
        "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  \
         include {d}/site.conf;\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), main).unwrap();
    let child = Command::new("nginx")
        .args(["-p", &d.to_string(), "-c", &format!("{d}/nginx.conf")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nginx");
    wait_for_port(port, "nginx", &dir.join("error.log")).await;
    Proxy { child, port }
}

/// Caddy with `docs/deploy/Caddyfile`, serving HTTPS with its own local certificate
/// authority in place of the public one.
async fn caddy(dir: &Path, upstream: u16) -> Proxy {
    let port = crate::signin::free_port();
    let d = dir.display();
    let file = deploy_file("Caddyfile")
        .replace(
            "example.org {",
            &format!(
                "{{\n\tadmin off\n\tskip_install_trust\n\tstorage file_system {d}/caddy\n}}\n\
                 https://127.0.0.1:{port} {{\n\ttls internal"
            ),
        )
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{upstream}"));
    std::fs::write(dir.join("Caddyfile"), file).unwrap();
    let log = dir.join("caddy.log");
    let child = Command::new("caddy")
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(dir.join("Caddyfile"))
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir)
        .env("XDG_CONFIG_HOME", dir)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("start caddy");
    wait_for_port(port, "caddy", &log).await;
    Proxy { child, port }
}

/// A browser on its own loopback address.
fn reader_at(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .danger_accept_invalid_certs(true)
        .cookie_store(true)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// What every proxy must get right: separate limits and stored addresses per reader,
/// a forged `X-Forwarded-For` ignored, the direct port not fooled either.
async fn readers_behind(proxy_base: &str, server: &ServerProcess, db: &TestDb, post_id: i64) {
    let a = reader_at("127.0.0.2");
    let b = reader_at("127.0.0.3");
    let (status, first, _) = post_comment(&a, proxy_base, post_id, "from reader a").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", server.log());
    let (status, _, _) = post_comment(&b, proxy_base, post_id, "from reader b").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "each reader has a limit of their own"
    );
    let (status, _, page) = post_comment(&a, proxy_base, post_id, "a again").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
    assert!(page.contains("a again"), "the text comes back");

    // A forged header is passed on by the proxy, but not believed.
    let forged = b
        .post(format!("{proxy_base}/comments"))
        .header("x-forwarded-for", "203.0.113.66")
        .form(&[
            ("comment_post_ID", post_id.to_string().as_str()),
            ("author", "Forger"),
            ("email", "forger@example.net"),
            ("comment", "forged"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "still reader b's address, so still over b's limit"
    );

    let store = tribune::store::Store::connect(&db.url).await.unwrap();
    let rows = store.moderation_queue(None, None, 100, 0).await.unwrap();
    let ip_of = |body: &str| rows.iter().find(|c| c.body == body).map(|c| c.ip.clone());
    assert_eq!(ip_of("from reader a").as_deref(), Some("127.0.0.2"));
    assert_eq!(ip_of("from reader b").as_deref(), Some("127.0.0.3"));
    assert!(first.is_some());
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_behind_nginx_are_told_apart_and_forgeries_ignored() {
    if !have("nginx") {
        return;
    }
    let mut db = TestDb::create(crate::support::Backend::Sqlite).await;
    let data = tempfile::tempdir().unwrap();
    let store = tribune::store::Store::connect(&db.url).await.unwrap();
    let (post_id, _) = prepared_site(&store, true).await;
    store.close().await;
    let server = ServerProcess::start(
        &db.url,
        data.path(),
        &[
            "--trusted-proxies",
            "127.0.0.1",
            "--comments-per-minute",
            "1",
        ],
    )
    .await;
    let proxy_dir = tempfile::tempdir().unwrap();
    let proxy = nginx(proxy_dir.path(), server.port).await;
    let base = format!("http://127.0.0.1:{}", proxy.port);
    readers_behind(&base, &server, &db, post_id).await;

    // Straight to Tribune's port, a forged header gets nowhere either.
    let c = reader_at("127.0.0.4");
    let res = c
        .post(server.url("/comments"))
        .header("x-forwarded-for", "198.51.100.77")
        .form(&[
            ("comment_post_ID", post_id.to_string().as_str()),
            ("author", "Direct"),
            ("email", "direct@example.net"),
            ("comment", "straight to the port"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let store = tribune::store::Store::connect(&db.url).await.unwrap();
    let rows = store.moderation_queue(None, None, 100, 0).await.unwrap();
    let direct = rows
        .iter()
        .find(|c| c.body == "straight to the port")
        .unwrap();
    assert_eq!(direct.ip, "127.0.0.4");
    store.close().await;
    drop(proxy);
    drop(server);
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_caddy_with_https_cookies_are_secure_and_the_address_is_recorded() {
    if !have("caddy") {
        return;
    }
    let mut db = TestDb::create(crate::support::Backend::Sqlite).await;
    let data = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        &db.url,
        data.path(),
        &[
            "--trusted-proxies",
            "127.0.0.1",
            "--comments-per-minute",
            "1",
        ],
    )
    .await;
    let proxy_dir = tempfile::tempdir().unwrap();
    let proxy = caddy(proxy_dir.path(), server.port).await;
    let base = format!("https://127.0.0.1:{}", proxy.port);

    // The first visit sets the site up; the address the browser used is recorded.
    let admin = reader_at("127.0.0.5");
    let page = admin.get(format!("{base}/admin/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let cookie = page
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.contains("Secure"), "HTTPS at the proxy: {cookie}");
    let csrf = csrf_of(&page.text().await.unwrap());
    let res = admin
        .post(format!("{base}/admin/setup"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("site_title", "Behind Caddy"),
            ("name", "Ada"),
            ("email", "ada@example.org"),
            ("password", "correct horse battery"),
            ("password2", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", server.log());
    let store = tribune::store::Store::connect(&db.url).await.unwrap();
    let settings =
        tribune::domain::settings::SiteSettings::from_pairs(store.all_settings().await.unwrap());
    assert_eq!(settings.site_url.map(|u| u.to_string()), Some(base.clone()));
    let now = tribune::store::now() - 60;
    let users = store.list_users().await.unwrap();
    let post_id = store
        .insert_post(&tribune::store::PostWrite {
            slug: "behind-caddy".into(),
            title: "Behind Caddy".into(),
            excerpt: String::new(),
            body_md: "x".into(),
            body_html: "<p>x</p>".into(),
            status: tribune::domain::post::PostStatus::Published,
            lang: "en".into(),
            translation_group: None,
            author_id: users[0].id,
            comments_open: true,
            published_at: Some(now),
            featured_media_id: None,
            media_ids: Vec::new(),
        })
        .await
        .unwrap();
    store.close().await;
    readers_behind(&base, &server, &db, post_id).await;
    drop(proxy);
    drop(server);
    db.drop_db().await;
}

/// Issue 15, point 5: three `tribune serve` processes on one PostgreSQL behind nginx
/// (`docs/deploy/nginx-instances.conf`, round robin) are one site. A comment approved
/// through one shows through the others within a second; the comment limit per address
/// and the staff sign-in throttle count across all three; every job (each held
/// comment's email to the moderator, 30 queued emails) runs once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_behind_nginx_are_one_site() {
    if !have("nginx")
        || !crate::mail::smtp_available()
        || !crate::support::backends().contains(&crate::support::Backend::Postgres)
    {
        return;
    }
    let mut smtp = crate::mail::Smtp::planned();
    smtp.start().await;
    let mut db = TestDb::create(crate::support::Backend::Postgres).await;
    let store = tribune::store::Store::connect(&db.url).await.unwrap();
    let (post_id, permalink) = prepared_site(&store, true).await;
    let ada = store
        .user_by_email("ada@example.org")
        .await
        .unwrap()
        .unwrap();
    let hash = tribune::passwords::hash("a long staff password").unwrap();
    store.set_password(ada.id, &hash, None).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let smtp_url = smtp.url();
    let flags = [
        "--trusted-proxies",
        "127.0.0.1",
        "--comments-per-minute",
        "2",
        "--login-lockout-after",
        "3",
        "--smtp-url",
        &smtp_url,
    ];
    let mut instances = Vec::new();
    for _ in 0..3 {
        instances.push(ServerProcess::start(&db.url, data.path(), &flags).await);
    }
    let proxy_dir = tempfile::tempdir().unwrap();
    let ports: Vec<(u16, u16)> = instances
        .iter()
        .zip([8081, 8082, 8083])
        .map(|(s, theirs)| (theirs, s.port))
        .collect();
    let proxy = nginx_with(proxy_dir.path(), "nginx-instances.conf", &ports).await;
    let site = format!("http://127.0.0.1:{}", proxy.port);
    let logs = || {
        instances
            .iter()
            .map(ServerProcess::log)
            .collect::<Vec<_>>()
            .join("\n---\n")
    };

    // One reader's comments reach whichever instance nginx picks: the third in a
    // minute is refused all the same (each instance alone would allow two).
    let reader = reader_at("127.0.0.5");
    let mut held = Vec::new();
    for text in ["first through the balancer", "second through the balancer"] {
        let (status, id, _) = post_comment(&reader, &site, post_id, text).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{}", logs());
        held.push(id.unwrap());
    }
    let (status, _, page) = post_comment(&reader, &site, post_id, "third in a minute").await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "shared limit: {page}"
    );
    assert!(page.contains("third in a minute"), "the text comes back");
    // Straight to another instance, the same address is over the same limit.
    let (status, _, _) =
        post_comment(&reader, &instances[2].base, post_id, "fourth, elsewhere").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    // Ada signs in through the first instance (before anyone guesses her password:
    // failures on her account would slow her down too).
    let ada_browser = reader_at("127.0.0.7");
    let status = sign_in(&ada_browser, &instances[0].base, "a long staff password").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "Ada signs in: {}", logs());
    // Failed sign-ins through one instance slow down the next try through another.
    let guesser = reader_at("127.0.0.6");
    assert_eq!(
        sign_in(&guesser, &instances[0].base, "wrong guess").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&guesser, &instances[1].base, "another guess").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the failure through the first instance counts on the second"
    );

    // Ada approves the first comment through the first instance; the other two (and
    // the balancer) show it within a second.
    // Every instance has the page cached before the approval.
    for s in &instances {
        let page = text_of(s.url(&permalink)).await;
        assert!(!page.contains("first through the balancer"));
    }
    let queue = browser_text(&ada_browser, instances[0].url("/admin/comments")).await;
    let approve = format!("approve:{}", held[0]);
    let res = ada_browser
        .post(instances[0].url("/admin/comments"))
        .form(&[("csrf", csrf_of(&queue).as_str()), ("do", approve.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", logs());
    let approved_at = std::time::Instant::now();
    for s in instances.iter().skip(1) {
        loop {
            let page = text_of(s.url(&permalink)).await;
            if page.contains("first through the balancer") {
                break;
            }
            assert!(
                approved_at.elapsed() < Duration::from_secs(1),
                "instance on port {} still does not show the approved comment",
                s.port
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let page = text_of(format!("{site}{permalink}")).await;
    assert!(page.contains("first through the balancer"));
    assert!(!page.contains("second through the balancer"), "still held");

    // Jobs: each held comment told Ada once; 30 queued emails sent once each, whichever
    // instance's worker claimed them.
    for i in 0..30 {
        store
            .enqueue_job(tribune::store::NewJob::now(
                tribune::domain::job::Job::Email(crate::mail::numbered_email(i)),
            ))
            .await
            .unwrap();
    }
    smtp.wait_for(32, 30).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let messages = smtp.messages();
    let to_ada = crate::mail::to_whom(&messages, "ada@example.org").len();
    assert_eq!(to_ada, 2, "one email per held comment");
    assert_eq!(messages.len(), 32, "each message once");
    store.close().await;
    drop(proxy);
    drop(instances);
    db.drop_db().await;
}

/// Ada's sign-in with `password` from `browser` at `base`: the answer's status.
async fn sign_in(browser: &reqwest::Client, base: &str, password: &str) -> StatusCode {
    let page = browser_text(browser, format!("{base}/admin/login")).await;
    browser
        .post(format!("{base}/admin/login"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("email", "ada@example.org"),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

/// The text of the page at `url`, fetched by a new client.
async fn text_of(url: impl reqwest::IntoUrl) -> String {
    reqwest::get(url).await.unwrap().text().await.unwrap()
}

/// The text of the page at `url`, fetched by `browser` (with its cookies).
async fn browser_text(browser: &reqwest::Client, url: String) -> String {
    browser.get(url).send().await.unwrap().text().await.unwrap()
}
