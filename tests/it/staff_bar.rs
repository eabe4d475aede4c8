//! Staff on the public site (issue 13, point 4): the bar and each comment's buttons
//! come from `/admin/bar`, asked only by a staff browser's script; the public page
//! stays the same bytes for everyone, staff included.

use reqwest::StatusCode;
use serde_json::Value;

use crate::discussion::save_rules;
use crate::support::{client, comment_id_of, TestServer};

async fn bar_json(s: &TestServer, c: &reqwest::Client, post: i64) -> (StatusCode, Value) {
    let res = c
        .get(s.url(&format!("/admin/bar?post={post}")))
        .send()
        .await
        .unwrap();
    let status = res.status();
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    let body = res.text().await.unwrap();
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

async fn staff_on_the_public_site(s: &TestServer) {
    s.setup_admin().await;
    save_rules(s, &[("discussion_rules", "1"), ("max_links", "2")]).await;
    let (post, link) = s.publish("Open Letter", "Read it.").await;
    let reader = client();
    let res = s
        .comment(&reader, post, 0, "Spammy", "Buy cheap things now.")
        .await;
    let spam = comment_id_of(&res.location());
    let res = s
        .comment(&reader, post, 0, "Fair", "A fair point, badly spelt.")
        .await;
    let fair = comment_id_of(&res.location());

    // The page a signed-in administrator gets is the page every reader gets.
    let anonymous = s.get_with(&client(), &link).await;
    let as_staff = s.get(&link).await;
    assert_eq!(
        anonymous.body, as_staff.body,
        "no personal bytes in the page"
    );
    anonymous
        .assert_contains("staff-bar.")
        .assert_lacks("Dashboard");

    // Nobody signed in (a hint left from a session that ended): nothing, and the
    // hint is forgotten.
    let res = reqwest::Client::new()
        .get(s.url(&format!("/admin/bar?post={post}")))
        .header("cookie", "tribune_staff=1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let cookies: Vec<_> = res.headers().get_all("set-cookie").iter().collect();
    assert!(
        cookies
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("tribune_staff=;")),
        "{cookies:?}"
    );

    // The administrator: the bar with Edit this post, and the comment tools.
    let (status, json) = bar_json(s, &s.client, post).await;
    assert_eq!(status, StatusCode::OK);
    let bar = json["bar"].as_str().unwrap();
    assert!(
        bar.contains("Dashboard") && bar.contains("New post"),
        "{bar}"
    );
    assert!(
        bar.contains(&format!("href=\"/admin/posts/{post}\">Edit this post")),
        "{bar}"
    );
    assert!(bar.contains("No comments waiting here"), "{bar}");
    let tools = json["comment_tools"].as_str().unwrap();
    assert!(
        tools.contains("value=\"spam:__ID__\"") && tools.contains("/admin/comments/__ID__/edit")
    );
    let csrf = crate::support::csrf_of(tools);

    // Spam from the page, and back to it.
    let res = s
        .post(
            "/admin/comments",
            &[
                ("csrf", &csrf),
                ("do", &format!("spam:{spam}")),
                ("return_to", &link),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), format!("{link}#comments"));
    s.get_with(&client(), &link)
        .await
        .assert_lacks("Buy cheap things");
    // A return address off the site is not followed.
    let res = s
        .post(
            "/admin/comments",
            &[
                ("csrf", &csrf),
                ("do", &format!("unapprove:{fair}")),
                ("return_to", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(res.location(), "/admin/#comments");
    let (_, json) = bar_json(s, &s.client, post).await;
    assert!(json["bar"]
        .as_str()
        .unwrap()
        .contains("One comment waiting here"));

    // Edit: a moderator fixes the text and the name.
    let csrf = s.admin_csrf().await;
    let page = s.get(&format!("/admin/comments/{fair}/edit")).await;
    page.assert_contains("A fair point, badly spelt.");
    let res = s
        .post(
            &format!("/admin/comments/{fair}/edit"),
            &[
                ("csrf", &csrf),
                ("author", "Fair Reader"),
                ("email", "fair@example.net"),
                ("url", ""),
                ("comment", "A fair point, well spelt."),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    s.get(&res.location())
        .await
        .assert_contains("Comment saved.");
    let c = s.store.comment_by_id(fair).await.unwrap().unwrap();
    assert_eq!(c.author_name, "Fair Reader");
    assert!(c.body_html.contains("well spelt"));

    // An author who did not write the post: the bar, no Edit this post, no tools.
    let hash = tribune::passwords::hash("author password 1").unwrap();
    s.store
        .insert_user(
            "au@example.org",
            "Au",
            Some(&hash),
            tribune::domain::role::Role::Author,
            false,
        )
        .await
        .unwrap();
    let au = client();
    let login = s.get_with(&au, "/admin/login").await;
    let res = s
        .post_with(
            &au,
            "/admin/login",
            &[
                ("csrf", &crate::support::csrf_of(&login.body)),
                ("email", "au@example.org"),
                ("password", "author password 1"),
            ],
        )
        .await;
    assert!(
        res.headers
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("tribune_staff=1")),
        "signing in leaves the hint"
    );
    let (_, json) = bar_json(s, &au, post).await;
    assert!(!json["bar"].as_str().unwrap().contains("Edit this post"));
    assert!(json["comment_tools"].is_null());
    assert_eq!(
        s.get_with(&au, &format!("/admin/comments/{fair}/edit"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

crate::each_backend!(
    staff_see_a_bar_and_comment_tools_on_the_public_site,
    staff_on_the_public_site
);
