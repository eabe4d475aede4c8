//! Staff: sign-in and sign-out, roles, CSRF, and limits on what strangers can do.

use reqwest::{Client, StatusCode};

use crate::each_backend;
use crate::support::{client, csrf_of, TestServer};

async fn sign_in(
    s: &TestServer,
    email: &str,
    password: &str,
    next: &str,
) -> (Client, crate::support::Response) {
    let c = client();
    let page = s.get_with(&c, &format!("/admin/login?next={next}")).await;
    let csrf = csrf_of(&page.body);
    let res = s
        .post_with(
            &c,
            "/admin/login",
            &[
                ("csrf", &csrf),
                ("email", email),
                ("password", password),
                ("next", next),
            ],
        )
        .await;
    (c, res)
}

async fn add_staff(s: &TestServer, email: &str, role: &str) {
    let hash = tribune::passwords::hash("staff password 1").unwrap();
    s.store
        .insert_user(email, role, Some(&hash), role.parse().unwrap(), false)
        .await
        .unwrap();
}

async fn staff_sign_in_sign_out_and_roles(s: &TestServer) {
    s.setup_admin().await;

    // Wrong password: a clear message, the email kept, no session.
    let (c, res) = sign_in(s, "ada@example.org", "wrong password", "/admin/comments").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    res.assert_contains("Wrong email or password.")
        .assert_contains("value=\"ada@example.org\"");
    assert_eq!(
        s.get_with(&c, "/admin/comments").await.status,
        StatusCode::SEE_OTHER
    );

    // Right password: back to where they were going; never to another site.
    let (c, res) = sign_in(
        s,
        "ada@example.org",
        "correct horse battery",
        "/admin/comments",
    )
    .await;
    assert_eq!(res.location(), "/admin/comments");
    let session_cookie = res
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap())
        .find(|c| c.starts_with("tribune_session="))
        .expect("a session cookie");
    assert!(session_cookie.contains("HttpOnly"), "{session_cookie}");
    let (_, res) = sign_in(
        s,
        "ada@example.org",
        "correct horse battery",
        "//evil.example/",
    )
    .await;
    assert_eq!(res.location(), "/admin/");

    // Sign out ends the session for good.
    let csrf = s.admin_csrf().await;
    let page = s.get_with(&c, "/admin/").await;
    let c_csrf = csrf_of(&page.body);
    assert_ne!(csrf, c_csrf, "each session has its own token");
    let res = s.post_with(&c, "/admin/logout", &[("csrf", &c_csrf)]).await;
    assert_eq!(res.location(), "/admin/login");
    let after = s.get_with(&c, "/admin/comments").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert!(after.location().starts_with("/admin/login?next="));

    // Roles decide who may do what.
    add_staff(s, "mo@example.org", "moderator").await;
    add_staff(s, "au@example.org", "author").await;
    let (mo, _) = sign_in(s, "mo@example.org", "staff password 1", "/admin/").await;
    let (au, _) = sign_in(s, "au@example.org", "staff password 1", "/admin/").await;
    assert_eq!(
        s.get_with(&mo, "/admin/comments").await.status,
        StatusCode::OK
    );
    assert_eq!(
        s.get_with(&mo, "/admin/posts").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.get_with(&mo, "/admin/settings").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.get_with(&au, "/admin/posts/new").await.status,
        StatusCode::OK
    );
    assert_eq!(
        s.get_with(&au, "/admin/comments").await.status,
        StatusCode::FORBIDDEN
    );
    // An author cannot edit the admin's post.
    let (post_id, _) = s.publish("Admin's post", "x").await;
    assert_eq!(
        s.get_with(&au, &format!("/admin/posts/{post_id}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    s.get_with(&mo, "/admin/").await.assert_lacks("New post");
}
each_backend!(staff_sign_in_and_roles, staff_sign_in_sign_out_and_roles);

async fn forms_refuse_forgery(s: &TestServer) {
    s.setup_admin().await;
    let (post_id, _) = s.publish("Target", "x").await;
    // No token, or another session's token: refused, nothing written.
    let res = s
        .post(
            "/admin/posts",
            &[
                ("title", "Forged"),
                ("body", "x"),
                ("lang", "en"),
                ("status", "published"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = s
        .post(
            "/admin/posts",
            &[
                ("csrf", "0123"),
                ("title", "Forged"),
                ("body", "x"),
                ("lang", "en"),
                ("status", "published"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(s.store.all_posts(None).await.unwrap().len(), 1);

    // A form posted from another site is refused by the browser-header check.
    let post = post_id.to_string();
    let forged = s
        .client
        .post(s.url("/comments"))
        .header("origin", "https://evil.example")
        .form(&[
            ("comment_post_ID", post.as_str()),
            ("author", "X"),
            ("email", "x@example.org"),
            ("comment", "forged"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let cross = s
        .client
        .post(s.url("/comments"))
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("comment_post_ID", post.as_str()),
            ("author", "X"),
            ("email", "x@example.org"),
            ("comment", "forged"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    // The same form from this site goes through.
    let same = s
        .client
        .post(s.url("/comments"))
        .header("sec-fetch-site", "same-origin")
        .header("origin", s.base.clone())
        .form(&[
            ("comment_post_ID", post.as_str()),
            ("author", "X"),
            ("email", "x@example.org"),
            ("comment", "fine"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        s.store
            .moderation_queue(None, None, 10, 0)
            .await
            .unwrap()
            .len(),
        1
    );

    // The setup form cannot be replayed once a site exists.
    let c = client();
    let page = s.get_with(&c, "/admin/login").await;
    let csrf = csrf_of(&page.body);
    let res = s
        .post_with(
            &c,
            "/admin/setup",
            &[
                ("csrf", &csrf),
                ("site_title", "x"),
                ("name", "Eve"),
                ("email", "eve@example.org"),
                ("password", "long enough pw"),
                ("password2", "long enough pw"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(s
        .store
        .user_by_email("eve@example.org")
        .await
        .unwrap()
        .is_none());
}
each_backend!(
    forms_refuse_forgery_and_cross_site_posts,
    forms_refuse_forgery
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comment_floods_are_slowed_down_with_the_text_kept() {
    let config = tribune::config::ServeSettings {
        comments_per_minute: 2,
        ..Default::default()
    };
    let s = TestServer::start_with(crate::support::Backend::Sqlite, config).await;
    s.setup_admin().await;
    let (post_id, _) = s.publish("Busy", "x").await;
    let guest = client();
    for i in 0..2 {
        let res = s
            .comment(&guest, post_id, 0, "Fast", &format!("comment {i}"))
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
    }
    let res = s.comment(&guest, post_id, 0, "Fast", "the third one").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    res.assert_contains("You are posting too quickly")
        .assert_contains("the third one");
    s.stop().await;
}

async fn thread_depth_limits_reply_links(s: &TestServer) {
    s.setup_admin().await;
    let csrf = s.admin_csrf().await;
    s.post(
        "/admin/settings",
        &[
            ("csrf", &csrf),
            ("title", "T"),
            ("tagline", ""),
            ("language", "en"),
            ("thread_depth", "2"),
            ("posts_per_page", "10"),
            ("max_comment_chars", "10000"),
            ("avatars", "identicon"),
        ],
    )
    .await;
    let (post_id, link) = s.publish("Deep", "x").await;
    let guest = client();
    let top =
        crate::support::comment_id_of(&s.comment(&guest, post_id, 0, "A", "top").await.location());
    let second = crate::support::comment_id_of(
        &s.comment(&guest, post_id, top, "B", "second")
            .await
            .location(),
    );
    // Replies to the deepest level are refused by the page (no Reply link) …
    let page = s.get(&link).await;
    page.assert_contains(&format!("replytocom={top}"))
        .assert_lacks(&format!("replytocom={second}"));
    // … and a hand-made one lands at the deepest level instead of going deeper.
    let third = crate::support::comment_id_of(
        &s.comment(&guest, post_id, second, "C", "third")
            .await
            .location(),
    );
    assert!(third > second);
    let page = s.get(&link).await;
    page.assert_contains("3 Responses");
    assert_eq!(page.body.matches("<ol class=\"children\">").count(), 1);
}
each_backend!(
    thread_depth_setting_is_respected,
    thread_depth_limits_reply_links
);

async fn apply_without_a_choice_changes_nothing(s: &TestServer) {
    s.setup_admin().await;
    let (post_id, _) = s.publish("Bulk", "x").await;
    let res = s
        .comment(&crate::support::client(), post_id, 0, "Ann", "held")
        .await;
    let id = crate::support::comment_id_of(&res.location()).to_string();
    let page = s.get("/admin/comments").await;
    page.assert_contains("<option value=\"\" selected>Choose an action</option>");
    let csrf = s.admin_csrf().await;
    // Apply with no action chosen (the list's first entry), a comment ticked.
    let res = s
        .post(
            "/admin/comments",
            &[
                ("csrf", &csrf),
                ("back", "pending"),
                ("bulk", ""),
                ("ids", &id),
            ],
        )
        .await;
    let page = s.get(&res.location()).await;
    page.assert_contains("Choose an action (Approve, Unapprove, Spam or Trash) before pressing Apply. Nothing was changed.")
        .assert_lacks("moved to the trash");
    // An action chosen, nothing ticked.
    let res = s
        .post(
            "/admin/comments",
            &[("csrf", &csrf), ("back", "pending"), ("bulk", "trash")],
        )
        .await;
    let page = s.get(&res.location()).await;
    page.assert_contains("Tick the comments to act on before pressing Apply. Nothing was changed.")
        .assert_lacks("0 comments");
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
    assert_eq!(held.len(), 1, "still waiting");
}
each_backend!(
    bulk_apply_without_an_action_or_a_selection_says_so,
    apply_without_a_choice_changes_nothing
);
