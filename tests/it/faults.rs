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
        .moderation_queue(Some(status), None, 100_000, 0)
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
