//! Snapshots (insta) of what people read: a post page with a threaded discussion, the
//! moderation queue, and each email. A template change shows up here as a diff to
//! review (`INSTA_UPDATE=always cargo test snapshots` rewrites them; CI only compares).
//! Both databases must render the same bytes, so both compare against one snapshot.
//!
//! What changes from run to run is replaced before comparing: the server's address,
//! tokens and signatures, Message-IDs, asset hashes. Dates are fixed in the database.

use std::time::Duration;

use reqwest::StatusCode;
use tribune::domain::comment::CommentStatus;
use tribune::domain::email::OutgoingEmail;
use tribune::domain::job::{CommentDigest, HeldDigest, JobKind, JobStatus};
use tribune::domain::post::PostStatus;
use tribune::domain::subscription::SubscriptionKind;
use tribune::store::PostWrite;

use crate::support::{backends, client, TestServer};

/// 2026-11-26 09:30 UTC: when everything in these snapshots happened.
const WHEN: i64 = 1_795_685_400;

/// Replaces every run of characters that are `part`s, right after `prefix`, with
/// `placeholder`.
fn redact_run(text: &str, prefix: &str, placeholder: &str, part: fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        let (before, after) = rest.split_at(at + prefix.len());
        out.push_str(before);
        let end = after.find(|c: char| !part(c)).unwrap_or(after.len());
        out.push_str(if end > 0 { placeholder } else { "" });
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn redact_hex(text: &str, prefix: &str, placeholder: &str) -> String {
    redact_run(text, prefix, placeholder, |c| c.is_ascii_hexdigit())
}

fn redact(s: &TestServer, text: &str) -> String {
    let text = text.replace(&s.base, "http://tribune.test");
    // A post published by the test today has today's date in its address.
    let today = tribune::domain::post::permalink(tribune::store::now(), "x");
    let text = text.replace(today.trim_end_matches("x/"), "/[today]/");
    let text = redact_run(&text, "exp=", "[expires]", |c| c.is_ascii_digit());
    let text = redact_hex(&text, "sig=", "[signature]");
    let text = redact_hex(&text, "?t=", "[token]");
    let text = redact_hex(&text, "&t=", "[token]");
    let text = redact_hex(&text, "&amp;t=", "[token]");
    let text = redact_hex(&text, "name=\"csrf\" value=\"", "[csrf]");
    // "5 days ago" grows older every day.
    let text = redact_run(&text, "<small class=\"ago\">", "[relative time]", |c| {
        c != '<'
    });
    // The post was saved by the test just now.
    let moment = |c: char| c.is_ascii_digit() || matches!(c, '-' | ':' | 'T' | 'Z');
    let text = redact_run(
        &text,
        "\"article:modified_time\" content=\"",
        "[saved]",
        moment,
    );
    let text = redact_run(&text, "\"dateModified\":\"", "[saved]", moment);
    let text = match (text.find("<style>"), text.find("</style>")) {
        (Some(a), Some(b)) if a < b => format!("{}<style>[style.css]{}", &text[..a], &text[b..]),
        _ => text,
    };
    let text = redact_hex(&text, "/assets/style.", "[hash]");
    let text = redact_hex(&text, "/assets/staff-bar.", "[hash]");
    redact_hex(&text, "/assets/comment-reply.", "[hash]")
}

fn email_snapshot(s: &TestServer, e: &OutgoingEmail) -> String {
    redact(
        s,
        &format!(
            "To: {}\nSubject: {}\nList-Unsubscribe: {}\n\n{}\n---- html ----\n{}",
            e.to,
            e.subject,
            e.unsubscribe.as_deref().unwrap_or("-"),
            e.text,
            e.html
        ),
    )
}

/// The emails queued so far, oldest first.
async fn queued_emails(s: &TestServer) -> Vec<OutgoingEmail> {
    let mut rows = s.store.jobs(None, 1000).await.unwrap();
    rows.sort_by_key(|j| j.id);
    rows.into_iter()
        .filter(|j| j.kind == JobKind::Email.as_str())
        .map(|j| match j.job().unwrap() {
            tribune::domain::job::Job::Email(e) => e,
            other => panic!("not an email: {other:?}"),
        })
        .collect()
}

/// Waits until an email to `to` whose subject contains `words` is queued.
async fn email_about(s: &TestServer, to: &str, words: &str) -> OutgoingEmail {
    for _ in 0..100 {
        if let Some(e) = queued_emails(s)
            .await
            .into_iter()
            .find(|e| e.to == to && e.subject.contains(words))
        {
            return e;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no email about {words:?}: {:?}", queued_emails(s).await);
}

/// Waits until the job queue has nothing left to run now.
async fn queue_settled(s: &TestServer) {
    for _ in 0..100 {
        let waiting = s.store.jobs(None, 1000).await.unwrap().iter().any(|j| {
            matches!(j.status, JobStatus::Queued | JobStatus::Running)
                && j.run_at <= tribune::store::now()
        });
        if !waiting {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the job queue did not settle");
}

/// A site with a statement, a discussion on it, and a guest's comment held.
async fn discussion(s: &TestServer) -> (i64, String) {
    s.setup_admin().await;
    // A fixed secret: avatar keys are the same on every run.
    s.store
        .put_settings(&[("secret", "snapshot-secret".to_string())], true)
        .await
        .unwrap();
    s.state.reload_settings().await.unwrap();
    let admin = s
        .store
        .user_by_email("ada@example.org")
        .await
        .unwrap()
        .unwrap();
    let post_id = s
        .store
        .insert_post(&PostWrite {
            slug: "statement-on-the-budget".into(),
            title: "Statement on the Budget".into(),
            excerpt: String::new(),
            body_md: "The budget for 2027 was approved today.\n\n## What changes\n\n\
                      - Schools get **12%** more.\n- Roads: see [the plan](https://example.org/plan).\n\n\
                      > Every district is heard.\n"
                .into(),
            body_html: tribune::domain::text::render_post(
                "The budget for 2027 was approved today.\n\n## What changes\n\n\
                 - Schools get **12%** more.\n- Roads: see [the plan](https://example.org/plan).\n\n\
                 > Every district is heard.\n",
            ),
            status: PostStatus::Published,
            lang: "en".into(),
            translation_group: None,
            author_id: admin.id,
            comments_open: true,
            published_at: Some(WHEN),
            featured_media_id: None,
            media_ids: Vec::new(),
        })
        .await
        .unwrap();
    let post = s.store.post_by_id(post_id).await.unwrap().unwrap();
    let reader = client();
    for (name, parent, body) in [
        ("Bea", 0, "Will the new schools open next year?"),
        ("Cy", 1, "The plan says September.\n\nSee page 4."),
        ("Dan", 0, "شكراً على الشفافية"),
    ] {
        let res = s.comment(&reader, post_id, parent, name, body).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let id = crate::support::comment_id_of(&res.location());
        s.store
            .set_comment_status(&[id], CommentStatus::Approved, &crate::support::actor())
            .await
            .unwrap();
    }
    // A guest's comment that waits, with a website and both boxes ticked.
    let res = s
        .post_with(
            &reader,
            "/comments",
            &[
                ("comment_post_ID", &post_id.to_string()),
                ("comment_parent", "0"),
                ("author", "Eve <script>"),
                ("email", "eve@example.net"),
                ("url", "eve.example.net"),
                ("comment", "Is the <b>road</b> plan final? & when?"),
                ("subscribe_comments", "on"),
                ("subscribe_posts", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    queue_settled(s).await;
    s.sql(&format!(
        "UPDATE comments SET created_at = {WHEN} + 60 * id, updated_at = {WHEN} + 60 * id"
    ))
    .await;
    s.state.content_changed().await;
    (post_id, post.permalink())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_and_emails_read_as_reviewed() {
    for backend in backends() {
        eprintln!("-- snapshots on {backend:?}");
        let s = TestServer::start(backend).await;
        let (post_id, link) = discussion(&s).await;

        let page = s.get_with(&client(), &link).await;
        assert_eq!(page.status, StatusCode::OK);
        insta::assert_snapshot!("post_page", redact(&s, &page.body));

        let queue = s.get("/admin/comments").await;
        assert_eq!(queue.status, StatusCode::OK);
        insta::assert_snapshot!("admin_queue", redact(&s, &queue.body));

        let held = email_about(&s, "ada@example.org", "Please moderate").await;
        insta::assert_snapshot!("email_held_comment", email_snapshot(&s, &held));
        let confirm = email_about(&s, "eve@example.net", "Please confirm").await;
        insta::assert_snapshot!("email_confirm", email_snapshot(&s, &confirm));

        let digest = s
            .state
            .notifier
            .held_digest(&HeldDigest {
                to: "ada@example.org".into(),
            })
            .await
            .unwrap()
            .expect("a comment waits");
        insta::assert_snapshot!("email_held_digest", email_snapshot(&s, &digest));

        // A reader subscribed to the thread; the held comment is approved.
        let sub = s
            .store
            .subscribe(
                "fan@example.org",
                SubscriptionKind::Comments,
                Some(post_id),
                true,
                None,
            )
            .await
            .unwrap();
        let eve = s
            .store
            .moderation_queue(Some(CommentStatus::Pending), None, 10, 0)
            .await
            .unwrap()[0]
            .id;
        s.store
            .set_comment_status(&[eve], CommentStatus::Approved, &crate::support::actor())
            .await
            .unwrap();
        let new_comment = email_about(&s, "fan@example.org", "New comment").await;
        insta::assert_snapshot!("email_new_comment", email_snapshot(&s, &new_comment));

        let digest = s
            .state
            .notifier
            .comment_digest(&CommentDigest {
                to: "fan@example.org".into(),
                post_id,
                token: Some(sub.token.clone()),
                since: 0,
            })
            .await
            .unwrap()
            .expect("comments to tell");
        insta::assert_snapshot!("email_comment_digest", email_snapshot(&s, &digest));

        // A confirmed reader of new posts hears of the next statement.
        s.store
            .subscribe(
                "news@example.org",
                SubscriptionKind::Posts,
                None,
                true,
                None,
            )
            .await
            .unwrap();
        let admin = s
            .store
            .user_by_email("ada@example.org")
            .await
            .unwrap()
            .unwrap();
        s.store
            .insert_post(&PostWrite {
                slug: "roads".into(),
                title: "The Road Plan".into(),
                excerpt: "Where the new roads go, district by district.".into(),
                body_md: "Details.".into(),
                body_html: "<p>Details.</p>".into(),
                status: PostStatus::Published,
                lang: "en".into(),
                translation_group: None,
                author_id: admin.id,
                comments_open: true,
                published_at: Some(tribune::store::now() - 5),
                featured_media_id: None,
                media_ids: Vec::new(),
            })
            .await
            .unwrap();
        let new_post = email_about(&s, "news@example.org", "The Road Plan").await;
        insta::assert_snapshot!("email_new_post", email_snapshot(&s, &new_post));

        // The two account emails: an invitation, and "Lost your password?".
        let csrf = s.admin_csrf().await;
        s.post(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("action", "invite"),
                ("email", "new@example.org"),
                ("name", "Nour"),
                ("role", "editor"),
            ],
        )
        .await;
        let invite = email_about(&s, "new@example.org", "You are invited").await;
        insta::assert_snapshot!("email_invite", email_snapshot(&s, &invite));
        let stranger = crate::support::client();
        let page = s.get_with(&stranger, "/admin/lost-password").await;
        let csrf = crate::support::csrf_of(&page.body);
        s.post_with(
            &stranger,
            "/admin/lost-password",
            &[("csrf", &csrf), ("email", "ada@example.org")],
        )
        .await;
        let reset = email_about(&s, "ada@example.org", "Choose a new password").await;
        insta::assert_snapshot!("email_reset", email_snapshot(&s, &reset));
        s.stop().await;
    }
}
