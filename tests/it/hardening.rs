//! An attacker's view: forged headers, hostile input, redirects off the site, guessing
//! passwords. Each test is one finding of the outside review, checked as a user (or
//! an attacker) would see it, on both databases.

use std::time::Duration;

use reqwest::header::{HOST, LOCATION};
use reqwest::StatusCode;
use tribune::config::ServeSettings;
use tribune::config::TrustedProxies;

use crate::each_backend;
use crate::support::{client, comment_id_of, csrf_of, Backend, Response, TestServer};

async fn no_redirect_leaves_the_site(s: &TestServer) {
    for path in [
        "//evil.example/x/y",
        "//evil.example/2026/11/26",
        "/\\evil.example/x/y/z",
        "///evil.example/a/b/c",
    ] {
        let res = s
            .client
            .get(format!("{}{}", s.base, path))
            .send()
            .await
            .unwrap();
        if let Some(to) = res.headers().get(LOCATION) {
            let to = to.to_str().unwrap();
            assert!(
                to.starts_with('/') && !to.starts_with("//") && !to.starts_with("/\\"),
                "{path} redirects to {to}"
            );
        }
    }
}
each_backend!(redirects_never_leave_the_site, no_redirect_leaves_the_site);

/// Every `href="…"` in an email's HTML.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

async fn emails_link_to_the_recorded_address(s: &TestServer) {
    // Set up from the address the browser used: it is recorded, shown and editable.
    s.setup_admin().await;
    let settings = s.get("/admin/settings").await;
    settings.assert_contains(&format!(
        "name=\"site_url\" type=\"url\" value=\"{}\"",
        s.base
    ));
    let (post_id, _) = s.publish("Address", "x").await;
    // A stranger's request with a forged Host header, a held comment and a
    // subscription: every email they cause links to the site, never to evil.example.
    let post = post_id.to_string();
    let res = client()
        .post(s.url("/comments"))
        .header(HOST, "evil.example")
        .form(&[
            ("comment_post_ID", post.as_str()),
            ("author", "Mallory"),
            ("email", "mallory@example.net"),
            ("comment", "Click my links"),
            ("subscribe_comments", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let jobs = s.store.jobs(None, 100).await.unwrap();
    let emails: Vec<serde_json::Value> = jobs
        .iter()
        .filter(|j| j.kind == "email")
        .map(|j| serde_json::from_str(&j.payload).unwrap())
        .collect();
    assert!(emails.len() >= 2, "a moderation and a confirmation email");
    for email in &emails {
        let html = email["html"].as_str().unwrap();
        let text = email["text"].as_str().unwrap();
        assert!(!html.contains("evil.example") && !text.contains("evil.example"));
        let found = links(html);
        assert!(!found.is_empty(), "{html}");
        for link in found {
            assert!(link.starts_with(&s.base), "a link not to the site: {link}");
        }
        if let Some(unsub) = email["unsubscribe"].as_str() {
            assert!(unsub.starts_with(&s.base), "{unsub}");
        }
    }
    // The administrator moves the site; new emails follow.
    let csrf = s.admin_csrf().await;
    let res = s
        .post(
            "/admin/settings",
            &[
                ("csrf", &csrf),
                ("title", "Ministry"),
                ("tagline", ""),
                ("site_url", "https://news.example.org/"),
                ("language", "en"),
                ("hold_new_comments", "on"),
                ("thread_depth", "5"),
                ("posts_per_page", "10"),
                ("max_comment_chars", "10000"),
                ("avatars", "identicon"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(s.state.site.url().as_str(), "https://news.example.org");
    // A bad address is refused with the reason, and nothing changes.
    let res = s
        .post(
            "/admin/settings",
            &[
                ("csrf", &csrf),
                ("title", "Ministry"),
                ("site_url", "javascript:alert(1)"),
                ("language", "en"),
                ("thread_depth", "5"),
                ("posts_per_page", "10"),
                ("max_comment_chars", "10000"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("The site address must be a web address");
    assert_eq!(s.state.site.url().as_str(), "https://news.example.org");
}
each_backend!(
    emails_never_follow_a_forged_host_header,
    emails_link_to_the_recorded_address
);

async fn control_characters_are_refused_or_removed(s: &TestServer) {
    s.setup_admin().await;
    let (post_id, link) = s.publish("Nul", "x").await;
    // In an address: a clear 400, on both databases.
    for path in ["/a%00b/", "/category/a%00b/", "/tag/x%01/", "/?p=1%00"] {
        let res = s.get(path).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{path}: {}", res.body);
    }
    let res = s.get("/admin/comments?status=pending%00").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    // In a form: removed, and the comment is stored as the same text on both.
    let post = post_id.to_string();
    let res = s
        .post_with(
            &client(),
            "/comments",
            &[
                ("comment_post_ID", &post),
                ("author", "Nul\u{0}Name\u{1b}[31m"),
                ("email", "nul@example.net"),
                ("comment", "Hello\u{0} world\r\nsecond line\u{7}"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let id = comment_id_of(&res.location());
    let stored = s.store.comment_by_id(id).await.unwrap().unwrap();
    assert_eq!(stored.author_name, "NulName[31m");
    assert!(
        stored.body_html.contains("Hello world"),
        "{}",
        stored.body_html
    );
    // A sign-in with a NUL in the email is a wrong password, not a crash.
    let login = client();
    let page = s.get_with(&login, "/admin/login").await;
    let csrf = csrf_of(&page.body);
    let res = s
        .post_with(
            &login,
            "/admin/login",
            &[
                ("csrf", &csrf),
                ("email", "ada@example.org\u{0}"),
                ("password", "nope"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.body);
    assert_eq!(s.get(&link).await.status, StatusCode::OK);
}
each_backend!(
    nul_bytes_never_reach_the_database,
    control_characters_are_refused_or_removed
);

async fn draft_addresses_stay_secret(s: &TestServer) {
    s.setup_admin().await;
    let csrf = s.admin_csrf().await;
    let res = s
        .post(
            "/admin/posts",
            &[
                ("csrf", &csrf),
                ("title", "Secret plans"),
                ("body", "Not yet"),
                ("lang", "en"),
                ("status", "draft"),
                ("action", "save"),
            ],
        )
        .await;
    let draft_id = res
        .location()
        .trim_start_matches("/admin/posts/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    // Starting a sign-in from a draft's form is a 404, and no cookie or address leaks.
    let stranger = client();
    let res = s
        .post_with(
            &stranger,
            "/auth/corp/start",
            &[("comment_post_ID", &draft_id), ("comment", "hi")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    res.assert_lacks("secret-plans");
    assert!(res.headers.get("set-cookie").is_none());
    let res = s
        .get_with(&stranger, "/auth/corp/callback?error=access_denied&state=x")
        .await;
    assert!(
        !res.headers
            .get(LOCATION)
            .is_some_and(|l| l.to_str().unwrap().contains("secret")),
        "{:?}",
        res.headers
    );
    res.assert_lacks("secret-plans");
    // A published post still works: the provider is down here, so the reader is sent
    // back to the post with the reason.
    let (post_id, link) = s.publish("Public", "x").await;
    let res = s
        .post_with(
            &stranger,
            "/auth/corp/start",
            &[("comment_post_ID", &post_id.to_string()), ("comment", "hi")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(res.location().starts_with(&link), "{}", res.location());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_never_reveals_a_drafts_address() {
    for backend in crate::support::backends() {
        let s = TestServer::start_with(
            backend,
            ServeSettings {
                comments_per_minute: 0,
                providers: vec![tribune::auth::oidc(
                    "corp",
                    "Corp",
                    "http://127.0.0.1:9",
                    "id".into(),
                    tribune::auth::Secret("secret".into()),
                )],
                ..ServeSettings::default()
            },
        )
        .await;
        draft_addresses_stay_secret(&s).await;
        s.stop().await;
    }
}

async fn try_login(s: &TestServer, forwarded_for: &str, email: &str, password: &str) -> Response {
    let c = client();
    let page = c
        .get(s.url("/admin/login"))
        .header("x-forwarded-for", forwarded_for)
        .send()
        .await
        .unwrap();
    let page = Response::new(page).await;
    let csrf = csrf_of(&page.body);
    let res = c
        .post(s.url("/admin/login"))
        .header("x-forwarded-for", forwarded_for)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    Response::new(res).await
}

async fn guessing_passwords_is_slowed_then_locked(s: &TestServer) {
    s.setup_admin().await;
    // The comment limit (one a minute here) has nothing to do with signing in.
    let (post_id, _) = s.publish("Limits", "x").await;
    let reader = client();
    s.comment(&reader, post_id, 0, "Ann", "first").await;
    let second = s.comment(&reader, post_id, 0, "Ann", "second").await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS);
    let ok = try_login(s, "203.0.113.1", "ada@example.org", "correct horse battery").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);

    // One address guessing: the first failure is free, then each answer must wait.
    let bad = try_login(s, "203.0.113.2", "ada@example.org", "guess 1").await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    bad.assert_contains("Wrong email or password");
    let res = try_login(s, "203.0.113.2", "someone@example.org", "guess 2").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);
    res.assert_contains("Too many failed sign-ins. Wait a second before trying again.");
    assert_eq!(res.headers.get("retry-after").unwrap(), "1");
    // Even the right password waits: the throttle does not tell guesses apart.
    let res = try_login(s, "203.0.113.2", "ada@example.org", "correct horse battery").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);

    // One account guessed from many addresses, each attempt as soon as it may be
    // made (1 s, then 2 s): the third failure locks it, with when to come back.
    let hash = tribune::passwords::hash("mo's long password").unwrap();
    s.store
        .insert_user(
            "mo@example.org",
            "Mo",
            Some(&hash),
            tribune::domain::role::Role::Moderator,
            false,
        )
        .await
        .unwrap();
    for (wait, ip) in [
        (0, "198.51.100.1"),
        (1100, "198.51.100.2"),
        (2100, "198.51.100.3"),
    ] {
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let res = try_login(s, ip, "mo@example.org", "wrong").await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{ip}: {}", res.body);
    }
    let res = try_login(s, "198.51.100.9", "mo@example.org", "mo's long password").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);
    res.assert_contains(
        "Sign-in is locked after too many failed attempts. Try again in 15 minutes.",
    );
    // Another account from a fresh address is not affected.
    let res = try_login(s, "198.51.100.10", "nobody@example.org", "x").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_has_its_own_limits_per_account_and_address() {
    for backend in crate::support::backends() {
        let s = TestServer::start_with(
            backend,
            ServeSettings {
                comments_per_minute: 1,
                login_lockout_after: 3,
                trusted_proxies: TrustedProxies::parse(&["127.0.0.1"]).unwrap(),
                ..ServeSettings::default()
            },
        )
        .await;
        guessing_passwords_is_slowed_then_locked(&s).await;
        s.stop().await;
    }
}

async fn forwarded_addresses_count_only_from_trusted_proxies(backend: Backend) {
    // Behind a proxy (127.0.0.1 trusted): two readers are two addresses.
    let s = TestServer::start_with(
        backend,
        ServeSettings {
            comments_per_minute: 1,
            trusted_proxies: TrustedProxies::parse(&["127.0.0.1", "::1"]).unwrap(),
            ..ServeSettings::default()
        },
    )
    .await;
    s.setup_admin().await;
    let (post_id, _) = s.publish("Proxy", "x").await;
    let post = post_id.to_string();
    let send = |ip: &'static str, body: &'static str| {
        let post = post.clone();
        let url = s.url("/comments");
        async move {
            let res = client()
                .post(url)
                .header("x-forwarded-for", format!("1.2.3.4, {ip}"))
                .form(&[
                    ("comment_post_ID", post.as_str()),
                    ("author", "Reader"),
                    ("email", "r@example.net"),
                    ("comment", body),
                ])
                .send()
                .await
                .unwrap();
            Response::new(res).await
        }
    };
    let a = send("203.0.113.7", "from a").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let b = send("203.0.113.8", "from b").await;
    assert_eq!(
        b.status,
        StatusCode::SEE_OTHER,
        "separate limits: {}",
        b.body
    );
    assert_eq!(
        send("203.0.113.7", "again from a").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let stored = s
        .store
        .comment_by_id(comment_id_of(&a.location()))
        .await
        .unwrap()
        .unwrap();
    let queue = s.store.moderation_queue(None, None, 10, 0).await.unwrap();
    let row = queue.iter().find(|c| c.id == stored.id).unwrap();
    assert_eq!(
        row.ip, "203.0.113.7",
        "the reader's address, not the proxy's"
    );
    s.stop().await;

    // Without trusted proxies, the same forged header changes nothing.
    let s = TestServer::start_with(
        backend,
        ServeSettings {
            comments_per_minute: 1,
            ..ServeSettings::default()
        },
    )
    .await;
    s.setup_admin().await;
    let (post_id, _) = s.publish("Direct", "x").await;
    let post = post_id.to_string();
    let mut statuses = Vec::new();
    for ip in ["203.0.113.7", "203.0.113.8"] {
        let res = client()
            .post(s.url("/comments"))
            .header("x-forwarded-for", ip)
            .header("forwarded", format!("for={ip};proto=https"))
            .form(&[
                ("comment_post_ID", post.as_str()),
                ("author", "Forger"),
                ("email", "f@example.net"),
                ("comment", ip),
            ])
            .send()
            .await
            .unwrap();
        statuses.push(res.status());
    }
    assert_eq!(
        statuses,
        [StatusCode::SEE_OTHER, StatusCode::TOO_MANY_REQUESTS],
        "a forged header from an untrusted peer is ignored"
    );
    let queue = s.store.moderation_queue(None, None, 10, 0).await.unwrap();
    assert_eq!(queue[0].ip, "127.0.0.1");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
    for backend in crate::support::backends() {
        forwarded_addresses_count_only_from_trusted_proxies(backend).await;
    }
}

/// Sends the comment form for `post` with `fields` from `reader`.
async fn send(
    s: &TestServer,
    reader: &reqwest::Client,
    post: &str,
    fields: &[(&str, &str)],
) -> Response {
    let mut form = vec![("comment_post_ID", post)];
    form.extend_from_slice(fields);
    s.post_with(reader, "/comments", &form).await
}

async fn odd_input_gets_a_clear_answer(s: &TestServer) {
    s.setup_admin().await;
    let (post_id, _) = s.publish("Input", "x").await;
    let post = post_id.to_string();
    let reader = client();
    // A page number past any queue: an empty page, not a 500.
    let res = s.get("/admin/comments?page=9223372036854775807").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    // A parent that is not a number: refused, with the text kept.
    let res = send(
        s,
        &reader,
        &post,
        &[
            ("comment_parent", "12abc"),
            ("author", "Ann"),
            ("email", "ann@example.net"),
            ("comment", "A reply that lost its parent"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("A reply that lost its parent");
    // A website without slashes is read as a browser reads it.
    let res = send(
        s,
        &reader,
        &post,
        &[
            ("author", "Ann"),
            ("email", "ann@example.net"),
            ("url", "http:evil.example"),
            ("comment", "My site"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let id = comment_id_of(&res.location());
    let c = s.store.comment_by_id(id).await.unwrap().unwrap();
    assert_eq!(c.author_url.as_deref(), Some("http://evil.example"));
    // The same comment twice: the second is refused with WordPress's words.
    let again = send(
        s,
        &reader,
        &post,
        &[
            ("author", "Ann"),
            ("email", "ANN@example.net"),
            ("url", "http:evil.example"),
            ("comment", "My site"),
        ],
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    again.assert_contains("Duplicate comment detected");
    let mine = s
        .store
        .moderation_queue(
            Some(tribune::domain::comment::CommentStatus::Pending),
            Some(post_id),
            100,
            0,
        )
        .await
        .unwrap();
    assert_eq!(mine.iter().filter(|c| c.body == "My site").count(), 1);
    // URL-valued attributes lose javascript:, deep nesting is text.
    let res = send(s, &reader, &post, &[
            ("author", "Eve"),
            ("email", "eve@example.net"),
            (
                "comment",
                "<blockquote cite=\"javascript:alert(1)\">q</blockquote> <q cite=\" JaVaScRiPt:x\">r</q>",
            ),
        ])
        .await;
    let c = s
        .store
        .comment_by_id(comment_id_of(&res.location()))
        .await
        .unwrap()
        .unwrap();
    assert!(
        !c.body_html.to_lowercase().contains("javascript"),
        "{}",
        c.body_html
    );
    assert!(
        c.body_html.contains("<blockquote>q</blockquote>"),
        "{}",
        c.body_html
    );
    let deep = "<pre>".repeat(20_000) + "deep";
    let res = send(
        s,
        &reader,
        &post,
        &[
            ("author", "Eve"),
            ("email", "eve@example.net"),
            ("comment", &deep),
        ],
    )
    .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "too long for a comment"
    );
    let nested = "<em>".repeat(2_000) + "deep";
    let res = send(
        s,
        &reader,
        &post,
        &[
            ("author", "Eve"),
            ("email", "eve@example.net"),
            ("comment", &nested),
        ],
    )
    .await;
    let c = s
        .store
        .comment_by_id(comment_id_of(&res.location()))
        .await
        .unwrap()
        .unwrap();
    // Past 64 levels the tags are shown as text (the parser may reopen the open ones
    // once more after the paragraph ends).
    assert!(
        c.body_html.contains("&lt;em&gt;"),
        "{}",
        &c.body_html[..200]
    );
    assert!(
        c.body_html.matches("<em>").count() <= 2 * 64,
        "nesting is bounded"
    );
}
each_backend!(
    odd_input_gets_a_clear_answer_not_a_500,
    odd_input_gets_a_clear_answer
);

async fn pages_carry_security_headers(s: &TestServer) {
    s.setup_admin().await;
    let (_, link) = s.publish("Headers", "x").await;
    for path in ["/", link.as_str(), "/admin/login", "/nothing-here/"] {
        let res = client().get(s.url(path)).send().await.unwrap();
        let h = res.headers().clone();
        let csp = h
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("no CSP on {path}"))
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-eval"));
        assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
        assert!(h.get("strict-transport-security").is_none(), "not on http");
        let body = res.text().await.unwrap();
        // The theme passes its own policy: every script is a file (JSON-LD is data,
        // which no browser runs).
        for tag in body.split("<script").skip(1) {
            let tag = tag.trim_start();
            assert!(
                tag.starts_with("src=") || tag.starts_with("type=\"application/ld+json\">"),
                "inline script on {path}"
            );
        }
        assert!(
            !body.contains(" onclick=") && !body.contains("style=\""),
            "{path}"
        );
    }
}
each_backend!(
    pages_carry_a_content_security_policy,
    pages_carry_security_headers
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_sites_send_hsts_and_secure_cookies() {
    let s = TestServer::start_with(
        Backend::Sqlite,
        ServeSettings {
            base_url: Some("https://news.example.org".parse().unwrap()),
            ..ServeSettings::default()
        },
    )
    .await;
    let res = client().get(s.url("/admin/")).send().await.unwrap();
    assert_eq!(
        res.headers().get("strict-transport-security").unwrap(),
        "max-age=31536000"
    );
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    s.stop().await;
}
