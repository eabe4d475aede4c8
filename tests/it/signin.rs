//! Sign-in with identity providers against a real, certified OpenID provider
//! (panva's oidc-provider, run with Node on loopback from `tests/oidc`): the OIDC path,
//! the plain OAuth 2.0 path, staff single sign-on, and the failures RFC 9700 cares
//! about. Skips with a message when Node or `tests/oidc/node_modules` is missing,
//! unless `TRIBUNE_REQUIRE_OIDC=1` or `CI=true`.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::json;
use tribune::auth::{self, Secret};
use tribune::config::ServeSettings;

use crate::support::{client, comment_id_of, csrf_of, Backend, TestServer};

const SECRET: &str = "a-client-secret-for-tests";

pub struct Idp {
    child: Child,
    pub issuer: String,
    port: u16,
    clients: serde_json::Value,
}

fn oidc_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// Whether the provider can run here; panics in CI when it cannot.
pub fn idp_available() -> bool {
    let installed = oidc_dir().join("node_modules/oidc-provider").exists()
        && Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    let required = std::env::var("TRIBUNE_REQUIRE_OIDC").is_ok_and(|v| v == "1")
        || std::env::var("CI").is_ok_and(|v| v == "true");
    if !installed {
        assert!(
            !required,
            "sign-in tests are required: run `npm ci --prefix tests/oidc` (Node 20+)"
        );
        eprintln!("skipping sign-in tests: run `npm ci --prefix tests/oidc` to install the OpenID provider");
    }
    installed
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Idp {
    /// Starts the provider with one client, `tribune`, allowed to return to `redirects`.
    pub fn spawn(port: u16, redirects: Vec<String>) -> Idp {
        let clients = json!([{
            "client_id": "tribune",
            "client_secret": SECRET,
            "redirect_uris": redirects,
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
        }]);
        Self::spawn_with(port, clients)
    }

    fn spawn_with(port: u16, clients: serde_json::Value) -> Idp {
        let child = Command::new("node")
            .arg(oidc_dir().join("provider.mjs"))
            .env("OIDC_PORT", port.to_string())
            .env("OIDC_CLIENTS", clients.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start node");
        Idp {
            child,
            issuer: format!("http://127.0.0.1:{port}"),
            port,
            clients,
        }
    }

    pub async fn ready(&self) {
        let url = format!("{}/.well-known/openid-configuration", self.issuer);
        // 30 s: node starting beside the rest of the suite on two busy cores took
        // longer than 10 s once in CI.
        for _ in 0..300 {
            if reqwest::get(&url)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the OpenID provider did not start on {}", self.issuer);
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The same provider restarted: same address, new signing keys.
    pub async fn restart(&mut self) {
        self.stop();
        *self = Self::spawn_with(self.port, self.clients.clone());
        self.ready().await;
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A Tribune server with the provider as `testid` (OIDC) and `plain` (OAuth 2.0).
pub async fn server_with_idp(backend: Backend) -> (TestServer, Idp) {
    let port = free_port();
    let mut idp = None;
    let server = TestServer::start_with_fn(backend, |base| {
        idp = Some(Idp::spawn(
            port,
            vec![
                format!("{base}/auth/testid/callback"),
                format!("{base}/auth/plain/callback"),
            ],
        ));
        let issuer = format!("http://127.0.0.1:{port}");
        ServeSettings {
            comments_per_minute: 0,
            providers: vec![
                auth::oidc(
                    "testid",
                    "Test ID",
                    &issuer,
                    "tribune".into(),
                    Secret(SECRET.into()),
                ),
                auth::oauth2(
                    "plain",
                    "Plain OAuth",
                    &format!("{issuer}/auth"),
                    &format!("{issuer}/token"),
                    &format!("{issuer}/me"),
                    "openid profile email",
                    "tribune".into(),
                    Secret(SECRET.into()),
                ),
            ],
            staff_provider: Some("testid".into()),
            ..ServeSettings::default()
        }
    })
    .await;
    let idp = idp.unwrap();
    idp.ready().await;
    (server, idp)
}

fn resolve(base: &str, location: &str) -> String {
    url::Url::parse(base)
        .unwrap()
        .join(location)
        .unwrap()
        .to_string()
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&quot;", "\"")
}

/// The URL a "Connecting to…" page sends the browser to.
fn connecting_target(html: &str) -> String {
    let at = html.find("url=").expect("a meta refresh") + 4;
    unescape(html[at..].split('"').next().unwrap())
}

/// Walks the provider's pages as a person would (log in as `account`, consent, or
/// cancel) until the browser is sent back to `stop_prefix`; returns that address.
async fn walk(c: &Client, start: &str, account: &str, cancel: bool, stop_prefix: &str) -> String {
    let mut url = start.to_string();
    for _ in 0..20 {
        let res = c.get(&url).send().await.unwrap();
        let mut res = res;
        loop {
            if res.status().is_redirection() {
                let loc = resolve(&url, res.headers()["location"].to_str().unwrap());
                if loc.starts_with(stop_prefix) {
                    return loc;
                }
                url = loc;
                break;
            }
            let body = res.text().await.unwrap();
            let at = body
                .find("action=\"")
                .unwrap_or_else(|| panic!("no form at {url}:\n{body}"))
                + 8;
            let action = resolve(&url, &unescape(body[at..].split('"').next().unwrap()));
            let next = if cancel {
                c.get(format!("{action}/abort")).send().await.unwrap()
            } else if body.contains("value=\"login\"") {
                c.post(&action)
                    .form(&[("prompt", "login"), ("login", account), ("password", "any")])
                    .send()
                    .await
                    .unwrap()
            } else {
                c.post(&action)
                    .form(&[("prompt", "consent")])
                    .send()
                    .await
                    .unwrap()
            };
            url = action;
            res = next;
        }
    }
    panic!("the provider never sent the browser back");
}

/// Clicks a provider's icon on the comment form with a draft; returns the
/// "Connecting to…" page.
async fn click_icon(
    s: &TestServer,
    c: &Client,
    provider: &str,
    post_id: i64,
    draft: &str,
) -> crate::support::Response {
    let post = post_id.to_string();
    let res = s
        .post_with(
            c,
            &format!("/auth/{provider}/start"),
            &[
                ("comment_post_ID", &post),
                ("comment_parent", "0"),
                ("author", "Half typed"),
                ("email", ""),
                ("url", ""),
                ("comment", draft),
                ("subscribe_comments", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res
}

async fn sign_in(
    s: &TestServer,
    c: &Client,
    provider: &str,
    post_id: i64,
    account: &str,
    draft: &str,
) -> String {
    let page = click_icon(s, c, provider, post_id, draft).await;
    let back = walk(c, &connecting_target(&page.body), account, false, &s.base).await;
    let res = c.get(&back).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    res.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_sign_in_with_openid_connect_and_keep_their_draft() {
    if !idp_available() {
        return;
    }
    for backend in crate::support::backends() {
        let (s, _idp) = server_with_idp(backend).await;
        s.setup_admin().await;
        let (post_id, link) = s.publish("Signed Comments", "x").await;
        let reader = client();

        // The form offers the icons; clicking one says where it goes.
        let page = s.get_with(&reader, &link).await;
        page.assert_contains("Fill in your details below or click an icon to log in")
            .assert_contains("formaction=\"/auth/testid/start\"");
        let connecting = click_icon(&s, &reader, "testid", post_id, "My draft survives").await;
        connecting.assert_contains("Connecting to Test ID…");
        let target = connecting_target(&connecting.body);
        assert!(
            target.contains("code_challenge=") && target.contains("code_challenge_method=S256"),
            "{target}"
        );
        assert!(
            target.contains("nonce=") && target.contains("state="),
            "{target}"
        );

        // Through the provider and back to the same place, draft intact.
        let back = walk(&reader, &target, "alice", false, &s.base).await;
        let res = reader.get(&back).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            res.headers()["location"],
            format!("{link}#respond").as_str()
        );
        let cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            cookie.contains("tribune_commenter=")
                && cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        // The callback cannot be used twice.
        let replay = reader.get(&back).send().await.unwrap();
        assert!(replay.headers()["location"]
            .to_str()
            .unwrap()
            .contains("auth_error=state"));

        let page = s.get_with(&reader, &link).await;
        page.assert_contains("You are commenting using your Test ID account.")
            .assert_contains("Alice Example")
            .assert_contains("https://pictures.example.org/alice.png")
            .assert_contains("My draft survives")
            .assert_contains("id=\"subscribe_comments\" checked")
            .assert_lacks("id=\"subscribe_posts\" checked")
            .assert_contains("Log Out")
            .assert_lacks("id=\"email\"");
        // Other readers still get the shared page.
        s.get_with(&client(), &link)
            .await
            .assert_lacks("Alice Example");

        // The comment carries the identity; a first-timer is held, a returning one is not.
        let post = post_id.to_string();
        let res = s
            .post_with(
                &reader,
                "/comments",
                &[("comment_post_ID", &post), ("comment", "Signed, first")],
            )
            .await;
        let first = comment_id_of(&res.location());
        assert!(
            res.location().contains("unapproved="),
            "first-timers are held"
        );
        let row = s.store.comment_by_id(first).await.unwrap().unwrap();
        assert!(row.identity_id.is_some());
        assert_eq!(row.author_name, "Alice Example");
        s.store
            .set_comment_status(
                &[first],
                tribune::domain::comment::CommentStatus::Approved,
                &crate::support::actor(),
            )
            .await
            .unwrap();
        let res = s
            .post_with(
                &reader,
                "/comments",
                &[("comment_post_ID", &post), ("comment", "Signed, again")],
            )
            .await;
        assert!(
            !res.location().contains("unapproved="),
            "returning commenters skip the queue: {}",
            res.location()
        );
        s.state.content_changed().await;
        let page = s.get_with(&client(), &link).await;
        page.assert_contains("Signed, again")
            .assert_contains("href=\"https://people.example.org/alice\"");
        // The draft is gone once posted.
        s.get_with(&reader, &link)
            .await
            .assert_lacks("My draft survives");

        // Signing in again refreshes the identity; still one identity.
        sign_in(&s, &reader, "testid", post_id, "alice", "again").await;
        assert_eq!(
            s.store
                .identity_by_id(row.identity_id.unwrap())
                .await
                .unwrap()
                .unwrap()
                .name,
            "Alice Example"
        );

        // Log Out ends it; the icons are back.
        let page = s.get_with(&reader, &link).await;
        page.assert_contains("form=\"commenter-logout\"");
        let res = s
            .post_with(&reader, "/auth/logout", &[("return_to", &link)])
            .await;
        assert_eq!(res.location(), format!("{link}#respond"));
        s.get_with(&reader, &link)
            .await
            .assert_lacks("You are commenting using")
            .assert_contains("formaction=\"/auth/testid/start\"");
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_sign_in_with_plain_oauth2() {
    if !idp_available() {
        return;
    }
    let (s, _idp) = server_with_idp(Backend::Sqlite).await;
    s.setup_admin().await;
    let (post_id, link) = s.publish("Plain", "x").await;
    let reader = client();
    let page = click_icon(&s, &reader, "plain", post_id, "oauth draft").await;
    let target = connecting_target(&page.body);
    assert!(
        target.contains("code_challenge=") && !target.contains("nonce="),
        "{target}"
    );
    let back = walk(&reader, &target, "bob", false, &s.base).await;
    let res = reader.get(&back).send().await.unwrap();
    assert_eq!(
        res.headers()["location"],
        format!("{link}#respond").as_str()
    );
    s.get_with(&reader, &link)
        .await
        .assert_contains("You are commenting using your Plain OAuth account.")
        .assert_contains("Bob Example")
        .assert_contains("oauth draft");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_end_on_the_post_with_a_message_and_the_draft() {
    if !idp_available() {
        return;
    }
    let (s, mut idp) = server_with_idp(Backend::Sqlite).await;
    s.setup_admin().await;
    let (post_id, link) = s.publish("Failures", "x").await;

    // Denied consent.
    let reader = client();
    let page = click_icon(&s, &reader, "testid", post_id, "draft after denial").await;
    let back = walk(
        &reader,
        &connecting_target(&page.body),
        "carol",
        true,
        &s.base,
    )
    .await;
    let res = reader.get(&back).send().await.unwrap();
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.contains("auth_error=denied"), "{loc}");
    assert!(res
        .headers()
        .get("set-cookie")
        .is_none_or(|c| !c.to_str().unwrap().contains("tribune_commenter")));
    s.get_with(&reader, &loc)
        .await
        .assert_contains("You did not allow the sign-in")
        .assert_contains("draft after denial")
        .assert_lacks("You are commenting using");

    // A callback with the wrong state (a forged or stale link).
    let reader = client();
    click_icon(&s, &reader, "testid", post_id, "draft with bad state").await;
    let res = reader
        .get(s.url("/auth/testid/callback?code=abc&state=forged"))
        .send()
        .await
        .unwrap();
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.contains("auth_error=state"), "{loc}");
    s.get_with(&reader, &loc)
        .await
        .assert_contains("did not start in this browser")
        .assert_contains("draft with bad state");
    // A sign-in that took longer than ten minutes.
    let reader = client();
    let page = click_icon(&s, &reader, "testid", post_id, "slow draft").await;
    let target = connecting_target(&page.body);
    let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&s.db.url)
        .await
        .unwrap();
    sqlx::query("UPDATE auth_attempts SET created_at = created_at - 3600")
        .execute(&mut db)
        .await
        .unwrap();
    let back = walk(&reader, &target, "frank", false, &s.base).await;
    let res = reader.get(&back).send().await.unwrap();
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.contains("auth_error=expired"), "{loc}");
    s.get_with(&reader, &loc)
        .await
        .assert_contains("took too long")
        .assert_contains("slow draft");

    // A callback in a browser that never started a sign-in.
    let stranger = s
        .get_with(&client(), "/auth/testid/callback?code=abc&state=x")
        .await;
    assert_eq!(stranger.status, StatusCode::BAD_REQUEST);

    // A code used twice: the provider refuses it the second time.
    let reader = client();
    let page = click_icon(&s, &reader, "testid", post_id, "first").await;
    let back = walk(
        &reader,
        &connecting_target(&page.body),
        "dave",
        false,
        &s.base,
    )
    .await;
    reader.get(&back).send().await.unwrap();
    let code = url::Url::parse(&back)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .to_string();
    let page = click_icon(&s, &reader, "testid", post_id, "replayed code draft").await;
    let state = url::Url::parse(&connecting_target(&page.body))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .to_string();
    let res = reader
        .get(s.url(&format!("/auth/testid/callback?code={code}&state={state}")))
        .send()
        .await
        .unwrap();
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.contains("auth_error=code"), "{loc}");
    s.get_with(&reader, &loc)
        .await
        .assert_contains("did not accept the sign-in")
        .assert_contains("replayed code draft");

    // An ID token signed with a key the provider did not publish when Tribune read its
    // keys (the provider restarted with new keys): refused.
    let reader = client();
    idp.restart().await;
    let page = click_icon(&s, &reader, "testid", post_id, "bad signature draft").await;
    let back = walk(
        &reader,
        &connecting_target(&page.body),
        "erin",
        false,
        &s.base,
    )
    .await;
    let res = reader.get(&back).send().await.unwrap();
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.contains("auth_error=token"), "{loc}");
    s.get_with(&reader, &loc)
        .await
        .assert_contains("could not be verified")
        .assert_lacks("You are commenting using");

    // The provider down: a fresh server has no cached discovery and cannot reach it.
    idp.stop();
    let down = TestServer::start_with_fn(Backend::Sqlite, |_| ServeSettings {
        providers: vec![auth::oidc(
            "testid",
            "Test ID",
            &idp.issuer,
            "tribune".into(),
            Secret(SECRET.into()),
        )],
        ..ServeSettings::default()
    })
    .await;
    down.setup_admin().await;
    let (post_id, link2) = down.publish("Down", "x").await;
    let reader = client();
    let post = post_id.to_string();
    let res = down
        .post_with(
            &reader,
            "/auth/testid/start",
            &[("comment_post_ID", &post), ("comment", "draft while down")],
        )
        .await;
    let loc = res.location();
    assert!(
        loc.starts_with(&link2) && loc.contains("auth_error=down"),
        "{loc}"
    );
    down.get_with(&reader, &loc)
        .await
        .assert_contains("could not be reached")
        .assert_contains("draft while down");
    down.stop().await;
    let _ = link;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_sign_in_to_admin_by_single_sign_on() {
    if !idp_available() {
        return;
    }
    let (s, _idp) = server_with_idp(Backend::Sqlite).await;
    s.setup_admin().await; // ada@example.org
    let staff = client();
    let login = s.get_with(&staff, "/admin/login").await;
    login.assert_contains("action=\"/auth/testid/start\"");
    let csrf = csrf_of(&login.body);
    let page = s
        .post_with(
            &staff,
            "/auth/testid/start",
            &[("csrf", &csrf), ("purpose", "staff")],
        )
        .await;
    let back = walk(
        &staff,
        &connecting_target(&page.body),
        "ada",
        false,
        &s.base,
    )
    .await;
    let res = staff.get(&back).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/admin/");
    s.get_with(&staff, "/admin/")
        .await
        .assert_contains("Welcome, Ada Admin.");

    // A verified email without a staff account gets no session.
    let other = client();
    let login = s.get_with(&other, "/admin/login").await;
    let csrf = csrf_of(&login.body);
    let page = s
        .post_with(
            &other,
            "/auth/testid/start",
            &[("csrf", &csrf), ("purpose", "staff")],
        )
        .await;
    let back = walk(
        &other,
        &connecting_target(&page.body),
        "mallory",
        false,
        &s.base,
    )
    .await;
    let res = other.get(&back).send().await.unwrap();
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.contains("auth_error=nostaff"), "{loc}");
    s.get_with(&other, &loc)
        .await
        .assert_contains("No staff account uses");
    assert_eq!(
        s.get_with(&other, "/admin/comments").await.status,
        StatusCode::SEE_OTHER
    );
    s.stop().await;
}

async fn administrators_enable_presets_from_the_settings_page(s: &TestServer) {
    s.setup_admin().await;
    let (_post_id, link) = s.publish("Icons", "x").await;
    s.get_with(&client(), &link)
        .await
        .assert_lacks("formaction=\"/auth/github/start\"");
    let page = s.get("/admin/settings").await;
    page.assert_contains("/auth/github/callback")
        .assert_contains("name=\"auth_github_client_id\"");
    let csrf = csrf_of(&page.body);
    let base = [
        ("csrf", csrf.as_str()),
        ("title", "Ministry of Examples"),
        ("tagline", ""),
        ("language", "en"),
        ("hold_new_comments", "on"),
        ("thread_depth", "5"),
        ("posts_per_page", "10"),
        ("max_comment_chars", "10000"),
        ("avatars", "identicon"),
    ];
    // A client id without a secret is refused with a reason.
    let mut form = base.to_vec();
    form.push(("auth_github_client_id", "gh-client"));
    let res = s.post("/admin/settings", &form).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("GitHub needs a client secret");
    // With both, the icon appears on every post at once.
    form.push(("auth_github_client_secret", "gh-secret"));
    assert_eq!(
        s.post("/admin/settings", &form).await.status,
        StatusCode::SEE_OTHER
    );
    s.get_with(&client(), &link)
        .await
        .assert_contains("formaction=\"/auth/github/start\"")
        .assert_contains("GitHub");
    let page = s.get("/admin/settings").await;
    page.assert_contains("value=\"gh-client\"")
        .assert_contains("(unchanged)")
        .assert_lacks("gh-secret");
    // Saving again without retyping the secret keeps it; an empty client id turns it off.
    let mut keep = base.to_vec();
    keep.push(("auth_github_client_id", "gh-client-2"));
    assert_eq!(
        s.post("/admin/settings", &keep).await.status,
        StatusCode::SEE_OTHER
    );
    let github = s
        .state
        .auth()
        .get("github")
        .map(|p| (p.client_id.clone(), p.client_secret.0.clone()));
    assert_eq!(
        github,
        Some(("gh-client-2".to_string(), "gh-secret".to_string()))
    );
    assert_eq!(
        s.post("/admin/settings", &base).await.status,
        StatusCode::SEE_OTHER
    );
    s.get_with(&client(), &link)
        .await
        .assert_lacks("formaction=\"/auth/github/start\"");
}
crate::each_backend!(
    presets_are_enabled_from_the_admin_settings_page,
    administrators_enable_presets_from_the_settings_page
);

/// A signed-in reader is scored like anyone, but a score alone only holds their
/// comment: it never goes to spam without a rule or a trap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_readers_are_held_not_sent_to_spam_by_the_filter() {
    if !idp_available() {
        return;
    }
    for backend in crate::support::backends() {
        let (s, _idp) = server_with_idp(backend).await;
        s.setup_admin().await;
        let (post_id, _) = s.publish("Scored", "x").await;
        crate::spam::teach(&s, post_id).await;
        let reader = client();
        sign_in(&s, &reader, "testid", post_id, "alice", "").await;
        let spammy = "Cheap pills and casino bonus, buy now, win money today";
        let res = s.comment(&reader, post_id, 0, "ignored", spammy).await;
        let id = crate::support::comment_id_of(&res.location());
        let comment = s.store.comment_by_id(id).await.unwrap().unwrap();
        assert!(comment.identity_id.is_some(), "signed in");
        assert_eq!(
            comment.status,
            tribune::domain::comment::CommentStatus::Pending
        );
        let queue = s.store.moderation_queue(None, None, 100, 0).await.unwrap();
        let note = queue
            .iter()
            .find(|c| c.id == id)
            .unwrap()
            .moderation_note
            .clone()
            .unwrap();
        let note: serde_json::Value = serde_json::from_str(&note).unwrap();
        assert!(note["score"]["spam"].as_f64().unwrap() >= 0.7, "{note}");
        // A guest saying the same goes to spam.
        let res = s.comment(&client(), post_id, 0, "Guest", spammy).await;
        let guest = crate::support::comment_id_of(&res.location());
        assert_eq!(
            s.store.comment_by_id(guest).await.unwrap().unwrap().status,
            tribune::domain::comment::CommentStatus::Spam
        );
        s.stop().await;
    }
}
