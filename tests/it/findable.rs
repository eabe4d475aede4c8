//! Readers find and follow the site (issue 14) over HTTP on both databases: feeds at
//! WordPress's addresses read by a real feed parser (Python's `feedparser`), sitemaps
//! and robots.txt, link previews read as a preview service reads them (`extruct`).
//!
//! The Python readers live in `tests/readers/`; a run without them skips with the
//! reason, unless `TRIBUNE_REQUIRE_READERS=1` or `CI=true`.

use reqwest::StatusCode;
use serde_json::Value;
use tribune::config::ServeSettings;

use crate::each_backend;
use crate::support::{backends, client, TestServer};

/// Whether python3 can import `modules` (comma-separated); panics where CI requires
/// the readers (`TRIBUNE_REQUIRE_READERS=1` or `CI=true`), else says how to get them.
pub fn python_has(modules: &str, pip: &str) -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .status()
        .is_ok_and(|s| s.success());
    let required = std::env::var("TRIBUNE_REQUIRE_READERS").is_ok_and(|v| v == "1")
        || std::env::var("CI").is_ok_and(|v| v == "true");
    if !ok && required {
        panic!("{modules} required: pip install {pip}");
    }
    if !ok {
        eprintln!("skipping: pip install {pip} to run this test");
    }
    ok
}

/// Whether the feed and preview readers can run.
pub fn readers() -> bool {
    python_has("feedparser, extruct", "feedparser extruct")
}

/// Runs `tests/readers/{script}` on `url`; its JSON answer.
pub fn read(script: &str, url: &str) -> Value {
    let out = std::process::Command::new("python3")
        .arg(format!(
            "{}/tests/readers/{script}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .arg(url)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{script} {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the reader prints JSON")
}

/// Saves a post from the editor (`id` None: a new one) with `fields` over the
/// defaults; its id.
pub async fn save(s: &TestServer, id: Option<i64>, fields: &[(&str, &str)]) -> i64 {
    let csrf = s.admin_csrf().await;
    let mut form: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("lang", "en"),
        ("status", "published"),
        ("comments_open", "on"),
        ("action", "save"),
    ];
    for (k, v) in fields {
        form.retain(|(key, _)| key != k);
        form.push((k, v));
    }
    let path = match id {
        Some(id) => format!("/admin/posts/{id}"),
        None => "/admin/posts".to_string(),
    };
    let res = s.post(&path, &form).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    match id {
        Some(id) => id,
        None => res
            .location()
            .trim_start_matches("/admin/posts/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap(),
    }
}

/// Posts a guest comment on `post` and approves it from the queue; its id.
pub async fn approved_comment(s: &TestServer, post: i64, name: &str, body: &str) -> i64 {
    let res = s.comment(&client(), post, 0, name, body).await;
    let id = crate::support::comment_id_of(&res.location());
    let csrf = s.admin_csrf().await;
    let id_text = id.to_string();
    s.post(
        "/admin/comments",
        &[("csrf", &csrf), ("bulk", "approve"), ("ids", &id_text)],
    )
    .await;
    id
}

fn entries(feed: &Value) -> &Vec<Value> {
    feed["entries"].as_array().expect("entries")
}

fn titles(feed: &Value) -> Vec<String> {
    entries(feed)
        .iter()
        .map(|e| e["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

each_backend!(feeds_follow_the_site_at_wordpress_addresses, feeds);

async fn feeds(s: &TestServer) {
    if !readers() {
        return;
    }
    s.setup_admin().await;
    let csrf = s.admin_csrf().await;
    let (status, image) = crate::media::upload(
        s,
        &csrf,
        "harbour.jpg",
        "image/jpeg",
        crate::media::photo(800, 450),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{image}");
    let image_id = image["id"].as_i64().unwrap().to_string();
    let en = save(
        s,
        None,
        &[
            ("title", "Fish & <chips> \"today\""),
            ("body", "A [link](/about/) and ![harbour](/media/x.jpg)."),
            ("new_category", "Statements"),
            ("tags", "harbour"),
            ("featured_media", &image_id),
        ],
    )
    .await;
    let ar = save(
        s,
        None,
        &[
            ("title", "بيان حول الميناء"),
            ("body", "نص البيان."),
            ("lang", "ar"),
        ],
    )
    .await;
    save(
        s,
        None,
        &[
            ("title", "A draft nobody sees"),
            ("body", "x"),
            ("status", "draft"),
        ],
    )
    .await;
    save(
        s,
        None,
        &[
            ("title", "Scheduled for next year"),
            ("body", "x"),
            ("status", "published"),
            ("published_at", "2099-01-01T10:00"),
        ],
    )
    .await;
    let comment = approved_comment(s, en, "Rana", "Well said & <b>true</b>.").await;

    // The site's feed, RSS 2.0: well-formed, newest first, nothing unpublished.
    let rss = read("feed.py", &s.url("/feed/"));
    assert_eq!(rss["bozo"], false, "{rss}");
    assert_eq!(rss["version"], "rss20");
    assert_eq!(rss["feed"]["language"], "en");
    assert_eq!(
        titles(&rss),
        ["بيان حول الميناء", "Fish & <chips> \"today\""]
    );
    let fish = &entries(&rss)[1];
    let guid = fish["id"].as_str().unwrap().to_string();
    assert!(guid.starts_with("urn:uuid:"), "{guid}");
    assert_eq!(fish["author"], "Ada Admin");
    assert_eq!(fish["tags"], serde_json::json!(["Statements", "harbour"]));
    assert!(fish["published_parsed"].is_array());
    assert_eq!(fish["slash_comments"], "1");
    // Full text by default, its addresses absolute.
    let content = fish["content"][0].as_str().unwrap();
    assert!(
        content.contains(&format!("href=\"{}\"", s.url("/about/"))),
        "{content}"
    );
    // The featured image as the enclosure, with its type and length.
    let enclosure = &fish["enclosures"][0];
    assert_eq!(enclosure["type"], "image/jpeg");
    assert!(enclosure["href"]
        .as_str()
        .unwrap()
        .starts_with(&s.url("/media/")));
    assert!(
        enclosure["length"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 1000
    );
    let arabic = &entries(&rss)[0];
    assert!(arabic["content"][0]
        .as_str()
        .unwrap()
        .contains("dir=\"rtl\""));

    // Atom: the same ids, each entry's language.
    let atom = read("feed.py", &s.url("/feed/atom/"));
    assert_eq!(atom["bozo"], false, "{atom}");
    assert_eq!(atom["version"], "atom10");
    assert_eq!(entries(&atom)[1]["id"], guid.as_str());
    assert_eq!(entries(&atom)[0]["title_lang"], "ar");
    assert_eq!(entries(&atom)[1]["enclosures"][0]["type"], "image/jpeg");

    // A language's, a category's, a tag's feed.
    let only_ar = read("feed.py", &s.url("/ar/feed/"));
    assert_eq!(titles(&only_ar), ["بيان حول الميناء"]);
    assert_eq!(only_ar["feed"]["language"], "ar");
    assert_eq!(
        read("feed.py", &s.url("/ar/feed/atom/"))["version"],
        "atom10"
    );
    for path in ["/category/statements/feed/", "/tag/harbour/feed/atom/"] {
        let f = read("feed.py", &s.url(path));
        assert_eq!(f["bozo"], false, "{path}: {f}");
        assert_eq!(titles(&f), ["Fish & <chips> \"today\""], "{path}");
    }
    assert_eq!(
        s.get("/category/nothing/feed/").await.status,
        StatusCode::NOT_FOUND
    );

    // Comments: the site's and the post's, in RSS and Atom.
    let post = s.store.post_by_id(en).await.unwrap().unwrap();
    for path in [
        "/comments/feed/".to_string(),
        "/comments/feed/atom/".to_string(),
        format!("{}feed/", post.permalink()),
        format!("{}feed/atom/", post.permalink()),
    ] {
        let f = read("feed.py", &s.url(&path));
        assert_eq!(f["bozo"], false, "{path}: {f}");
        let e = &entries(&f)[0];
        assert_eq!(entries(&f).len(), 1, "{path}");
        assert_eq!(e["id"], format!("{guid}#comment-{comment}"));
        assert_eq!(e["author"], "Rana");
        assert!(
            e["summary"].as_str().unwrap().contains("Well said &"),
            "{e}"
        );
        assert_eq!(e["link"], s.url(&format!("/comment/{comment}/")));
    }
    let f = read("feed.py", &s.url("/comments/feed/"));
    assert!(entries(&f)[0]["title"]
        .as_str()
        .unwrap()
        .contains("Fish & <chips>"));
    // WordPress's older formats lead to the RSS one; a post at a wrong date too.
    let res = s.get_with(&client(), "/feed/rdf/").await;
    assert_eq!(res.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(res.location(), "/feed/");
    assert_eq!(s.get("/feed/nonsense/").await.status, StatusCode::NOT_FOUND);
    let wrong = format!("/1999/01/01/{}/feed/", post.slug);
    let res = s.get_with(&client(), &wrong).await;
    assert_eq!(res.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(res.location(), format!("{}feed/", post.permalink()));
    let draft = s.store.post_by_id(ar + 1).await.unwrap().unwrap();
    assert_eq!(
        s.get(&format!("/{}/feed/", draft.slug)).await.status,
        StatusCode::NOT_FOUND
    );

    // Conditional GET: the ETag and the date each give 304; a change gives 200.
    let c = client();
    let first = c.get(s.url("/feed/")).send().await.unwrap();
    assert_eq!(
        first.headers()["content-type"],
        "application/rss+xml; charset=utf-8"
    );
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let modified = first.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_string();
    let again = |h: &'static str, v: String| {
        let c = c.clone();
        let url = s.url("/feed/");
        async move { c.get(url).header(h, v).send().await.unwrap().status() }
    };
    assert_eq!(
        again("if-none-match", etag.clone()).await,
        StatusCode::NOT_MODIFIED
    );
    assert_eq!(
        again("if-modified-since", modified.clone()).await,
        StatusCode::NOT_MODIFIED
    );
    assert_eq!(
        again("if-modified-since", "Thu, 01 Jan 2009 00:00:00 GMT".into()).await,
        StatusCode::OK
    );
    // A new slug: the id stays, the link follows; the feed changed.
    save(
        s,
        Some(en),
        &[
            ("title", "Fish & <chips> \"today\""),
            ("body", "Shorter now."),
            ("slug", "fish-and-chips"),
            ("featured_media", &image_id),
        ],
    )
    .await;
    assert_eq!(again("if-none-match", etag).await, StatusCode::OK);
    let rss = read("feed.py", &s.url("/feed/"));
    let fish = &entries(&rss)[0];
    assert_eq!(fish["id"], guid.as_str());
    assert!(fish["link"].as_str().unwrap().ends_with("/fish-and-chips/"));

    // Summaries only, when the site says so.
    s.get("/admin/settings")
        .await
        .assert_contains("name=\"rss_use_excerpt\"");
    crate::discussion::save_rules(s, &[("rss_use_excerpt", "true"), ("posts_per_rss", "1")]).await;
    let rss = read("feed.py", &s.url("/feed/"));
    assert_eq!(entries(&rss).len(), 1);
    assert_eq!(entries(&rss)[0]["content"], serde_json::json!([]));
    assert_eq!(entries(&rss)[0]["summary"], "Shorter now.");

    // Discovery on the pages that have a feed.
    s.get_with(&client(), "/").await.assert_contains(
        "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Ministry of Examples » Feed\" href=\"/feed/\">",
    );
    let page = s
        .get_with(
            &client(),
            &post.permalink().replace(&post.slug, "fish-and-chips"),
        )
        .await;
    page.assert_contains("href=\"/2026/");
    assert!(
        page.body.contains("fish-and-chips/feed/\">"),
        "post comments feed link"
    );
    s.get_with(&client(), "/category/statements/")
        .await
        .assert_contains("href=\"/category/statements/feed/\"");
    s.get_with(&client(), "/ar/")
        .await
        .assert_contains("href=\"/ar/feed/\"");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sitemaps_list_only_what_readers_can_see() {
    for backend in backends() {
        eprintln!("-- sitemaps on {backend:?}");
        // Two addresses a sitemap, to see the split.
        let server = TestServer::start_with(
            backend,
            ServeSettings {
                sitemap_urls: 2,
                ..ServeSettings::default()
            },
        )
        .await;
        sitemaps(&server).await;
        server.stop().await;
    }
}

async fn sitemaps(s: &TestServer) {
    s.setup_admin().await;
    let en = save(
        s,
        None,
        &[
            ("title", "Statement on water"),
            ("body", "x"),
            ("tags", "water"),
        ],
    )
    .await;
    let ar = save(
        s,
        None,
        &[("title", "بيان حول المياه"), ("body", "x"), ("lang", "ar")],
    )
    .await;
    save(
        s,
        Some(ar),
        &[
            ("title", "بيان حول المياه"),
            ("body", "x"),
            ("lang", "ar"),
            ("translation_of", &en.to_string()),
        ],
    )
    .await;
    save(s, None, &[("title", "Third post"), ("body", "x")]).await;
    save(
        s,
        None,
        &[
            ("title", "Secret draft"),
            ("body", "x"),
            ("status", "draft"),
        ],
    )
    .await;
    save(
        s,
        None,
        &[
            ("title", "Future post"),
            ("body", "x"),
            ("published_at", "2099-01-01T10:00"),
        ],
    )
    .await;

    let robots = s.get_with(&client(), "/robots.txt").await;
    assert_eq!(robots.status, StatusCode::OK);
    robots.assert_contains(&format!("Sitemap: {}\n", s.url("/sitemap.xml")));
    robots.assert_contains("Disallow: /admin/\n");

    let index = s.get_with(&client(), "/sitemap.xml").await;
    assert_eq!(
        index.headers["content-type"],
        "application/xml; charset=utf-8"
    );
    well_formed(&index.body);
    let maps = locs(&index.body);
    assert_eq!(
        maps,
        [
            s.url("/sitemaps/home.xml"),
            s.url("/sitemaps/posts-1.xml"),
            s.url("/sitemaps/posts-2.xml"),
            s.url("/sitemaps/terms-1.xml"),
        ]
    );
    let mut all = Vec::new();
    for map in &maps {
        let path = map.strip_prefix(&s.url("")).unwrap();
        let res = s.get_with(&client(), path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        well_formed(&res.body);
        let here = locs(&res.body);
        // The home page and each language's are a handful; the rest are split.
        assert!(
            here.len() <= 2 || path == "/sitemaps/home.xml",
            "{path}: {here:?}"
        );
        all.extend(here);
    }
    let en_post = s.store.post_by_id(en).await.unwrap().unwrap();
    let ar_post = s.store.post_by_id(ar).await.unwrap().unwrap();
    let en_url = s.url(&en_post.permalink());
    let ar_url = s.url(&tribune::domain::site_url::encode_path(
        &ar_post.permalink(),
    ));
    assert!(all.contains(&en_url), "{all:?}");
    assert!(all.contains(&ar_url), "{all:?}");
    assert!(all.contains(&s.url("/tag/water/")), "{all:?}");
    assert!(all.contains(&s.url("/ar/")), "{all:?}");
    assert!(
        !all.iter()
            .any(|u| u.contains("secret") || u.contains("future")),
        "{all:?}"
    );
    // Translations name each other, and the site's language is the default.
    let posts1 = s.get_with(&client(), "/sitemaps/posts-1.xml").await.body;
    for (lang, href) in [("en", &en_url), ("ar", &ar_url), ("x-default", &en_url)] {
        assert!(
            posts1.contains(&format!(
                "<xhtml:link rel=\"alternate\" hreflang=\"{lang}\" href=\"{href}\"/>"
            )),
            "{lang}: {posts1}"
        );
    }
    for path in [
        "/sitemaps/posts-3.xml",
        "/sitemaps/posts-01.xml",
        "/sitemaps/nothing.xml",
    ] {
        assert_eq!(
            s.get_with(&client(), path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let res = s.get_with(&client(), "/wp-sitemap.xml").await;
    assert_eq!(res.location(), "/sitemap.xml");
}

each_backend!(a_shared_link_shows_its_title_summary_and_image, previews);

async fn previews(s: &TestServer) {
    if !readers() {
        return;
    }
    s.setup_admin().await;
    let csrf = s.admin_csrf().await;
    let (_, image) = crate::media::upload(
        s,
        &csrf,
        "minister.jpg",
        "image/jpeg",
        crate::media::photo(1600, 900),
    )
    .await;
    let image_id = image["id"].as_i64().unwrap().to_string();
    let csrf = s.admin_csrf().await;
    let media_id = image["id"].as_i64().unwrap();
    s.post(
        &format!("/admin/media/{media_id}"),
        &[
            ("csrf", &csrf),
            ("alt", "The minister at the lectern"),
            ("title", ""),
        ],
    )
    .await;
    let en = save(
        s,
        None,
        &[
            ("title", "Statement on the harbour </script>"),
            ("excerpt", "What we ask of the council."),
            ("body", "The full text."),
            ("new_category", "Statements"),
            ("tags", "harbour, council"),
            ("featured_media", &image_id),
        ],
    )
    .await;
    let ar = save(
        s,
        None,
        &[
            ("title", "بيان حول الميناء"),
            ("body", "النص."),
            ("lang", "ar"),
        ],
    )
    .await;
    save(
        s,
        Some(ar),
        &[
            ("title", "بيان حول الميناء"),
            ("body", "النص."),
            ("lang", "ar"),
            ("translation_of", &en.to_string()),
        ],
    )
    .await;
    let post = s.store.post_by_id(en).await.unwrap().unwrap();
    let url = s.url(&post.permalink());
    let p = read("preview.py", &url);
    let og = &p["og"];
    assert_eq!(og["og:title"], "Statement on the harbour </script>", "{p}");
    assert_eq!(og["og:description"], "What we ask of the council.");
    assert_eq!(og["@type"], "article");
    assert_eq!(og["og:url"], url.as_str());
    assert_eq!(og["og:site_name"], "Ministry of Examples");
    assert_eq!(og["og:locale"], "en_US");
    assert_eq!(og["og:locale:alternate"], "ar_AR");
    let img = og["og:image"].as_str().unwrap();
    assert!(
        img.starts_with(&s.url("/media/")) && img.contains("-1280."),
        "{img}"
    );
    assert_eq!(og["og:image:width"], "1280");
    assert_eq!(og["og:image:height"], "720");
    assert_eq!(og["og:image:alt"], "The minister at the lectern");
    assert_eq!(og["article:section"], "Statements");
    // The image is there for the service to fetch.
    assert_eq!(p["image"]["status"], 200);
    assert_eq!(p["image"]["type"], "image/jpeg");
    assert_eq!(p["twitter"]["twitter:card"], "summary_large_image");
    assert_eq!(p["twitter"]["twitter:image"], img);
    assert_eq!(p["canonical"], serde_json::json!([url]));
    let ld = &p["json_ld"][0];
    assert_eq!(ld["@type"], "NewsArticle", "{ld}");
    assert_eq!(ld["headline"], "Statement on the harbour </script>");
    assert_eq!(ld["inLanguage"], "en");
    assert_eq!(ld["author"][0]["name"], "Ada Admin");
    assert_eq!(ld["image"][0]["url"], img);
    assert_eq!(ld["keywords"], serde_json::json!(["council", "harbour"]));
    let published = ld["datePublished"].as_str().unwrap();
    assert!(
        time::OffsetDateTime::parse(published, &time::format_description::well_known::Rfc3339)
            .is_ok()
    );

    // The Arabic version: its own locale, the English one as the alternate, a summary
    // card without an image.
    let ar_post = s.store.post_by_id(ar).await.unwrap().unwrap();
    let ar_url = s.url(&tribune::domain::site_url::encode_path(
        &ar_post.permalink(),
    ));
    let p = read("preview.py", &ar_url);
    assert_eq!(p["og"]["og:locale"], "ar_AR", "{p}");
    assert_eq!(p["og"]["og:locale:alternate"], "en_US");
    assert_eq!(p["og"]["og:title"], "بيان حول الميناء");
    assert_eq!(p["twitter"]["twitter:card"], "summary");
    assert_eq!(p["json_ld"][0]["inLanguage"], "ar");
}

/// Every `<loc>` of a sitemap index or sitemap, in order.
fn locs(xml: &str) -> Vec<String> {
    xml.split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().unwrap().replace("&amp;", "&"))
        .collect()
}

/// Parses `xml` to its end; panics at the first error.
fn well_formed(xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "not well-formed at {}: {e}\n{xml}",
                reader.buffer_position()
            ),
        }
    }
}

/// The results of `/?s=query` (or `path`) as a reader sees them: the titles' text, in
/// order, and the page.
async fn search(s: &TestServer, path: &str) -> (Vec<String>, crate::support::Response) {
    let res = s.get_with(&client(), path).await;
    let titles = res
        .body
        .split("<h2 class=\"entry-title\"><a href=\"")
        .skip(1)
        .map(|t| {
            let inner = t.split_once("\">").unwrap().1.split("</a>").next().unwrap();
            inner
                .replace("<mark>", "")
                .replace("</mark>", "")
                .replace("&#39;", "'")
                .replace("&amp;", "&")
        })
        .collect();
    (titles, res)
}

fn q(words: &str) -> String {
    let enc: String = form_urlencoded::byte_serialize(words.as_bytes()).collect();
    format!("/?s={enc}")
}

each_backend!(kept_search_results_follow_every_change, kept_results);

/// A results page is kept for the next reader who asks the same, and forgotten the
/// moment a post it could show changes: published, edited, trashed.
async fn kept_results(s: &TestServer) {
    s.setup_admin().await;
    assert!(search(s, &q("quokka")).await.0.is_empty());
    let id = save(
        s,
        None,
        &[("title", "A quokka at the harbour"), ("body", "Seen.")],
    )
    .await;
    assert_eq!(search(s, &q("quokka")).await.0, ["A quokka at the harbour"]);
    assert_eq!(
        search(s, &q("quokka")).await.0,
        ["A quokka at the harbour"],
        "asked again: the kept page"
    );
    save(
        s,
        Some(id),
        &[("title", "Two quokkas at the harbour"), ("body", "Seen.")],
    )
    .await;
    assert_eq!(
        search(s, &q("quokka")).await.0,
        ["Two quokkas at the harbour"]
    );
    let csrf = s.admin_csrf().await;
    s.post(
        "/admin/posts/act",
        &[("csrf", csrf.as_str()), ("do", &format!("trash:{id}"))],
    )
    .await;
    assert!(search(s, &q("quokka")).await.0.is_empty(), "trashed: gone");
}

each_backend!(search_finds_posts_in_every_script, searching);

async fn searching(s: &TestServer) {
    s.setup_admin().await;
    save(
        s,
        None,
        &[
            ("title", "بيان حول الأحداث في المدينة"),
            ("body", "اجتمع المجلسُ البلديُّ اليوم."),
            ("lang", "ar"),
        ],
    )
    .await;
    save(
        s,
        None,
        &[
            ("title", "بەیاننامەی کوردستان"),
            ("body", "ئەمڕۆ کۆبوونەوە کرا."),
            ("lang", "ckb"),
        ],
    )
    .await;
    save(
        s,
        None,
        &[
            ("title", "İstanbul'da toplantı"),
            ("body", "Şehir meclisi toplandı."),
            ("lang", "tr"),
        ],
    )
    .await;
    save(
        s,
        None,
        &[
            ("title", "بیانیه"),
            ("body", "ما می‌خواهیم گفت‌وگو کنیم."),
            ("lang", "fa"),
        ],
    )
    .await;
    // Twelve about the harbour: one with it in the title, eleven in the text.
    save(
        s,
        None,
        &[
            ("title", "Harbour plans"),
            ("body", "What the council decided."),
        ],
    )
    .await;
    for i in 1..=11 {
        save(
            s,
            None,
            &[
                ("title", &format!("Notice {i}")),
                (
                    "body",
                    &format!("Notice {i} mentions the harbour once, among many other words."),
                ),
            ],
        )
        .await;
    }
    save(
        s,
        None,
        &[
            ("title", "Harbour draft"),
            ("body", "harbour"),
            ("status", "draft"),
        ],
    )
    .await;
    save(
        s,
        None,
        &[
            ("title", "Harbour later"),
            ("body", "harbour"),
            ("published_at", "2099-01-01T10:00"),
        ],
    )
    .await;

    // Arabic without hamza or harakat finds the text that has them, and marks it as
    // written; Sorani typed with Arabic kaf and yeh; Turkish in capitals; Persian
    // without the zero-width non-joiner.
    let (found, res) = search(s, &q("الاحداث المجلس")).await;
    assert_eq!(found, ["بيان حول الأحداث في المدينة"]);
    res.assert_contains("<mark>الأحداث</mark>");
    res.assert_contains("<mark>المجلسُ</mark>");
    res.assert_contains("<meta name=\"robots\" content=\"noindex, follow\">");
    assert_eq!(search(s, &q("كوردستان")).await.0, ["بەیاننامەی کوردستان"]);
    assert_eq!(search(s, &q("بهیاننامه")).await.0, ["بەیاننامەی کوردستان"]);
    assert_eq!(
        search(s, &q("ISTANBUL sehir")).await.0,
        ["İstanbul'da toplantı"]
    );
    assert_eq!(search(s, &q("میخواهیم")).await.0, ["بیانیه"]);

    // Ranked (the title first), paged, nothing unpublished.
    let (first, res) = search(s, &q("harb")).await;
    assert_eq!(first.len(), 10, "{first:?}");
    assert_eq!(first[0], "Harbour plans");
    res.assert_contains("12 posts and pages match.");
    res.assert_contains("href=\"/page/2/?s=harb\"");
    let (second, _) = search(s, "/page/2/?s=harb").await;
    assert_eq!(second.len(), 2, "{second:?}");
    assert!(!first
        .iter()
        .chain(&second)
        .any(|t| t.contains("draft") || t.contains("later")));
    assert_eq!(
        s.get_with(&client(), "/page/3/?s=harb").await.status,
        StatusCode::NOT_FOUND
    );

    // What a query language would read as operators is only words; markup is text.
    for odd in [
        "\"harbour\" OR NEAR(",
        "harbour' & !x:*",
        "*",
        "<script>alert(1)</script>",
    ] {
        let res = s.get_with(&client(), &q(odd)).await;
        assert_eq!(res.status, StatusCode::OK, "{odd}");
        res.assert_lacks("<script>alert");
    }
    let (none, res) = search(s, &q("nothingmatchesthis")).await;
    assert!(none.is_empty());
    res.assert_contains("Nothing matched these words.");
    // An empty box shows the form, not every post.
    let res = s.get_with(&client(), "/?s=").await;
    assert_eq!(res.status, StatusCode::OK);
    res.assert_contains("name=\"s\"")
        .assert_lacks("entry search-result");
    // Every page has the box.
    s.get_with(&client(), "/")
        .await
        .assert_contains("role=\"search\"");

    // An edit is found by its new words only; the trash is not searched.
    let plans = s
        .store
        .all_posts(None)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.title == "Harbour plans")
        .unwrap();
    save(
        s,
        Some(plans.id),
        &[
            ("title", "Quay plans"),
            ("body", "What the council decided."),
        ],
    )
    .await;
    assert_eq!(search(s, &q("quay")).await.0, ["Quay plans"]);
    assert_eq!(
        search(s, &q("harb"))
            .await
            .1
            .body
            .matches("entry search-result")
            .count(),
        10
    );
    let csrf = s.admin_csrf().await;
    s.post(
        "/admin/posts/act",
        &[("csrf", &csrf), ("do", &format!("trash:{}", plans.id))],
    )
    .await;
    assert!(search(s, &q("quay")).await.0.is_empty());

    // Posts from before search are indexed when the site starts, while it serves.
    s.sql("DELETE FROM search_index").await;
    let again = s.another_on_same_database(ServeSettings::default()).await;
    let mut found = Vec::new();
    for _ in 0..100 {
        found = search(&again, &q("istanbul")).await.0;
        if !found.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(found, ["İstanbul'da toplantı"]);
    again.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_word_in_very_many_posts_lists_the_newest_first() {
    for backend in backends() {
        eprintln!("-- search past the ranked matches on {backend:?}");
        // Ranked up to four matches here (1,000 as shipped), to see what lies past;
        // PostgreSQL then looks through the newest two posts before taking every
        // match from its index, so pages 1 and 2 take each way there.
        let s = TestServer::start_with(
            backend,
            ServeSettings {
                search_ranked_matches: 4,
                ..ServeSettings::default()
            },
        )
        .await;
        s.setup_admin().await;
        let csrf = s.admin_csrf().await;
        let res = s
            .post(
                "/admin/settings",
                &[
                    ("csrf", csrf.as_str()),
                    ("title", "Ministry of Examples"),
                    ("tagline", ""),
                    ("language", "en"),
                    ("thread_depth", "5"),
                    ("posts_per_page", "2"),
                    ("max_comment_chars", "10000"),
                    ("avatars", "identicon"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let mut ids = Vec::new();
        for (i, day) in ["01", "02", "03", "04", "05"].iter().enumerate() {
            // The oldest says "harbour" most, so ranking would put it first.
            let body = if i == 0 {
                "harbour harbour harbour harbour"
            } else {
                "the harbour"
            };
            let id = save(
                &s,
                None,
                &[
                    ("title", &format!("Notice {i}")),
                    ("body", body),
                    ("published_at", &format!("2026-11-{day}T10:00")),
                ],
            )
            .await;
            ids.push(id);
        }
        let (first, res) = search(&s, &q("harbour")).await;
        assert_eq!(first, ["Notice 4", "Notice 3"], "newest first");
        res.assert_contains("More than 4 posts and pages match.");
        let (second, res) = search(&s, "/page/2/?s=harbour").await;
        assert_eq!(second, ["Notice 2", "Notice 1"]);
        res.assert_contains("/page/3/?s=harbour");
        let (third, res) = search(&s, "/page/3/?s=harbour").await;
        assert_eq!(third, ["Notice 0"]);
        res.assert_lacks("/page/4/?s=harbour");
        assert_eq!(
            s.get("/page/4/?s=harbour").await.status,
            StatusCode::NOT_FOUND
        );
        // Within the limit, the best match leads.
        for id in &ids[3..] {
            s.post(
                "/admin/posts/act",
                &[("csrf", &csrf), ("do", &format!("trash:{id}"))],
            )
            .await;
        }
        let (ranked, res) = search(&s, &q("harbour")).await;
        assert_eq!(ranked, ["Notice 0", "Notice 2"]);
        res.assert_contains("3 posts and pages match.")
            .assert_lacks("More than");

        // Searching is work a stranger can ask for: 60 a minute per address.
        let mut answered = 5;
        let refused = loop {
            let res = s.get(&q("harbour")).await;
            if res.status != StatusCode::OK {
                break res;
            }
            answered += 1;
            assert!(answered <= 61, "searches were never limited");
        };
        assert!(answered >= 55, "limited after {answered} searches");
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        refused
            .assert_contains("You have searched many times this minute.")
            .assert_contains(r#"value="harbour""#);
        assert_eq!(s.get("/").await.status, StatusCode::OK, "reading goes on");
        s.stop().await;
    }
}
