//! Spam, end to end: the bot traps on the cached comment form, the filter learning
//! from moderators' decisions and sending spam away from the queue, one-click blocks,
//! and the activity log of who did what from where.

use std::time::Duration;

use reqwest::StatusCode;
use tribune::domain::activity::{Action, Source};
use tribune::domain::comment::CommentStatus;
use tribune::store::ActivityFilter;

use crate::discussion::{moderation_emails, save_rules, status_of};
use crate::each_backend;
use crate::support::{client, comment_id_of, TestServer};

/// Posts the comment form as a browser would, with `extra` fields (the form time, the
/// honeypot) as given.
async fn post_form(
    s: &TestServer,
    post_id: i64,
    name: &str,
    body: &str,
    extra: &[(&str, &str)],
) -> crate::support::Response {
    let post = post_id.to_string();
    let email = format!("{}@example.net", name.to_lowercase().replace(' ', "."));
    let mut form = vec![
        ("comment_post_ID", post.as_str()),
        ("comment_parent", "0"),
        ("author", name),
        ("email", email.as_str()),
        ("url", ""),
        ("comment", body),
    ];
    form.extend_from_slice(extra);
    s.post_with(&client(), "/comments", &form).await
}

async fn shown(s: &TestServer, post_id: i64) -> String {
    let res = s
        .get_with(&client(), &format!("/comments/shown?post={post_id}"))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.headers.get("cache-control").unwrap(),
        "private, no-store",
        "each form gets its own time"
    );
    res.body
}

fn note_of(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap()
}

async fn note(s: &TestServer, id: i64) -> serde_json::Value {
    let rows = s.store.moderation_queue(None, None, 1000, 0).await.unwrap();
    let spam = s
        .store
        .moderation_queue(Some(CommentStatus::Spam), None, 1000, 0)
        .await
        .unwrap();
    let row = rows
        .into_iter()
        .chain(spam)
        .find(|c| c.id == id)
        .expect("comment stored");
    note_of(row.moderation_note.as_deref().unwrap_or("{}"))
}

each_backend!(bot_traps_catch_bots_and_keep_the_page_cached, bot_traps);

async fn bot_traps(s: &TestServer) {
    s.setup_admin().await;
    let (post_id, link) = s.publish("A statement", "Text.").await;
    save_rules(
        s,
        &[
            ("discussion_rules", "1"),
            ("form_min_seconds", "2"),
            ("max_links", "2"),
            ("close_after_days", "0"),
            ("spam_threshold", "70"),
            ("hold_threshold", "50"),
            ("spam_days", "30"),
            ("require_name_email", "on"),
        ],
    )
    .await;
    // The rule change is in the log, with who made it.
    let changes = s
        .store
        .activity(
            &ActivityFilter {
                action: Some(Action::Settings),
                ..ActivityFilter::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
    assert!(
        changes
            .iter()
            .any(|e| e.actor == "Ada Admin" && e.detail.contains("form_min_seconds: 0 → 2")),
        "{changes:?}"
    );
    // The page is the same bytes for every reader: the traps are in it, the time is not.
    let first = s.get_with(&client(), &link).await;
    let again = s.get_with(&client(), &link).await;
    assert_eq!(first.body, again.body);
    first
        .assert_contains("name=\"subject\"")
        .assert_contains("tabindex=\"-1\"")
        .assert_contains("name=\"tribune_shown\" id=\"tribune_shown\" value=\"\"");

    // A bot fills every field, the honeypot too: a neutral answer, kept in spam.
    let token = shown(s, post_id).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let emails_before = moderation_emails(s).await;
    let bot = post_form(
        s,
        post_id,
        "Bot",
        "Great post, visit my site",
        &[("tribune_shown", &token), ("subject", "Hello")],
    )
    .await;
    assert_eq!(bot.status, StatusCode::SEE_OTHER);
    assert!(bot.location().contains("unapproved="), "{}", bot.location());
    let bot_id = comment_id_of(&bot.location());
    assert_eq!(status_of(s, bot_id).await, CommentStatus::Spam);
    assert_eq!(note(s, bot_id).await["trap"]["trap"], "honeypot");
    // Its author sees what any held comment shows; no moderator is bothered.
    let seen = s.get_with(&client(), &bot.location()).await;
    seen.assert_contains("Your comment is awaiting moderation.");

    // Sent the moment the form was shown: spam.
    let token = shown(s, post_id).await;
    let fast = post_form(
        s,
        post_id,
        "Quick Bot",
        "Buy now",
        &[("tribune_shown", &token)],
    )
    .await;
    let fast_id = comment_id_of(&fast.location());
    assert_eq!(status_of(s, fast_id).await, CommentStatus::Spam);
    assert_eq!(note(s, fast_id).await["trap"]["trap"], "too_fast");

    // A time that was not ours (moved back to look patient, or for another post): spam.
    let token = shown(s, post_id).await;
    let (at, sig) = token.split_once('.').unwrap();
    let older = format!("{}.{sig}", at.parse::<i64>().unwrap() - 60);
    let forged = post_form(
        s,
        post_id,
        "Forger",
        "Forged time",
        &[("tribune_shown", &older)],
    )
    .await;
    assert_eq!(
        status_of(s, comment_id_of(&forged.location())).await,
        CommentStatus::Spam
    );

    // No script ran (no time at all): held for a moderator, never refused.
    let noscript = post_form(s, post_id, "Nadia", "I read this without JavaScript.", &[]).await;
    assert_eq!(noscript.status, StatusCode::SEE_OTHER);
    let noscript_id = comment_id_of(&noscript.location());
    assert_eq!(status_of(s, noscript_id).await, CommentStatus::Pending);
    assert_eq!(note(s, noscript_id).await["trap"]["trap"], "no_script");

    // A person who took their time: approved (manual approval is off).
    let token = shown(s, post_id).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let person = post_form(
        s,
        post_id,
        "Amina",
        "Thank you for the statement.",
        &[("tribune_shown", &token)],
    )
    .await;
    assert_eq!(
        status_of(s, comment_id_of(&person.location())).await,
        CommentStatus::Approved
    );
    // Only the held one asked a moderator.
    assert_eq!(moderation_emails(s).await, emails_before + 1);

    // The spam folder says why, and "Not spam" restores a wrongly trapped comment.
    let spam_tab = s.get("/admin/comments?status=spam").await;
    spam_tab
        .assert_contains("the hidden field that only programs fill in was filled in")
        .assert_contains("after the form was shown");
    let queue = s.get("/admin/comments").await;
    queue
        .assert_contains("sent without JavaScript")
        .assert_lacks("Great post, visit my site");
    let csrf = s.admin_csrf().await;
    let res = s
        .post(
            "/admin/comments",
            &[("csrf", &csrf), ("do", &format!("unapprove:{bot_id}"))],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(s, bot_id).await, CommentStatus::Pending);
    // … and it taught the filter: one comment learned as not spam.
    assert_eq!(s.store.filter_documents().await.unwrap().ham, 1);
}

each_backend!(
    the_filter_learns_from_moderators_and_keeps_spam_out_of_the_queue,
    filter_learns
);

pub(crate) const SPAM: [&str; 12] = [
    "Cheap viagra pills online, best prices, order now",
    "Buy cheap pills without prescription, discount viagra today",
    "Casino bonus: win real money now, free spins",
    "Online casino, free bonus, win money fast",
    "Make money fast from home, earn cash now",
    "Cheap replica watches, best discount, buy now",
    "Loans approved instantly, cash today, no credit check",
    "Win a free iPhone now, claim your prize today",
    "Hot singles in your area, click now",
    "Best SEO services, rank first on Google, cheap",
    "Free bitcoin, double your money today, invest now",
    "Discount pharmacy pills, cheap prices, order today",
];

pub(crate) const HAM: [&str; 12] = [
    "I disagree with the minister's statement on the budget.",
    "Thank you for publishing the full statement.",
    "When will the council vote on the new school plan?",
    "The water report should be published in full.",
    "A clear statement; the questions remain open though.",
    "Our community needs safer roads near the schools.",
    "Will there be a public hearing on the reform?",
    "The figures in the second paragraph do not add up.",
    "I support the plan, but the timeline is too long.",
    "Please publish the statement in Kurdish as well.",
    "Who will answer the questions raised by the report?",
    "The health budget matters more than the roads.",
];

/// Teaches the filter as moderators do: twelve spam and twelve other comments posted
/// by guests, then judged with the queue's bulk actions.
pub(crate) async fn teach(s: &TestServer, post_id: i64) {
    let reader = client();
    let mut spam_ids = Vec::new();
    let mut ham_ids = Vec::new();
    for (i, text) in SPAM.iter().enumerate() {
        let res = s
            .comment(&reader, post_id, 0, &format!("Seller {i}"), text)
            .await;
        spam_ids.push(comment_id_of(&res.location()));
    }
    for (i, text) in HAM.iter().enumerate() {
        let res = s
            .comment(&reader, post_id, 0, &format!("Reader {i}"), text)
            .await;
        ham_ids.push(comment_id_of(&res.location()));
    }
    let csrf = s.admin_csrf().await;
    for (action, ids) in [("spam", &spam_ids), ("approve", &ham_ids)] {
        let mut form: Vec<(&str, String)> = vec![("csrf", csrf.clone()), ("bulk", action.into())];
        form.extend(ids.iter().map(|id| ("ids", id.to_string())));
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = s.post("/admin/comments", &pairs).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
}

async fn filter_learns(s: &TestServer) {
    s.setup_admin().await;
    let (post_id, _) = s.publish("A statement", "Text.").await;
    let reader = client();
    // Held (manual approval, the default), then judged by a moderator in the queue.
    teach(s, post_id).await;
    let learned = s.store.filter_documents().await.unwrap();
    assert_eq!((learned.spam, learned.ham), (12, 12));
    // Settings → Spam says how much it learned.
    s.get("/admin/settings")
        .await
        .assert_contains("It has learned from 12 spam and 12 other comments");

    // A new spam comment goes straight to spam: not in the queue, no email.
    let emails_before = moderation_emails(s).await;
    let res = s
        .comment(
            &reader,
            post_id,
            0,
            "Another Seller",
            "Cheap pills and casino bonus, buy now, win money today",
        )
        .await;
    assert!(res.location().contains("unapproved="), "a neutral answer");
    let spam_id = comment_id_of(&res.location());
    assert_eq!(status_of(s, spam_id).await, CommentStatus::Spam);
    let n = note(s, spam_id).await;
    assert!(n["score"]["spam"].as_f64().unwrap() >= 0.7, "{n}");
    assert!(!n["score"]["clues"].as_array().unwrap().is_empty(), "{n}");
    assert_eq!(moderation_emails(s).await, emails_before);
    s.get("/admin/comments")
        .await
        .assert_lacks("Another Seller");
    // Staff, signed in to the admin pages in this browser, are held by a score, not spammed.
    let res = s
        .comment(
            &s.client,
            post_id,
            0,
            "Ada Admin",
            "Cheap pills and casino bonus, buy now, win money today",
        )
        .await;
    let staff_id = comment_id_of(&res.location());
    assert_eq!(status_of(s, staff_id).await, CommentStatus::Pending);
    let csrf = s.admin_csrf().await;
    let res = s
        .post(
            "/admin/comments",
            &[("csrf", &csrf), ("do", &format!("trash:{staff_id}"))],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    s.get("/admin/comments?status=spam")
        .await
        .assert_contains("likely spam. Most telling:");

    // A reader's comment waits for a moderator as before, its low score shown.
    let res = s
        .comment(
            &reader,
            post_id,
            0,
            "Layla",
            "Will the council publish the budget report?",
        )
        .await;
    let ham_id = comment_id_of(&res.location());
    assert_eq!(status_of(s, ham_id).await, CommentStatus::Pending);
    assert!(note(s, ham_id).await["score"]["spam"].as_f64().unwrap() < 0.5);
    // The menu's count is of the queue alone, never spam.
    let counts = s.store.queue_counts().await.unwrap();
    assert_eq!((counts.pending, counts.spam), (1, 13));
    s.get("/admin/")
        .await
        .assert_contains("(One comment awaiting moderation)");

    // One click blocks an author's email: the comment goes to spam, the list holds
    // the address, and their next comment goes to spam too.
    let csrf = s.admin_csrf().await;
    let res = s
        .post(
            "/admin/comments",
            &[("csrf", &csrf), ("do", &format!("block-email:{ham_id}"))],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        res.location().contains("done=blocked&n=1"),
        "{}",
        res.location()
    );
    assert_eq!(status_of(s, ham_id).await, CommentStatus::Spam);
    s.get("/admin/settings")
        .await
        .assert_contains("email layla@example.net</textarea>");
    let res = s
        .comment(&reader, post_id, 0, "Layla", "Another question entirely.")
        .await;
    let again = comment_id_of(&res.location());
    assert_eq!(status_of(s, again).await, CommentStatus::Spam);
    assert_eq!(note(s, again).await["blocked"]["field"], "email");

    // Who did what, from where: the moderator in the admin pages, the filter, the rule.
    let log = s
        .store
        .activity(&ActivityFilter::default(), 1000, 0)
        .await
        .unwrap();
    let by = |source: Source, action: Action| {
        log.iter()
            .filter(|e| e.source == source && e.action == action)
            .count()
    };
    assert_eq!(by(Source::Admin, Action::Spam), 12 + 1);
    assert_eq!(by(Source::Admin, Action::Approve), 12);
    assert_eq!(by(Source::Admin, Action::Block), 1);
    assert_eq!(by(Source::Filter, Action::Spam), 1);
    assert_eq!(by(Source::Rule, Action::Spam), 1);
    assert!(log
        .iter()
        .filter(|e| e.source == Source::Admin)
        .all(|e| e.actor == "Ada Admin" && e.user_id.is_some()));
    let layla = ActivityFilter {
        email: Some("Layla@Example.net".into()),
        ..ActivityFilter::default()
    };
    // Her comments: blocked, moved to spam, and the block list caught the next.
    assert_eq!(s.store.activity(&layla, 100, 0).await.unwrap().len(), 3);
}

/// Every call the test service received: its method and form.
type Calls = std::sync::Arc<std::sync::Mutex<Vec<(String, Vec<(String, String)>)>>>;

/// A small server speaking the Akismet API on loopback: `comment-check` calls a
/// comment spam when its text says "akismet-spam"; every call is recorded.
async fn akismet_server() -> (String, Calls) {
    use axum::routing::post;
    let calls: Calls = Default::default();
    let record = |method: &'static str, calls: std::sync::Arc<std::sync::Mutex<Vec<_>>>| {
        move |body: axum::body::Bytes| {
            let calls = calls.clone();
            async move {
                let form: Vec<(String, String)> = form_urlencoded::parse(&body)
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                let spam = form
                    .iter()
                    .any(|(k, v)| k == "comment_content" && v.contains("akismet-spam"));
                let key_ok = form.iter().any(|(k, v)| k == "api_key" && v == "test-key");
                calls.lock().unwrap().push((method.to_string(), form));
                match (method, key_ok) {
                    (_, false) => "invalid".to_string(),
                    ("comment-check", _) => spam.to_string(),
                    _ => "Thanks for making the web a better place.".to_string(),
                }
            }
        }
    };
    let app = axum::Router::new()
        .route(
            "/1.1/comment-check",
            post(record("comment-check", calls.clone())),
        )
        .route(
            "/1.1/submit-spam",
            post(record("submit-spam", calls.clone())),
        )
        .route("/1.1/submit-ham", post(record("submit-ham", calls.clone())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/1.1"), calls)
}

async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_akismet_compatible_service_is_asked_from_a_job_and_told_of_decisions() {
    for backend in crate::support::backends() {
        akismet(backend).await;
    }
}

async fn akismet(backend: crate::support::Backend) {
    let (endpoint, calls) = akismet_server().await;
    let config = tribune::config::ServeSettings {
        spam_service: Some(tribune::config::SpamService {
            key: "test-key".into(),
            endpoint: endpoint.parse().unwrap(),
        }),
        ..tribune::config::ServeSettings::default()
    };
    let s = TestServer::start_with(backend, config).await;
    s.setup_admin().await;
    let (post_id, _) = s.publish("A statement", "Text.").await;
    let reader = client();
    let res = s
        .comment(&reader, post_id, 0, "Sam", "Visit akismet-spam dot example")
        .await;
    let flagged = comment_id_of(&res.location());
    let res = s
        .comment(
            &reader,
            post_id,
            0,
            "Amina",
            "A fair question about the budget.",
        )
        .await;
    let fine = comment_id_of(&res.location());
    // The reader was answered first; the job then asks, and the service's spam goes.
    until("the service's verdict", async || {
        status_of(&s, flagged).await == CommentStatus::Spam
    })
    .await;
    until("both checks", async || {
        calls
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, _)| m == "comment-check")
            .count()
            == 2
    })
    .await;
    let checks: Vec<_> = calls
        .lock()
        .unwrap()
        .iter()
        .filter(|(m, _)| m == "comment-check")
        .cloned()
        .collect();
    assert_eq!(checks.len(), 2, "{checks:?}");
    let sent = &checks[0].1;
    let field = |k: &str| sent.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(field("comment_author"), Some("Sam"));
    assert_eq!(field("user_ip"), Some("127.0.0.1"));
    assert!(field("permalink").unwrap().starts_with("http://127.0.0.1:"));
    assert_eq!(status_of(&s, fine).await, CommentStatus::Pending);
    // What the service decided is logged as its own; the filter did not learn from it.
    let log = s
        .store
        .activity(&ActivityFilter::default(), 100, 0)
        .await
        .unwrap();
    assert!(log.iter().any(|e| e.source == Source::Service
        && e.action == Action::Spam
        && e.comment_id == Some(flagged)));
    assert_eq!(s.store.filter_documents().await.unwrap().spam, 0);

    // A moderator disagrees: "Not spam" is reported as ham, "Spam" as spam.
    let csrf = s.admin_csrf().await;
    for action in [format!("unapprove:{flagged}"), format!("spam:{fine}")] {
        let res = s
            .post("/admin/comments", &[("csrf", &csrf), ("do", &action)])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
    }
    until("both reports", async || {
        let calls = calls.lock().unwrap();
        calls.iter().any(|(m, _)| m == "submit-ham")
            && calls.iter().any(|(m, _)| m == "submit-spam")
    })
    .await;
    // Approving a comment reports nothing.
    let res = s
        .post(
            "/admin/comments",
            &[("csrf", &csrf), ("do", &format!("approve:{flagged}"))],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(calls.lock().unwrap().len(), 4);

    // Moderation from the command line is reported too, when the service is configured.
    let res = s
        .comment(&reader, post_id, 0, "Rex", "Another one for the CLI")
        .await;
    let by_cli = comment_id_of(&res.location());
    until("its check", async || calls.lock().unwrap().len() == 5).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tribune"))
        .args([
            "--database-url",
            &s.db.url,
            "comments",
            "spam",
            &by_cli.to_string(),
        ])
        .env("TRIBUNE_AKISMET_KEY", "test-key")
        .env("TRIBUNE_AKISMET_ENDPOINT", &endpoint)
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    until("the CLI's report", async || {
        calls
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, _)| m == "submit-spam")
            .count()
            == 2
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_are_limited_per_email_and_per_post() {
    for backend in crate::support::backends() {
        limits(backend).await;
    }
}

async fn limits(backend: crate::support::Backend) {
    let config = tribune::config::ServeSettings {
        comments_per_minute: 100,
        comments_per_email_per_hour: 2,
        comments_per_post_per_minute: 4,
        ..tribune::config::ServeSettings::default()
    };
    let s = TestServer::start_with(backend, config).await;
    s.setup_admin().await;
    let (post_id, _) = s.publish("A statement", "Text.").await;
    let (other_post, _) = s.publish("Another statement", "Text.").await;
    let reader = client();
    for text in ["First", "Second"] {
        let res = s.comment(&reader, post_id, 0, "Rana", text).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
    }
    // A third from the same address within the hour, on any post: refused, text kept.
    let res = s
        .comment(&reader, other_post, 0, "Rana", "Third words")
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    res.assert_contains("Third words");
    // Others may still comment, until the post has taken its four this minute.
    for name in ["Omar", "Zana"] {
        let res = s.comment(&reader, post_id, 0, name, "Hello").await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{name}");
    }
    let res = s
        .comment(&reader, post_id, 0, "Leyla", "Too many here")
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    let res = s
        .comment(&reader, other_post, 0, "Leyla", "Fine here")
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
}

/// Old spam leaves by itself, and the log is on the page, in the CLI and in the export.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_spam_is_deleted_and_the_log_is_everywhere() {
    let s = TestServer::start(crate::support::Backend::Sqlite).await;
    s.setup_admin().await;
    let (post_id, _) = s.publish("A statement", "Text.").await;
    let res = post_form(
        &s,
        post_id,
        "Bot",
        "Old spam",
        &[
            ("subject", "filled"),
            ("tribune_shown", &shown(&s, post_id).await),
        ],
    )
    .await;
    let old = comment_id_of(&res.location());
    let res = post_form(
        &s,
        post_id,
        "Bot Two",
        "New spam",
        &[
            ("subject", "filled"),
            ("tribune_shown", &shown(&s, post_id).await),
        ],
    )
    .await;
    let new = comment_id_of(&res.location());
    // The first went to spam 31 days ago.
    let db = tribune::store::Store::connect(&s.db.url).await.unwrap();
    let month_ago = tribune::store::now() - 31 * 86_400;
    {
        use sqlx::Connection;
        let url = s.db.url.clone();
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        sqlx::query("UPDATE comments SET updated_at = $1 WHERE id = $2")
            .bind(month_ago)
            .bind(old)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    db.enqueue_job(tribune::store::NewJob::now(
        tribune::domain::job::Job::PurgeSpam(tribune::domain::job::PurgeSpam {}),
    ))
    .await
    .unwrap();
    until("the clean-up", async || {
        s.store.comment_by_id(old).await.unwrap().is_none()
    })
    .await;
    assert!(
        s.store.comment_by_id(new).await.unwrap().is_some(),
        "newer spam stays"
    );

    // Restored from the command line: the filter learns, the log says who.
    let (ok, out, err) =
        crate::moving::tribune(&s.db.url, &["comments", "not-spam", &new.to_string()]);
    assert!(ok, "{out}{err}");
    assert_eq!(status_of(&s, new).await, CommentStatus::Pending);
    let (ok, out, _) = crate::moving::tribune(&s.db.url, &["comments", "log", "--limit", "20"]);
    assert!(ok);
    assert!(out.contains(" cli ") && out.contains("not-spam"), "{out}");
    assert!(out.contains(" job ") && out.contains("spam: 1"), "{out}");
    assert!(
        out.contains(" trap ") && out.contains("bot.two@example.net"),
        "{out}"
    );

    // Admin → Activity, filtered to one commenter.
    let page = s.get("/admin/activity?email=bot.two%40example.net").await;
    page.assert_contains("<td>Not spam</td>")
        .assert_contains("<small>command line</small>")
        .assert_contains("<small>bot trap</small>")
        // The trap's reason as the queue says it, not the stored note.
        .assert_contains("the hidden field that only programs fill in was filled in")
        .assert_lacks("&quot;trap&quot;")
        .assert_lacks("<td>Deleted for good</td>");
    s.get("/admin/activity?source=job")
        .await
        .assert_contains("<td>Deleted for good</td>")
        .assert_lacks("<td>Not spam</td>");
    // Their personal-data export carries the entries that name them.
    let export = s
        .store
        .personal_data("bot.two@example.net")
        .await
        .unwrap()
        .to_json();
    let log = export["moderation_log"].as_array().unwrap();
    assert!(
        log.iter()
            .any(|e| e["action"] == "not-spam" && e["by"] == "cli"),
        "{log:?}"
    );
    // Erased, the log keeps what was done, no longer to whom.
    s.store
        .erase_personal_data("bot.two@example.net", false, "Anonymous")
        .await
        .unwrap();
    let named = ActivityFilter {
        email: Some("bot.two@example.net".into()),
        ..ActivityFilter::default()
    };
    assert!(s.store.activity(&named, 100, 0).await.unwrap().is_empty());
    let all = s
        .store
        .activity(&ActivityFilter::default(), 100, 0)
        .await
        .unwrap();
    assert!(all
        .iter()
        .any(|e| e.comment_id == Some(new) && e.action == Action::NotSpam));
    assert!(!all.iter().any(|e| e.detail.contains("bot.two@example.net")));
}

each_backend!(
    imported_comments_are_scored_and_keep_their_status,
    imported_scored
);

async fn imported_scored(s: &TestServer) {
    s.setup_admin().await;
    let (post_id, _) = s.publish("A statement", "Text.").await;
    teach(s, post_id).await;
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wxr-1.2.xml");
    let (ok, out, err) =
        crate::moving::tribune(&s.db.url, &["import", "wordpress", file.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    let approved = s
        .store
        .moderation_queue(Some(CommentStatus::Approved), None, 1000, 0)
        .await
        .unwrap();
    let spam = s
        .store
        .moderation_queue(Some(CommentStatus::Spam), None, 1000, 0)
        .await
        .unwrap();
    let imported: Vec<_> = approved
        .iter()
        .chain(&spam)
        .filter(|c| c.post_id != post_id)
        .collect();
    assert!(imported.len() >= 5, "{}", imported.len());
    for c in &imported {
        let n = note_of(c.moderation_note.as_deref().expect("scored"));
        assert!(n["score"]["spam"].is_number(), "{n}");
        assert!(n.get("rule").is_none() && n.get("trap").is_none());
    }
    // WordPress's one spam comment is still spam, its approved ones still approved.
    assert_eq!(spam.iter().filter(|c| c.post_id != post_id).count(), 1);
}

each_backend!(
    a_decision_from_an_email_link_teaches_the_filter_and_is_logged,
    email_link
);

async fn email_link(s: &TestServer) {
    s.setup_admin().await;
    let (post_id, _) = s.publish("A statement", "Text.").await;
    let res = s
        .comment(&client(), post_id, 0, "Seller", "Cheap pills, buy now")
        .await;
    let id = comment_id_of(&res.location());
    // The link a moderation email carries, confirmed with its button (a POST).
    let exp = tribune::store::now() + 3600;
    let path = tribune::links::moderation_path(
        &s.state.site,
        id,
        tribune::domain::comment::ModerationAction::Spam,
        exp,
    );
    let (page, query) = path.split_once('?').unwrap();
    let form: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = s.post_with(&client(), page, &pairs).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(status_of(s, id).await, CommentStatus::Spam);
    assert_eq!(s.store.filter_documents().await.unwrap().spam, 1);
    let log = s
        .store
        .activity(
            &ActivityFilter {
                source: Some(Source::Email),
                ..ActivityFilter::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].action, log[0].comment_id), (Action::Spam, Some(id)));
}
