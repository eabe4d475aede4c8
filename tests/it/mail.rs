//! Email against a real SMTP server on loopback (aiosmtpd, `tests/smtp/server.py`):
//! moderators hear about held comments and act from the email; an outage is ridden
//! out with every message arriving once; two instances on one PostgreSQL send each
//! message once; without SMTP, messages become `.eml` files. Skips with a message when
//! Python's aiosmtpd is missing, unless `TRIBUNE_REQUIRE_SMTP=1` or `CI=true`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use tribune::config::ServeSettings;
use tribune::domain::job::{Job, JobKind, JobStatus};
use tribune::store::NewJob;

use crate::support::{client, comment_id_of, Backend, TestServer};

pub struct Smtp {
    child: Option<Child>,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

pub fn smtp_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .output()
        .is_ok_and(|o| o.status.success());
    let required = std::env::var("TRIBUNE_REQUIRE_SMTP").is_ok_and(|v| v == "1")
        || std::env::var("CI").is_ok_and(|v| v == "true");
    if !ok {
        assert!(!required, "email tests are required: pip install aiosmtpd");
        eprintln!("skipping email tests: pip install aiosmtpd to run them");
    }
    ok
}

impl Smtp {
    /// An SMTP server that is not running yet (its port is reserved by number only).
    pub fn planned() -> Smtp {
        Smtp {
            child: None,
            port: crate::signin::free_port(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub async fn start(&mut self) {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/smtp/server.py");
        self.child = Some(
            Command::new("python3")
                .arg(script)
                .arg(self.port.to_string())
                .arg(self.dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start the SMTP server"),
        );
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the SMTP server did not start");
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, in order, decoded enough to read.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| decode_qp(&std::fs::read_to_string(p).unwrap()))
            .collect()
    }

    /// Waits until at least `n` messages arrived.
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<String> {
        for _ in 0..secs * 10 {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {n} messages, got {}", self.messages().len());
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Undoes quoted-printable soft breaks and escapes in the body (headers stay as they
/// are), enough to read links and text.
fn decode_qp(raw: &str) -> String {
    let split = raw
        .find("\r\n\r\n")
        .or_else(|| raw.find("\n\n"))
        .unwrap_or(0);
    let (head, body) = raw.split_at(split);
    format!("{head}{}", decode_qp_body(body))
}

fn decode_qp_body(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn config(smtp: &Smtp) -> ServeSettings {
    ServeSettings {
        comments_per_minute: 0,
        smtp_url: Some(smtp.url()),
        mail_from: "Ministry of Examples <press@example.org>".into(),
        job_retry_base: Duration::from_secs(1),
        ..ServeSettings::default()
    }
}

pub fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message
        .lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with(&format!("{}:", name.to_ascii_lowercase()))
        })
        .map(|l| l[name.len() + 1..].trim())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderators_get_an_email_and_moderate_from_it() {
    if !smtp_available() {
        return;
    }
    for backend in crate::support::backends() {
        let mut smtp = Smtp::planned();
        smtp.start().await;
        let s = TestServer::start_with(backend, config(&smtp)).await;
        s.setup_admin().await;
        let hash = tribune::passwords::hash("staff password 1").unwrap();
        s.store
            .insert_user(
                "mo@example.org",
                "Mo",
                Some(&hash),
                tribune::domain::role::Role::Moderator,
                false,
            )
            .await
            .unwrap();
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
        let (post_id, link) = s.publish("Budget Questions", "x").await;
        let res = s
            .comment(
                &client(),
                post_id,
                0,
                "Ann Reader",
                "Where does the money go?",
            )
            .await;
        let id = comment_id_of(&res.location());

        // Administrators and moderators hear of it; authors do not.
        let messages = smtp.wait_for(2, 15).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(smtp.messages().len(), 2, "one message per moderator");
        let mut to: Vec<_> = messages
            .iter()
            .map(|m| header(m, "X-Envelope-To").unwrap().to_string())
            .collect();
        to.sort();
        assert_eq!(to, ["ada@example.org", "mo@example.org"]);
        let m = &messages[0];
        assert!(
            header(m, "From").unwrap().contains("press@example.org"),
            "{m}"
        );
        assert!(m.contains("Please moderate"), "{m}");
        assert!(
            m.contains("Content-Type: text/plain") && m.contains("Content-Type: text/html"),
            "{m}"
        );
        assert!(
            m.contains("ann.reader@example.net")
                && m.contains("127.0.0.1")
                && m.contains("Where does the money go?"),
            "{m}"
        );
        assert!(header(m, "Message-ID").is_some(), "{m}");

        // The approve link asks first (mail scanners open links), then acts.
        let approve = m
            .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
            .find(|w| w.contains(&format!("/moderate/{id}/approve?")))
            .expect("an approve link")
            .to_string();
        let path = &approve[approve.find("/moderate/").unwrap()..];
        let page = s.get_with(&client(), path).await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains("Where does the money go?")
            .assert_contains("<form method=\"post\">");
        assert_eq!(
            s.store
                .comment_by_id(id)
                .await
                .unwrap()
                .unwrap()
                .status
                .as_str(),
            "pending"
        );
        let (exp, sig) = {
            let u = url::Url::parse(&format!("http://x{path}")).unwrap();
            let q: std::collections::HashMap<_, _> = u.query_pairs().into_owned().collect();
            (q["exp"].clone(), q["sig"].clone())
        };
        let path_only = path.split('?').next().unwrap();
        let done = s
            .post_with(&client(), path_only, &[("exp", &exp), ("sig", &sig)])
            .await;
        done.assert_contains("One comment approved.");
        assert_eq!(
            s.store
                .comment_by_id(id)
                .await
                .unwrap()
                .unwrap()
                .status
                .as_str(),
            "approved"
        );
        s.get_with(&client(), &link)
            .await
            .assert_contains("Where does the money go?");

        // A tampered or expired link does nothing.
        let forged = s
            .post_with(
                &client(),
                &format!("/moderate/{id}/trash"),
                &[("exp", &exp), ("sig", &sig)],
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let old = tribune::links::moderation_path(
            &s.state.site,
            id,
            tribune::domain::comment::ModerationAction::Trash,
            1,
        );
        let expired = s.get_with(&client(), &old).await;
        assert_eq!(expired.status, StatusCode::FORBIDDEN);
        expired.assert_contains("expired");
        assert_eq!(
            s.store
                .comment_by_id(id)
                .await
                .unwrap()
                .unwrap()
                .status
                .as_str(),
            "approved"
        );
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_rides_out_an_smtp_outage_and_arrives_once() {
    if !smtp_available() {
        return;
    }
    let mut smtp = Smtp::planned(); // not started: the mail server is down
    let s = TestServer::start_with(Backend::Sqlite, config(&smtp)).await;
    s.setup_admin().await;
    let (post_id, _) = s.publish("Outage", "x").await;
    s.comment(
        &client(),
        post_id,
        0,
        "Bea",
        "Sent while the mail server is down",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let emails = |jobs: Vec<tribune::store::JobRow>| -> Vec<tribune::store::JobRow> {
        jobs.into_iter()
            .filter(|j| j.kind == JobKind::Email.as_str())
            .collect()
    };
    let queued = emails(
        s.store
            .jobs(Some(tribune::domain::job::JobStatus::Queued), 10)
            .await
            .unwrap(),
    );
    assert_eq!(queued.len(), 1, "the message waits in the queue");
    assert!(queued[0].attempts >= 1);
    assert!(
        queued[0]
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("SMTP"),
        "{:?}",
        queued[0].last_error
    );

    // The server comes back: the message arrives, once.
    smtp.start().await;
    let messages = smtp.wait_for(1, 20).await;
    assert!(messages[0].contains("Sent while the mail server is down"));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(smtp.messages().len(), 1, "exactly once");
    assert_eq!(
        emails(
            s.store
                .jobs(Some(tribune::domain::job::JobStatus::Done), 10)
                .await
                .unwrap()
        )
        .len(),
        1
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_that_keeps_failing_is_shown_and_can_be_retried() {
    if !smtp_available() {
        return;
    }
    let mut smtp = Smtp::planned();
    let s = TestServer::start_with(Backend::Sqlite, config(&smtp)).await;
    s.setup_admin().await;
    let email = tribune::mail::OutgoingEmail {
        to: "reader@example.org".into(),
        subject: "Hello".into(),
        text: "Plain".into(),
        html: "<p>Plain</p>".into(),
        message_id: "retry-test@example.org".into(),
        unsubscribe: None,
    };
    let id = s
        .store
        .enqueue_job(NewJob::now(Job::Email(email)).max_attempts(2))
        .await
        .unwrap();
    let mut failed = Vec::new();
    for _ in 0..60 {
        failed = s
            .store
            .jobs(Some(tribune::domain::job::JobStatus::Failed), 10)
            .await
            .unwrap();
        if !failed.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(failed.len(), 1, "after its last attempt the job is failed");
    let page = s.get("/admin/jobs").await;
    page.assert_contains("Hello → reader@example.org")
        .assert_contains("SMTP")
        .assert_contains(&format!("/admin/jobs/{id}/retry"));
    smtp.start().await;
    let csrf = crate::support::csrf_of(&page.body);
    let res = s
        .post(&format!("/admin/jobs/{id}/retry"), &[("csrf", &csrf)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let m = smtp.wait_for(1, 10).await;
    assert!(m[0].contains("retry-test@example.org"), "{}", m[0]);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_send_each_message_once() {
    if !smtp_available() || !crate::support::backends().contains(&Backend::Postgres) {
        return;
    }
    let mut smtp = Smtp::planned();
    smtp.start().await;
    let a = TestServer::start_with(Backend::Postgres, config(&smtp)).await;
    let b = a.another_on_same_database(config(&smtp)).await;
    for i in 0..40 {
        a.store
            .enqueue_job(NewJob::now(Job::Email(numbered_email(i))))
            .await
            .unwrap();
    }
    b.store.job_queued();
    smtp.wait_for(40, 30).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let messages = smtp.messages();
    assert_eq!(messages.len(), 40, "each message once");
    let mut ids: Vec<_> = messages
        .iter()
        .map(|m| header(m, "Message-ID").unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 40);
    b.stop().await;
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_messages_are_written_as_eml_files() {
    let data = tempfile::tempdir().unwrap();
    let s = TestServer::start_with(
        Backend::Sqlite,
        ServeSettings {
            comments_per_minute: 0,
            data: tribune::config::DataSettings::in_dir(data.path().to_path_buf()),
            ..ServeSettings::default()
        },
    )
    .await;
    s.setup_admin().await;
    let (post_id, _) = s.publish("Files", "x").await;
    s.comment(&client(), post_id, 0, "Cy", "Written to a file")
        .await;
    let dir = data.path().join("mail");
    let mut found = None;
    for _ in 0..50 {
        found = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(std::result::Result::ok)
            .find(|e| e.path().extension().is_some_and(|x| x == "eml"));
        if found.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let file = found.expect("an .eml file").path();
    let text = decode_qp(&std::fs::read_to_string(file).unwrap());
    assert!(
        text.contains("Written to a file") && text.contains("ada@example.org"),
        "{text}"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_held_comments_sends_one_email_then_one_digest() {
    if !smtp_available() {
        return;
    }
    let mut smtp = Smtp::planned();
    smtp.start().await;
    let s = TestServer::start_with(Backend::Sqlite, config(&smtp)).await;
    s.setup_admin().await;
    let (post_id, _) = s.publish("Busy Thread", "x").await;
    for i in 0..5 {
        s.comment(&client(), post_id, 0, "Flood", &format!("held comment {i}"))
            .await;
    }
    smtp.wait_for(1, 10).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        smtp.messages().len(),
        1,
        "one email for the first, not five"
    );
    let digests: Vec<_> = s
        .store
        .jobs(Some(tribune::domain::job::JobStatus::Queued), 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == JobKind::HeldDigest.as_str())
        .collect();
    assert_eq!(digests.len(), 1, "the rest wait in one digest");
    assert!(
        digests[0].run_at > tribune::store::now() + 500,
        "sent at the end of the window"
    );

    // When the window ends, the digest lists everything still waiting.
    let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&s.db.url)
        .await
        .unwrap();
    sqlx::query("UPDATE jobs SET run_at = 0 WHERE kind = 'held_digest'")
        .execute(&mut db)
        .await
        .unwrap();
    s.store.job_queued();
    let messages = smtp.wait_for(2, 10).await;
    let digest = &messages[1];
    assert!(digest.contains("5 comments are waiting"), "{digest}");
    assert!(
        digest.contains("held comment 4") && digest.contains("held comment 0"),
        "{digest}"
    );
    s.stop().await;
}

pub fn to_whom<'a>(messages: &'a [String], who: &str) -> Vec<&'a String> {
    messages
        .iter()
        .filter(|m| header(m, "X-Envelope-To") == Some(who))
        .collect()
}

/// Message number `i` to `reader{i}@example.org`, with a Message-ID of its own.
pub fn numbered_email(i: usize) -> tribune::mail::OutgoingEmail {
    tribune::mail::OutgoingEmail {
        to: format!("reader{i}@example.org"),
        subject: format!("Message {i}"),
        text: "x".into(),
        html: "<p>x</p>".into(),
        message_id: format!("m{i}@example.org"),
        unsubscribe: None,
    }
}

pub async fn wait_for_to(smtp: &Smtp, who: &str, n: usize) -> Vec<String> {
    for _ in 0..150 {
        let all = smtp.messages();
        let mine: Vec<String> = to_whom(&all, who).into_iter().cloned().collect();
        if mine.len() >= n {
            return mine;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "expected {n} messages to {who}, got {:?}",
        smtp.messages().len()
    );
}

pub fn link_in(message: &str, needle: &str) -> String {
    message
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .find(|w| w.contains(needle))
        .unwrap_or_else(|| panic!("no {needle} link in {message}"))
        .replace("&amp;", "&")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_confirm_get_notified_and_unsubscribe_in_one_click() {
    if !smtp_available() {
        return;
    }
    let mut smtp = Smtp::planned();
    smtp.start().await;
    let url = smtp.url();
    let s = TestServer::start_with_fn(Backend::Sqlite, |base| ServeSettings {
        base_url: Some(base.parse().unwrap()),
        comments_per_minute: 0,
        smtp_url: Some(url),
        job_retry_base: Duration::from_secs(1),
        ..ServeSettings::default()
    })
    .await;
    s.setup_admin().await;
    let (post_id, _link) = s.publish("Consultation", "Tell us.").await;
    let post = post_id.to_string();
    s.get_with(&client(), &_link)
        .await
        .assert_contains("Notify me of new comments via email.")
        .assert_contains("Notify me of new posts via email.");

    // Both boxes ticked: one confirmation email; nothing else until confirmed.
    let a = client();
    let res = s
        .post_with(
            &a,
            "/comments",
            &[
                ("comment_post_ID", &post),
                ("author", "Amal"),
                ("email", "amal@example.org"),
                ("comment", "First!"),
                ("subscribe_comments", "on"),
                ("subscribe_posts", "on"),
            ],
        )
        .await;
    let first = comment_id_of(&res.location());
    let confirm_mail = wait_for_to(&smtp, "amal@example.org", 1).await;
    assert!(
        confirm_mail[0].contains("Please confirm your subscription"),
        "{}",
        confirm_mail[0]
    );
    let confirm = link_in(&confirm_mail[0], "/subscriptions/confirm?");
    let path = &confirm[confirm.find("/subscriptions").unwrap()..];
    let page = s.get_with(&client(), path).await;
    page.assert_contains("not confirmed yet")
        .assert_contains("<button type=\"submit\" class=\"primary\">Confirm</button>");
    let tokens: Vec<(String, String)> = url::Url::parse(&confirm)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(tokens.len(), 2, "one link confirms both");
    let form: Vec<(&str, &str)> = tokens
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    s.post_with(&client(), "/subscriptions/confirm", &form)
        .await
        .assert_contains("your subscriptions are confirmed")
        .assert_lacks("not confirmed yet");

    // An unconfirmed subscriber gets nothing.
    s.post_with(
        &client(),
        "/comments",
        &[
            ("comment_post_ID", &post),
            ("author", "Carl"),
            ("email", "carl@example.org"),
            ("comment", "Me too"),
            ("subscribe_comments", "on"),
        ],
    )
    .await;
    wait_for_to(&smtp, "carl@example.org", 1).await; // the confirmation only

    // Another reader's comment is approved: Amal hears of it, with one-click unsubscribe.
    let res = s
        .post_with(
            &client(),
            "/comments",
            &[
                ("comment_post_ID", &post),
                ("comment_parent", "0"),
                ("author", "Bo"),
                ("email", "bo@example.org"),
                ("comment", "An answer for Amal"),
            ],
        )
        .await;
    let bo = comment_id_of(&res.location());
    s.store
        .set_comment_status(
            &[first, bo],
            tribune::domain::comment::CommentStatus::Approved,
            &crate::support::actor(),
        )
        .await
        .unwrap();
    s.store.job_queued();
    let amal = wait_for_to(&smtp, "amal@example.org", 2).await;
    let note = &amal[1];
    assert!(
        note.contains("New comment on") && note.contains("An answer for Amal"),
        "{note}"
    );
    let unsubscribe = header(note, "List-Unsubscribe")
        .expect("List-Unsubscribe")
        .trim_matches(['<', '>'])
        .to_string();
    assert_eq!(
        header(note, "List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    // The post's author hears too; Amal is not told of her own comment; Carl (unconfirmed) nothing more.
    // (the second comment for the author waits in a digest: one email per window)
    let ada = wait_for_to(&smtp, "ada@example.org", 2).await;
    assert!(ada
        .iter()
        .any(|m| m.contains("New comment on") && m.contains("First!")));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        to_whom(&smtp.messages(), "amal@example.org").len(),
        2,
        "not about her own comment"
    );
    assert_eq!(to_whom(&smtp.messages(), "carl@example.org").len(), 1);

    // A new post reaches the post subscribers.
    s.publish("Second Statement", "More.").await;
    let amal = wait_for_to(&smtp, "amal@example.org", 3).await;
    assert!(amal[2].contains("Second Statement"), "{}", amal[2]);

    // One click from the mail client (RFC 8058) ends the comment subscription only.
    let res = client()
        .post(&unsubscribe)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let token = url::Url::parse(&unsubscribe)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "t")
        .unwrap()
        .1
        .to_string();
    assert!(s.store.subscription(&token).await.unwrap().is_none());
    let manage = link_in(&amal[2], "/subscriptions?t=");
    let page = s
        .get_with(&client(), &manage[manage.find("/subscriptions").unwrap()..])
        .await;
    page.assert_contains("New posts")
        .assert_lacks("New comments on");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lively_thread_sends_subscribers_one_email_then_a_digest() {
    if !smtp_available() {
        return;
    }
    let mut smtp = Smtp::planned();
    smtp.start().await;
    let s = TestServer::start_with(Backend::Sqlite, config(&smtp)).await;
    s.setup_admin().await;
    let (post_id, _) = s.publish("Lively", "x").await;
    s.store
        .subscribe(
            "fan@example.org",
            tribune::domain::subscription::SubscriptionKind::Comments,
            Some(post_id),
            true,
            None,
        )
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..4 {
        let res = s
            .comment(
                &client(),
                post_id,
                0,
                "Talker",
                &format!("remark number {i}"),
            )
            .await;
        ids.push(comment_id_of(&res.location()));
    }
    // The first is approved and mailed; the rest are approved a moment later (in a
    // later second: the digest goes by when comments were approved, not written).
    s.store
        .set_comment_status(
            &[ids[0]],
            tribune::domain::comment::CommentStatus::Approved,
            &crate::support::actor(),
        )
        .await
        .unwrap();
    s.store.job_queued();
    let fan = wait_for_to(&smtp, "fan@example.org", 1).await;
    assert!(fan[0].contains("remark number 0"));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    for id in &ids[1..] {
        s.store
            .set_comment_status(
                &[*id],
                tribune::domain::comment::CommentStatus::Approved,
                &crate::support::actor(),
            )
            .await
            .unwrap();
    }
    s.store.job_queued();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        to_whom(&smtp.messages(), "fan@example.org").len(),
        1,
        "not four emails"
    );
    let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&s.db.url)
        .await
        .unwrap();
    sqlx::query("UPDATE jobs SET run_at = 0 WHERE kind = 'comment_digest'")
        .execute(&mut db)
        .await
        .unwrap();
    s.store.job_queued();
    let fan = wait_for_to(&smtp, "fan@example.org", 2).await;
    assert!(
        fan[1].contains("new comments on") && fan[1].contains("remark number 3"),
        "{}",
        fan[1]
    );
    assert!(header(&fan[1], "List-Unsubscribe").is_some());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_email_survives_a_restart() {
    if !smtp_available() {
        return;
    }
    let mut smtp = Smtp::planned(); // down while the first server runs
    let first = TestServer::start_with(Backend::Sqlite, config(&smtp)).await;
    first.setup_admin().await;
    let (post_id, _) = first.publish("Restart", "x").await;
    first
        .comment(&client(), post_id, 0, "Dee", "Queued before a restart")
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let url = first.db.url.clone();
    // The site stops; the database keeps the job. A new server picks it up.
    let mut first = first;
    first.begin_shutdown().await;
    smtp.start().await;
    let store = tribune::store::Store::connect(&url).await.unwrap();
    let state = tribune::web::AppState::new(store.clone(), config(&smtp))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(tribune::web::serve(state, listener, async {
        let _ = rx.await;
    }));
    let m = smtp.wait_for(1, 20).await;
    assert!(m[0].contains("Queued before a restart"));
    let _ = tx.send(());
    let _ = handle.await;
    store.close().await;
    first.stop().await;
}

crate::each_backend!(
    jobs_this_version_cannot_run_wait_or_fail_with_the_reason,
    odd_jobs_never_stop_the_queue
);

/// A job of a kind this version does not know waits for the version that does; one
/// whose payload cannot be read fails at once, saying why; the queue goes on.
async fn odd_jobs_never_stop_the_queue(s: &TestServer) {
    s.setup_admin().await;
    // As a newer version would write it, and a payload that does not read.
    s.sql(
            "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, created_at, updated_at) \
             VALUES ('carrier_pigeon', '{\"source\":\"x\"}', 'queued', 0, 10, 0, 0, 0)",
        )
        .await;
    s.sql(
            "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, created_at, updated_at) \
             VALUES ('post_published', '{\"post\":1}', 'queued', 0, 10, 0, 0, 0)",
        )
        .await;
    let email = tribune::mail::OutgoingEmail {
        to: "reader@example.org".into(),
        subject: "After the odd ones".into(),
        text: "x".into(),
        html: "<p>x</p>".into(),
        message_id: "after@example.org".into(),
        unsubscribe: None,
    };
    let sent = s
        .store
        .enqueue_job(NewJob::now(Job::Email(email)))
        .await
        .unwrap();
    let mut jobs = Vec::new();
    for _ in 0..100 {
        jobs = s.store.jobs(None, 10).await.unwrap();
        let settled = jobs
            .iter()
            .filter(|j| j.kind != "carrier_pigeon")
            .all(|j| matches!(j.status, JobStatus::Done | JobStatus::Failed));
        if settled {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let by_kind = |k: &str| jobs.iter().find(|j| j.kind == k).unwrap().clone();
    let email = jobs.iter().find(|j| j.id == sent).unwrap();
    assert_eq!(email.status, JobStatus::Done, "the queue went on: {jobs:?}");
    let unknown = by_kind("carrier_pigeon");
    assert_eq!(
        unknown.status,
        JobStatus::Queued,
        "left for the version that knows it"
    );
    assert_eq!(unknown.attempts, 0);
    let unreadable = by_kind("post_published");
    assert_eq!(unreadable.status, JobStatus::Failed, "not tried ten times");
    assert_eq!(unreadable.attempts, 1);
    let reason = unreadable.last_error.clone().unwrap_or_default();
    assert!(reason.contains("cannot be read"), "{reason}");
    s.get("/admin/jobs?status=failed")
        .await
        .assert_contains("cannot be read");
    s.get("/admin/jobs?status=queued")
        .await
        .assert_contains("no runner for jobs of kind `carrier_pigeon`");
}
