//! WordPress's discussion rules, end to end: words that hold a comment or send it to
//! spam, the link count, anonymous comments, and comments closing on old posts.

use reqwest::StatusCode;
use tribune::domain::comment::CommentStatus;
use tribune::domain::job::{Job, JobKind};

use crate::each_backend;
use crate::support::{client, comment_id_of, TestServer};

pub(crate) async fn save_rules(s: &TestServer, rules: &[(&str, &str)]) {
    let csrf = s.admin_csrf().await;
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("title", "Ministry of Examples"),
        ("tagline", ""),
        ("language", "en"),
        ("thread_depth", "5"),
        ("posts_per_page", "10"),
        ("max_comment_chars", "10000"),
        ("avatars", "identicon"),
    ];
    form.extend_from_slice(rules);
    let res = s.post("/admin/settings", &form).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

/// "Please moderate" emails queued so far.
pub(crate) async fn moderation_emails(s: &TestServer) -> usize {
    s.store
        .jobs(None, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == JobKind::Email.as_str())
        .filter(|j| matches!(j.job(), Ok(Job::Email(e)) if e.subject.contains("Please moderate")))
        .count()
}

pub(crate) async fn status_of(s: &TestServer, id: i64) -> CommentStatus {
    s.store.comment_by_id(id).await.unwrap().unwrap().status
}

each_backend!(
    discussion_rules_hold_spam_and_close_as_wordpress_does,
    discussion_rules
);

async fn discussion_rules(s: &TestServer) {
    s.setup_admin().await;
    let (post_id, link) = s.publish("Statement on the Budget", "Text.").await;
    save_rules(
        s,
        &[
            // Approve at once, so the rules are what holds a comment.
            ("max_links", "2"),
            ("require_name_email", "on"),
            ("moderation_keys", "casino\n\n  /press/  "),
            ("disallowed_keys", "viagra\nقومار"),
            ("close_after_days", "30"),
        ],
    )
    .await;
    let settings = s.get("/admin/settings").await;
    settings
        .assert_contains(">casino\n/press/</textarea>")
        .assert_contains(">viagra\nقومار</textarea>");
    let reader = client();

    // Nothing to say: approved at once (manual approval is off).
    let ok = s
        .comment(&reader, post_id, 0, "Amina", "Thank you for this.")
        .await;
    assert!(!ok.location().contains("unapproved"), "{}", ok.location());
    let before = moderation_emails(s).await;

    // A moderation word, in any case, holds it; the moderator hears of it.
    let held = s
        .comment(&reader, post_id, 0, "Rex", "Best CASINO in town")
        .await;
    let held_id = comment_id_of(&held.location());
    assert_eq!(status_of(s, held_id).await, CommentStatus::Pending);
    assert_eq!(moderation_emails(s).await, before + 1);
    // /press/ is the whole word only: "WordPress" passes, "the press" is held.
    let wp = s
        .comment(&reader, post_id, 0, "Li", "Moved from WordPress.")
        .await;
    assert_eq!(
        status_of(s, comment_id_of(&wp.location())).await,
        CommentStatus::Approved
    );
    let press = s.comment(&reader, post_id, 0, "Li", "Ask the press.").await;
    assert_eq!(
        status_of(s, comment_id_of(&press.location())).await,
        CommentStatus::Pending
    );

    // Two links hold it.
    let links = s
        .comment(
            &reader,
            post_id,
            0,
            "Sam",
            "See https://a.example and www.b.example",
        )
        .await;
    assert_eq!(
        status_of(s, comment_id_of(&links.location())).await,
        CommentStatus::Pending
    );

    // A disallowed word in the name goes to spam: no email, not in the queue, not on
    // the page; its author is told no more than for a held comment.
    let emails = moderation_emails(s).await;
    let spam = s
        .comment(&reader, post_id, 0, "Cheap Viagra", "Hello there")
        .await;
    let spam_id = comment_id_of(&spam.location());
    assert_eq!(status_of(s, spam_id).await, CommentStatus::Spam);
    assert_eq!(moderation_emails(s).await, emails, "spam emails no one");
    s.get_with(&reader, &spam.location())
        .await
        .assert_contains("Your comment is awaiting moderation.");
    s.get_with(&client(), &link)
        .await
        .assert_lacks("Hello there");
    s.get("/admin/comments")
        .await
        .assert_lacks("Hello there")
        .assert_contains("Best CASINO in town")
        // Each held comment says which rule held it.
        .assert_contains("Held by a rule: “casino” is a moderation word (in the text).")
        .assert_contains("Held by a rule: 2 links (the limit is 2).");
    s.get("/admin/comments?status=spam")
        .await
        .assert_contains("Hello there")
        .assert_contains("Sent to spam by a rule: “viagra” is a disallowed word (in the name).");
    // "Not spam" puts it back in the queue; "Empty spam" deletes what is left there.
    let csrf = s.admin_csrf().await;
    let res = s
        .post(
            "/admin/comments",
            &[
                ("csrf", &csrf),
                ("do", &format!("unapprove:{spam_id}")),
                ("back", "spam"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(s, spam_id).await, CommentStatus::Pending);
    let res = s
        .post(
            "/admin/comments",
            &[
                ("csrf", &csrf),
                ("do", &format!("spam:{spam_id}")),
                ("back", "pending"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    s.get("/admin/comments?status=spam")
        .await
        .assert_contains(&format!(
            "value=\"unapprove:{spam_id}\" class=\"not-spam\">Not spam</button>"
        ))
        .assert_contains("name=\"empty\" value=\"spam\"");
    let res = s
        .post("/admin/comments", &[("csrf", &csrf), ("empty", "spam")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    s.get_with(&s.client, &res.location())
        .await
        .assert_contains("One comment deleted for good.");
    assert!(s.store.comment_by_id(spam_id).await.unwrap().is_none());
    // Approved and held comments are untouched.
    assert_eq!(status_of(s, held_id).await, CommentStatus::Pending);
    // Only spam and trash can be emptied.
    let res = s
        .post("/admin/comments", &[("csrf", &csrf), ("empty", "approved")])
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);

    // …in Arabic script too.
    let arabic = s
        .comment(&reader, post_id, 0, "زائر", "أفضل مواقع القومار")
        .await;
    assert_eq!(
        status_of(s, comment_id_of(&arabic.location())).await,
        CommentStatus::Spam
    );

    // Name and email are required…
    let anonymous = [
        ("comment_post_ID", post_id.to_string()),
        ("comment_parent", "0".to_string()),
        ("author", String::new()),
        ("email", String::new()),
        ("comment", "No name given.".to_string()),
    ];
    let form: Vec<(&str, &str)> = anonymous.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = s.post_with(&reader, "/comments", &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("No name given.");
    // …unless the site allows anonymous comments.
    save_rules(s, &[("max_links", "2"), ("close_after_days", "30")]).await;
    assert!(s
        .get("/admin/settings")
        .await
        .body
        .contains("id=\"require_name_email\" name=\"require_name_email\">"));
    let taken = s.post_with(&reader, "/comments", &form).await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.body);
    let c = s
        .store
        .comment_by_id(comment_id_of(&taken.location()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (c.author_name.as_str(), c.author_email.as_str()),
        ("Anonymous", "")
    );

    // "Comment author must have a previously approved comment": a first-timer waits,
    // and once a moderator approved them, their next comment is approved at once.
    save_rules(
        s,
        &[
            ("max_links", "2"),
            ("require_name_email", "on"),
            ("previously_approved", "on"),
            ("close_after_days", "30"),
        ],
    )
    .await;
    let first = s
        .comment(&reader, post_id, 0, "Nour", "First words here")
        .await;
    let first_id = comment_id_of(&first.location());
    assert_eq!(status_of(s, first_id).await, CommentStatus::Pending);
    s.store
        .set_comment_status(
            &[first_id],
            CommentStatus::Approved,
            &crate::support::actor(),
        )
        .await
        .unwrap();
    let again = s
        .comment(&reader, post_id, 0, "Nour", "Second words here")
        .await;
    assert_eq!(
        status_of(s, comment_id_of(&again.location())).await,
        CommentStatus::Approved
    );
    // Amina was approved before this rule was on: approved too; a stranger waits.
    let amina = s.comment(&reader, post_id, 0, "Amina", "Me again").await;
    assert_eq!(
        status_of(s, comment_id_of(&amina.location())).await,
        CommentStatus::Approved
    );
    let stranger = s.comment(&reader, post_id, 0, "Stranger", "Hi all").await;
    assert_eq!(
        status_of(s, comment_id_of(&stranger.location())).await,
        CommentStatus::Pending
    );

    // A post older than 30 days takes no comments: no form, and a submission is refused.
    let csrf = s.admin_csrf().await;
    let old = tribune::domain::post::format_datetime_local(tribune::store::now() - 31 * 86_400);
    let res = s
        .post(
            "/admin/posts",
            &[
                ("csrf", &csrf),
                ("title", "Last year's statement"),
                ("body", "Old."),
                ("lang", "en"),
                ("status", "published"),
                ("published_at", &old),
                ("comments_open", "on"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let old_post = s
        .store
        .all_posts(None)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.title == "Last year's statement")
        .unwrap();
    s.get_with(&client(), &old_post.permalink())
        .await
        .assert_lacks("id=\"commentform\"");
    let closed = s
        .comment(&reader, old_post.id, 0, "Amina", "Late reply")
        .await;
    assert_eq!(closed.status, StatusCode::FORBIDDEN);
    closed.assert_contains("Late reply");
    // A newer post still does.
    s.get_with(&client(), &link)
        .await
        .assert_contains("id=\"commentform\"");
}

/// `[discussion]` in `tribune.toml` wins over Settings → Discussion, whose fields for it
/// show greyed out, and saving the settings page does not undo it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_in_the_config_file_win_and_show_greyed_out() {
    for backend in crate::support::backends() {
        let (file, warnings) = tribune::config::FileConfig::parse(
            "[discussion]\nhold_new_comments = false\nmax_links = 1\n\
             disallowed_keys = [\"viagra\", \"  \"]\n",
        )
        .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let config = tribune::config::ServeSettings {
            comments_per_minute: 0,
            discussion: file.discussion,
            ..tribune::config::ServeSettings::default()
        };
        let s = TestServer::start_with(backend, config).await;
        s.setup_admin().await;
        let (post_id, _) = s.publish("Configured", "Text.").await;
        let reader = client();
        // Stored, comments are held (the default); configured, they are not.
        let ok = s.comment(&reader, post_id, 0, "Amina", "Fine words").await;
        assert_eq!(
            status_of(&s, comment_id_of(&ok.location())).await,
            CommentStatus::Approved
        );
        let link = s
            .comment(&reader, post_id, 0, "Sam", "See https://a.example")
            .await;
        assert_eq!(
            status_of(&s, comment_id_of(&link.location())).await,
            CommentStatus::Pending
        );
        let spam = s.comment(&reader, post_id, 0, "Rex", "Cheap VIAGRA").await;
        assert_eq!(
            status_of(&s, comment_id_of(&spam.location())).await,
            CommentStatus::Spam
        );

        let page = s.get("/admin/settings").await;
        page.assert_contains("id=\"max_links\" name=\"max_links\" disabled")
            .assert_contains("id=\"disallowed_keys\" name=\"disallowed_keys\" disabled")
            .assert_contains("id=\"hold_new_comments\" name=\"hold_new_comments\" disabled")
            .assert_contains("id=\"moderation_keys\" name=\"moderation_keys\" rows")
            .assert_contains("[discussion] in tribune.toml");
        // A save from the page (disabled fields are not sent) changes none of them.
        save_rules(
            &s,
            &[
                ("discussion_rules", "1"),
                ("require_name_email", "on"),
                ("close_after_days", "0"),
                ("moderation_keys", ""),
            ],
        )
        .await;
        let again = s
            .comment(&reader, post_id, 0, "Amina", "More fine words")
            .await;
        assert_eq!(
            status_of(&s, comment_id_of(&again.location())).await,
            CommentStatus::Approved
        );
        let spam = s.comment(&reader, post_id, 0, "Rex", "viagra again").await;
        assert_eq!(
            status_of(&s, comment_id_of(&spam.location())).await,
            CommentStatus::Spam
        );
        s.stop().await;
    }
}
