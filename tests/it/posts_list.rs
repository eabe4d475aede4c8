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

/// The editor (issue 13, point 2): categories picked or created and tags typed,
/// Publish / Schedule / Update, and a changed slug whose old address answers 301.
async fn the_editor(s: &TestServer) {
    s.setup_admin().await;
    let csrf = s.admin_csrf().await;
    let new = s.get("/admin/posts/new").await;
    new.assert_contains(">Save draft<")
        .assert_contains(">Publish<");
    let res = s
        .post(
            "/admin/posts",
            &[
                ("csrf", &csrf),
                ("title", "Water Plan"),
                ("body", "Pipes."),
                ("lang", "en"),
                ("status", "draft"),
                ("new_category", "Infrastructure, Statements"),
                ("tags", "water، pipes, Water"),
                ("action", "publish"),
            ],
        )
        .await;
    let edit = res.location();
    assert!(edit.ends_with("?saved=published"), "{edit}");
    let page = s.get(&edit).await;
    page.assert_contains("Post published.")
        .assert_contains(">Update<")
        .assert_contains("value=\"pipes, water\"")
        .assert_contains("name=\"cat_infrastructure\" value=\"Infrastructure\" checked");
    let id: i64 = edit
        .trim_start_matches("/admin/posts/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let post = s.store.post_by_id(id).await.unwrap().unwrap();
    let old = post.permalink();
    let public = s.get_with(&client(), &old).await;
    public
        .assert_contains("href=\"/category/infrastructure/\"")
        .assert_contains("href=\"/tag/pipes/\"");
    s.get_with(&client(), "/category/statements/")
        .await
        .assert_contains("Water Plan");

    // A new slug: the old address sends readers on; untick a category.
    let res = s
        .post(
            &format!("/admin/posts/{id}"),
            &[
                ("csrf", &csrf),
                ("title", "Water Plan"),
                ("slug", "water-plan-2027"),
                ("body", "Pipes."),
                ("lang", "en"),
                ("status", "published"),
                (
                    "published_at",
                    &tribune::domain::post::format_datetime_local(post.published_at.unwrap()),
                ),
                ("cat_infrastructure", "Infrastructure"),
                ("tags", ""),
                ("action", "save"),
            ],
        )
        .await;
    assert!(res.location().ends_with("?saved=1"), "{}", res.location());
    let moved = s.get_with(&client(), &old).await;
    assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY);
    assert!(
        moved.location().ends_with("/water-plan-2027/"),
        "{}",
        moved.location()
    );
    let now = s.get_with(&client(), &moved.location()).await;
    now.assert_contains("Water Plan")
        .assert_lacks("/tag/pipes/");
    s.get_with(&client(), "/category/statements/")
        .await
        .assert_lacks("Water Plan");

    // A date ahead: the button says Schedule, and the post waits.
    let later = tribune::domain::post::format_datetime_local(tribune::store::now() + 86_400 * 3);
    let form = [
        ("csrf", csrf.as_str()),
        ("title", "Next Week"),
        ("body", "Soon."),
        ("lang", "en"),
        ("status", "draft"),
        ("published_at", later.as_str()),
        ("action", "preview"),
    ];
    s.post("/admin/posts", &form)
        .await
        .assert_contains(">Schedule<");
    let mut publish = form;
    publish[6] = ("action", "publish");
    let res = s.post("/admin/posts", &publish).await;
    assert!(
        res.location().ends_with("?saved=scheduled"),
        "{}",
        res.location()
    );
    s.get(&res.location())
        .await
        .assert_contains("Post scheduled.");
    s.get_with(&client(), "/").await.assert_lacks("Next Week");
}

crate::each_backend!(
    the_editor_files_publishes_schedules_and_keeps_old_addresses,
    the_editor
);

/// Revisions (list, compare, restore) and autosave (issue 13, point 2).
async fn revisions_and_autosave(s: &TestServer) {
    s.setup_admin().await;
    let csrf = s.admin_csrf().await;
    // Autosave of a new post: it becomes a draft, nothing public.
    let res = s
        .post(
            "/admin/posts/autosave",
            &[
                ("csrf", &csrf),
                ("title", "Half Written"),
                ("body", "First line.\nSecond line."),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let answer: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let id = answer["id"].as_i64().unwrap();
    assert!(answer["said"]
        .as_str()
        .unwrap()
        .starts_with("Draft saved at"));
    let post = s.store.post_by_id(id).await.unwrap().unwrap();
    assert_eq!(post.status, tribune::domain::post::PostStatus::Draft);
    // Without a title there is nothing to autosave; with a forged token, nothing at all.
    let res = s
        .post("/admin/posts/autosave", &[("csrf", &csrf), ("title", " ")])
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = s
        .post("/admin/posts/autosave", &[("csrf", "x"), ("title", "T")])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // Published, then changed: two revisions, compared line by line.
    let save = |body: &'static str, status: &'static str, action: &'static str| {
        let csrf = csrf.clone();
        async move {
            s.post(
                &format!("/admin/posts/{id}"),
                &[
                    ("csrf", csrf.as_str()),
                    ("title", "Half Written"),
                    ("body", body),
                    ("lang", "en"),
                    ("status", status),
                    ("action", action),
                ],
            )
            .await
        }
    };
    save("First line.\nSecond line.", "draft", "publish").await;
    let post = s.store.post_by_id(id).await.unwrap().unwrap();
    save("First line.\nA better second line.", "published", "save").await;
    let list = s.get(&format!("/admin/posts/{id}/revisions")).await;
    assert_eq!(
        list.body.matches("name=\"restore\"").count(),
        2,
        "{}",
        list.body
    );
    let revs = s.store.revisions(id).await.unwrap();
    let first = revs.last().unwrap().id;
    let diff = s
        .get(&format!("/admin/posts/{id}/revisions?compare={first}"))
        .await;
    diff.assert_contains("<del>− Second line.</del>")
        .assert_contains("<ins>+ A better second line.</ins>")
        .assert_contains("  First line.");

    // An autosave of a published post waits aside: readers still read the saved text.
    let res = s
        .post(
            "/admin/posts/autosave",
            &[
                ("csrf", &csrf),
                ("post_id", &id.to_string()),
                ("title", "Half Written"),
                ("body", "Not ready for readers."),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let link = post.permalink();
    s.get_with(&client(), &link)
        .await
        .assert_contains("A better second line.")
        .assert_lacks("Not ready");
    s.get(&format!("/admin/posts/{id}/revisions"))
        .await
        .assert_contains("(autosave)");

    // Restore the first revision: the post reads as it did, and that is a revision too.
    let res = s
        .post(
            &format!("/admin/posts/{id}/revisions"),
            &[("csrf", &csrf), ("restore", &first.to_string())],
        )
        .await;
    assert_eq!(res.location(), format!("/admin/posts/{id}?saved=restored"));
    s.get(&res.location())
        .await
        .assert_contains("Revision restored.");
    s.get_with(&client(), &link)
        .await
        .assert_contains("Second line.")
        .assert_lacks("A better");
    let revs = s.store.revisions(id).await.unwrap();
    assert_eq!(revs.iter().filter(|r| r.autosave == 0).count(), 3);
    assert!(
        revs.iter().all(|r| r.autosave == 0),
        "saving drops the autosave"
    );
}

crate::each_backend!(posts_keep_revisions_and_autosave, revisions_and_autosave);
