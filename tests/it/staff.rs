//! Staff accounts on the web (issue 13, point 3): Admin → Users (invite by email with
//! a one-time link, change a role, deactivate, delete giving the posts to someone),
//! the profile (name, email, password, sessions, "Sign out everywhere") and "Lost your
//! password?" — through the real SMTP test server, on both databases.

use std::time::Duration;

use reqwest::{Client, StatusCode};
use tribune::config::ServeSettings;

use crate::mail::{header, link_in, smtp_available, wait_for_to, Smtp};
use crate::support::{backends, client, csrf_of, Backend, TestServer};

async fn start(backend: Backend, smtp: &Smtp) -> TestServer {
    let url = smtp.url();
    TestServer::start_with_fn(backend, |base| ServeSettings {
        base_url: Some(base.parse().unwrap()),
        comments_per_minute: 0,
        smtp_url: Some(url),
        job_retry_base: Duration::from_secs(1),
        ..ServeSettings::default()
    })
    .await
}

/// Signs in with `email` and `password` from a new browser; the answer and the browser.
async fn log_in(s: &TestServer, email: &str, password: &str) -> (Client, StatusCode) {
    let c = client();
    let page = s.get_with(&c, "/admin/login").await;
    let csrf = csrf_of(&page.body);
    let res = s
        .post_with(
            &c,
            "/admin/login",
            &[("csrf", &csrf), ("email", email), ("password", password)],
        )
        .await;
    (c, res.status)
}

/// Whether `c` is signed in (the dashboard answers rather than sending it to log in).
async fn signed_in(s: &TestServer, c: &Client) -> bool {
    s.get_with(c, "/admin/profile").await.status == StatusCode::OK
}

/// The path and query of a link in an email.
fn path_of(link: &str, base: &str) -> String {
    link.strip_prefix(base)
        .unwrap_or_else(|| panic!("{link} is not on {base}"))
        .to_string()
}

/// Chooses `password` on the page a link opens, from browser `c`.
async fn choose_password(
    s: &TestServer,
    c: &Client,
    path: &str,
    password: &str,
) -> crate::support::Response {
    let page = s.get_with(c, path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = csrf_of(&page.body);
    let q: Vec<(String, String)> =
        url::form_urlencoded::parse(path.split_once('?').unwrap().1.as_bytes())
            .into_owned()
            .collect();
    let mut form: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    form.extend([
        ("csrf", csrf.as_str()),
        ("password", password),
        ("password2", password),
    ]);
    s.post_with(c, "/admin/password", &form).await
}

async fn users_action(
    s: &TestServer,
    user: i64,
    action: &str,
    extra: &[(&str, &str)],
) -> crate::support::Response {
    let csrf = s.admin_csrf().await;
    let id = user.to_string();
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("user", id.as_str()),
        ("action", action),
    ];
    form.extend_from_slice(extra);
    s.post("/admin/users", &form).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_invite_change_switch_off_and_delete_staff() {
    if !smtp_available() {
        return;
    }
    for backend in backends() {
        eprintln!("-- on {backend:?}");
        let mut smtp = Smtp::planned();
        smtp.start().await;
        let s = start(backend, &smtp).await;
        s.setup_admin().await;
        let page = s.get("/admin/users").await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains("ada@example.org")
            .assert_contains("Invite someone");

        // Invite Bob as an author: an email with a link, the list says "Invited".
        let csrf = s.admin_csrf().await;
        let invite = [
            ("csrf", csrf.as_str()),
            ("action", "invite"),
            ("email", "Bob@Example.org"),
            ("name", "Bob Writer"),
            ("role", "author"),
        ];
        let res = s.post("/admin/users", &invite).await;
        assert_eq!(res.location(), "/admin/users?done=invited");
        let page = s.get("/admin/users?done=invited").await;
        page.assert_contains("Invitation sent.")
            .assert_contains("Bob Writer")
            .assert_contains("Invited, no password yet");
        // An address that has an account: refused, with what was typed kept.
        let mut taken = invite;
        taken[2] = ("email", "ada@example.org");
        taken[3] = ("name", "Another Ada");
        let again = s.post("/admin/users", &taken).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        again
            .assert_contains("Another account already uses this email address.")
            .assert_contains("value=\"ada@example.org\"")
            .assert_contains("value=\"Another Ada\"");
        // An invited account cannot sign in before choosing a password.
        assert_eq!(
            log_in(&s, "bob@example.org", "anything at all").await.1,
            StatusCode::UNAUTHORIZED
        );

        let mail = wait_for_to(&smtp, "bob@example.org", 1).await;
        assert!(
            header(&mail[0], "Subject")
                .unwrap()
                .contains("You are invited"),
            "{}",
            mail[0]
        );
        assert!(mail[0].contains("Ada Admin invited you to help run Ministry of Examples."));
        let link = link_in(&mail[0], "/admin/password?");
        let path = path_of(&link, &s.base);
        let bob_browser = client();
        let welcome = s.get_with(&bob_browser, &path).await;
        welcome.assert_contains("Welcome, Bob Writer.");
        assert!(welcome.headers["referrer-policy"] == "no-referrer");
        // Too short: said, and the link still works.
        let short = choose_password(&s, &bob_browser, &path, "short").await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        short.assert_contains("At least 10 characters");
        let done = choose_password(&s, &bob_browser, &path, "bob's long password").await;
        assert_eq!(done.location(), "/admin/login?password=set");
        s.get_with(&bob_browser, "/admin/login?password=set")
            .await
            .assert_contains("Your password is saved. Log in with it.");
        // Used once: the link is dead.
        let reused = s.get_with(&bob_browser, &path).await;
        assert_eq!(reused.status, StatusCode::GONE);
        reused.assert_contains("This link no longer works");
        let (bob, status) = log_in(&s, "bob@example.org", "bob's long password").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        // An author has no comment queue and no Users page.
        assert_eq!(
            s.get_with(&bob, "/admin/comments").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            s.get_with(&bob, "/admin/users").await.status,
            StatusCode::FORBIDDEN
        );

        // Make Bob an editor: his next page already has the queue.
        let bob_id = s
            .store
            .user_by_email("bob@example.org")
            .await
            .unwrap()
            .unwrap()
            .id;
        let res = users_action(&s, bob_id, "role", &[("role", "editor")]).await;
        assert_eq!(res.location(), "/admin/users?done=role");
        assert_eq!(
            s.get_with(&bob, "/admin/comments").await.status,
            StatusCode::OK
        );

        // Nobody changes their own account here.
        let ada_id = s
            .store
            .user_by_email("ada@example.org")
            .await
            .unwrap()
            .unwrap()
            .id;
        let mine = users_action(&s, ada_id, "role", &[("role", "author")]).await;
        assert_eq!(mine.status, StatusCode::FORBIDDEN);
        assert!(
            s.store.user_by_id(ada_id).await.unwrap().unwrap().role
                == tribune::domain::role::Role::Admin
        );

        // Switched off: his session ends at once and he cannot sign in; on again, he can.
        let res = users_action(&s, bob_id, "deactivate", &[]).await;
        assert_eq!(res.location(), "/admin/users?done=off");
        assert!(!signed_in(&s, &bob).await);
        assert_eq!(
            log_in(&s, "bob@example.org", "bob's long password").await.1,
            StatusCode::UNAUTHORIZED
        );
        s.get("/admin/users").await.assert_contains("Deactivated");
        users_action(&s, bob_id, "activate", &[]).await;
        let (bob, status) = log_in(&s, "bob@example.org", "bob's long password").await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // Bob writes a post; deleting him asks who gets it.
        let csrf = csrf_of(&s.get_with(&bob, "/admin/posts/new").await.body);
        let res = s
            .post_with(
                &bob,
                "/admin/posts",
                &[
                    ("csrf", &csrf),
                    ("title", "Bob's statement"),
                    ("body", "Words."),
                    ("lang", "en"),
                    ("status", "published"),
                    ("action", "save"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let form = s.get(&format!("/admin/users/{bob_id}/delete")).await;
        form.assert_contains("Delete Bob Writer?")
            .assert_contains("Their post goes to:");
        let csrf = csrf_of(&form.body);
        let path = format!("/admin/users/{bob_id}/delete");
        let refused = s.post(&path, &[("csrf", &csrf)]).await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        refused.assert_contains("This account still has posts: choose who gets them.");
        let ada = ada_id.to_string();
        let res = s.post(&path, &[("csrf", &csrf), ("reassign", &ada)]).await;
        assert_eq!(res.location(), "/admin/users?done=removed");
        assert!(s.store.user_by_id(bob_id).await.unwrap().is_none());
        assert!(
            !signed_in(&s, &bob).await,
            "a deleted account's sessions end"
        );
        let posts = s.store.post_counts_by_author().await.unwrap();
        assert_eq!(posts.get(&ada_id), Some(&1));
        s.get("/admin/users?done=removed")
            .await
            .assert_contains("Account deleted.")
            .assert_lacks("bob@example.org");
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_password_is_reset_by_an_emailed_link_that_works_once() {
    if !smtp_available() {
        return;
    }
    for backend in backends() {
        eprintln!("-- on {backend:?}");
        let mut smtp = Smtp::planned();
        smtp.start().await;
        let s = start(backend, &smtp).await;
        s.setup_admin().await;
        let login = s.get_with(&client(), "/admin/login").await;
        login.assert_contains("href=\"/admin/lost-password\"");

        let stranger = client();
        let ask = |email: &'static str| {
            let (s, c) = (&s, &stranger);
            async move {
                let page = s.get_with(c, "/admin/lost-password").await;
                let csrf = csrf_of(&page.body);
                s.post_with(
                    c,
                    "/admin/lost-password",
                    &[("csrf", &csrf), ("email", email)],
                )
                .await
            }
        };
        // The same answer for an address with no account, and no email for it.
        let unknown = ask("nobody@example.org").await;
        assert_eq!(unknown.status, StatusCode::OK);
        unknown.assert_contains("If nobody@example.org belongs to a staff account");
        let known = ask("ADA@example.org").await;
        assert_eq!(known.status, StatusCode::OK);
        known.assert_contains("If ada@example.org belongs to a staff account");
        known.assert_contains("It works once, for an hour.");
        let mail = wait_for_to(&smtp, "ada@example.org", 1).await;
        assert!(header(&mail[0], "Subject")
            .unwrap()
            .contains("Choose a new password"));
        // Asking again at once sends nothing more (no flooding a mailbox).
        ask("ada@example.org")
            .await
            .assert_contains("belongs to a staff account");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let all = smtp.messages();
        assert_eq!(all.len(), 1, "one email, to Ada only");

        let link = link_in(&mail[0], "/admin/password?");
        let path = path_of(&link, &s.base);
        // A link with another time, or for another account, does not work.
        let forged = path.replace("exp=", "exp=9");
        assert_eq!(
            s.get_with(&stranger, &forged).await.status,
            StatusCode::GONE
        );
        let other = path.replace("u=1&", "u=2&");
        assert_eq!(s.get_with(&stranger, &other).await.status, StatusCode::GONE);

        let done = choose_password(&s, &stranger, &path, "a new long password").await;
        assert_eq!(done.location(), "/admin/login?password=set");
        // Ada's old session (the test client) ended with the new password.
        assert!(!signed_in(&s, &s.client).await);
        assert_eq!(
            log_in(&s, "ada@example.org", "correct horse battery")
                .await
                .1,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            log_in(&s, "ada@example.org", "a new long password").await.1,
            StatusCode::SEE_OTHER
        );
        assert_eq!(s.get_with(&stranger, &path).await.status, StatusCode::GONE);
        // An expired link: the same page, the way to ask again.
        s.sql("UPDATE users SET password_hash = password_hash WHERE id = 1")
            .await;
        let expired = s
            .get_with(&stranger, "/admin/password?u=1&p=reset&exp=1&sig=00")
            .await;
        assert_eq!(expired.status, StatusCode::GONE);
        expired.assert_contains("href=\"/admin/lost-password\"");
        s.stop().await;
    }
}

async fn profile_sessions_and_passwords(s: &TestServer) {
    s.setup_admin().await;
    let (other, _) = log_in(s, "ada@example.org", "correct horse battery").await;
    let page = s.get("/admin/profile").await;
    page.assert_contains("Where you are logged in")
        .assert_contains("(this browser)")
        .assert_contains("Sign out everywhere else");
    assert_eq!(page.body.matches("name=\"session\"").count(), 2);
    let csrf = csrf_of(&page.body);

    // A wrong current password changes nothing.
    let wrong = s
        .post(
            "/admin/profile",
            &[
                ("csrf", &csrf),
                ("action", "password"),
                ("current", "not it at all"),
                ("password", "another long password"),
                ("password2", "another long password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("That is not your current password.");
    assert!(signed_in(s, &other).await);
    let res = s
        .post(
            "/admin/profile",
            &[
                ("csrf", &csrf),
                ("action", "password"),
                ("current", "correct horse battery"),
                ("password", "another long password"),
                ("password2", "another long password"),
            ],
        )
        .await;
    assert_eq!(res.location(), "/admin/profile?saved=password");
    assert!(
        signed_in(s, &s.client).await,
        "this browser stays signed in"
    );
    assert!(!signed_in(s, &other).await, "every other session ends");

    // Sign out everywhere else, then one session by name.
    let (other, _) = log_in(s, "ada@example.org", "another long password").await;
    let res = s
        .post(
            "/admin/profile",
            &[("csrf", &csrf), ("action", "signout-others")],
        )
        .await;
    assert_eq!(res.location(), "/admin/profile?saved=others");
    assert!(!signed_in(s, &other).await);
    assert!(signed_in(s, &s.client).await);

    // Name and email: the email only with the password.
    let no_pw = s
        .post(
            "/admin/profile",
            &[
                ("csrf", &csrf),
                ("action", "about"),
                ("name", "Ada Lovelace"),
                ("email", "ada@ministry.example"),
            ],
        )
        .await;
    assert_eq!(no_pw.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_pw
        .assert_contains("That is not your current password.")
        .assert_contains("value=\"ada@ministry.example\"");
    let res = s
        .post(
            "/admin/profile",
            &[
                ("csrf", &csrf),
                ("action", "about"),
                ("name", "Ada Lovelace"),
                ("email", "ada@ministry.example"),
                ("current", "another long password"),
            ],
        )
        .await;
    assert_eq!(res.location(), "/admin/profile?saved=about");
    let (_, status) = log_in(s, "ada@ministry.example", "another long password").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    s.get("/admin/profile")
        .await
        .assert_contains("value=\"Ada Lovelace\"");

    // Sign out everywhere: this browser too.
    let res = s
        .post(
            "/admin/profile",
            &[("csrf", &csrf), ("action", "signout-all")],
        )
        .await;
    assert_eq!(res.location(), "/admin/login");
    assert!(!signed_in(s, &s.client).await);
    let ada = s
        .store
        .user_by_email("ada@ministry.example")
        .await
        .unwrap()
        .unwrap();
    assert!(s.store.sessions_of(ada.id).await.unwrap().is_empty());
}

crate::each_backend!(
    the_profile_changes_name_email_password_and_ends_sessions,
    profile_sessions_and_passwords
);

/// Two administrators demoting each other at the same moment: one wins, and the site
/// still has an administrator.
async fn two_admins_demoting_each_other(s: &TestServer) {
    use tribune::domain::role::Role;
    use tribune::store::StaffChange;
    let hash = tribune::passwords::hash("a long password").unwrap();
    let a = s
        .store
        .insert_user("a@example.org", "A", Some(&hash), Role::Admin, false)
        .await
        .unwrap();
    let b = s
        .store
        .insert_user("b@example.org", "B", Some(&hash), Role::Admin, false)
        .await
        .unwrap();
    for _ in 0..5 {
        let (x, y) = tokio::join!(
            s.store.change_user(a, StaffChange::Role(Role::Editor)),
            s.store.change_user(b, StaffChange::Role(Role::Editor)),
        );
        assert!(x.is_ok() != y.is_ok(), "exactly one may go: {x:?} {y:?}");
        assert_eq!(s.store.count_admins().await.unwrap(), 1);
        for id in [a, b] {
            s.store
                .change_user(id, StaffChange::Role(Role::Admin))
                .await
                .unwrap();
        }
    }
    // Switching off counts too: the last active administrator stays on.
    s.store
        .change_user(a, StaffChange::Active(false))
        .await
        .unwrap();
    let err = s
        .store
        .change_user(b, StaffChange::Active(false))
        .await
        .unwrap_err();
    assert!(
        matches!(err, tribune::store::StoreError::Refused("error-last-admin")),
        "{err:?}"
    );
}

crate::each_backend!(
    the_site_always_keeps_an_active_administrator,
    two_admins_demoting_each_other
);
