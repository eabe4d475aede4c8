//! Webmention (issue 14, point 5) against an independent implementation: another site
//! on loopback whose sending, discovery and verification are ronkyuu's (the IndieWeb
//! Webmention tools on PyPI), in `tests/readers/webmention_peer.py`. Tribune receives
//! its mentions (verified from the job queue, held, updated, removed) and tells it of
//! the links a published post makes (retried while it fails).

use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use tribune::config::ServeSettings;

use crate::support::{client, Loopback, TestServer};

/// Whether ronkyuu can run; panics where CI requires it.
fn ronkyuu() -> bool {
    crate::findable::python_has("ronkyuu", "ronkyuu")
}

fn peer_script() -> String {
    format!(
        "{}/tests/readers/webmention_peer.py",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The other site, serving the pages in `dir`.
async fn start_peer(dir: &Path) -> Loopback {
    let port = crate::signin::free_port();
    let mut command = std::process::Command::new("python3");
    command
        .arg(peer_script())
        .args(["serve", &port.to_string()])
        .arg(dir);
    Loopback::start("the Webmention peer (ronkyuu)", command, port, 100).await
}

/// The other site sends `source` → `target` as ronkyuu does: discovers the target's
/// endpoint, then posts; what it saw.
async fn peer_sends(source: &str, target: &str) -> Value {
    let (source, target) = (source.to_string(), target.to_string());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .arg(peer_script())
            .args(["send", &source, &target])
            .output()
            .expect("python3 runs")
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "send: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the peer prints JSON")
}

/// What the other site's endpoint received and how ronkyuu verified each.
fn received(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("received.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..300 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Until no Webmention job is waiting or running.
async fn jobs_settle(s: &TestServer) {
    use tribune::domain::job::JobStatus;
    until("the Webmention jobs to settle", async || {
        let mut open = s.store.jobs(Some(JobStatus::Queued), 1000).await.unwrap();
        open.extend(s.store.jobs(Some(JobStatus::Running), 1000).await.unwrap());
        !open.iter().any(|j| j.kind.starts_with("webmention"))
    })
    .await;
}

/// Until the page at `path` has (or lacks) `text`: a change made by the job worker
/// reaches the page cache within a second, as a change made by another instance does.
async fn page_shows(s: &TestServer, path: &str, text: &str, shown: bool) {
    until(&format!("{path} to show {text:?}: {shown}"), async || {
        s.get(path).await.body.contains(text) == shown
    })
    .await;
}

/// The mentions of `post` kept as comments: (id, status, author, url, body).
async fn mentions(s: &TestServer, post: i64) -> Vec<(i64, String, String, String, String)> {
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(&s.db.url).await.unwrap();
    let rows = sqlx::query_as::<_, (i64, String, String, Option<String>, String)>(
        "SELECT id, status, author_name, author_url, body FROM comments \
         WHERE post_id = $1 AND kind = 'webmention' ORDER BY id",
    )
    .bind(post)
    .fetch_all(&db)
    .await
    .unwrap();
    db.close().await;
    rows.into_iter()
        .map(|(id, st, a, u, b)| (id, st, a, u.unwrap_or_default(), b))
        .collect()
}

fn reply_page(target: &str, author: &str, said: &str) -> String {
    format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Reply</title></head><body>
<article class="h-entry">
  <h1 class="p-name">On the statement</h1>
  <a class="u-url" href="/reply">permalink</a>
  <time class="dt-published" datetime="2026-12-03T08:00:00Z">3 December</time>
  <div class="p-author h-card"><a class="p-name u-url" href="/">{author}</a></div>
  <div class="e-content"><p>{said} <a href="{target}">the statement</a>.</p></div>
</article></body></html>"#
    )
}

fn mention_settings() -> ServeSettings {
    ServeSettings {
        comments_per_minute: 0,
        // The other site is on loopback, which a real one never is.
        webmention_private_addresses: true,
        job_retry_base: Duration::from_millis(200),
        ..ServeSettings::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_from_another_site_is_verified_held_updated_and_removed() {
    for backend in crate::support::backends() {
        eprintln!("-- receiving on {backend:?}");
        receiving(backend).await;
    }
}

async fn receiving(backend: crate::support::Backend) {
    if !ronkyuu() {
        return;
    }
    let s = TestServer::start_with(backend, mention_settings()).await;
    s.setup_admin().await;
    let (post, path) = s
        .publish("Statement on water", "We will publish the water report.")
        .await;
    let target = s.url(&path);
    let page = s.get(&path).await;
    page.assert_contains(r#"<link rel="webmention" href="/webmention">"#)
        .assert_contains(r#"class="post h-entry""#);

    let dir = tempfile::tempdir().unwrap();
    let peer = start_peer(dir.path()).await;
    let source = format!("http://127.0.0.1:{}/reply", peer.port);
    std::fs::write(
        dir.path().join("reply.html"),
        reply_page(&target, "Bob Writer", "I agree with"),
    )
    .unwrap();

    // ronkyuu finds the endpoint in the page and sends; Tribune accepts at once.
    let sent = peer_sends(&source, &target).await;
    assert_eq!(sent["endpoint"], s.url("/webmention"), "{sent}");
    assert_eq!(sent["status"], 202, "{sent}");
    until("the mention to be verified", async || {
        !mentions(&s, post).await.is_empty()
    })
    .await;
    let kept = mentions(&s, post).await;
    assert_eq!(kept.len(), 1);
    let (id, status, author, url, body) = &kept[0];
    assert_eq!(status, "pending", "a mention is held for a moderator");
    assert_eq!(author, "Bob Writer", "the author is the source's h-card");
    assert_eq!(url, &format!("http://127.0.0.1:{}/", peer.port));
    assert!(body.contains("I agree with the statement"), "{body}");
    // Held: not on the public page; in the moderators' queue, marked as a mention.
    s.get(&path).await.assert_lacks("Bob Writer");
    let queue = s.get("/admin/comments").await;
    queue
        .assert_contains("Bob Writer")
        .assert_contains("I agree with");

    // Approved, it shows under the post, linking to the source.
    let csrf = s.admin_csrf().await;
    let id_text = id.to_string();
    s.post(
        "/admin/comments",
        &[("csrf", &csrf), ("bulk", "approve"), ("ids", &id_text)],
    )
    .await;
    let page = s.get(&path).await;
    page.assert_contains("Bob Writer")
        .assert_contains(&format!(r#"href="{source}""#))
        .assert_contains(r#"class="webmention depth-"#);

    // The source changed: the same comment says what it says now, still approved.
    std::fs::write(
        dir.path().join("reply.html"),
        reply_page(&target, "Bob Writer", "On reflection I still agree with"),
    )
    .unwrap();
    assert_eq!(peer_sends(&source, &target).await["status"], 202);
    until("the mention to be updated", async || {
        mentions(&s, post)
            .await
            .first()
            .is_some_and(|m| m.4.contains("still agree"))
    })
    .await;
    let kept = mentions(&s, post).await;
    assert_eq!(kept.len(), 1, "one comment per source");
    assert_eq!(kept[0].1, "approved");
    page_shows(&s, &path, "still agree", true).await;

    // The source is gone (410): the mention goes too.
    std::fs::write(dir.path().join("reply.gone"), "").unwrap();
    assert_eq!(peer_sends(&source, &target).await["status"], 202);
    until("the mention to be removed", async || {
        mentions(&s, post).await.is_empty()
    })
    .await;
    page_shows(&s, &path, "Bob Writer", false).await;

    // A page that does not link to the post is no mention.
    std::fs::write(
        dir.path().join("other.html"),
        reply_page("http://elsewhere.example/", "Eve", "Nothing about"),
    )
    .unwrap();
    let other = format!("http://127.0.0.1:{}/other", peer.port);
    assert_eq!(peer_sends(&other, &target).await["status"], 202);
    jobs_settle(&s).await;
    assert!(mentions(&s, post).await.is_empty());

    // What cannot be a mention is refused at once, with the reason.
    let draft = crate::findable::save(&s, None, &[("title", "Draft"), ("status", "draft")]).await;
    let draft_path = s
        .store
        .post_by_id(draft)
        .await
        .unwrap()
        .unwrap()
        .permalink();
    let (nowhere, draft_url) = (s.url("/no-such-post/"), s.url(&draft_path));
    for (form, reason) in [
        (
            vec![("source", "not a url"), ("target", target.as_str())],
            "http or https",
        ),
        (
            vec![("source", source.as_str()), ("target", source.as_str())],
            "the same address",
        ),
        (
            vec![("source", target.as_str()), ("target", target.as_str())],
            "the same address",
        ),
        (
            vec![
                ("source", source.as_str()),
                ("target", "http://elsewhere.example/a/"),
            ],
            "not on this site",
        ),
        (
            vec![("source", source.as_str()), ("target", nowhere.as_str())],
            "not a post",
        ),
        (
            vec![("source", source.as_str()), ("target", draft_url.as_str())],
            "not a post",
        ),
        (
            vec![("source", "ftp://a.example/x"), ("target", target.as_str())],
            "http or https",
        ),
    ] {
        let res = client()
            .post(s.url("/webmention"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{form:?}");
        let text = res.text().await.unwrap();
        assert!(text.contains(reason), "{form:?}: {text}");
    }
    drop(peer);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_is_never_fetched_from_a_private_address() {
    for backend in crate::support::backends() {
        eprintln!("-- private_sources on {backend:?}");
        private_sources(backend).await;
    }
}

async fn private_sources(backend: crate::support::Backend) {
    if !ronkyuu() {
        return;
    }
    // As deployed: sources on loopback and private networks are not fetched (a
    // stranger's URL must not reach the machine's own services).
    let s = TestServer::start_with(
        backend,
        ServeSettings {
            comments_per_minute: 0,
            ..ServeSettings::default()
        },
    )
    .await;
    s.setup_admin().await;
    let (post, path) = s.publish("Statement", "Text.").await;
    let target = s.url(&path);
    let dir = tempfile::tempdir().unwrap();
    let peer = start_peer(dir.path()).await;
    std::fs::write(
        dir.path().join("reply.html"),
        reply_page(&target, "Mallory", "See"),
    )
    .unwrap();
    for host in ["127.0.0.1", "localhost"] {
        let source = format!("http://{host}:{}/reply", peer.port);
        assert_eq!(peer_sends(&source, &target).await["status"], 202);
    }
    jobs_settle(&s).await;
    assert!(mentions(&s, post).await.is_empty());
    assert!(
        !dir.path().join("fetched").exists(),
        "Tribune fetched a loopback source"
    );
    drop(peer);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_tells_the_pages_a_post_links_to() {
    for backend in crate::support::backends() {
        eprintln!("-- sending on {backend:?}");
        sending(backend).await;
    }
}

async fn sending(backend: crate::support::Backend) {
    if !ronkyuu() {
        return;
    }
    let s = TestServer::start_with(backend, mention_settings()).await;
    s.setup_admin().await;
    let dir = tempfile::tempdir().unwrap();
    let peer = start_peer(dir.path()).await;
    let target = format!("http://127.0.0.1:{}/report", peer.port);
    std::fs::write(
        dir.path().join("report.html"),
        "<!doctype html><title>Report</title><article class=\"h-entry\"><p>The report.</p></article>",
    )
    .unwrap();
    // Its endpoint fails once: the mention is sent again.
    std::fs::write(dir.path().join("fail"), "1").unwrap();

    let body = format!("Read [the report]({target}) and [our rules](/rules/).");
    let id = crate::findable::save(&s, None, &[("title", "On the report"), ("body", &body)]).await;
    let post_url = s.url(&s.store.post_by_id(id).await.unwrap().unwrap().permalink());
    until("the mention to arrive", async || {
        !received(dir.path()).is_empty()
    })
    .await;
    let got = received(dir.path());
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["source"], post_url.as_str());
    assert_eq!(got[0]["target"], target.as_str());
    assert_eq!(
        got[0]["verified"], true,
        "ronkyuu found the link in our h-entry"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("fail")).unwrap(),
        "0",
        "the first try failed and was retried"
    );

    // The link taken out: the page hears again, and finds it gone.
    crate::findable::save(
        &s,
        Some(id),
        &[
            ("title", "On the report"),
            ("body", "The report is withdrawn."),
        ],
    )
    .await;
    until("the second mention", async || {
        received(dir.path()).len() == 2
    })
    .await;
    let got = received(dir.path());
    assert_eq!(got[1]["source"], post_url.as_str());
    assert_eq!(got[1]["verified"], false);

    // A draft tells nobody.
    let before = received(dir.path()).len();
    crate::findable::save(
        &s,
        None,
        &[("title", "Draft"), ("status", "draft"), ("body", &body)],
    )
    .await;
    jobs_settle(&s).await;
    assert_eq!(received(dir.path()).len(), before);
    drop(peer);
    s.stop().await;
}
