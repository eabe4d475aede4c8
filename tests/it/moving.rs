//! Moving in and out: `tribune import wordpress|disqus`, `tribune export wordpress` and
//! the personal-data tools, run as the built binary against the database of a running
//! server, then checked over HTTP as a reader, a moderator and an administrator would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use reqwest::StatusCode;

use crate::each_backend;
use crate::support::{Backend, TestDb, TestServer};

pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs `tribune` against `database_url`; returns (success, stdout, stderr).
pub(crate) fn tribune(database_url: &str, args: &[&str]) -> (bool, String, String) {
    tribune_stdin(database_url, args, "")
}

/// Runs `tribune` with `input` on standard input.
fn tribune_stdin(database_url: &str, args: &[&str], input: &str) -> (bool, String, String) {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tribune"))
        .arg("--database-url")
        .arg(database_url)
        .args(args)
        .current_dir(dir.path())
        .env_remove("TRIBUNE_DATA_DIR")
        .env_remove("TRIBUNE_BASE_URL")
        .env("RUST_BACKTRACE", "0")
        // English messages, whatever the machine's locale.
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run tribune");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out: Output = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[track_caller]
fn ok(database_url: &str, args: &[&str]) -> String {
    let (ok, out, err) = tribune(database_url, args);
    assert!(ok, "tribune {args:?} failed: {err}");
    out
}

fn import_wordpress(server: &TestServer, name: &str) -> String {
    let file = fixture(name);
    ok(
        &server.db.url,
        &["import", "wordpress", file.to_str().unwrap()],
    )
}

/// Fetches a page after the server has noticed the import (another process wrote it).
async fn fresh(server: &TestServer, path: &str) -> crate::support::Response {
    server.state.content_changed().await;
    server.get(path).await
}

async fn wordpress_import_keeps_posts_comments_and_old_links_story(server: &TestServer) {
    // A dry run reads everything, reports, and writes nothing.
    let file = fixture("wxr-1.2.xml");
    let dry = ok(
        &server.db.url,
        &["import", "wordpress", "--dry-run", file.to_str().unwrap()],
    );
    assert!(
        dry.contains("Would import 3 posts, 1 page, 8 comments"),
        "{dry}"
    );
    assert!(dry.contains("Dry run: nothing was written."), "{dry}");
    assert_eq!(fresh(server, "/?p=101").await.status, StatusCode::NOT_FOUND);

    let summary = import_wordpress(server, "wxr-1.2.xml");
    assert!(
        summary.contains("Imported 3 posts, 1 page, 8 comments, 2 users, 4 categories and tags."),
        "{summary}"
    );
    assert!(summary.contains("1 × attachment"), "{summary}");
    assert!(
        summary.contains("line 265: attachment “well.jpg”"),
        "{summary}"
    );
    assert!(summary.contains("1 × in WordPress's trash"), "{summary}");
    assert!(
        summary.contains("parent comment is not in the file"),
        "{summary}"
    );
    assert!(summary.contains("comment 508"), "{summary}");

    // The old links: /?p=ID answers 301 with the post's address.
    let res = fresh(server, "/?p=101").await;
    assert_eq!(res.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(res.location(), "/2019/01/02/water-for-everyone/");
    let res = server.get("/?page_id=2").await;
    assert_eq!(res.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(res.location(), "/about/");
    let res = server.get("/?p=102").await;
    assert_eq!(res.status, StatusCode::MOVED_PERMANENTLY);
    let kurdish = res.location();
    assert_eq!(
        kurdish,
        "/2019/02/10/%D8%A8%DB%95%DB%8C%D8%A7%D9%86%D9%86%D8%A7%D9%85%DB%95/"
    );
    assert_eq!(
        server.get("/?p=103").await.status,
        StatusCode::NOT_FOUND,
        "a draft"
    );
    assert_eq!(
        server.get("/?p=104").await.status,
        StatusCode::NOT_FOUND,
        "trashed"
    );

    // The post: sanitised HTML, paragraphs, captions, threading, statuses, types.
    let page = server.get("/2019/01/02/water-for-everyone/").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<h1 class=\"entry-title p-name\">Water for everyone – a statement</h1>")
        .assert_contains("<p>It's <strong>urgent</strong> &amp; overdue.<br>")
        .assert_contains("A literal CDATA end: ]]&gt; stays in the text. Emoji too: 💧🌍")
        .assert_contains("<figcaption>The new well</figcaption>")
        .assert_contains("Statements &amp; Releases")
        .assert_contains("5 Responses to")
        .assert_contains("Fully agree &amp; signed.")
        .assert_contains("<span class=\"comment-type\">Pingback:</span>")
        .assert_contains("<span class=\"comment-type\">Trackback:</span>")
        .assert_contains("Replying to a comment that was deleted")
        .assert_lacks("alert(")
        .assert_lacks("evil()")
        .assert_lacks("Waiting for a moderator")
        .assert_lacks("Buy now")
        .assert_lacks("Trashed words");
    // سارا's reply sits under Rêber's comment.
    let reber = page.body.find("Rêber").unwrap();
    let children = page.body[reber..].find("<ol class=\"children\">").unwrap() + reber;
    let sara = page.body.find("ئاو مافی هەمووانە").unwrap();
    assert!(children < sara, "the reply is nested");

    let rtl = server.get(&kurdish).await;
    assert_eq!(rtl.status, StatusCode::OK);
    // Polylang's language term gives the post its language, so it reads right to left.
    rtl.assert_contains("lang=\"ckb\" dir=\"rtl\"")
        .assert_contains("بەیاننامە دەربارەی ئاو")
        .assert_contains("<p dir=\"rtl\">ئاو مافێکی بنەڕەتییە.</p>")
        .assert_lacks("id=\"respond\"");
    // Category and tag archives, at WordPress's addresses, linked from the post.
    page.assert_contains("href=\"/tag/water/\"")
        .assert_contains("href=\"/category/statements/\"");
    let category = server.get("/category/statements/").await;
    assert_eq!(category.status, StatusCode::OK);
    category
        .assert_contains("Category: Statements &amp; Releases")
        .assert_contains("Water for everyone")
        .assert_lacks("بەیاننامە");
    server
        .get("/category/news/")
        .await
        .assert_contains("بەیاننامە دەربارەی ئاو")
        .assert_lacks("Water for everyone");
    server
        .get("/tag/council/")
        .await
        .assert_contains("Tag: Council");
    assert_eq!(
        server.get("/tag/no-such-tag/").await.status,
        StatusCode::NOT_FOUND
    );
    let res = server.get("/tag/water/page/1/").await;
    assert_eq!(res.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(res.location(), "/tag/water/");
    let about = server.get("/about/").await;
    assert_eq!(about.status, StatusCode::OK);
    about.assert_contains("We are a small group.");
    let home = server.get("/").await;
    home.assert_contains("Water for everyone")
        .assert_lacks("About us")
        .assert_lacks("Unfinished thoughts");

    // Held and spam comments wait for moderators, as they did in WordPress.
    server.setup_admin().await;
    server
        .get("/admin/comments?status=pending")
        .await
        .assert_contains("Waiting for a moderator")
        .assert_contains("192.0.2.12");
    server
        .get("/admin/comments?status=spam")
        .await
        .assert_contains("Buy now");
    server
        .get("/admin/comments?status=trash")
        .await
        .assert_contains("Trashed words");
    server
        .get("/admin/posts")
        .await
        .assert_contains("Unfinished thoughts");

    // An imported author gets a password (and a role) by being added as staff.
    let (okay, out, err) = tribune_stdin(
        &server.db.url,
        &[
            "user",
            "add",
            "--email",
            "ada@hawler.example",
            "--role",
            "editor",
            "--password-stdin",
        ],
        "a long enough password\n",
    );
    assert!(okay, "{err}");
    assert!(out.contains("ada@hawler.example"), "{out}");
    let list = ok(&server.db.url, &["user", "list"]);
    let line = list
        .lines()
        .find(|l| l.contains("ada@hawler.example"))
        .unwrap();
    assert!(line.contains("editor"), "{list}");
    let (okay, _, err) = tribune_stdin(
        &server.db.url,
        &[
            "user",
            "add",
            "--email",
            "ada@hawler.example",
            "--password-stdin",
        ],
        "another long password\n",
    );
    assert!(!okay, "an account with a password is not taken over");
    assert!(err.contains("already exists"), "{err}");

    // Running the same file again adds nothing.
    let again = import_wordpress(server, "wxr-1.2.xml");
    assert!(
        again.contains("Imported 0 posts, 0 pages, 0 comments, 0 users, 0 categories and tags."),
        "{again}"
    );
    assert!(
        again.contains("Already here from an earlier import (left as they are): 12."),
        "{again}"
    );
    fresh(server, "/2019/01/02/water-for-everyone/")
        .await
        .assert_contains("5 Responses to");
}

each_backend!(
    wordpress_import_keeps_posts_comments_and_old_links,
    wordpress_import_keeps_posts_comments_and_old_links_story
);

async fn a_bad_file_changes_nothing_and_says_where_story(server: &TestServer) {
    // The first item of this file is fine; the second breaks. Nothing may stay.
    let bad = fixture("wxr-bad-tag.xml");
    let (ok, _, err) = tribune(
        &server.db.url,
        &["import", "wordpress", bad.to_str().unwrap()],
    );
    assert!(!ok);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("line 203, column 18"), "{err}");
    assert!(err.contains("</wp:post_idx> closes <wp:post_id>"), "{err}");
    assert!(err.contains("Nothing was imported."), "{err}");
    assert_eq!(fresh(server, "/?p=101").await.status, StatusCode::NOT_FOUND);

    let cut = fixture("wxr-truncated.xml");
    let (ok, _, err) = tribune(
        &server.db.url,
        &["import", "wordpress", cut.to_str().unwrap()],
    );
    assert!(!ok);
    assert!(err.contains("the file ends inside <link>"), "{err}");
    assert!(err.contains("cut short"), "{err}");

    let disqus = fixture("disqus.xml");
    let (ok, _, err) = tribune(
        &server.db.url,
        &["import", "wordpress", disqus.to_str().unwrap()],
    );
    assert!(!ok);
    assert!(err.contains("use `tribune import disqus`"), "{err}");

    assert_eq!(server.get("/?p=101").await.status, StatusCode::NOT_FOUND);
    assert_eq!(server.store.all_posts(None).await.unwrap().len(), 0);
}

each_backend!(
    a_bad_file_changes_nothing_and_says_where,
    a_bad_file_changes_nothing_and_says_where_story
);

async fn older_wxr_versions_import_story(server: &TestServer) {
    let old = import_wordpress(server, "wxr-1.0.xml");
    assert!(
        old.contains("Imported 1 post, 0 pages, 1 comment, 1 user"),
        "{old}"
    );
    fresh(server, "/2008/11/01/hello-2008/")
        .await
        .assert_contains("First post from the old days.")
        .assert_contains("Welcome to the web!");
    let mid = import_wordpress(server, "wxr-1.1.xml");
    assert!(
        mid.contains("Imported 1 post, 0 pages, 1 comment, 1 user"),
        "{mid}"
    );
    let page = fresh(server, "/2011/03/01/marhaba/").await;
    page.assert_contains("lang=\"ar\" dir=\"rtl\"")
        .assert_contains("هذا أول منشور.")
        .assert_contains("شكرا!")
        .assert_contains("ليلى");
}

each_backend!(older_wxr_versions_import, older_wxr_versions_import_story);

async fn disqus_threads_find_their_posts_by_url_story(server: &TestServer) {
    import_wordpress(server, "wxr-1.2.xml");
    let file = fixture("disqus.xml");
    let summary = ok(
        &server.db.url,
        &["import", "disqus", file.to_str().unwrap()],
    );
    assert!(
        summary.contains("Imported 0 posts, 0 pages, 5 comments"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "https://hawler.wordpress.com/2017/05/05/a-post-that-never-moved/ (comments: 1)"
        ),
        "{summary}"
    );
    assert!(summary.contains("comment 880006"), "{summary}");
    let page = fresh(server, "/2019/01/02/water-for-everyone/").await;
    page.assert_contains("From Disqus: great statement &amp; thanks.")
        .assert_contains("Reply on Disqus 🙂")
        .assert_contains("Answering a post the export lost")
        .assert_contains("8 Responses to")
        .assert_lacks("spam spam");
    let dana = page.body.find("From Disqus").unwrap();
    let nested = page.body[dana..].find("<ol class=\"children\">").unwrap() + dana;
    assert!(nested < page.body.find("Reply on Disqus").unwrap());
    assert_lacks_deleted(server).await;

    let again = ok(
        &server.db.url,
        &["import", "disqus", file.to_str().unwrap()],
    );
    assert!(
        again.contains("Imported 0 posts, 0 pages, 0 comments"),
        "{again}"
    );
    fresh(server, "/2019/01/02/water-for-everyone/")
        .await
        .assert_contains("8 Responses to");
}

each_backend!(
    disqus_threads_find_their_posts_by_url,
    disqus_threads_find_their_posts_by_url_story
);

async fn assert_lacks_deleted(server: &TestServer) {
    // A comment deleted on Disqus arrives in the trash, not on the page.
    server.get("/about/").await.assert_lacks("I deleted this");
}

/// What a site holds, in a form two sites can be compared by.
async fn snapshot(store: &tribune::store::Store) -> Vec<String> {
    let mut out = Vec::new();
    let posts = store.export_posts(0, 10_000).await.unwrap();
    for p in posts {
        let body = tribune::domain::html::plain_text(&p.body_html);
        out.push(format!(
            "{} {} {} {} {} {:?} open={} {} | {}",
            p.kind,
            p.slug,
            p.title,
            p.status,
            p.lang,
            p.published_at,
            p.comments_open,
            p.author_login,
            body
        ));
        let comments = store.export_comments(p.id).await.unwrap();
        for c in &comments {
            let parent = c
                .parent_id
                .and_then(|id| comments.iter().find(|x| x.id == id))
                .map(|x| x.author_name.clone());
            out.push(format!(
                "  {} {} {} <{}> {:?} ip={} at={} parent={:?} | {}",
                c.kind,
                c.status,
                c.author_name,
                c.author_email,
                c.author_url,
                c.ip,
                c.created_at,
                parent,
                tribune::domain::html::plain_text(&tribune::domain::html::render_imported_comment(
                    &c.body
                ))
            ));
        }
        let mut terms = store.post_terms(p.id).await.unwrap();
        terms.sort();
        out.push(format!("  terms {terms:?}"));
    }
    out.sort();
    out
}

async fn export_then_import_gives_the_same_site_story(server: &TestServer) {
    import_wordpress(server, "wxr-1.2.xml");
    let disqus = fixture("disqus.xml");
    ok(
        &server.db.url,
        &["import", "disqus", disqus.to_str().unwrap()],
    );
    // A post and a reply written here, in Markdown and the comment form.
    server.setup_admin().await;
    server.state.content_changed().await;
    let (id, url) = server
        .publish("Written *here*", "Some **bold** text\n\n- a list")
        .await;
    let guest = crate::support::client();
    let res = server
        .comment(
            &guest,
            id,
            0,
            "Guest Person",
            "Hello & welcome <em>you</em>",
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let cid = crate::support::comment_id_of(&res.location());
    server
        .store
        .set_comment_status(
            &[cid],
            tribune::domain::comment::CommentStatus::Approved,
            &crate::support::actor(),
        )
        .await
        .unwrap();
    assert!(fresh(server, &url)
        .await
        .body
        .contains("Hello &amp; welcome"));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("site.xml");
    let (okay, _, err) = tribune(
        &server.db.url,
        &[
            "export",
            "wordpress",
            "--site-url",
            "https://hawler.example",
            "-o",
            file.to_str().unwrap(),
        ],
    );
    assert!(okay, "{err}");
    assert!(
        err.contains("Exported 5 posts and pages with 14 comments."),
        "{err}"
    );
    let xml = std::fs::read_to_string(&file).unwrap();
    for must in [
        "<wp:wxr_version>1.2</wp:wxr_version>",
        "xmlns:wp=\"http://wordpress.org/export/1.2/\"",
        "<wp:base_site_url>https://hawler.example</wp:base_site_url>",
        "<wp:post_type><![CDATA[page]]></wp:post_type>",
        "<wp:comment_type><![CDATA[pingback]]></wp:comment_type>",
        "<wp:comment_approved><![CDATA[spam]]></wp:comment_approved>",
        "]]]]><![CDATA[>",
        "<category domain=\"post_tag\" nicename=\"water\"><![CDATA[Water]]></category>",
    ] {
        assert!(xml.contains(must), "export lacks {must}");
    }
    // Standard output gives the same file.
    let stdout = ok(
        &server.db.url,
        &[
            "export",
            "wordpress",
            "--site-url",
            "https://hawler.example",
        ],
    );
    assert_eq!(
        stdout.lines().filter(|l| !l.contains("<pubDate>")).count(),
        xml.lines().filter(|l| !l.contains("<pubDate>")).count()
    );

    // Into an empty site of the same backend.
    let backend = if server.db.url.starts_with("sqlite") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    let mut empty = TestDb::create(backend).await;
    let summary = ok(
        &empty.url,
        &[
            "--create-site",
            "import",
            "wordpress",
            file.to_str().unwrap(),
        ],
    );
    assert!(
        summary.contains("Imported 4 posts, 1 page, 14 comments"),
        "{summary}"
    );
    let other = tribune::store::Store::connect(&empty.url).await.unwrap();
    let before = snapshot(&server.store).await;
    let after = snapshot(&other).await;
    assert_eq!(before, after);
    other.close().await;
    empty.drop_db().await;
}

each_backend!(
    export_then_import_gives_the_same_site,
    export_then_import_gives_the_same_site_story
);

async fn personal_data_is_exported_and_erased_story(server: &TestServer) {
    import_wordpress(server, "wxr-1.2.xml");
    server.setup_admin().await;
    let csrf = server.admin_csrf().await;
    server
        .get("/admin/privacy")
        .await
        .assert_contains("Personal data");

    // Export as JSON, from the admin.
    let res = server
        .post(
            "/admin/privacy",
            &[
                ("csrf", &csrf),
                ("email", "Reber@Example.org"),
                ("action", "export"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(json["email"], "reber@example.org");
    assert_eq!(
        json["comments"][0]["content"],
        "Fully agree &amp; signed.\n\nSecond paragraph 👍"
    );
    assert_eq!(json["comments"][0]["ip"], "192.0.2.10");
    assert_eq!(
        json["comments"][0]["post"]["path"],
        "/2019/01/02/water-for-everyone/"
    );

    // Erasing needs the box ticked; without it nothing changes.
    let res = server
        .post(
            "/admin/privacy",
            &[
                ("csrf", &csrf),
                ("email", "reber@example.org"),
                ("action", "anonymise"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("tick the box");
    fresh(server, "/2019/01/02/water-for-everyone/")
        .await
        .assert_contains("Rêber");

    let res = server
        .post(
            "/admin/privacy",
            &[
                ("csrf", &csrf),
                ("email", "reber@example.org"),
                ("action", "anonymise"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    res.assert_contains("One comment anonymised.");
    let page = fresh(server, "/2019/01/02/water-for-everyone/").await;
    page.assert_lacks("Rêber")
        .assert_lacks("reber.example.org")
        .assert_contains("Fully agree &amp; signed.")
        .assert_contains("Anonymous");
    server
        .get("/admin/comments?status=approved")
        .await
        .assert_lacks("192.0.2.10");

    // A form without a token is refused.
    let res = server
        .post(
            "/admin/privacy",
            &[("email", "sara@example.org"), ("action", "export")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // The CLI does the same: export, then delete the comments.
    let out = ok(&server.db.url, &["privacy", "export", "sara@example.org"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["comments"][0]["author_name"], "سارا");
    let out = ok(
        &server.db.url,
        &[
            "privacy",
            "erase",
            "sara@example.org",
            "--delete-comments",
            "--yes",
        ],
    );
    assert!(out.contains("Deleted 1 comment."), "{out}");
    let page = fresh(server, "/2019/01/02/water-for-everyone/").await;
    page.assert_lacks("ئاو مافی هەمووانە")
        .assert_contains("4 Responses to");
    let out = ok(&server.db.url, &["privacy", "export", "sara@example.org"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["comments"].as_array().unwrap().len(), 0);
}

each_backend!(
    personal_data_is_exported_and_erased,
    personal_data_is_exported_and_erased_story
);

/// A generated export far larger than the memory the import may use: one post with
/// thousands of comments and many ordinary posts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_export_imports_in_flat_memory() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("large.xml");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/gen_wxr.py");
    let status = Command::new("python3")
        .arg(&script)
        .args([
            "--posts",
            "2000",
            "--comments",
            "20",
            "--big-post-comments",
            "5000",
            "--out",
        ])
        .arg(&file)
        .status()
        .expect("python3 runs the generator");
    assert!(status.success());
    let size_mb = std::fs::metadata(&file).unwrap().len() as f64 / 1e6;
    assert!(size_mb > 40.0, "the file is {size_mb:.0} MB");
    let db = TestDb::create(Backend::Sqlite).await;
    ok(&db.url, &["--create-site", "user", "list"]); // the schema, before anything is timed or killed

    // Interrupted halfway (the power goes, someone presses Ctrl-C): nothing stays...
    let mut child = Command::new(env!("CARGO_BIN_EXE_tribune"))
        .args(["--database-url", &db.url, "import", "wordpress"])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(
        child.try_wait().unwrap().is_none(),
        "still importing when killed"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let store = tribune::store::Store::connect(&db.url).await.unwrap();
    assert_eq!(
        store.all_posts(None).await.unwrap().len(),
        0,
        "a killed import leaves nothing"
    );
    store.close().await;

    // ...and running it again simply does the whole job.
    let out = ok(&db.url, &["import", "wordpress", file.to_str().unwrap()]);
    assert!(
        out.contains("Imported 2,001 posts, 0 pages, 45,000 comments"),
        "{out}"
    );
    let peak: f64 = out
        .split("peak memory ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no peak memory in {out}"));
    // Flat: what the 63 MB file costs past what a file of a few posts costs (the
    // binary's own pages, the runtime, the pools), so the bound does not move each time
    // a dependency makes the program larger.
    let small_db = TestDb::create(Backend::Sqlite).await;
    let small = ok(
        &small_db.url,
        &[
            "--create-site",
            "import",
            "wordpress",
            fixture("wxr-1.2.xml").to_str().unwrap(),
        ],
    );
    let baseline: f64 = small
        .split("peak memory ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no peak memory in {small}"));
    assert!(
        peak < baseline + 12.0,
        "peak memory {peak} MB for a {size_mb:.0} MB file, {baseline} MB for a small one"
    );
}

async fn a_taken_slug_is_renamed_and_old_links_follow_story(server: &TestServer) {
    // A post written here already uses the slug an imported post wants.
    server.setup_admin().await;
    let (_, mine) = server
        .publish("Water for everyone", "Written here first.")
        .await;
    assert!(mine.ends_with("/water-for-everyone/"), "{mine}");
    let summary = import_wordpress(server, "wxr-1.2.xml");
    assert!(
        summary.contains("slug already used here: renamed (the old /?p= link still works)"),
        "{summary}"
    );
    assert!(
        summary.contains("water-for-everyone → water-for-everyone-2"),
        "{summary}"
    );
    let res = fresh(server, "/?p=101").await;
    assert_eq!(res.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(res.location(), "/2019/01/02/water-for-everyone-2/");
    server
        .get("/2019/01/02/water-for-everyone-2/")
        .await
        .assert_contains("We call on the council to act.");
    server
        .get(&mine)
        .await
        .assert_contains("Written here first.");
}

each_backend!(
    a_taken_slug_is_renamed_and_old_links_follow,
    a_taken_slug_is_renamed_and_old_links_follow_story
);

async fn odd_bytes_found_in_real_exports_import_story(server: &TestServer) {
    // A byte-order mark, blank lines before the declaration, Windows line ends, a NUL
    // and a vertical tab in a comment, an HTML entity outside CDATA: old exports have
    // them all, and PostgreSQL refuses a NUL.
    let original = std::fs::read_to_string(fixture("wxr-1.0.xml")).unwrap();
    let odd = format!(
        "\u{feff}\n\n{}",
        original
            .replace("Welcome to the web!", "Welcome\u{0}to the\u{b}web!")
            .replace(
                "<title>Hello 2008</title>",
                "<title>Hello&nbsp;2008 &hellip;</title>"
            )
            .replace('\n', "\r\n")
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("odd.xml");
    std::fs::write(&file, odd).unwrap();
    let summary = ok(
        &server.db.url,
        &["import", "wordpress", file.to_str().unwrap()],
    );
    assert!(
        summary.contains("Imported 1 post, 0 pages, 1 comment"),
        "{summary}"
    );
    let page = fresh(server, "/2008/11/01/hello-2008/").await;
    page.assert_contains("Hello\u{a0}2008 …")
        .assert_contains("Welcometo the\u{b}web!");
}

each_backend!(
    odd_bytes_found_in_real_exports_import,
    odd_bytes_found_in_real_exports_import_story
);

/// A WordPress export says only the site's language (`en-US`) for every post: a post
/// written in Arabic or Kurdish is given the language of its text, its page speaks it,
/// and the summary says so; a Polylang term or `--lang` still decides when given.
async fn a_posts_language_comes_from_its_text_story(server: &TestServer) {
    let item = |id: u32, slug: &str, title: &str, body: &str| {
        format!(
            "<item><title>{title}</title><link>https://ministry.example/{slug}/</link>\
             <dc:creator><![CDATA[press]]></dc:creator><content:encoded><![CDATA[{body}]]></content:encoded>\
             <wp:post_id>{id}</wp:post_id><wp:post_date_gmt>2026-11-0{id} 10:00:00</wp:post_date_gmt>\
             <wp:comment_status>open</wp:comment_status><wp:post_name>{slug}</wp:post_name>\
             <wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>"
        )
    };
    let wxr = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:wp=\"http://wordpress.org/export/1.2/\">\
         <channel><title>Ministry</title><link>https://ministry.example</link><language>en-US</language>\
         <wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://ministry.example</wp:base_site_url>\
         {}{}{}</channel></rss>",
        item(1, "budget", "Statement on the Budget", "The regional government announced the budget today, with more for the schools of every district."),
        item(2, "budget-ar", "بيان بشأن الميزانية", "أعلنت حكومة الإقليم اليوم عن الميزانية الجديدة، وتشمل زيادة في تمويل المدارس في كل المحافظات."),
        item(3, "budget-ckb", "ڕاگەیەندراو دەربارەی بودجە", "حکومەتی هەرێم ئەمڕۆ بودجەی نوێی ڕاگەیاند، کە زیادکردنی پارەی قوتابخانەکان لەخۆ دەگرێت."),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ministry.xml");
    std::fs::write(&file, wxr).unwrap();
    let summary = ok(
        &server.db.url,
        &["import", "wordpress", file.to_str().unwrap()],
    );
    assert!(
        summary.contains("language found in the text: ar"),
        "{summary}"
    );
    assert!(
        summary.contains("language found in the text: ckb"),
        "{summary}"
    );
    let lang = |slug: &'static str| async move {
        server.store.post_by_slug(slug).await.unwrap().unwrap().lang
    };
    assert_eq!(lang("budget").await, "en-US");
    assert_eq!(lang("budget-ar").await, "ar");
    assert_eq!(lang("budget-ckb").await, "ckb");
    let post = server
        .store
        .post_by_slug("budget-ar")
        .await
        .unwrap()
        .unwrap();
    let page = fresh(server, &post.permalink()).await;
    page.assert_contains("<html lang=\"ar\" dir=\"rtl\">")
        .assert_contains("اترك تعليقًا");
}

each_backend!(
    a_posts_language_comes_from_its_text,
    a_posts_language_comes_from_its_text_story
);
