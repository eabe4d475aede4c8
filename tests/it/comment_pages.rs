//! Long threads in pages, as WordPress pages them (issue 13, point 5): top-level
//! comments per page, the newest page at the post's address, `/comment-page-N/`,
//! links to a comment that land on its page (after posting, in emails, the
//! held-comment view), and pages of bounded size however long the thread grows.

use reqwest::StatusCode;

use crate::discussion::save_rules;
use crate::support::{client, comment_id_of, TestServer};

/// Three top-level comments a page, comments approved on arrival.
async fn three_a_page(s: &TestServer, extra: &[(&str, &str)]) {
    let mut rules = vec![
        ("discussion_rules", "1"),
        ("max_links", "2"),
        ("comments_display", "1"),
        ("page_comments", "on"),
        ("comments_per_page", "3"),
    ];
    rules.extend_from_slice(extra);
    save_rules(s, &rules).await;
}

async fn paged_threads(s: &TestServer) {
    s.setup_admin().await;
    three_a_page(s, &[]).await;
    let (post, link) = s.publish("Budget", "The numbers.").await;
    let reader = client();
    let mut top = Vec::new();
    for i in 1..=7 {
        let res = s
            .comment(
                &reader,
                post,
                0,
                &format!("Reader {i}"),
                &format!("Top comment {i}."),
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        top.push(comment_id_of(&res.location()));
    }
    // A reply to the first comment goes to the first page, and is sent there.
    let res = s
        .comment(&reader, post, top[0], "Replier", "A reply to the first.")
        .await;
    let reply = comment_id_of(&res.location());
    assert_eq!(
        res.location(),
        format!("{link}comment-page-1/#comment-{reply}")
    );

    // The post shows the newest page: comment 7 alone, and the way back.
    let page = s.get_with(&client(), &link).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Top comment 7.")
        .assert_lacks("Top comment 6.")
        .assert_contains("Comment page 3 of 3")
        .assert_contains(&format!(
            "href=\"{link}comment-page-2/#comments\" rel=\"prev\">Older comments"
        ))
        .assert_contains("8 Responses to");
    let first = s
        .get_with(&client(), &format!("{link}comment-page-1/"))
        .await;
    assert_eq!(first.status, StatusCode::OK);
    first
        .assert_contains("Top comment 1.")
        .assert_contains("A reply to the first.")
        .assert_contains("Top comment 3.")
        .assert_lacks("Top comment 4.")
        .assert_contains("Comment page 1 of 3")
        .assert_contains("rel=\"next\">Newer comments");
    // Replies stay threaded under their comment on its page.
    let at_first = first.body.find("Top comment 1.").unwrap();
    let at_reply = first.body.find("A reply to the first.").unwrap();
    let at_second = first.body.find("Top comment 2.").unwrap();
    assert!(at_first < at_reply && at_reply < at_second);
    for missing in [
        "comment-page-4/",
        "comment-page-0/",
        "comment-page-x/",
        "feed-me/",
    ] {
        let res = s.get_with(&client(), &format!("{link}{missing}")).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{missing}");
    }

    // A comment's own address lands on its page.
    let res = s.get_with(&client(), &format!("/comment/{reply}/")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        res.location(),
        format!("{link}comment-page-1/#comment-{reply}")
    );
    let res = s
        .get_with(&client(), &format!("/comment/{}/", top[6]))
        .await;
    assert_eq!(res.location(), format!("{link}#comment-{}", top[6]));
    assert_eq!(
        s.get_with(&client(), "/comment/999999/").await.status,
        StatusCode::NOT_FOUND
    );

    // Reply links keep the page; the form says whom it answers.
    let replying = s
        .get_with(
            &client(),
            &format!("{link}comment-page-1/?replytocom={}", top[1]),
        )
        .await;
    replying.assert_contains("Leave a Reply to Reader 2");
    // A refused reply to a comment on another page keeps its parent.
    let shown = s
        .get_with(&reader, &format!("/comments/shown?post={post}"))
        .await
        .body;
    let parent = top[0].to_string();
    let refused = s
        .post_with(
            &reader,
            "/comments",
            &[
                ("comment_post_ID", &post.to_string()),
                ("comment_parent", &parent),
                ("author", "Hasty"),
                ("email", "not an address"),
                ("comment", "My answer."),
                ("tribune_shown", &shown),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused
        .assert_contains(&format!("id=\"comment_parent\" value=\"{parent}\""))
        .assert_contains("Leave a Reply to Reader 1")
        .assert_contains("My answer.");

    // A held reply: its author is sent to the page where it will sit, and sees it there.
    three_a_page(s, &[("hold_new_comments", "on")]).await;
    let res = s
        .comment(&reader, post, top[4], "Waiting", "A held reply to five.")
        .await;
    let to = res.location();
    assert!(
        to.starts_with(&format!("{link}comment-page-2/?unapproved=")),
        "{to}"
    );
    let own = s.get_with(&reader, &to).await;
    own.assert_contains("A held reply to five.")
        .assert_contains("Your comment is awaiting moderation.");
    s.get_with(&client(), &format!("{link}comment-page-2/"))
        .await
        .assert_lacks("A held reply to five.");

    // Oldest page first, newest comment at the top of each page.
    three_a_page(
        s,
        &[
            ("default_comments_page", "oldest"),
            ("comment_order", "desc"),
            ("hold_new_comments", "on"),
        ],
    )
    .await;
    let page = s.get_with(&client(), &link).await;
    page.assert_contains("Top comment 1.")
        .assert_lacks("Top comment 7.");
    let three = page.body.find("Top comment 3.").unwrap();
    let one = page.body.find("Top comment 1.").unwrap();
    assert!(three < one, "newest first on the page");
    let res = s
        .get_with(&client(), &format!("/comment/{}/", top[6]))
        .await;
    assert_eq!(
        res.location(),
        format!("{link}comment-page-3/#comment-{}", top[6])
    );

    // Paging off: one page, and page 2 is no page.
    save_rules(
        s,
        &[
            ("discussion_rules", "1"),
            ("max_links", "2"),
            ("comments_display", "1"),
        ],
    )
    .await;
    let page = s.get_with(&client(), &link).await;
    page.assert_contains("Top comment 1.")
        .assert_contains("Top comment 7.")
        .assert_lacks("Comment page");
    assert_eq!(
        s.get_with(&client(), &format!("{link}comment-page-2/"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Many pages: the list shows the ends and two pages either side, not every page
    // (a 30,000-comment thread has 600). One a page, oldest first (kept from above).
    save_rules(
        s,
        &[
            ("discussion_rules", "1"),
            ("max_links", "2"),
            ("comments_display", "1"),
            ("page_comments", "on"),
            ("comments_per_page", "1"),
        ],
    )
    .await;
    let first = s.get_with(&client(), &link).await;
    first
        .assert_contains("Comment page 1 of 7")
        .assert_contains(&format!("href=\"{link}comment-page-3/#comments\""))
        .assert_lacks(&format!("href=\"{link}comment-page-4/#comments\""))
        .assert_contains(&format!("href=\"{link}comment-page-7/#comments\""))
        .assert_contains("<span class=\"gap\" aria-hidden=\"true\">…</span>");
}

crate::each_backend!(long_threads_are_paged_with_deep_links, paged_threads);
