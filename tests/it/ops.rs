//! What operators rely on: health, metrics, request ids, themes, language and direction.

use reqwest::StatusCode;

use crate::each_backend;
use crate::support::{client, TestServer};

async fn health_metrics_and_request_ids(s: &TestServer) {
    let health = s.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.headers["x-content-type-options"], "nosniff");
    health.assert_contains("\"status\":\"ok\"");
    assert_eq!(health.headers["x-request-id"].len(), 16);
    s.get("/").await;
    let metrics = s.get("/metrics").await;
    metrics
        .assert_contains("# TYPE tribune_http_requests counter")
        .assert_contains("tribune_http_requests_total{method=\"GET\",route=\"/\",status=\"200\"}")
        .assert_contains("tribune_http_request_duration_seconds_bucket");
    let missing = s.get("/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    missing
        .assert_contains("Page not found")
        .assert_contains("lang=\"en\" dir=\"ltr\"");
}
each_backend!(
    health_metrics_and_request_ids_work,
    health_metrics_and_request_ids
);

async fn arabic_sites_and_posts_read_right_to_left(s: &TestServer) {
    s.setup_admin().await;
    let csrf = s.admin_csrf().await;
    let csrf2 = csrf.clone();
    let res = s
        .post(
            "/admin/posts",
            &[
                ("csrf", &csrf),
                ("title", "بيان حول الميزانية"),
                ("body", "نص البيان"),
                ("lang", "ar"),
                ("status", "published"),
                ("comments_open", "on"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let home = s.get_with(&client(), "/").await;
    home.assert_contains("lang=\"ar\" dir=\"rtl\"")
        .assert_contains("بيان حول الميزانية");
    let link = s.store.all_posts(None).await.unwrap()[0].clone();
    let url = tribune::domain::post::permalink(link.published_at.unwrap(), &link.slug);
    assert!(url.contains("بيان-حول-الميزانية"), "{url}");
    let encoded: String = url
        .split('/')
        .map(|seg| form_urlencoded::byte_serialize(seg.as_bytes()).collect::<String>())
        .collect::<Vec<_>>()
        .join("/");
    let page = s.get_with(&client(), &encoded).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<article class=\"post h-entry\"")
        .assert_contains("lang=\"ar\" dir=\"rtl\"");

    // The whole site in Arabic: <html lang="ar" dir="rtl">.
    s.post(
        "/admin/settings",
        &[
            ("csrf", &csrf2),
            ("title", "وزارة"),
            ("tagline", ""),
            ("language", "ar"),
            ("hold_new_comments", "on"),
            ("thread_depth", "5"),
            ("posts_per_page", "10"),
            ("max_comment_chars", "10000"),
            ("avatars", "identicon"),
        ],
    )
    .await;
    s.get_with(&client(), "/")
        .await
        .assert_contains("<html lang=\"ar\" dir=\"rtl\">");
}
each_backend!(
    right_to_left_pages_carry_lang_and_dir,
    arabic_sites_and_posts_read_right_to_left
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_theme_directory_overrides_templates_and_assets() {
    let theme = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(theme.path().join("templates")).unwrap();
    std::fs::create_dir_all(theme.path().join("assets")).unwrap();
    std::fs::write(
        theme.path().join("templates/not_found.html"),
        "{% extends \"base.html\" %}{% block content %}<p>Custom lost page</p>{% endblock %}",
    )
    .unwrap();
    std::fs::write(
        theme.path().join("assets/style.css"),
        "body { color: rebeccapurple }",
    )
    .unwrap();
    let config = tribune::config::ServeSettings {
        theme: Some(theme.path().to_path_buf()),
        ..Default::default()
    };
    let s = TestServer::start_with(crate::support::Backend::Sqlite, config).await;
    let page = s.get("/missing").await;
    page.assert_contains("Custom lost page");
    // The theme's stylesheet is in the page, allowed by its hash and by nothing else.
    page.assert_contains("<style>body { color: rebeccapurple }</style>");
    let digest = <sha2::Sha256 as sha2::Digest>::digest(b"body { color: rebeccapurple }");
    let source = format!(
        "style-src 'self' 'sha256-{}';",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, digest)
    );
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains(&source), "{csp}");
    assert!(!csp.contains("style-src 'self' 'unsafe-inline'"), "{csp}");
    // And served under its hashed name, for a theme whose templates link it.
    let css_url = format!(
        "/assets/style.{}.css",
        &hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
            b"body { color: rebeccapurple }"
        ))[..10]
    );
    let css = s.get(&css_url).await;
    css.assert_contains("rebeccapurple");
    assert!(css.headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    s.stop().await;
}

async fn scheduled_posts_appear_when_due(s: &TestServer) {
    s.setup_admin().await;
    let csrf = s.admin_csrf().await;
    let soon = tribune::store::now() + 2;
    let when = tribune::domain::post::format_datetime_local(soon + 60);
    // A post scheduled a minute ahead is not public yet.
    let res = s
        .post(
            "/admin/posts",
            &[
                ("csrf", &csrf),
                ("title", "Embargoed"),
                ("body", "x"),
                ("lang", "en"),
                ("status", "published"),
                ("published_at", &when),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let post = &s.store.all_posts(None).await.unwrap()[0];
    let link = tribune::domain::post::permalink(post.published_at.unwrap(), &post.slug);
    s.get_with(&client(), "/").await.assert_lacks("Embargoed");
    assert_eq!(
        s.get_with(&client(), &link).await.status,
        StatusCode::NOT_FOUND
    );
    // Drafts are never public.
    let res = s
        .post(
            "/admin/posts",
            &[
                ("csrf", &csrf),
                ("title", "Secret draft"),
                ("body", "x"),
                ("lang", "en"),
                ("status", "draft"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    s.get_with(&client(), "/")
        .await
        .assert_lacks("Secret draft");
}
each_backend!(
    scheduled_and_draft_posts_stay_hidden,
    scheduled_posts_appear_when_due
);

async fn the_home_page_paginates(s: &TestServer) {
    s.setup_admin().await;
    for i in 0..12 {
        s.publish(&format!("Post number {i:02}"), "x").await;
    }
    let first = s.get_with(&client(), "/").await;
    first
        .assert_contains("Post number 11")
        .assert_contains("Post number 02")
        .assert_lacks("Post number 01")
        .assert_contains("href=\"/page/2/\"");
    let second = s.get_with(&client(), "/page/2/").await;
    second
        .assert_contains("Post number 01")
        .assert_contains("Post number 00")
        .assert_lacks("Post number 05");
    assert_eq!(
        s.get_with(&client(), "/page/3/").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.get_with(&client(), "/page/1/").await.location(), "/");
}
each_backend!(
    home_page_lists_newest_first_in_pages,
    the_home_page_paginates
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_a_request_in_flight_finish() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = TestServer::start(crate::support::Backend::Sqlite).await;
    s.setup_admin().await;
    let (post_id, _) = s.publish("Shutdown", "x").await;
    let body = format!("comment_post_ID={post_id}&author=Late&email=late%40example.org&comment=Sent+during+shutdown");
    let (first, rest) = body.split_at(20);
    let mut conn = tokio::net::TcpStream::connect(s.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let head = format!(
        "POST /comments HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        s.base.trim_start_matches("http://"),
        body.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(first.as_bytes()).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    // Shut down while the request is half sent; it must still be answered.
    let stopped = s.begin_shutdown();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    conn.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    stopped.await;
    // New connections are refused once it has stopped.
    assert!(reqwest::get(s.url("/healthz")).await.is_err());
    let held = s
        .store
        .moderation_queue(
            Some(tribune::domain::comment::CommentStatus::Pending),
            None,
            10,
            0,
        )
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    s.stop().await;
}
