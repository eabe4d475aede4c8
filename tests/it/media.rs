//! The media library (issue 13, point 1) over HTTP on both databases: upload (the
//! editor's JSON answer and the plain form), what is refused and why, the files on disk
//! (EXIF gone, copies made, nothing left by a failure), serving (types, `immutable`,
//! `nosniff`, 304, ranges), `srcset` and the featured image on the public page, "used
//! in", and deleting only what nobody uses.

use std::path::{Path, PathBuf};

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use tribune::config::ServeSettings;
use tribune::media::MediaConfig;

use crate::support::Loopback;
use crate::support::{backends, client, TestServer};

/// A JPEG of `width`×`height` with an EXIF block holding a GPS field ("GPSMARK").
pub fn photo(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 7 % 256) as u8,
            (y * 3 % 256) as u8,
            ((x + y) % 256) as u8,
        ])
    });
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut jpeg, 85,
        ))
        .unwrap();
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x8825u16.to_le_bytes());
    tiff.extend_from_slice(&4u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&26u32.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&2u32.to_le_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(b"GPSMARK 35.6892N 51.3890E");
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((tiff.len() + 8) as u16).to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Uploads `bytes` as `name` the way the editor's script does; (status, JSON answer).
pub async fn upload(
    s: &TestServer,
    csrf: &str,
    name: &str,
    mime: &str,
    bytes: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let form = Form::new().text("csrf", csrf.to_string()).part(
        "file",
        Part::bytes(bytes)
            .file_name(name.to_string())
            .mime_str(mime)
            .unwrap(),
    );
    let res = s
        .client
        .post(s.url("/admin/media"))
        .header("Accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body = res.text().await.unwrap();
    let json = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{status}: {body}"));
    (status, json)
}

/// Every file under `dir`, recursively (temporary files included).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn media_dir(s: &TestServer) -> PathBuf {
    s.state.settings.data.data_dir.join("media")
}

async fn library(s: &TestServer) {
    s.setup_admin().await;
    let csrf = s.admin_csrf().await;
    let original = photo(1600, 900);
    assert!(original.windows(7).any(|w| w == b"GPSMARK"));

    // The editor's upload: a JSON answer with what to put in the text.
    let (status, item) = upload(
        s,
        &csrf,
        "Minister at the press conference.jpg",
        "image/jpeg",
        original.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    let id = item["id"].as_i64().unwrap();
    let url = item["url"].as_str().unwrap().to_string();
    let hash = url
        .strip_prefix("/media/")
        .and_then(|u| u.strip_suffix(".jpg"))
        .unwrap()
        .to_string();
    assert_eq!(hash.len(), 64);
    assert_eq!(item["markdown"], format!("![]({url})"));
    assert_eq!(item["width"], 1600);
    let on_disk = files_under(&media_dir(s));
    let names: Vec<String> = on_disk
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for w in [320, 640, 960, 1280] {
        assert!(names.contains(&format!("{hash}-{w}.jpg")), "{names:?}");
    }
    assert!(names.contains(&format!("{hash}.jpg")), "{names:?}");
    assert_eq!(names.len(), 5, "no temporary file left: {names:?}");
    assert!(on_disk
        .iter()
        .all(|p| p.parent().unwrap().ends_with(&hash[..2])));

    // Served: the original without its GPS, the type fixed, cached for a year.
    let anon = client();
    let res = anon.get(s.url(&url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "image/jpeg");
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("sandbox"));
    let etag = h["etag"].to_str().unwrap().to_string();
    let served = res.bytes().await.unwrap();
    assert!(!served.windows(7).any(|w| w == b"GPSMARK"), "GPS is gone");
    assert!(!served.windows(4).any(|w| w == b"Exif"), "EXIF is gone");
    let back = image::load_from_memory(&served).unwrap();
    assert_eq!((back.width(), back.height()), (1600, 900));
    let again = anon
        .get(s.url(&url))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let part = anon
        .get(s.url(&url))
        .header("Range", "bytes=0-9")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.bytes().await.unwrap().len(), 10);
    let small = anon
        .get(s.url(&format!("/media/{hash}-640.jpg")))
        .send()
        .await
        .unwrap();
    assert_eq!(small.status(), StatusCode::OK);
    let small = image::load_from_memory(&small.bytes().await.unwrap()).unwrap();
    assert_eq!((small.width(), small.height()), (640, 360));
    for missing in [
        format!("/media/{hash}-700.jpg"),
        format!("/media/{hash}.png"),
        format!("/media/{}.jpg", "0".repeat(64)),
        "/media/..%2ftribune.db".to_string(),
        format!("/media/{}.jpg", hash.to_uppercase()),
    ] {
        let res = anon.get(s.url(&missing)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{missing}");
    }

    // The same bytes again are the same file.
    let (_, same) = upload(s, &csrf, "copy.jpg", "image/jpeg", original.clone()).await;
    assert_eq!(same["id"].as_i64(), Some(id));

    // Alt text, asked after the upload, saved to the library.
    let res = s
        .post(
            &format!("/admin/media/{id}"),
            &[
                ("csrf", &csrf),
                ("do", "save"),
                ("alt", "The minister <speaks> at the lectern"),
                ("title", ""),
            ],
        )
        .await;
    assert_eq!(res.location(), format!("/admin/media/{id}?saved=1"));

    // A PDF: served as a PDF, opened in the browser.
    let (status, pdf) = upload(
        s,
        &csrf,
        "Annual report 2026.pdf",
        "application/pdf",
        PDF.to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{pdf}");
    let pdf_url = pdf["url"].as_str().unwrap().to_string();
    assert!(pdf_url.ends_with(".pdf"));
    assert_eq!(
        pdf["markdown"],
        format!("[Annual report 2026.pdf]({pdf_url})")
    );
    let res = anon.get(s.url(&pdf_url)).send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.headers()["content-disposition"], "inline");

    // The library: a grid, searched and filtered; its alt text shown.
    let page = s.get("/admin/media").await;
    page.assert_contains("2 files")
        .assert_contains("Minister at the press conference.jpg")
        .assert_contains("The minister &lt;speaks&gt; at the lectern")
        .assert_contains(&format!("/media/{hash}-320.jpg"))
        .assert_contains("Annual report 2026.pdf");
    s.get("/admin/media?s=ANNUAL")
        .await
        .assert_contains("1 file")
        .assert_lacks("press conference");
    s.get("/admin/media?kind=image")
        .await
        .assert_contains("1 file")
        .assert_contains("press conference");
    let picked: serde_json::Value =
        serde_json::from_str(&s.get("/admin/media/pick?s=minister").await.body).unwrap();
    assert_eq!(picked["total"], 1);
    assert_eq!(picked["items"][0]["id"].as_i64(), Some(id));

    // A post showing the photo, with it as the featured image too, and the PDF.
    let res = s
        .post(
            "/admin/posts",
            &[
                ("csrf", &csrf),
                ("title", "Press conference"),
                (
                    "body",
                    &format!("The minister spoke.\n\n![]({url})\n\n[The report]({pdf_url})"),
                ),
                ("lang", "en"),
                ("status", "published"),
                ("comments_open", "on"),
                ("featured_media", &id.to_string()),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let post_id: i64 = res
        .location()
        .trim_start_matches("/admin/posts/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let post = s.store.post_by_id(post_id).await.unwrap().unwrap();
    assert_eq!(post.featured_media_id, Some(id));
    let public = s
        .get_with(
            &anon,
            &tribune::domain::post::permalink(post.published_at.unwrap(), &post.slug),
        )
        .await;
    public
        .assert_contains(&format!("srcset=\"/media/{hash}-320.jpg 320w, /media/{hash}-640.jpg 640w, /media/{hash}-960.jpg 960w, /media/{hash}-1280.jpg 1280w, /media/{hash}.jpg 1600w\""))
        .assert_contains("sizes=\"(max-width: 720px) 100vw, 672px\"")
        .assert_contains("width=\"1600\" height=\"900\"")
        .assert_contains("alt=\"The minister &lt;speaks&gt; at the lectern\"")
        .assert_contains("loading=\"lazy\"")
        .assert_contains("<figure class=\"featured\">")
        .assert_contains("fetchpriority=\"high\"")
        .assert_contains(&format!("href=\"{pdf_url}\""));

    // The listing shows it too, with its copies.
    s.get_with(&anon, "/")
        .await
        .assert_contains("class=\"entry-thumbnail\"")
        .assert_contains(&format!("/media/{hash}-320.jpg 320w"));

    // Used in: the post; so it cannot be deleted, and nothing is lost trying.
    s.get(&format!("/admin/media/{id}"))
        .await
        .assert_contains("Press conference")
        .assert_lacks("value=\"delete\"");
    let refused = s
        .post(
            &format!("/admin/media/{id}"),
            &[("csrf", &csrf), ("do", "delete")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    refused.assert_contains("This file is shown in a post");
    assert_eq!(files_under(&media_dir(s)).len(), 6);
    s.get("/admin/media?unused=1")
        .await
        .assert_contains("No files");

    // Taken out of the post (text and featured image), it can go, files and all.
    let res = s
        .post(
            &format!("/admin/posts/{post_id}"),
            &[
                ("csrf", &csrf),
                ("title", "Press conference"),
                ("body", "The minister spoke."),
                ("lang", "en"),
                ("status", "published"),
                ("comments_open", "on"),
                ("featured_media", ""),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    s.get("/admin/media?unused=1")
        .await
        .assert_contains("2 files");
    let res = s
        .post(
            &format!("/admin/media/{id}"),
            &[("csrf", &csrf), ("do", "delete")],
        )
        .await;
    assert_eq!(res.location(), "/admin/media?done=deleted");
    let left: Vec<_> = files_under(&media_dir(s))
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(&hash))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(
        anon.get(s.url(&url)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert!(s.store.media_by_id(id).await.unwrap().is_none());
}

crate::each_backend!(media_upload_resize_serve_and_delete, library);

async fn refusals(s: &TestServer) {
    s.setup_admin().await;
    let csrf = s.admin_csrf().await;
    let before = files_under(&media_dir(s));
    let svg =
        b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"
            .to_vec();
    let (status, answer) = upload(s, &csrf, "logo.svg", "image/svg+xml", svg).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("SVG images are not accepted"),
        "{answer}"
    );
    // Named .jpg, sent as image/jpeg: the bytes say what it is.
    let (status, answer) = upload(
        s,
        &csrf,
        "photo.jpg",
        "image/jpeg",
        b"<html><script>alert(1)</script>".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("Upload JPEG, PNG, WebP or GIF"),
        "{answer}"
    );
    let mut cut = photo(800, 600);
    cut.truncate(300);
    let (status, answer) = upload(s, &csrf, "cut.jpg", "image/jpeg", cut).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("cut.jpg: The file starts like a JPEG file"),
        "{answer}"
    );
    let big: Vec<u8> = photo(64, 64)
        .into_iter()
        .chain(std::iter::repeat_n(0u8, 1536 * 1024))
        .collect();
    let (status, answer) = upload(s, &csrf, "big.jpg", "image/jpeg", big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("the limit is 1 MB"),
        "{answer}"
    );
    // Past the body limit itself (the file's limit and 1 MB for the form): the same
    // words. Only just past it, so the rest of the body fits in the socket's buffers:
    // the server answers and closes without reading it, and a client still writing a
    // megabyte more would see a broken pipe instead of the answer.
    let huge: Vec<u8> = photo(64, 64)
        .into_iter()
        .chain(std::iter::repeat_n(0u8, 2 * 1024 * 1024 + 16 * 1024))
        .collect();
    let (status, answer) = upload(s, &csrf, "huge.jpg", "image/jpeg", huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("the limit is 1 MB"),
        "{answer}"
    );
    assert_eq!(
        files_under(&media_dir(s)),
        before,
        "a refused upload leaves nothing"
    );
    s.get("/admin/media").await.assert_contains("No files");

    // The plain form, without a script: refused with the reason, in the page.
    let form = Form::new().text("csrf", csrf.clone()).part(
        "file",
        Part::bytes(b"GIF89a".to_vec()).file_name("tiny.gif"),
    );
    let res = s
        .client
        .post(s.url("/admin/media"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("tiny.gif: The file starts like a \u{2068}GIF\u{2069} file"),
        "{body}"
    );
    // … and taken, back to the library.
    let form = Form::new()
        .text("csrf", csrf.clone())
        .text("alt", "Two people shaking hands")
        .part("file", Part::bytes(photo(300, 200)).file_name("hands.jpg"));
    let res = s
        .client
        .post(s.url("/admin/media"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    s.get("/admin/media?done=uploaded")
        .await
        .assert_contains("Uploaded to the library.")
        .assert_contains("Two people shaking hands");

    // No form token, no upload; no session, no upload.
    let form = Form::new().part("file", Part::bytes(photo(20, 20)).file_name("x.jpg"));
    let res = s
        .client
        .post(s.url("/admin/media"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let form = Form::new().part("file", Part::bytes(photo(20, 20)).file_name("x.jpg"));
    let res = client()
        .post(s.url("/admin/media"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), StatusCode::CREATED);
    assert_eq!(
        s.store
            .list_media(&Default::default(), 10, 0)
            .await
            .unwrap()
            .1,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_refuses_what_it_must_and_keeps_nothing_of_it() {
    for backend in backends() {
        let s = TestServer::start_with(
            backend,
            ServeSettings {
                comments_per_minute: 0,
                media: MediaConfig {
                    max_upload_bytes: 1024 * 1024,
                    bucket: None,
                },
                ..ServeSettings::default()
            },
        )
        .await;
        refusals(&s).await;
        s.stop().await;
    }
}

/// A disk that stops writing: the folder cannot be made, or the last file cannot be
/// put in place after its copies were. Either way the reader is told, no row is added,
/// and no file is left behind.
async fn storage_fails(s: &TestServer) {
    s.setup_admin().await;
    let csrf = s.admin_csrf().await;
    let dir = media_dir(s);
    std::fs::write(&dir, b"not a folder").unwrap();
    let (status, answer) = upload(s, &csrf, "a.jpg", "image/jpeg", photo(700, 400)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("nothing was kept"),
        "{answer}"
    );
    std::fs::remove_file(&dir).unwrap();

    // The original's place is taken by a folder: the copies are written, then removed.
    let bytes = photo(700, 400);
    let prepared = tribune::domain::media::prepare(&bytes, u64::MAX).unwrap();
    let blocked = dir
        .join(&prepared.hash[..2])
        .join(format!("{}.jpg", prepared.hash));
    std::fs::create_dir_all(blocked.join("x")).unwrap();
    let (status, answer) = upload(s, &csrf, "b.jpg", "image/jpeg", bytes.clone()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    let left: Vec<_> = files_under(&dir)
        .into_iter()
        .filter(|p| !p.starts_with(&blocked))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(
        s.store
            .list_media(&Default::default(), 10, 0)
            .await
            .unwrap()
            .1,
        0
    );

    // The disk writes again: the same upload works.
    std::fs::remove_dir_all(&blocked).unwrap();
    let (status, answer) = upload(s, &csrf, "b.jpg", "image/jpeg", bytes).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(files_under(&dir).len(), 3);
}

crate::each_backend!(
    an_upload_that_cannot_be_stored_leaves_nothing,
    storage_fails
);

fn s3_available() -> bool {
    let ok = std::process::Command::new("moto_server")
        .arg("--help")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let required = std::env::var("TRIBUNE_REQUIRE_S3").is_ok_and(|v| v == "1");
    if !ok {
        assert!(
            !required,
            "the S3 test is required: pip install 'moto[server]'"
        );
        eprintln!("skipping the S3 test: pip install 'moto[server]' to run it");
    }
    ok
}

/// moto's S3 server on loopback: an independent implementation of the S3 API.
async fn start_s3() -> Loopback {
    let port = crate::signin::free_port();
    let mut command = std::process::Command::new("moto_server");
    command.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
    Loopback::start("moto_server", command, port, 150).await
}

fn bucket_config(port: u16) -> tribune::media::s3::BucketConfig {
    tribune::media::s3::BucketConfig {
        endpoint: format!("http://127.0.0.1:{port}").parse().unwrap(),
        bucket: "tribune-media".into(),
        region: "us-east-1".into(),
        access_key: "tribune-test".into(),
        secret_key: "tribune-test-secret".into(),
        prefix: "site/".into(),
    }
}

/// An object straight from the bucket (not through Tribune): its status and bytes.
async fn object(config: &tribune::media::s3::BucketConfig, key: &str) -> (StatusCode, Vec<u8>) {
    use rusty_s3::S3Action;
    let bucket = rusty_s3::Bucket::new(
        config.endpoint.clone(),
        rusty_s3::UrlStyle::Path,
        config.bucket.clone(),
        config.region.clone(),
    )
    .unwrap();
    let creds = rusty_s3::Credentials::new(&config.access_key, &config.secret_key);
    let url = bucket
        .get_object(Some(&creds), key)
        .sign(std::time::Duration::from_secs(60));
    let res = client().get(url).send().await.unwrap();
    (res.status(), res.bytes().await.unwrap().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_in_an_s3_bucket() {
    use rusty_s3::S3Action;
    if !s3_available() {
        return;
    }
    for backend in backends() {
        let s3 = start_s3().await;
        let config = bucket_config(s3.port);
        let bucket = rusty_s3::Bucket::new(
            config.endpoint.clone(),
            rusty_s3::UrlStyle::Path,
            config.bucket.clone(),
            config.region.clone(),
        )
        .unwrap();
        let creds = rusty_s3::Credentials::new(&config.access_key, &config.secret_key);
        let made = client()
            .put(
                bucket
                    .create_bucket(&creds)
                    .sign(std::time::Duration::from_secs(60)),
            )
            .header("content-length", "0")
            .body(Vec::<u8>::new())
            .send()
            .await
            .unwrap();
        assert!(made.status().is_success(), "{}", made.text().await.unwrap());

        let s = TestServer::start_with(
            backend,
            ServeSettings {
                comments_per_minute: 0,
                media: MediaConfig {
                    max_upload_bytes: tribune::domain::media::DEFAULT_MAX_BYTES,
                    bucket: Some(config.clone()),
                },
                ..ServeSettings::default()
            },
        )
        .await;
        s.setup_admin().await;
        let csrf = s.admin_csrf().await;
        let (status, item) = upload(&s, &csrf, "harbour.jpg", "image/jpeg", photo(1000, 600)).await;
        assert_eq!(status, StatusCode::CREATED, "{item}");
        let id = item["id"].as_i64().unwrap();
        let url = item["url"].as_str().unwrap().to_string();
        let hash = url[7..71].to_string();
        assert!(
            files_under(&media_dir(&s)).is_empty(),
            "nothing in the folder"
        );

        // In the bucket, under the prefix, without its GPS.
        let (status, stored) = object(&config, &format!("site/{hash}.jpg")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!stored.windows(7).any(|w| w == b"GPSMARK"));
        assert_eq!(
            object(&config, &format!("site/{hash}-640.jpg")).await.0,
            StatusCode::OK
        );

        // Served by Tribune at the same addresses as from the folder.
        let res = client()
            .get(s.url(&format!("/media/{hash}-320.jpg")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        assert_eq!(
            res.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        let small = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
        assert_eq!(small.width(), 320);

        // Deleted: gone from the bucket too.
        let res = s
            .post(
                &format!("/admin/media/{id}"),
                &[("csrf", &csrf), ("do", "delete")],
            )
            .await;
        assert_eq!(res.location(), "/admin/media?done=deleted");
        assert_eq!(
            object(&config, &format!("site/{hash}.jpg")).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            object(&config, &format!("site/{hash}-640.jpg")).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            client().get(s.url(&url)).send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );

        // The bucket goes away: the upload is refused with the reason, no row is added.
        drop(s3);
        let (status, answer) = upload(&s, &csrf, "late.jpg", "image/jpeg", photo(400, 300)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
        assert_eq!(
            s.store
                .list_media(&Default::default(), 10, 0)
                .await
                .unwrap()
                .1,
            0
        );
        s.stop().await;
    }
}

/// Python's own HTTP server, serving `dir` on loopback: the old site's files.
async fn serve_files(dir: &Path) -> Loopback {
    let port = crate::signin::free_port();
    let mut command = std::process::Command::new("python3");
    command
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--directory",
        ])
        .arg(dir);
    Loopback::start(
        "the file server (python3 -m http.server)",
        command,
        port,
        100,
    )
    .await
}

/// A WordPress export whose post shows an attachment (resized, as WordPress writes it),
/// links a PDF and names its featured image; the attachments come after the post, as
/// WordPress orders them, and one of them is gone from the old site.
fn export_with_attachments(base: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Old site</title><link>{base}</link><language>en-US</language>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>{base}</wp:base_site_url>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[ada]]></wp:author_login><wp:author_email><![CDATA[ada@old.example]]></wp:author_email><wp:author_display_name><![CDATA[Ada]]></wp:author_display_name></wp:author>
<item>
<title>The new harbour</title><dc:creator><![CDATA[ada]]></dc:creator>
<content:encoded><![CDATA[<p>The harbour opened.</p>
<p><img class="size-medium wp-image-10" src="{base}/files/2024/05/harbour-300x200.jpg" alt="The harbour at dawn" width="300" height="200" srcset="{base}/files/2024/05/harbour-300x200.jpg 300w, {base}/files/2024/05/harbour-1024x683.jpg 1024w" sizes="(max-width: 300px) 100vw, 300px" /></p>
<p><a href="{base}/files/2024/05/plan.pdf">The plan (PDF)</a> and <img src="{base}/files/2024/05/gone.jpg" alt="gone"></p>]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>5</wp:post_id><wp:post_date_gmt><![CDATA[2024-05-02 09:00:00]]></wp:post_date_gmt>
<wp:comment_status><![CDATA[open]]></wp:comment_status><wp:post_name><![CDATA[new-harbour]]></wp:post_name>
<wp:status><![CDATA[publish]]></wp:status><wp:post_type><![CDATA[post]]></wp:post_type><wp:post_password><![CDATA[]]></wp:post_password>
<wp:postmeta><wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key><wp:meta_value><![CDATA[10]]></wp:meta_value></wp:postmeta>
</item>
<item><title>harbour</title><wp:post_id>10</wp:post_id><wp:status><![CDATA[inherit]]></wp:status><wp:post_type><![CDATA[attachment]]></wp:post_type>
<wp:attachment_url><![CDATA[{base}/files/2024/05/harbour.jpg]]></wp:attachment_url></item>
<item><title>plan</title><wp:post_id>11</wp:post_id><wp:status><![CDATA[inherit]]></wp:status><wp:post_type><![CDATA[attachment]]></wp:post_type>
<wp:attachment_url><![CDATA[{base}/files/2024/05/plan.pdf]]></wp:attachment_url></item>
<item><title>gone</title><wp:post_id>12</wp:post_id><wp:status><![CDATA[inherit]]></wp:status><wp:post_type><![CDATA[attachment]]></wp:post_type>
<wp:attachment_url><![CDATA[{base}/files/2024/05/gone.jpg]]></wp:attachment_url></item>
</channel>
</rss>
"#
    )
}

/// `tribune import wordpress --fetch-media FILE` into `s`'s database and data
/// directory, as an operator runs it; its summary (the import must succeed).
fn import_fetching(s: &TestServer, file: &Path) -> String {
    let data_dir = s.state.settings.data.data_dir.to_str().unwrap().to_string();
    let (ok, out, err) = crate::moving::tribune(
        &s.db.url,
        &[
            "--data-dir",
            &data_dir,
            "import",
            "wordpress",
            "--fetch-media",
            file.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    out
}

async fn fetch_media(s: &TestServer) {
    s.setup_admin().await;
    let old = tempfile::tempdir().unwrap();
    let files = old.path().join("files/2024/05");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("harbour.jpg"), photo(1400, 933)).unwrap();
    std::fs::write(files.join("plan.pdf"), PDF).unwrap();
    let http = serve_files(old.path()).await;
    let base = format!("http://127.0.0.1:{}", http.port);
    let export = old.path().join("export.xml");
    std::fs::write(&export, export_with_attachments(&base)).unwrap();
    let out = import_fetching(s, &export);
    assert!(
        out.contains("2 files brought into the media library."),
        "{out}"
    );
    assert!(
        out.contains("an attachment could not be fetched (404 Not Found)"),
        "{out}"
    );
    assert!(!out.contains("attachment (media files stay"), "{out}");

    let (rows, total) = s
        .store
        .list_media(&Default::default(), 10, 0)
        .await
        .unwrap();
    assert_eq!(total, 2);
    let photo_row = rows.iter().find(|m| m.file_name == "harbour.jpg").unwrap();
    let pdf_row = rows.iter().find(|m| m.file_name == "plan.pdf").unwrap();
    assert_eq!(
        photo_row.source_url.as_deref(),
        Some(format!("{base}/files/2024/05/harbour.jpg").as_str())
    );
    assert_eq!(photo_row.uses, 1);
    assert_eq!(pdf_row.uses, 1);

    // The post shows them from here: the resized copy became the library's copies.
    let post = s.store.post_by_slug("new-harbour").await.unwrap().unwrap();
    assert_eq!(post.featured_media_id, Some(photo_row.id));
    let page = s.get_with(&client(), &post.permalink()).await;
    let h = &photo_row.hash;
    page.assert_contains(&format!("/media/{h}-320.jpg 320w"))
        .assert_contains(&format!("/media/{h}.jpg 1400w"))
        .assert_contains("alt=\"The harbour at dawn\"")
        .assert_contains(&format!("href=\"{}\"", pdf_row.url()))
        .assert_contains("<figure class=\"featured\">")
        .assert_contains(&format!("{base}/files/2024/05/gone.jpg"))
        .assert_lacks("harbour-300x200.jpg")
        .assert_lacks("harbour-1024x683.jpg");
    let served = client().get(s.url(&photo_row.url())).send().await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    let served = served.bytes().await.unwrap();
    assert!(!served.windows(7).any(|w| w == b"GPSMARK"));

    // Run again: nothing is fetched twice, nothing doubles.
    let out = import_fetching(s, &export);
    assert!(out.contains("Already here"), "{out}");
    assert_eq!(
        s.store
            .list_media(&Default::default(), 10, 0)
            .await
            .unwrap()
            .1,
        2
    );
    drop(http);
}

crate::each_backend!(import_brings_the_old_sites_media_along, fetch_media);

/// Out and in again: a site's export names its library as attachments with addresses
/// another site can fetch; a second Tribune brings them in with `--fetch-media`, and its
/// post shows the image from its own library, with its alt text and as featured image.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_brings_its_media_to_the_next_site() {
    for backend in backends() {
        let a = TestServer::start(backend).await;
        a.setup_admin().await;
        let csrf = a.admin_csrf().await;
        let (_, item) = upload(&a, &csrf, "bridge.jpg", "image/jpeg", photo(1100, 700)).await;
        let id = item["id"].as_i64().unwrap();
        let url = item["url"].as_str().unwrap().to_string();
        a.post(
            &format!("/admin/media/{id}"),
            &[
                ("csrf", &csrf),
                ("do", "save"),
                ("alt", "The bridge at night"),
                ("title", ""),
            ],
        )
        .await;
        let res = a
            .post(
                "/admin/posts",
                &[
                    ("csrf", &csrf),
                    ("title", "The bridge"),
                    ("body", &format!("It is finished.\n\n![]({url})")),
                    ("lang", "en"),
                    ("status", "published"),
                    ("comments_open", "on"),
                    ("featured_media", &id.to_string()),
                    ("action", "save"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("site.xml");
        let (ok, _, err) = crate::moving::tribune(
            &a.db.url,
            &[
                "export",
                "wordpress",
                "--base-url",
                &a.base,
                "-o",
                file.to_str().unwrap(),
            ],
        );
        assert!(ok, "{err}");
        let xml = std::fs::read_to_string(&file).unwrap();
        assert!(
            xml.contains(&format!("<wp:attachment_url><![CDATA[{}{url}]]>", a.base)),
            "{xml}"
        );
        assert!(xml.contains("_thumbnail_id"), "{xml}");
        assert!(
            xml.contains(&format!("srcset=\"{}/media/", a.base)),
            "{xml}"
        );

        let b = TestServer::start(backend).await;
        b.setup_admin().await;
        let out = import_fetching(&b, &file);
        assert!(
            out.contains("1 file brought into the media library."),
            "{out}"
        );
        let (rows, _) = b.store.list_media(&Default::default(), 5, 0).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].alt, "The bridge at night");
        let post = b.store.post_by_slug("the-bridge").await.unwrap().unwrap();
        assert_eq!(post.featured_media_id, Some(rows[0].id));
        assert!(!post.body_html.contains(&a.base), "{}", post.body_html);
        let page = b.get_with(&client(), &post.permalink()).await;
        page.assert_contains(&format!(
            "{}-320.jpg 320w",
            rows[0].url().trim_end_matches(".jpg")
        ))
        .assert_contains("alt=\"The bridge at night\"")
        .assert_lacks(&a.base);
        b.stop().await;
        a.stop().await;
    }
}
