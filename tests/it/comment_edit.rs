//! A commenter edits or deletes their own comment from the browser that wrote it, for
//! the site's window (issue 13, point 5), over HTTP on both databases: the signed
//! entry is the only key, the window closes, changed text passes the rules again.

use reqwest::StatusCode;

use crate::discussion::save_rules;
use crate::support::{client, comment_id_of, TestServer};

async fn own_comments(s: &TestServer) {
    s.setup_admin().await;
    save_rules(s, &[("discussion_rules", "1"), ("max_links", "2")]).await;
    let (post, link) = s.publish("Corrections", "Tell us.").await;
    let tess = client();
    let res = s
        .comment(&tess, post, 0, "Tess", "The secnod point is wrong.")
        .await;
    let id = comment_id_of(&res.location());
    assert!(
        res.headers
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("tribune_own=")),
        "the browser is told which comment is its own"
    );
    let edit = format!("/comments/{id}/edit");
    let page = s.get_with(&tess, &edit).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("The secnod point is wrong.")
        .assert_contains("You can change or delete it until");
    assert_eq!(
        page.headers["cache-control"], "private, no-store",
        "an edit page is never cached"
    );

    // Anyone else — no entry, or a forged one — is refused.
    let stranger = client();
    assert_eq!(
        s.get_with(&stranger, &edit).await.status,
        StatusCode::FORBIDDEN
    );
    let forged = reqwest::Client::new()
        .get(s.url(&edit))
        .header(
            "cookie",
            format!("tribune_own={id}.9999999999.00000000000000000000000000000000"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    // An empty text is refused with the reason, the text kept.
    let res = s
        .post_with(&tess, &edit, &[("action", "save"), ("comment", "  ")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("Please type your comment.");
    let res = s
        .post_with(
            &tess,
            &edit,
            &[
                ("action", "save"),
                ("comment", "The second point is wrong."),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), format!("{link}#comment-{id}"));
    s.get_with(&stranger, &link)
        .await
        .assert_contains("The second point is wrong.")
        .assert_lacks("secnod");

    // Text that trips a rule (two links) goes back to the queue, and its author sees
    // it there as held.
    let res = s
        .post_with(
            &tess,
            &edit,
            &[
                ("action", "save"),
                ("comment", "See https://a.example and https://b.example"),
            ],
        )
        .await;
    let to = res.location();
    assert!(to.contains("?unapproved="), "{to}");
    s.get_with(&tess, &to)
        .await
        .assert_contains("Your comment is awaiting moderation.");
    s.get_with(&stranger, &link).await.assert_lacks("a.example");
    let log = s
        .store
        .activity(&tribune::store::ActivityFilter::default(), 50, 0)
        .await
        .unwrap();
    assert!(log
        .iter()
        .any(|e| e.action == tribune::domain::activity::Action::Edit));

    // Deleted by its author: to the trash (a moderator can still see it).
    let res = s.post_with(&tess, &edit, &[("action", "delete")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let c = s.store.comment_by_id(id).await.unwrap().unwrap();
    assert_eq!(c.status, tribune::domain::comment::CommentStatus::Trash);
    assert_eq!(s.get_with(&tess, &edit).await.status, StatusCode::FORBIDDEN);

    // The window closes: a comment older than the setting's minutes cannot change.
    let res = s.comment(&tess, post, 0, "Tess", "Another thought.").await;
    let late = comment_id_of(&res.location());
    s.sql(&format!(
        "UPDATE comments SET created_at = created_at - 16 * 60 WHERE id = {late}"
    ))
    .await;
    let page = s.get_with(&tess, &format!("/comments/{late}/edit")).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.assert_contains("the time to edit it is over");
}

crate::each_backend!(
    commenters_edit_and_delete_their_own_comment_for_a_while,
    own_comments
);
