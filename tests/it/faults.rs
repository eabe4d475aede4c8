//! Bad luck, on purpose: clients that vanish mid-request, a database that stops
//! writing, a server killed mid-load. Whatever happens, every comment a reader was
//! told about is stored, nothing unacknowledged pretends to be, and the site keeps
//! writing afterwards.

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::each_backend;
use crate::support::{client, comment_id_of, csrf_of, TestServer};

/// Sends one whole request on a raw socket and closes it `after` later, without
/// reading the answer: a closed tab, a phone losing its signal.
fn send_and_vanish(addr: &str, request: &[u8], after: Duration) {
    if let Ok(mut socket) = TcpStream::connect(addr) {
        let _ = socket.write_all(request);
        std::thread::sleep(after);
        drop(socket);
    }
}

fn form_request(addr: &str, path: &str, body: &str, cookie: Option<&str>) -> Vec<u8> {
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n{cookie}\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The ids of comments stored, by status.
async fn stored_ids(s: &TestServer, status: &str) -> Vec<i64> {
    s.store
        .moderation_queue(Some(status.parse().unwrap()), None, 100_000, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect()
}

async fn vanishing_clients_never_wedge_writes(s: &TestServer) {
    s.setup_admin().await;
    let (post_id, link) = s.publish("A statement many people answer", "Text.").await;
    // Approved at once: every comment takes the transactional path (insert, job,
    // recount, content version).
    s.store
        .put_settings(&[("hold_new_comments", "false".into())], true)
        .await
        .unwrap();
    s.state.reload_settings().await.unwrap();
    let held_post = s.publish("Another statement", "Text.").await.0;

    let addr = s.base.trim_start_matches("http://").to_string();
    let started = Instant::now();
    // 16 threads × 20 posts, each socket closed 0–4 ms after its request was sent.
    let vanishing: Vec<_> = (0..16)
        .map(|t| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                for i in 0..20u64 {
                    let body = format!(
                        "comment_post_ID={post_id}&author=Vanishing+{t}&email=v{t}%40example.net&comment=Gone+{t}+{i}+before+the+answer"
                    );
                    let req = form_request(&addr, "/comments", &body, None);
                    send_and_vanish(&addr, &req, Duration::from_micros((t * 20 + i) % 5 * 1000));
                }
            })
        })
        .collect();
    // Meanwhile readers who wait for their answer, on both paths (approved, held).
    let mut acknowledged = Vec::new();
    let reader = client();
    for i in 0..30 {
        let post = if i % 2 == 0 { post_id } else { held_post };
        let res = s
            .comment(
                &reader,
                post,
                0,
                "Patient Reader",
                &format!("Waited for it {i}"),
            )
            .await;
        if res.status == StatusCode::SEE_OTHER {
            acknowledged.push(comment_id_of(&res.location()));
        } else {
            assert_eq!(
                res.status,
                StatusCode::SERVICE_UNAVAILABLE,
                "only a clear 'try again' may refuse: {}",
                res.body
            );
            res.assert_contains("Waited for it");
        }
    }
    for t in vanishing {
        t.join().unwrap();
    }
    eprintln!(
        "320 vanishing posts and 30 patient ones in {:?}",
        started.elapsed()
    );

    // Every acknowledged comment is stored, in whatever state it was acknowledged.
    let approved = stored_ids(s, "approved").await;
    let pending = stored_ids(s, "pending").await;
    for id in &acknowledged {
        assert!(
            approved.contains(id) || pending.contains(id),
            "comment {id} was acknowledged but is not stored"
        );
    }
    // The site still writes, at once, through every path.
    let res = s
        .comment(&client(), post_id, 0, "After The Storm", "Still works")
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let id = comment_id_of(&res.location());
    let page = s.get_with(&client(), &link).await;
    page.assert_contains("Still works");
    let csrf = s.admin_csrf().await;
    let res = s
        .post(
            "/admin/comments",
            &[("csrf", &csrf), ("bulk", "trash"), ("ids", &id.to_string())],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(stored_ids(s, "trash").await.contains(&id));
    // And the counts are true: the post's count is its approved comments.
    let post = s.store.post_by_id(post_id).await.unwrap().unwrap();
    let approved_here = s.store.approved_comments(post_id).await.unwrap().len() as i64;
    assert_eq!(post.comment_count, approved_here);
}
each_backend!(
    clients_that_vanish_mid_request_never_wedge_writes,
    vanishing_clients_never_wedge_writes
);

async fn vanishing_moderators_never_wedge_writes(s: &TestServer) {
    s.setup_admin().await;
    let (post_id, _) = s.publish("Moderated", "Text.").await;
    let reader = client();
    let mut ids = Vec::new();
    for i in 0..40 {
        let res = s
            .comment(&reader, post_id, 0, "Held Reader", &format!("Held {i}"))
            .await;
        ids.push(comment_id_of(&res.location()));
    }
    // The admin's session cookie and token, for requests sent on raw sockets.
    let page = s.get("/admin/comments").await;
    let csrf = csrf_of(&page.body);
    let cookie = s.cookie_header();
    let addr = s.base.trim_start_matches("http://").to_string();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (addr, csrf, cookie) = (addr.clone(), csrf.clone(), cookie.clone());
            let ids = ids.clone();
            std::thread::spawn(move || {
                for i in 0..10usize {
                    let action = ["approve", "unapprove", "spam", "trash", "approve"][i % 5];
                    let picked: String = ids
                        .iter()
                        .skip((t + i) % 7)
                        .step_by(3)
                        .map(|id| format!("&ids={id}"))
                        .collect();
                    let body = format!("csrf={csrf}&bulk={action}{picked}");
                    let req = form_request(&addr, "/admin/comments", &body, Some(&cookie));
                    send_and_vanish(&addr, &req, Duration::from_millis((t + i) as u64 % 5));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // Their requests run to the end after the sockets closed; let the last ones land.
    tokio::time::sleep(Duration::from_secs(1)).await;
    // Moderation still works, and every post's count matches its approved comments.
    let csrf = s.admin_csrf().await;
    let all: Vec<(&str, String)> = ids.iter().map(|id| ("ids", id.to_string())).collect();
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("bulk", "approve")];
    form.extend(all.iter().map(|(k, v)| (*k, v.as_str())));
    let res = s.post("/admin/comments", &form).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(stored_ids(s, "approved").await.len(), ids.len());
    let post = s.store.post_by_id(post_id).await.unwrap().unwrap();
    assert_eq!(post.comment_count, ids.len() as i64);
    let res = s
        .comment(&client(), post_id, 0, "After The Storm", "Still works")
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}
each_backend!(
    moderators_that_vanish_mid_request_never_wedge_writes,
    vanishing_moderators_never_wedge_writes
);

/// Every comment the server answered 303 for is in the database after `kill -9`.
async fn acknowledged_comments_survive_kill_9(backend: crate::support::Backend, hold: bool) {
    use crate::support::{post_comment, prepared_site, ServerProcess, TestDb};
    let mut db = TestDb::create(backend).await;
    let data = tempfile::tempdir().unwrap();
    let store = tribune::store::Store::connect(&db.url).await.unwrap();
    let (post_id, _) = prepared_site(&store, hold).await;
    let mut server =
        ServerProcess::start(&db.url, data.path(), &["--comments-per-minute", "0"]).await;
    let base = server.base.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let (base, stop) = (base.clone(), stop.clone());
            tokio::spawn(async move {
                let client = client();
                let mut acked = Vec::new();
                let mut i = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    i += 1;
                    let body = format!("writer {w} comment {i}");
                    if let (StatusCode::SEE_OTHER, Some(id), _) =
                        post_comment(&client, &base, post_id, &body).await
                    {
                        acked.push((id, body));
                    }
                }
                acked
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill_hard();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut acked = Vec::new();
    for w in writers {
        acked.extend(w.await.unwrap());
    }
    assert!(
        acked.len() > 20,
        "the load ran: {} acknowledged",
        acked.len()
    );
    // Restarted on the same database, every acknowledged comment is there.
    let server = ServerProcess::start(&db.url, data.path(), &[]).await;
    let store = tribune::store::Store::connect(&db.url).await.unwrap();
    for (id, body) in &acked {
        let row = store.comment_by_id(*id).await.unwrap();
        assert!(
            row.is_some_and(|c| c.body_html.contains(body.as_str())),
            "comment {id} ({body}) was acknowledged but is gone after kill -9"
        );
    }
    let post = store.post_by_id(post_id).await.unwrap().unwrap();
    let approved = store.approved_comments(post_id).await.unwrap().len() as i64;
    assert_eq!(
        post.comment_count, approved,
        "counts are true after the crash"
    );
    eprintln!(
        "kill -9 on {backend:?} (held: {hold}): {} acknowledged, all present",
        acked.len()
    );
    drop(server);
    store.close().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_comments_survive_a_crash() {
    for backend in crate::support::backends() {
        // Approved at once (a transaction each), then held (committed in groups on
        // SQLite).
        acknowledged_comments_survive_kill_9(backend, false).await;
        acknowledged_comments_survive_kill_9(backend, true).await;
    }
}

/// Breaks the database's writes for a running server: on SQLite the process may no
/// longer write any file (RLIMIT_FSIZE 0: every write fails with EFBIG, as on a full
/// or read-only disk); on PostgreSQL the database turns read-only and its sessions are
/// cut. Undone by `restore`.
struct BrokenWrites<'a> {
    backend: crate::support::Backend,
    pid: u32,
    db: &'a crate::support::TestDb,
}

impl BrokenWrites<'_> {
    async fn pg_admin(&self, sql: &str) {
        use sqlx::{Connection, Executor};
        let admin = std::env::var("TRIBUNE_TEST_POSTGRES_URL").unwrap();
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        conn.execute(sql).await.unwrap();
        conn.close().await.ok();
    }

    fn pg_name(&self) -> String {
        self.db.url.rsplit('/').next().unwrap().to_string()
    }

    async fn cut_sessions(&self) {
        let name = self.pg_name();
        self.pg_admin(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .await;
    }

    async fn break_now(&self) {
        match self.backend {
            crate::support::Backend::Sqlite => {
                let ok = std::process::Command::new("prlimit")
                    .args(["--pid", &self.pid.to_string(), "--fsize=0:unlimited"])
                    .status()
                    .expect("prlimit (util-linux) runs");
                assert!(ok.success());
            }
            crate::support::Backend::Postgres => {
                let name = self.pg_name();
                self.pg_admin(&format!(
                    "ALTER DATABASE {name} SET default_transaction_read_only = on"
                ))
                .await;
                self.cut_sessions().await;
            }
        }
    }

    async fn restore(&self) {
        match self.backend {
            crate::support::Backend::Sqlite => {
                let ok = std::process::Command::new("prlimit")
                    .args([
                        "--pid",
                        &self.pid.to_string(),
                        "--fsize=unlimited:unlimited",
                    ])
                    .status()
                    .unwrap();
                assert!(ok.success());
            }
            crate::support::Backend::Postgres => {
                let name = self.pg_name();
                self.pg_admin(&format!(
                    "ALTER DATABASE {name} RESET default_transaction_read_only"
                ))
                .await;
                self.cut_sessions().await;
            }
        }
    }
}

async fn no_false_acknowledgements_when_writes_fail(backend: crate::support::Backend) {
    use crate::support::{post_comment, prepared_site, ServerProcess, TestDb};
    let mut db = TestDb::create(backend).await;
    let data = tempfile::tempdir().unwrap();
    let store = tribune::store::Store::connect(&db.url).await.unwrap();
    let (post_id, _) = prepared_site(&store, true).await;
    store.close().await;
    let mut server =
        ServerProcess::start(&db.url, data.path(), &["--comments-per-minute", "0"]).await;
    let reader = client();
    let mut acked = Vec::new();
    for i in 0..5 {
        let body = format!("before the disk failed {i}");
        let (status, id, _) = post_comment(&reader, &server.base, post_id, &body).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        acked.push((id.unwrap(), body));
    }

    let broken = BrokenWrites {
        backend,
        pid: server.pid(),
        db: &db,
    };
    broken.break_now().await;
    let mut refused = Vec::new();
    for i in 0..10 {
        let body = format!("while the disk was failing {i}");
        let (status, id, page) = post_comment(&reader, &server.base, post_id, &body).await;
        assert_ne!(
            status,
            StatusCode::SEE_OTHER,
            "comment {id:?} was acknowledged while the database could not write:\n{}",
            server.log()
        );
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{page}");
        assert!(page.contains(&body), "the reader's text comes back: {page}");
        assert!(page.contains("could not be saved"), "{page}");
        refused.push(body);
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let health = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(health
        .text()
        .await
        .unwrap()
        .contains("\"writes\":\"failing\""));

    // Writing again once the disk recovers, without a restart.
    broken.restore().await;
    let mut recovered = None;
    for attempt in 0..50 {
        let body = format!("after recovery {attempt}");
        if let (StatusCode::SEE_OTHER, Some(id), _) =
            post_comment(&reader, &server.base, post_id, &body).await
        {
            recovered = Some((id, body));
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered = recovered.unwrap_or_else(|| panic!("never wrote again:\n{}", server.log()));
    acked.push(recovered);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let health = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    // After a restart: everything acknowledged is there, nothing refused is.
    let took = server.terminate();
    assert!(took < Duration::from_secs(8), "SIGTERM took {took:?}");
    let server = ServerProcess::start(&db.url, data.path(), &[]).await;
    let store = tribune::store::Store::connect(&db.url).await.unwrap();
    let all = store
        .moderation_queue(
            Some(tribune::domain::comment::CommentStatus::Pending),
            None,
            1000,
            0,
        )
        .await
        .unwrap();
    for (id, body) in &acked {
        assert!(
            all.iter().any(|c| c.id == *id && c.body == *body),
            "acknowledged comment {id} is missing"
        );
    }
    for body in &refused {
        assert!(
            !all.iter().any(|c| c.body == *body),
            "a refused comment was stored anyway: {body}"
        );
    }
    drop(server);
    store.close().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_stops_writing_never_gets_a_false_acknowledgement() {
    for backend in crate::support::backends() {
        eprintln!("-- unwritable database on {backend:?}");
        no_false_acknowledgements_when_writes_fail(backend).await;
    }
}

/// A long SQLite import holds the write lock; a reader's comment meanwhile is not
/// lost: they get "try again in a minute" with every word kept, then it goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_comment_during_a_long_import_is_kept_for_the_reader() {
    use sqlx::{Connection, Executor};
    let s = TestServer::start(crate::support::Backend::Sqlite).await;
    s.setup_admin().await;
    let (post_id, _) = s.publish("Statement", "Text.").await;
    // What `tribune import` does for the length of the file: one write transaction.
    let mut import = sqlx::SqliteConnection::connect(&s.db.url).await.unwrap();
    import.execute("BEGIN IMMEDIATE").await.unwrap();
    import
        .execute("UPDATE site_state SET content_version = content_version WHERE id = 1")
        .await
        .unwrap();
    let started = Instant::now();
    let res = s
        .comment(
            &client(),
            post_id,
            0,
            "Waiting Reader",
            "Written during the import",
        )
        .await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.body);
    assert_eq!(res.headers.get("retry-after").unwrap(), "60");
    res.assert_contains("Written during the import")
        .assert_contains("Send it again in a minute")
        .assert_contains("value=\"Waiting Reader\"");
    assert!(started.elapsed() < Duration::from_secs(15));
    import.execute("COMMIT").await.unwrap();
    import.close().await.unwrap();
    let res = s
        .comment(
            &client(),
            post_id,
            0,
            "Waiting Reader",
            "Written during the import",
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    s.stop().await;
}

/// SIGTERM ends the server within a few seconds even with clients that never finish
/// their requests (a half-sent POST, a stalled body, an idle keep-alive connection).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_server_whatever_its_clients_do() {
    use crate::support::{prepared_site, ServerProcess, TestDb};
    use tokio::io::AsyncWriteExt;
    let db = TestDb::create(crate::support::Backend::Sqlite).await;
    let data = tempfile::tempdir().unwrap();
    let store = tribune::store::Store::connect(&db.url).await.unwrap();
    let (post_id, _) = prepared_site(&store, true).await;
    store.close().await;
    let mut server = ServerProcess::start(&db.url, data.path(), &[]).await;
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut half_sent = tokio::net::TcpStream::connect(&addr).await.unwrap();
    half_sent
        .write_all(b"POST /comments HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut stalled_body = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let body = format!("comment_post_ID={post_id}&author=Slow&email=s%40example.net&comment=");
    stalled_body
        .write_all(
            format!(
                "POST /comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n{body}"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let keep_alive = client();
    keep_alive.get(server.url("/")).send().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let took = server.terminate();
    assert!(
        took < Duration::from_secs(8),
        "SIGTERM took {took:?}:\n{}",
        server.log()
    );
    let log = server.log();
    assert!(log.contains("stopped"), "log: {log:?}");
    drop((half_sent, stalled_body));
}

/// Comments written together: one that cannot be stored (its post is gone) fails on
/// its own, the others are stored and answered.
async fn one_bad_comment_does_not_fail_its_neighbours(s: &TestServer) {
    s.setup_admin().await;
    let (post_id, _) = s.publish("Together", "x").await;
    let comment = |post: i64, i: usize| tribune::store::NewComment {
        post_id: post,
        parent_id: None,
        status: tribune::domain::comment::CommentStatus::Pending,
        author_name: format!("Reader {i}"),
        author_email: format!("r{i}@example.net"),
        author_url: None,
        identity_id: None,
        body: format!("together {i}"),
        body_html: format!("<p>together {i}</p>"),
        ip: String::new(),
        user_agent: String::new(),
        duplicate_key: Some(format!("key-{i}")),
        moderation_note: None,
        arrival: None,
    };
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let store = s.store.clone();
            let c = comment(if i == 17 { 999_999 } else { post_id }, i);
            tokio::spawn(async move { store.insert_comment(&c, 3600).await })
        })
        .collect();
    let mut stored = 0;
    for (i, t) in tasks.into_iter().enumerate() {
        match t.await.unwrap() {
            Ok(tribune::store::Inserted::New(_)) => stored += 1,
            Ok(other) => panic!("comment {i}: {other:?}"),
            Err(err) => assert_eq!(i, 17, "only the comment on a missing post fails: {err}"),
        }
    }
    assert_eq!(stored, 39);
    let queue = s
        .store
        .moderation_queue(
            Some(tribune::domain::comment::CommentStatus::Pending),
            Some(post_id),
            100,
            0,
        )
        .await
        .unwrap();
    assert_eq!(queue.len(), 39);
}
each_backend!(
    comments_written_together_fail_alone,
    one_bad_comment_does_not_fail_its_neighbours
);
