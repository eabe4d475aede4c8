//! One walk through a post page in headless Chromium, driven over the WebDriver
//! protocol by chromedriver: comment, see it held, reply with the form moved under the
//! comment by JavaScript, see both after approval.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Skips with a message when they are
//! missing, unless `TRIBUNE_REQUIRE_BROWSER=1` or `CI=true`.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{client, comment_id_of, TestServer};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Browser {
    driver: Child,
    http: reqwest::Client,
    session: String,
    base: String,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    /// Stops the browser and chromedriver, even when a test panicked: the session is
    /// ended first (chromedriver quits Chromium), and any Chromium process still using
    /// this test's profile is killed — killing chromedriver alone left Chromium running.
    fn drop(&mut self) {
        use std::io::{Read, Write};
        let addr = self.base.trim_start_matches("http://").to_string();
        if let Ok(mut conn) = std::net::TcpStream::connect(&addr) {
            let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = write!(
                conn,
                "DELETE /session/{} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n",
                self.session
            );
            let _ = conn.read_to_end(&mut Vec::new());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let profile = format!("--user-data-dir={}", self._profile.path().display());
        if let Ok(entries) = std::fs::read_dir("/proc") {
            for entry in entries.flatten() {
                let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                    continue;
                };
                let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
                if String::from_utf8_lossy(&cmdline).contains(&profile) {
                    let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
                }
            }
        }
    }
}

impl Browser {
    async fn start() -> Option<Browser> {
        let chromedriver = std::env::var("TRIBUNE_CHROMEDRIVER")
            .unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium =
            std::env::var("TRIBUNE_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let required = std::env::var("TRIBUNE_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
            || std::env::var("CI").is_ok_and(|v| v == "true");
        if !std::path::Path::new(&chromedriver).exists()
            || !std::path::Path::new(&chromium).exists()
        {
            assert!(
                !required,
                "the browser test is required but {chromedriver} or {chromium} is missing"
            );
            eprintln!("skipping the browser test: install Debian's chromium and chromium-driver to run it");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                         "--window-size=1280,2000", format!("--user-data-dir={}", profile.path().display())]
            }
        }}});
        let res: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = res["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {res}"))
            .to_string();
        Some(Browser {
            driver,
            http,
            session,
            base,
            _profile: profile,
        })
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let mut req = self.http.request(method, url);
        if !body.is_null() {
            req = req.json(&body);
        }
        let res: Value = req.send().await.unwrap().json().await.unwrap();
        if res["value"].get("error").is_some() {
            panic!("WebDriver {path}: {}", res["value"]);
        }
        res["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", json!({"url": url}))
            .await;
    }

    /// Finds an element, waiting up to 10 s for it (the page may still be loading).
    async fn find(&self, css: &str) -> String {
        let url = format!("{}/session/{}/element", self.base, self.session);
        for _ in 0..100 {
            let res: Value = self
                .http
                .post(&url)
                .json(&json!({"using": "css selector", "value": css}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if let Some(id) = res["value"][ELEMENT].as_str() {
                return id.to_string();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no element {css} at {}", self.url().await);
    }

    async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/value"),
            json!({"text": text}),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            json!({}),
        )
        .await;
    }

    async fn script(&self, js: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            json!({"script": js, "args": []}),
        )
        .await
    }

    async fn text(&self) -> String {
        // Without Fluent's invisible isolation marks, as a reader sees the text.
        let text = self.script("return document.body.innerText").await;
        text.as_str().unwrap().replace(['\u{2068}', '\u{2069}'], "")
    }

    async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", Value::Null)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Waits (up to 10 s) until the address satisfies `ok`: a click that submits a form
    /// may return before the next page has loaded.
    async fn wait_url(&self, ok: impl Fn(&str) -> bool) -> String {
        for _ in 0..100 {
            let url = self.url().await;
            if ok(&url) {
                let _ = self.script("return document.readyState").await;
                return url;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the browser stayed at {}", self.url().await);
    }

    async fn quit(self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
        // Drop stops chromedriver.
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_comments_and_replies_in_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let s = TestServer::start(crate::support::Backend::Sqlite).await;
    s.setup_admin().await;
    let (_post_id, link) = s
        .publish("Browser Statement", "Read this, then reply.")
        .await;

    // A refused comment lands on the error summary, with the text kept.
    browser.goto(&s.url(&link)).await;
    browser.type_into("#comment", "Sent with a typo.").await;
    browser.type_into("#email", "reader@localhost").await;
    browser.type_into("#author", "Rita Reader").await;
    browser.click("#submit").await;
    let refused = browser.wait_url(|u| u.ends_with("/comments#respond")).await;
    assert!(refused.ends_with("#respond"), "{refused}");
    let mut focused = Value::Null;
    for _ in 0..40 {
        focused = browser
            .script("return document.readyState === 'complete' && document.activeElement && document.activeElement.id")
            .await;
        if focused == json!("comment-errors") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(focused, json!("comment-errors"), "{}", browser.text().await);
    let kept = browser
        .script("return document.getElementById('comment').value")
        .await;
    assert_eq!(kept, json!("Sent with a typo."));
    let outlined = browser
        .script("return getComputedStyle(document.getElementById('email')).borderTopWidth")
        .await;
    assert_eq!(outlined, json!("2px"), "the invalid field is outlined");

    // Comment as a guest.
    browser.goto(&s.url(&link)).await;
    browser
        .type_into("#comment", "Written in a real browser.")
        .await;
    browser.type_into("#email", "reader@example.org").await;
    browser.type_into("#author", "Rita Reader").await;
    browser.click("#submit").await;
    let after = browser.wait_url(|u| u.contains("unapproved=")).await;
    assert!(after.contains("unapproved="), "{after}");
    let text = browser.text().await;
    assert!(
        text.contains("Your comment is awaiting moderation."),
        "{text}"
    );
    assert!(text.contains("Written in a real browser."), "{text}");

    // A moderator approves it.
    let first = comment_id_of(&after);
    let csrf = s.admin_csrf().await;
    s.post(
        "/admin/comments",
        &[("csrf", &csrf), ("do", &format!("approve:{first}"))],
    )
    .await;

    // Reply: JavaScript moves the form under the comment and says whom it answers.
    browser.goto(&s.url(&link)).await;
    let text = browser.text().await;
    assert!(
        text.contains("One Response to “Browser Statement”"),
        "{text}"
    );
    browser
        .click(&format!("#comment-{first} .comment-reply-link"))
        .await;
    let moved = browser
        .script(&format!(
            "return !!document.querySelector('#comment-{first} #respond')"
        ))
        .await;
    assert_eq!(moved, Value::Bool(true), "the form moved under the comment");
    let title = browser
        .script("return document.querySelector('#reply-title').innerText")
        .await;
    let title = title
        .as_str()
        .unwrap()
        .replace(['\u{2068}', '\u{2069}'], "");
    assert!(title.contains("Leave a Reply to Rita Reader"), "{title}");
    let parent = browser
        .script("return document.querySelector('#comment_parent').value")
        .await;
    assert_eq!(parent, Value::String(first.to_string()));
    // Cancel puts it back; Reply again.
    browser.click("#cancel-comment-reply-link").await;
    let home = browser
        .script("return document.querySelector('#comments > #respond') !== null")
        .await;
    assert_eq!(home, Value::Bool(true));
    browser
        .click(&format!("#comment-{first} .comment-reply-link"))
        .await;
    browser
        .type_into("#comment", "A reply from the browser.")
        .await;
    browser.type_into("#email", "second@example.org").await;
    browser.type_into("#author", "Sam Second").await;
    browser.click("#submit").await;
    let reply = comment_id_of(&browser.wait_url(|u| u.contains("unapproved=")).await);
    s.post(
        "/admin/comments",
        &[("csrf", &csrf), ("do", &format!("approve:{reply}"))],
    )
    .await;

    // Both are there, the reply nested under the comment.
    browser.goto(&s.url(&link)).await;
    let text = browser.text().await;
    assert!(
        text.contains("2 Responses to “Browser Statement”"),
        "{text}"
    );
    let nested = browser
        .script(&format!(
            "return !!document.querySelector('#comment-{first} > ol.children > #comment-{reply}')"
        ))
        .await;
    assert_eq!(
        nested,
        Value::Bool(true),
        "the reply is nested under its parent"
    );
    let anonymous = s.get_with(&client(), &link).await;
    anonymous.assert_contains("A reply from the browser.");

    browser.quit().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_signs_in_by_clicking_an_icon() {
    if !crate::signin::idp_available() {
        return;
    }
    let Some(browser) = Browser::start().await else {
        return;
    };
    let (s, idp) = crate::signin::server_with_idp(crate::support::Backend::Sqlite).await;
    s.setup_admin().await;
    let (_post_id, link) = s.publish("Click to Sign In", "Say something.").await;

    browser.goto(&s.url(&link)).await;
    browser
        .type_into("#comment", "Typed before signing in.")
        .await;
    browser.click(".provider-testid").await;
    // "Connecting to Test ID…", then the provider's own pages.
    let mut at_provider = false;
    for _ in 0..50 {
        if browser.url().await.starts_with(&idp.issuer) {
            at_provider = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(at_provider, "the browser reached the provider");
    browser.type_into("input[name=login]", "grace").await;
    browser.type_into("input[name=password]", "any").await;
    browser.click("button[type=submit]").await;
    // Wait for the consent page before pressing its button.
    let mut consent = false;
    for _ in 0..100 {
        let v = browser
            .script("var p = document.querySelector('input[name=prompt]'); return p ? p.value : ''")
            .await;
        if v == Value::String("consent".into()) {
            consent = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(consent, "the provider asked for consent");
    browser.click("button[type=submit]").await;
    let mut back = false;
    for _ in 0..50 {
        if browser.url().await.starts_with(&s.base) {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(back, "the browser came back to the post");
    let text = browser.text().await;
    assert!(
        text.contains("You are commenting using your Test ID account."),
        "{text}"
    );
    assert!(text.contains("Grace Example"), "{text}");
    let draft = browser
        .script("return document.querySelector('#comment').value")
        .await;
    assert_eq!(draft, Value::String("Typed before signing in.".into()));
    browser.click("#submit").await;
    browser.wait_url(|u| u.contains("unapproved=")).await;
    let text = browser.text().await;
    assert!(
        text.contains("Your comment is awaiting moderation."),
        "{text}"
    );
    assert!(text.contains("Grace Example"), "{text}");

    browser.quit().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_arabic_post_reads_right_to_left_on_an_english_site() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let s = TestServer::start(crate::support::Backend::Sqlite).await;
    s.setup_admin().await;
    let (_, ar) = s
        .publish_in(
            "ar",
            "بيان بشأن الميزانية",
            "أعلنت الحكومة اليوم عن الميزانية.",
        )
        .await;
    let (_, kmr) = s
        .publish_in(
            "kmr",
            "Daxuyanî li ser budceyê",
            "Hikûmetê îro budce ragihand.",
        )
        .await;
    let post_id = s
        .store
        .post_by_slug("بيان-بشأن-الميزانية")
        .await
        .unwrap()
        .unwrap()
        .id;
    let first = s
        .comment(&client(), post_id, 0, "أمينة", "شكرًا على الشفافية.")
        .await;
    let first = comment_id_of(&first.location());
    s.store
        .set_comment_status(
            &[first],
            tribune::domain::comment::CommentStatus::Approved,
            &crate::support::actor(),
        )
        .await
        .unwrap();
    let reply = s
        .comment(
            &client(),
            post_id,
            first,
            "John",
            "The plan says September.",
        )
        .await;
    let reply = comment_id_of(&reply.location());
    s.store
        .set_comment_status(
            &[reply],
            tribune::domain::comment::CommentStatus::Approved,
            &crate::support::actor(),
        )
        .await
        .unwrap();

    browser.goto(&s.url(&ar)).await;
    browser.find("#commentform").await;
    let direction =
        |css: &str| format!("return getComputedStyle(document.querySelector('{css}')).direction");
    assert_eq!(
        browser.script(&direction(".comment-list")).await,
        json!("rtl")
    );
    assert_eq!(
        browser.script(&direction("#commentform")).await,
        json!("rtl")
    );
    assert_eq!(
        browser.script(&direction("#comments-title")).await,
        json!("rtl")
    );
    // An English reply under the Arabic post reads left to right.
    assert_eq!(
        browser
            .script(&direction(&format!("#comment-{reply} .comment-content")))
            .await,
        json!("ltr")
    );
    assert_eq!(
        browser
            .script(&direction(&format!("#comment-{first} .comment-content")))
            .await,
        json!("rtl")
    );
    // The avatar and the Reply link sit on the right of the comment, where an Arabic
    // reader starts.
    let sides = browser
        .script(&format!(
            "const box = document.getElementById('div-comment-{first}').getBoundingClientRect();
             const avatar = document.querySelector('#div-comment-{first} .avatar').getBoundingClientRect();
             const reply = document.querySelector('#div-comment-{first} .comment-reply-link').getBoundingClientRect();
             const middle = box.left + box.width / 2;
             return [avatar.left > middle, reply.left > middle, box.right - avatar.right < 24];"
        ))
        .await;
    assert_eq!(
        sides,
        json!([true, true, true]),
        "avatar and Reply on the right"
    );
    // The labels and buttons speak Arabic.
    let text = browser.text().await;
    for arabic in [
        "اترك تعليقًا",
        "التعليق",
        "البريد الإلكتروني",
        "أرسل التعليق",
        "ردّان على «بيان بشأن الميزانية»",
    ] {
        assert!(text.contains(arabic), "{arabic} missing in:\n{text}");
    }
    assert!(!text.contains("Leave a Reply"), "{text}");
    let lang = browser
        .script("return [document.documentElement.lang, document.documentElement.dir]")
        .await;
    assert_eq!(lang, json!(["ar", "rtl"]));

    // A Kurmanji post stays left to right, with Kurmanji labels.
    browser.goto(&s.url(&kmr)).await;
    browser.find("#commentform").await;
    assert_eq!(
        browser.script(&direction("#commentform")).await,
        json!("ltr")
    );
    let text = browser.text().await;
    assert!(text.contains("Bersivekê binivîse"), "{text}");
    assert!(text.contains("Şîroveyê bişîne"), "{text}");

    browser.quit().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_is_remembered_in_this_browser_when_they_ask() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let s = TestServer::start(crate::support::Backend::Sqlite).await;
    s.setup_admin().await;
    let (_post_id, link) = s.publish("Remember Me", "Say something.").await;
    browser.goto(&s.url(&link)).await;
    // The page's script fetched the form's time (the page itself is the cached one).
    let mut shown = Value::Null;
    for _ in 0..40 {
        shown = browser
            .script("return document.getElementById('tribune_shown').value")
            .await;
        if shown.as_str().is_some_and(|v| v.contains('.')) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(shown.as_str().unwrap().contains('.'), "{shown}");
    browser.type_into("#comment", "Remember me, please.").await;
    browser.type_into("#email", "rita@example.org").await;
    browser.type_into("#author", "Rita Reader").await;
    browser.type_into("#url", "https://rita.example").await;
    browser.click("#wp-comment-cookies-consent").await;
    browser.click("#submit").await;
    browser.wait_url(|u| u.contains("unapproved=")).await;
    let queue = s.store.moderation_queue(None, None, 10, 0).await.unwrap();
    let note = queue[0].moderation_note.clone().unwrap_or_default();
    assert!(
        !note.contains("no_script"),
        "the form time came back: {note}"
    );

    // Next time, the form is filled in by this browser — not by the server.
    browser.goto(&s.url(&link)).await;
    let filled = browser
        .script(
            "return [document.getElementById('author').value, document.getElementById('email').value, \
             document.getElementById('url').value, document.getElementById('wp-comment-cookies-consent').checked]",
        )
        .await;
    assert_eq!(
        filled,
        json!([
            "Rita Reader",
            "rita@example.org",
            "https://rita.example",
            true
        ])
    );
    s.get(&link).await.assert_lacks("rita@example.org");

    // Unticked, it is forgotten.
    browser.click("#wp-comment-cookies-consent").await;
    browser.type_into("#comment", "Forget me now.").await;
    browser.click("#submit").await;
    browser.wait_url(|u| u.contains("unapproved=")).await;
    browser.goto(&s.url(&link)).await;
    let filled = browser
        .script("return [document.getElementById('author').value, document.getElementById('wp-comment-cookies-consent').checked]")
        .await;
    assert_eq!(filled, json!(["", false]));

    // On a phone: Reply targets are 44 px tall, "Cancel reply" stays hidden until one
    // replies, and the honeypot is out of sight.
    let approved = s
        .store
        .moderation_queue(None, None, 10, 0)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect::<Vec<_>>();
    s.store
        .set_comment_status(
            &approved,
            tribune::domain::comment::CommentStatus::Approved,
            &crate::support::actor(),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    browser
        .call(
            reqwest::Method::POST,
            "/window/rect",
            json!({"width": 390, "height": 900}),
        )
        .await;
    browser.goto(&s.url(&link)).await;
    browser.find(".comment-reply-link").await;
    let phone = browser
        .script(
            "var r = document.querySelector('.comment-reply-link').getBoundingClientRect(); \
             var c = getComputedStyle(document.getElementById('cancel-comment-reply-link')).display; \
             var h = document.querySelector('.comment-form-subject').getBoundingClientRect(); \
             return [r.height >= 44, c, h.width <= 1 && h.height <= 1]",
        )
        .await;
    assert_eq!(phone, json!([true, "none", true]));
    browser.quit().await;
    s.stop().await;
}

/// Issue 13, point 5: the commenter's own browser offers to edit or delete the comment
/// for the site's window; the page itself stays the one every reader gets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_edits_their_own_comment_from_the_same_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let s = TestServer::start(crate::support::Backend::Sqlite).await;
    s.setup_admin().await;
    crate::discussion::save_rules(&s, &[("discussion_rules", "1"), ("max_links", "2")]).await;
    let (_post_id, link) = s.publish("Edit Me", "Say something.").await;
    let cached = s.get(&link).await.body;
    browser.goto(&s.url(&link)).await;
    for _ in 0..40 {
        let v = browser
            .script("return document.getElementById('tribune_shown').value")
            .await;
        if v.as_str().is_some_and(|v| v.contains('.')) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser
        .type_into("#comment", "I mean the secnod point.")
        .await;
    browser.type_into("#email", "tess@example.org").await;
    browser.type_into("#author", "Tess Typo").await;
    browser.click("#submit").await;
    browser.wait_url(|u| u.contains("#comment-")).await;
    // The script found this browser's entry and offers the edit.
    let mut offered = Value::Null;
    for _ in 0..40 {
        offered = browser
            .script("var a = document.querySelector('.comment-own a'); return a ? a.getAttribute('href') : null")
            .await;
        if offered.is_string() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let href = offered.as_str().expect("an Edit link").to_string();
    assert!(
        href.starts_with("/comments/") && href.ends_with("/edit"),
        "{href}"
    );
    browser.click(".comment-own a").await;
    browser.wait_url(|u| u.ends_with("/edit")).await;
    browser
        .script("document.getElementById('comment').value = ''")
        .await;
    browser
        .type_into("#comment", "I mean the second point.")
        .await;
    browser.click("button[value=save]").await;
    browser.wait_url(|u| u.contains("#comment-")).await;
    let text = browser.text().await;
    assert!(text.contains("I mean the second point."), "{text}");
    assert!(!text.contains("secnod"), "{text}");
    // A stranger reads the corrected comment, on a page with nothing personal in it:
    // the Edit link lives only in the template the script copies.
    let page = s.get_with(&crate::support::client(), &link).await;
    page.assert_contains("I mean the second point.")
        .assert_lacks("tess@example.org");
    assert_eq!(
        page.body.matches("class=\"comment-own").count(),
        1,
        "only the <template>"
    );
    let again = s.get_with(&crate::support::client(), &link).await;
    assert_eq!(
        page.body, again.body,
        "the same bytes for every anonymous reader"
    );
    assert!(cached.contains("id=\"own-comment-tools\""));
}

/// Issue 13, point 4: signed-in staff see the bar and moderate a comment from the post
/// itself, in a real browser; the page they were served is the one readers get.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_moderate_from_the_public_page_in_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let s = TestServer::start(crate::support::Backend::Sqlite).await;
    s.setup_admin().await;
    crate::discussion::save_rules(&s, &[("discussion_rules", "1"), ("max_links", "2")]).await;
    let (post, link) = s.publish("Bar Test", "Words.").await;
    let reader = crate::support::client();
    s.comment(&reader, post, 0, "Spammer", "Cheap pills here.")
        .await;
    browser.goto(&s.url("/admin/login")).await;
    browser.type_into("#email", "ada@example.org").await;
    browser
        .type_into("#password", "correct horse battery")
        .await;
    browser.click("button[type=submit]").await;
    browser.wait_url(|u| u.ends_with("/admin/")).await;
    browser.goto(&s.url(&link)).await;
    let mut found = Value::Null;
    for _ in 0..50 {
        found = browser
            .script("var b = document.querySelector('.staff-bar'); var t = document.querySelector('.staff-comment-tools button.spam'); return b && t ? b.textContent : null")
            .await;
        if found.is_string() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let bar = found.as_str().expect("the staff bar and the comment tools");
    assert!(
        bar.contains("Edit this post") && bar.contains("Dashboard"),
        "{bar}"
    );
    browser.click(".staff-comment-tools button.spam").await;
    browser.wait_url(|u| u.ends_with("#comments")).await;
    let text = browser.text().await;
    assert!(!text.contains("Cheap pills here."), "{text}");
    let queue = s
        .store
        .moderation_queue(
            Some(tribune::domain::comment::CommentStatus::Spam),
            None,
            10,
            0,
        )
        .await
        .unwrap();
    assert_eq!(queue.len(), 1);
}

/// Issue 13, points 1 and 6: an editor drops a photo on the text in a real browser; it
/// is uploaded, its Markdown lands in the text, the alt text asked for is saved, it is
/// chosen as the featured image, and the published post shows it with its copies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_drops_an_image_into_the_editor_and_publishes() {
    use base64::Engine;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let s = TestServer::start(crate::support::Backend::Sqlite).await;
    s.setup_admin().await;
    browser.goto(&s.url("/admin/login")).await;
    browser.type_into("#email", "ada@example.org").await;
    browser
        .type_into("#password", "correct horse battery")
        .await;
    browser.click("button[type=submit]").await;
    browser.wait_url(|u| u.ends_with("/admin/")).await;
    browser.goto(&s.url("/admin/posts/new")).await;
    browser.type_into("#title", "Harbour opens").await;
    browser
        .type_into("#body", "The harbour opened today.")
        .await;
    let photo = base64::engine::general_purpose::STANDARD.encode(crate::media::photo(900, 600));
    // What a drop from the desktop gives the page: a DataTransfer holding the file.
    browser
        .script(&format!(
            "var bytes = Uint8Array.from(atob('{photo}'), function (c) {{ return c.charCodeAt(0); }});
             var file = new File([bytes], 'harbour.jpg', {{ type: 'image/jpeg' }});
             var dt = new DataTransfer(); dt.items.add(file);
             var body = document.getElementById('body');
             body.setSelectionRange(body.value.length, body.value.length);
             body.dispatchEvent(new DragEvent('dragover', {{ dataTransfer: dt, bubbles: true, cancelable: true }}));
             body.dispatchEvent(new DragEvent('drop', {{ dataTransfer: dt, bubbles: true, cancelable: true }}));"
        ))
        .await;
    let mut text = String::new();
    for _ in 0..100 {
        text = browser
            .script("return document.getElementById('body').value")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string();
        if text.contains("](/media/") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        text.starts_with("The harbour opened today.\n\n![](/media/"),
        "{text}"
    );
    // The alt text is asked for at once.
    let asked = browser
        .script("return !document.getElementById('media-alt').hidden && document.activeElement.id")
        .await;
    assert_eq!(asked, Value::from("media-alt-text"));
    browser
        .type_into("#media-alt-text", "Boats in the new harbour")
        .await;
    browser.click("#media-alt-save").await;
    for _ in 0..50 {
        text = browser
            .script("return document.getElementById('body').value")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string();
        if text.contains("![Boats in the new harbour](/media/") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        text.contains("![Boats in the new harbour](/media/"),
        "{text}"
    );
    // The upload is offered as the featured image.
    browser
        .script("var f = document.getElementById('featured_media'); f.selectedIndex = 1; f.dispatchEvent(new Event('change'));")
        .await;
    let preview = browser
        .script("var p = document.getElementById('featured-preview'); return p ? p.getAttribute('src') : null")
        .await;
    assert!(
        preview.as_str().is_some_and(|p| p.ends_with("-320.jpg")),
        "{preview}"
    );
    // Pasted (a screenshot from the clipboard) and chosen with "Add media" (the file
    // chooser gives the page a FileList): both land in the text the same way.
    let picture = |w: u32, h: u32| {
        base64::engine::general_purpose::STANDARD.encode(crate::media::photo(w, h))
    };
    browser
        .script(&format!(
            "var bytes = Uint8Array.from(atob('{}'), function (c) {{ return c.charCodeAt(0); }});
             var dt = new DataTransfer(); dt.items.add(new File([bytes], 'pasted.jpg', {{ type: 'image/jpeg' }}));
             var body = document.getElementById('body');
             body.focus(); body.setSelectionRange(body.value.length, body.value.length);
             body.dispatchEvent(new ClipboardEvent('paste', {{ clipboardData: dt, bubbles: true, cancelable: true }}));",
            picture(500, 300)
        ))
        .await;
    browser
        .script(&format!(
            "var bytes = Uint8Array.from(atob('{}'), function (c) {{ return c.charCodeAt(0); }});
             var dt = new DataTransfer(); dt.items.add(new File([bytes], 'chosen.jpg', {{ type: 'image/jpeg' }}));
             var input = document.getElementById('media-file');
             input.files = dt.files;
             input.dispatchEvent(new Event('change', {{ bubbles: true }}));",
            picture(400, 400)
        ))
        .await;
    for _ in 0..100 {
        text = browser
            .script("return document.getElementById('body').value")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string();
        if text.matches("](/media/").count() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(text.matches("](/media/").count(), 3, "{text}");
    browser.click("button[value=publish]").await;
    browser.wait_url(|u| u.contains("saved=published")).await;

    let rows = s
        .store
        .list_media(&Default::default(), 5, 0)
        .await
        .unwrap()
        .0;
    assert_eq!(rows.len(), 3);
    let names: Vec<&str> = rows.iter().map(|m| m.file_name.as_str()).collect();
    assert!(
        names.contains(&"pasted.jpg") && names.contains(&"chosen.jpg"),
        "{names:?}"
    );
    let row: Vec<_> = rows
        .into_iter()
        .filter(|m| m.file_name == "harbour.jpg")
        .collect();
    assert_eq!(row.len(), 1);
    assert_eq!(row[0].alt, "Boats in the new harbour");
    let post = s
        .store
        .post_by_slug("harbour-opens")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(post.featured_media_id, Some(row[0].id));
    browser.goto(&s.url(&post.permalink())).await;
    // The browser picked a copy from srcset and drew it.
    let mut drawn = Value::Null;
    for _ in 0..50 {
        drawn = browser
            .script("var i = document.querySelector('.entry-content img'); return i && i.complete && i.naturalWidth > 0 ? [i.currentSrc, i.alt, i.getAttribute('srcset')] : null")
            .await;
        if drawn.is_array() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let drawn = drawn.as_array().expect("the image is drawn").clone();
    assert!(drawn[0].as_str().unwrap().contains("/media/"), "{drawn:?}");
    assert_eq!(drawn[1], "Boats in the new harbour");
    assert!(drawn[2].as_str().unwrap().contains(" 640w"), "{drawn:?}");
    let featured = browser
        .script("var i = document.querySelector('figure.featured img'); return i && i.naturalWidth")
        .await;
    assert!(featured.as_i64().is_some_and(|w| w > 0), "{featured}");
}
