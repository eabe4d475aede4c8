//! Admin → Posts (issue 13, point 2): search, filters, pages, and the trash, over HTTP
//! on both databases.

use reqwest::StatusCode;

use crate::support::{client, TestServer};

async fn posts_list(s: &TestServer) {
    s.setup_admin().await;
    let mut links = Vec::new();
    for i in 1..=22 {
        let (_, link) = s
            .publish(
                &format!("Statement {i:02}"),
                &format!("Plain text number {i}."),
            )
            .await;
        links.push(link);
    }
    s.publish("Budget: 50% for schools", "The budget in full.")
        .await;
    let (ar_id, ar_link) = s.publish_in("ar", "بيان الميزانية", "نص البيان.").await;

    let all = s.get("/admin/posts").await;
    all.assert_contains("24 posts")
        .assert_contains("All (24)")
        .assert_contains("Page 1 of 2")
        .assert_contains("rel=\"next\">Older posts");
    assert_eq!(all.body.matches("name=\"do\" value=\"trash:").count(), 20);
    let second = s.get("/admin/posts?page=2").await;
    assert_eq!(second.body.matches("name=\"do\" value=\"trash:").count(), 4);
    second.assert_contains("Statement 01");

    // Search: title or text, case-insensitive, % taken literally; filters keep paging.
    let found = s.get("/admin/posts?s=BUDGET").await;
    found
        .assert_contains("One post")
        .assert_contains("Budget: 50% for schools");
    s.get("/admin/posts?s=50%25")
        .await
        .assert_contains("One post");
    s.get("/admin/posts?s=5_%25")
        .await
        .assert_contains("No posts");
    s.get("/admin/posts?s=number%2017")
        .await
        .assert_contains("Statement 17");
    let arabic = s.get("/admin/posts?lang=ar").await;
    arabic
        .assert_contains("One post")
        .assert_contains("بيان الميزانية");
    s.get("/admin/posts?s=%D8%A7%D9%84%D9%85%D9%8A%D8%B2%D8%A7%D9%86%D9%8A%D8%A9")
        .await
        .assert_contains("One post");
    s.get("/admin/posts?status=draft")
        .await
        .assert_contains("No posts");

    // Trash: off the site at once, back with its status, then gone for good.
    let csrf = s.admin_csrf().await;
    let res = s
        .post(
            "/admin/posts/act",
            &[("csrf", &csrf), ("do", &format!("trash:{ar_id}"))],
        )
        .await;
    assert_eq!(res.location(), "/admin/posts?status=all&done=trashed");
    assert_eq!(
        s.get_with(&client(), &ar_link).await.status,
        StatusCode::NOT_FOUND
    );
    s.get("/admin/posts?status=trash")
        .await
        .assert_contains("Trash (1)")
        .assert_contains("بيان الميزانية")
        .assert_contains(&format!("value=\"restore:{ar_id}\""));
    s.get("/admin/posts").await.assert_contains("23 posts");
    s.post(
        "/admin/posts/act",
        &[("csrf", &csrf), ("do", &format!("restore:{ar_id}"))],
    )
    .await;
    assert_eq!(s.get_with(&client(), &ar_link).await.status, StatusCode::OK);
    // Deleting needs the trash first.
    s.post(
        "/admin/posts/act",
        &[("csrf", &csrf), ("do", &format!("delete:{ar_id}"))],
    )
    .await;
    assert!(s.store.post_by_id(ar_id).await.unwrap().is_some());
    s.post(
        "/admin/posts/act",
        &[("csrf", &csrf), ("do", &format!("trash:{ar_id}"))],
    )
    .await;
    let res = s
        .post(
            "/admin/posts/act",
            &[("csrf", &csrf), ("do", &format!("delete:{ar_id}"))],
        )
        .await;
    assert_eq!(res.location(), "/admin/posts?status=trash&done=deleted");
    assert!(s.store.post_by_id(ar_id).await.unwrap().is_none());
    // Without the form's token nothing moves.
    let res = s
        .post("/admin/posts/act", &[("csrf", "forged"), ("do", "trash:1")])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        s.get_with(&client(), &links[0]).await.status,
        StatusCode::OK
    );
}

crate::each_backend!(
    the_posts_list_is_searched_filtered_paged_and_has_a_trash,
    posts_list
);
