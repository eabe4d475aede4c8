//! The whole journey of the core issue, over HTTP: setup, publish, a guest comment held
//! and approved, a reply, counts, and bad input coming back with the form kept.

use reqwest::StatusCode;

use crate::each_backend;
use crate::support::{client, comment_id_of, csrf_of, TestServer};

async fn a_newcomer_sets_up_publishes_and_takes_replies(s: &TestServer) {
    // An empty site says so.
    s.get("/")
        .await
        .assert_contains("Nothing has been published yet.");

    // The first visit to /admin/ offers setup; afterwards it is gone.
    s.setup_admin().await;
    s.get("/admin/")
        .await
        .assert_contains("Welcome, Ada Admin.");
    let anonymous = client();
    let again = s.get_with(&anonymous, "/admin/").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.location(), "/admin/login");

    // Preview renders the Markdown without saving anything.
    let csrf = s.admin_csrf().await;
    let preview = s
        .post(
            "/admin/posts",
            &[
                ("csrf", &csrf),
                ("title", "Draft"),
                ("body", "Some *emphasis*"),
                ("lang", "en"),
                ("status", "published"),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    preview.assert_contains("<em>emphasis</em>");
    assert!(
        s.store.all_posts(None).await.unwrap().is_empty(),
        "preview must not save"
    );

    // Publish; the home page lists it, the permalink shows it with an empty thread.
    let (post_id, link) = s
        .publish(
            "Statement on the Budget",
            "We **welcome** the budget.\n\nSecond paragraph.",
        )
        .await;
    assert!(
        link.starts_with("/20") && link.ends_with("/statement-on-the-budget/"),
        "{link}"
    );
    let home = s.get_with(&anonymous, "/").await;
    home.assert_contains("Statement on the Budget")
        .assert_contains(&format!("href=\"{link}\""));
    let page = s.get_with(&anonymous, &link).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<strong>welcome</strong>")
        .assert_contains("Leave a Reply")
        .assert_contains("name=\"comment_post_ID\" value=\"")
        .assert_lacks("Responses to");
    // Without the trailing slash, or with a wrong date, readers are sent to the permalink.
    let no_slash = s.get_with(&anonymous, link.trim_end_matches('/')).await;
    assert_eq!(no_slash.status, StatusCode::PERMANENT_REDIRECT);
    let wrong_date = s
        .get_with(&anonymous, "/1999/01/01/statement-on-the-budget/")
        .await;
    assert_eq!(wrong_date.location(), link);

    // A guest comments: held, shown to that guest alone with the notice.
    let guest = client();
    let res = s
        .comment(
            &guest,
            post_id,
            0,
            "Ann Reader",
            "I have <b>one</b> question.",
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let back = res.location();
    assert!(
        back.contains("?unapproved=") && back.contains("moderation-hash="),
        "{back}"
    );
    let first = comment_id_of(&back);
    let own = s.get_with(&guest, &back).await;
    own.assert_contains("Your comment is awaiting moderation.")
        .assert_contains("I have <b>one</b> question.");
    assert_eq!(own.headers["cache-control"], "private, no-store");
    let others = s.get_with(&anonymous, &link).await;
    others
        .assert_lacks("I have")
        .assert_lacks("awaiting moderation");
    // A forged hash shows nothing.
    let forged = s
        .get_with(
            &anonymous,
            &format!("{link}?unapproved={first}&moderation-hash=00"),
        )
        .await;
    forged.assert_lacks("I have");

    // The moderator sees it in the queue with everything needed to judge it.
    let queue = s.get("/admin/comments").await;
    queue
        .assert_contains("Ann Reader")
        .assert_contains("ann.reader@example.net")
        .assert_contains("127.0.0.1")
        .assert_contains("Statement on the Budget")
        .assert_contains("Pending (1)");
    let csrf = csrf_of(&queue.body);
    let approve = format!("approve:{first}");
    let res = s
        .post("/admin/comments", &[("csrf", &csrf), ("do", &approve)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    s.get(&res.location())
        .await
        .assert_contains("One comment approved.");

    // Approved comments appear at once for everybody.
    let page = s.get_with(&anonymous, &link).await;
    page.assert_contains("One Response to “Statement on the Budget”")
        .assert_contains(&format!("id=\"comment-{first}\""))
        .assert_contains("Ann Reader")
        .assert_contains("href=\"#comment-")
        .assert_contains("/avatar/")
        .assert_contains("Reply</a>")
        .assert_lacks("ann.reader@example.net");
    // Avatars are drawn by the site itself.
    let avatar = page
        .body
        .split("src=\"/avatar/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let svg = s.get_with(&anonymous, &format!("/avatar/{avatar}")).await;
    assert_eq!(svg.status, StatusCode::OK);
    assert_eq!(svg.headers["content-type"], "image/svg+xml");
    svg.assert_contains("<svg");

    // Replying without JavaScript: ?replytocom shows "Leave a Reply to Ann" and Cancel reply.
    let reply_form = s
        .get_with(&guest, &format!("{link}?replytocom={first}"))
        .await;
    reply_form
        .assert_contains("Leave a Reply to Ann Reader")
        .assert_contains(&format!(
            "name=\"comment_parent\" id=\"comment_parent\" value=\"{first}\""
        ))
        .assert_contains("Cancel reply");
    let res = s
        .comment(&guest, post_id, first, "Bob Answer", "Here is the answer.")
        .await;
    let reply = comment_id_of(&res.location());
    let res = s
        .comment(&guest, post_id, 0, "Spammer", "Buy cheap things")
        .await;
    let spam = comment_id_of(&res.location());

    // Bulk moderation: approve one, mark the other as spam.
    let csrf = s.admin_csrf().await;
    let (reply_s, spam_s) = (reply.to_string(), spam.to_string());
    let res = s
        .post(
            "/admin/comments",
            &[("csrf", &csrf), ("bulk", "approve"), ("ids", &reply_s)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    s.post(
        "/admin/comments",
        &[("csrf", &csrf), ("bulk", "spam"), ("ids", &spam_s)],
    )
    .await;
    let page = s.get_with(&anonymous, &link).await;
    page.assert_contains("2 Responses to “Statement on the Budget”")
        .assert_lacks("Buy cheap things");
    let children_at = page
        .body
        .find("<ol class=\"children\">")
        .expect("the reply is nested");
    let reply_at = page.body.find(&format!("id=\"comment-{reply}\"")).unwrap();
    assert!(
        reply_at > children_at,
        "the reply sits inside the children list"
    );
    s.get_with(&anonymous, "/")
        .await
        .assert_contains("2 comments");

    // Counts stay right through every status change.
    let all = format!("{first}");
    s.post(
        "/admin/comments",
        &[
            ("csrf", &csrf),
            ("bulk", "trash"),
            ("ids", &all),
            ("ids", &reply_s),
        ],
    )
    .await;
    let post = s.store.post_by_id(post_id).await.unwrap().unwrap();
    assert_eq!(post.comment_count, 0);
    s.get_with(&anonymous, &link)
        .await
        .assert_lacks("Responses to")
        .assert_lacks("Here is the answer");
    s.post(
        "/admin/comments",
        &[
            ("csrf", &csrf),
            ("bulk", "approve"),
            ("ids", &all),
            ("ids", &reply_s),
        ],
    )
    .await;
    assert_eq!(
        s.store
            .post_by_id(post_id)
            .await
            .unwrap()
            .unwrap()
            .comment_count,
        2
    );
    s.get_with(&anonymous, &link)
        .await
        .assert_contains("2 Responses");
}
each_backend!(
    journey_setup_publish_comment_moderate,
    a_newcomer_sets_up_publishes_and_takes_replies
);

async fn a_refused_comment_comes_back_with_everything_typed(s: &TestServer) {
    s.setup_admin().await;
    let (post_id, _link) = s.publish("Open Letter", "Text").await;
    let guest = client();
    let post = post_id.to_string();
    let long = "word ".repeat(2_500);
    let res = s
        .post_with(
            &guest,
            "/comments",
            &[
                ("comment_post_ID", &post),
                ("comment_parent", "0"),
                ("author", ""),
                ("email", "not-an-email"),
                ("url", "javascript:alert(1)"),
                ("comment", &long),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("Your comment was not posted")
        .assert_contains("Please enter your name.")
        .assert_contains("That email address does not look right")
        .assert_contains("The website must be a web address")
        .assert_contains("Comment is too long: 12,499 characters. The limit is 10,000.")
        .assert_contains("value=\"not-an-email\"")
        .assert_contains("value=\"javascript:alert(1)\"")
        .assert_contains(&long.trim_end()[..200])
        .assert_contains("aria-invalid=\"true\"");
    assert!(s
        .store
        .moderation_queue(None, None, 10, 0)
        .await
        .unwrap()
        .is_empty());

    // An empty comment gets its own message; the name typed stays.
    let res = s
        .post_with(
            &guest,
            "/comments",
            &[
                ("comment_post_ID", &post),
                ("author", "Carol"),
                ("email", "carol@example.org"),
                ("comment", "   "),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("Please type your comment.")
        .assert_contains("value=\"Carol\"");

    // Markup is shown, not run; links get rel="nofollow ugc".
    let res = s
        .comment(&guest, post_id, 0, "Mallory", "<script>alert('x')</script> see <a href=\"https://example.com/\" onclick=\"evil()\">this</a>")
        .await;
    let id = comment_id_of(&res.location());
    s.store
        .set_comment_status(
            &[id],
            tribune::domain::comment::CommentStatus::Approved,
            &crate::support::actor(),
        )
        .await
        .unwrap();
    s.state.content_changed().await;
    let page = s.get(&_link).await;
    page.assert_contains("&lt;script&gt;alert(")
        .assert_lacks("<script>alert")
        .assert_lacks("onclick")
        .assert_contains("<a href=\"https://example.com/\" rel=\"nofollow ugc\">this</a>");

    // A reply to a comment that is not approved is refused, text kept.
    let res = s
        .comment(&guest, post_id, 999_999, "Dan", "Orphan reply")
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("no longer available")
        .assert_contains("Orphan reply");

    // A post that does not exist: 404, not a crash.
    let res = s
        .post_with(
            &guest,
            "/comments",
            &[
                ("comment_post_ID", "424242"),
                ("author", "A"),
                ("email", "a@b.co"),
                ("comment", "x"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}
each_backend!(
    refused_comment_keeps_the_form,
    a_refused_comment_comes_back_with_everything_typed
);

async fn pages_are_served_from_cache_and_refreshed_on_change(s: &TestServer) {
    s.setup_admin().await;
    let (post_id, link) = s.publish("Cached", "Body").await;
    let reader = client();
    let first = s.get_with(&reader, &link).await;
    let etag = first.headers["etag"].to_str().unwrap().to_string();
    // The same bytes for every anonymous reader, with a validator.
    let second = s.get_with(&client(), &link).await;
    assert_eq!(first.body, second.body);
    let not_modified = reader
        .get(s.url(&link))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);

    // With auto-approval on, a new comment shows at once on the cached page.
    let csrf = s.admin_csrf().await;
    s.post(
        "/admin/settings",
        &[
            ("csrf", &csrf),
            ("title", "Ministry of Examples"),
            ("tagline", ""),
            ("language", "en"),
            ("thread_depth", "5"),
            ("posts_per_page", "10"),
            ("max_comment_chars", "10000"),
            ("avatars", "identicon"),
        ],
    )
    .await;
    let res = s
        .comment(&reader, post_id, 0, "Eve", "Instant comment")
        .await;
    assert!(
        !res.location().contains("unapproved"),
        "approved at once: {}",
        res.location()
    );
    s.get_with(&client(), &link)
        .await
        .assert_contains("Instant comment")
        .assert_contains("One Response");

    // A change made outside this process (the CLI) shows within the poll interval.
    s.store
        .set_comment_status(
            &[comment_id_of(&res.location())],
            tribune::domain::comment::CommentStatus::Trash,
            &crate::support::actor(),
        )
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    s.get_with(&client(), &link)
        .await
        .assert_lacks("Instant comment");
}
each_backend!(
    cached_pages_refresh_when_content_changes,
    pages_are_served_from_cache_and_refreshed_on_change
);

async fn saving_a_post_says_so_with_a_link(s: &TestServer) {
    s.setup_admin().await;
    let csrf = s.admin_csrf().await;
    // WordPress's words: "Post published. View post" the first time, "Post saved." for
    // a draft.
    for (status, viewable, said, saved) in [
        ("published", true, "Post published.", "?saved=published"),
        ("draft", false, "Post saved.", "?saved=1"),
    ] {
        let res = s
            .post(
                "/admin/posts",
                &[
                    ("csrf", &csrf),
                    ("title", &format!("Saved {status}")),
                    ("body", "x"),
                    ("lang", "en"),
                    ("status", status),
                    ("action", "save"),
                ],
            )
            .await;
        assert!(res.location().ends_with(saved), "{}", res.location());
        let page = s.get(&res.location()).await;
        page.assert_contains(said);
        let id: i64 = res
            .location()
            .trim_start_matches("/admin/posts/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let post = s.store.post_by_id(id).await.unwrap().unwrap();
        let link = format!("<a href=\"{}\">View post</a>", post.permalink());
        if viewable {
            page.assert_contains(&link);
        } else {
            page.assert_lacks("View post");
        }
        // Opened again later, no notice.
        s.get(&format!("/admin/posts/{id}"))
            .await
            .assert_lacks("Post saved.");
    }
}
each_backend!(
    saving_a_post_says_post_saved_and_links_to_it,
    saving_a_post_says_so_with_a_link
);

async fn a_refused_settings_form_comes_back_as_typed(s: &TestServer) {
    s.setup_admin().await;
    let csrf = s.admin_csrf().await;
    let res = s
        .post(
            "/admin/settings",
            &[
                ("csrf", &csrf),
                ("title", ""),
                ("tagline", "Typed tagline"),
                ("site_url", &s.base),
                ("language", "ckb"),
                ("thread_depth", "99"),
                ("posts_per_page", "7"),
                ("max_comment_chars", "5000"),
                ("avatars", "gravatar"),
                (
                    "auth_google_client_id",
                    "typed-id.apps.googleusercontent.com",
                ),
                ("auth_google_client_secret", ""),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("Please give the site a title.")
        .assert_contains("Google needs a client secret")
        .assert_contains("must be a number from 1 to 10")
        .assert_contains("id=\"thread_depth\" name=\"thread_depth\" type=\"number\" min=\"1\" max=\"10\" value=\"99\"")
        .assert_contains("value=\"Typed tagline\"")
        .assert_contains("id=\"posts_per_page\" name=\"posts_per_page\" type=\"number\" min=\"1\" max=\"100\" value=\"7\"")
        .assert_contains("value=\"typed-id.apps.googleusercontent.com\"")
        .assert_contains("<option value=\"gravatar\" selected>");
    // Nothing was saved.
    let site = s.state.site();
    assert_eq!(site.thread_depth, 5);
    assert_eq!(site.tagline, "");
}
each_backend!(
    a_refused_settings_form_comes_back_exactly_as_typed,
    a_refused_settings_form_comes_back_as_typed
);
