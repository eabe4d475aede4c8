//! Compressed pages (issue 16, points 1 and 5): a reader asking for brotli, zstd or
//! gzip gets bytes that open to exactly the plain page, a reader asking for none gets
//! the plain page, each form has its own ETag and answers `304` to it, and a change to
//! the page replaces every form at once.

use std::io::Read;

use reqwest::StatusCode;

use crate::each_backend;
use crate::findable::approved_comment;
use crate::support::TestServer;

/// What the server sent for `path` with `Accept-Encoding: accept` (none if empty):
/// (status, Content-Encoding, ETag, Vary, raw body).
async fn fetch(
    s: &TestServer,
    path: &str,
    accept: &str,
    if_none_match: Option<&str>,
) -> (StatusCode, String, String, String, Vec<u8>) {
    let mut req = reqwest::Client::new().get(s.url(path));
    if !accept.is_empty() {
        req = req.header("accept-encoding", accept);
    }
    if let Some(tag) = if_none_match {
        req = req.header("if-none-match", tag);
    }
    let res = req.send().await.unwrap();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let (status, encoding, etag, vary) = (
        res.status(),
        header("content-encoding"),
        header("etag"),
        header("vary"),
    );
    (
        status,
        encoding,
        etag,
        vary,
        res.bytes().await.unwrap().to_vec(),
    )
}

/// `body` opened as `encoding` says.
fn open(encoding: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "" => out = body.to_vec(),
        "br" => {
            brotli::Decompressor::new(body, 4096)
                .read_to_end(&mut out)
                .unwrap();
        }
        "zstd" => out = zstd::decode_all(body).unwrap(),
        "gzip" => {
            flate2::read::GzDecoder::new(body)
                .read_to_end(&mut out)
                .unwrap();
        }
        other => panic!("unexpected Content-Encoding {other}"),
    }
    out
}

each_backend!(
    each_encoding_opens_to_the_plain_page_and_a_change_replaces_them_all,
    every_form
);

async fn every_form(s: &TestServer) {
    s.setup_admin().await;
    let long = "A paragraph of the statement, long enough to be worth compressing. ".repeat(60);
    let (post, url) = s.publish("A statement to compress", &long).await;
    let (status, encoding, plain_tag, vary, plain) = fetch(s, &url, "", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(encoding, "", "no Accept-Encoding: the plain page");
    assert!(
        vary.to_ascii_lowercase().contains("accept-encoding"),
        "{vary}"
    );
    assert!(String::from_utf8_lossy(&plain).contains("A statement to compress"));

    let mut tags = vec![plain_tag.clone()];
    for (accept, expected) in [
        ("gzip, deflate, br, zstd", "br"),
        ("gzip;q=1, br;q=0.5", "gzip"),
        ("zstd", "zstd"),
        ("gzip", "gzip"),
        ("br;q=0, gzip;q=0", ""),
        ("identity", ""),
    ] {
        let (status, encoding, tag, vary, body) = fetch(s, &url, accept, None).await;
        assert_eq!(status, StatusCode::OK, "{accept}");
        assert_eq!(encoding, expected, "{accept}");
        assert!(
            vary.to_ascii_lowercase().contains("accept-encoding"),
            "{accept}: {vary}"
        );
        assert_eq!(
            open(&encoding, &body),
            plain,
            "{accept}: opens to the plain page"
        );
        if !expected.is_empty() {
            assert!(
                body.len() * 3 < plain.len(),
                "{accept}: {} of {}",
                body.len(),
                plain.len()
            );
            assert_ne!(
                tag, plain_tag,
                "{accept}: a form of its own has a tag of its own"
            );
            // The form the reader has: 304, with that form's tag.
            let (again, _, again_tag, _, again_body) = fetch(s, &url, accept, Some(&tag)).await;
            assert_eq!(again, StatusCode::NOT_MODIFIED, "{accept}");
            assert_eq!(again_tag, tag);
            assert!(again_body.is_empty());
            // Another form's tag is not this one.
            let (other, ..) = fetch(s, &url, accept, Some(&plain_tag)).await;
            assert_eq!(other, StatusCode::OK, "{accept}: the plain page's tag");
        }
        tags.push(tag);
    }
    // HEAD: the same headers, no body.
    let head = reqwest::Client::new()
        .head(s.url(&url))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(head.headers()["content-encoding"], "br");
    assert!(head.bytes().await.unwrap().is_empty());

    // A change (an approved comment) replaces every form: each opens to the new page.
    approved_comment(s, post, "Bea", "An answer that every form must show").await;
    let (_, _, new_plain_tag, _, new_plain) = fetch(s, &url, "", None).await;
    assert!(String::from_utf8_lossy(&new_plain).contains("An answer that every form must show"));
    for accept in ["br", "zstd", "gzip"] {
        let (status, encoding, tag, _, body) = fetch(s, &url, accept, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            open(&encoding, &body),
            new_plain,
            "{accept} after the change"
        );
        assert!(!tags.contains(&tag), "{accept}: a new tag after the change");
    }
    assert_ne!(new_plain_tag, plain_tag);

    // Feeds, the stylesheet and a page drawn for one reader are compressed too.
    for path in ["/feed/", "/sitemap.xml"] {
        let (status, encoding, _, _, body) = fetch(s, path, "gzip", None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(encoding, "gzip", "{path}");
        assert!(!open("gzip", &body).is_empty());
    }
    // (Pages carry the stylesheet inline; it is still served for themes that link it.)
    let css = "/assets/style.css";
    let (_, encoding, _, _, body) = fetch(s, css, "br", None).await;
    assert_eq!(encoding, "br");
    let (_, _, _, _, plain_css) = fetch(s, css, "", None).await;
    assert_eq!(open("br", &body), plain_css);
    let own = format!("{url}?replytocom=1");
    let (_, _, _, _, own_plain) = fetch(s, &own, "", None).await;
    let (_, encoding, _, _, body) = fetch(s, &own, "gzip", None).await;
    assert_eq!(encoding, "gzip", "a page drawn for one reader");
    assert_eq!(open("gzip", &body), own_plain);
    // zstd: the cached page's kept frames around the reader's own part.
    let (_, encoding, _, _, body) = fetch(s, &own, "gzip, deflate, br, zstd", None).await;
    assert_eq!(
        encoding, "zstd",
        "a page drawn for one reader, to a reader who takes zstd"
    );
    assert_eq!(open("zstd", &body), own_plain);
    assert!(body.len() * 3 < own_plain.len());
}

each_backend!(the_theme_has_icons_and_a_manifest, icons);

async fn icons(s: &TestServer) {
    s.setup_admin().await;
    let home = s.get("/").await.body;
    for rel in [
        "rel=\"icon\"",
        "rel=\"apple-touch-icon\"",
        "rel=\"manifest\"",
    ] {
        assert!(home.contains(rel), "{rel}");
    }
    let href = |rel: &str| {
        home.split(&format!("<link rel=\"{rel}\" href=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string()
    };
    let svg = s.get(&href("icon")).await;
    assert_eq!(svg.status, StatusCode::OK);
    assert_eq!(svg.headers["content-type"], "image/svg+xml");
    let png = reqwest::get(s.url(&href("apple-touch-icon")))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    let manifest: serde_json::Value = reqwest::get(s.url("/manifest.webmanifest"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(manifest["start_url"], "/");
    assert_eq!(manifest["icons"].as_array().unwrap().len(), 2);
    let ico = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(s.url("/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_eq!(ico.status(), StatusCode::TEMPORARY_REDIRECT);
}

each_backend!(
    a_page_from_the_cache_has_the_routers_headers_and_bytes,
    hits_before_routing
);

/// A cached page is answered before routing (`web::hits`): the same status, headers
/// and bytes as the router's answer (the first request, drawn; one with a query, which
/// goes through the router to the same kept page), each with a request id of its own,
/// and counted in `/metrics`.
async fn hits_before_routing(s: &TestServer) {
    s.setup_admin().await;
    let long = "A paragraph of a statement read by many. ".repeat(60);
    let (_, url) = s.publish("A statement from the cache", &long).await;
    let client = reqwest::Client::new();
    let get = |path: String, accept: &'static str| {
        let req = client.get(s.url(&path)).header("accept-encoding", accept);
        async move {
            let res = req.send().await.unwrap();
            let status = res.status();
            let mut headers: Vec<(String, String)> = res
                .headers()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
                .collect();
            headers.sort();
            (status, headers, res.bytes().await.unwrap().to_vec())
        }
    };
    let without = |headers: &[(String, String)], name: &str| -> Vec<(String, String)> {
        headers
            .iter()
            .filter(|(k, _)| k != name && k != "date")
            .cloned()
            .collect()
    };
    let id_of = |headers: &[(String, String)]| -> String {
        headers
            .iter()
            .find(|(k, _)| k == "x-request-id")
            .map(|(_, v)| v.clone())
            .expect("an x-request-id")
    };
    for accept in ["br, gzip", "gzip", ""] {
        // Drawn (or routed to the kept page), then from the cache before routing.
        let routed = get(format!("{url}?utm_source=test"), accept).await;
        let drawn_first = get(url.clone(), accept).await;
        let hit = get(url.clone(), accept).await;
        for (what, answer) in [("with a query", &routed), ("first", &drawn_first)] {
            assert_eq!(answer.0, hit.0, "{accept}: {what}");
            assert_eq!(
                without(&answer.1, "x-request-id"),
                without(&hit.1, "x-request-id"),
                "{accept}: the router's headers ({what}) and the cache's"
            );
            assert_eq!(answer.2, hit.2, "{accept}: the same bytes ({what})");
        }
        let (a, b) = (id_of(&drawn_first.1), id_of(&hit.1));
        assert_ne!(a, b, "each answer its own request id");
        assert!(
            b.len() == 16 && b.bytes().all(|c| c.is_ascii_hexdigit()),
            "{b}"
        );
    }
    let metrics = s.get("/metrics").await.body;
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("tribune_http_requests_total{")
                && l.contains("route=\"(page cache)\"")
                && l.contains("status=\"200\"")
                && !l.ends_with(" 0")),
        "{metrics}"
    );
}
