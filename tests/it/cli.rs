//! The `tribune` command line, run as a user would: the built binary, a data directory
//! of its own, exit codes and one-line errors.

use std::io::Write;
use std::process::{Command, Output, Stdio};

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Cli {
        Cli {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        self.run_in("C.UTF-8", args, stdin)
    }

    /// Runs `tribune` on a terminal whose locale is `lang` (`LANG=ar_IQ.UTF-8`).
    fn run_in(&self, lang: &str, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tribune"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("TRIBUNE_DATABASE_URL")
            .env_remove("TRIBUNE_DATA_DIR")
            .env("RUST_BACKTRACE", "0")
            .env("LANG", lang)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run tribune");
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }

    #[track_caller]
    fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert!(
            out.status.success(),
            "tribune {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must fail; returns its one-line reason.
    #[track_caller]
    fn fails(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert!(!out.status.success(), "tribune {args:?} should have failed");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1, "one line, got: {err}");
        err
    }
}

#[test]
fn every_command_has_help() {
    let cli = Cli::new();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["user", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "passwd", "--help"],
        vec!["user", "role", "--help"],
        vec!["user", "remove", "--help"],
        vec!["post", "new", "--help"],
        vec!["comments", "--help"],
        vec!["comments", "list", "--help"],
        vec!["comments", "approve", "--help"],
        vec!["import", "wordpress", "--help"],
        vec!["import", "disqus", "--help"],
        vec!["export", "wordpress", "--help"],
        vec!["privacy", "export", "--help"],
        vec!["privacy", "erase", "--help"],
        vec!["backup", "--help"],
    ] {
        let out = cli.ok(&args, None);
        assert!(out.contains("Usage:"), "{args:?}: {out}");
    }
    assert!(cli
        .ok(&["serve", "--help"], None)
        .contains("TRIBUNE_BASE_URL"));
}

/// `tribune user passwd`, `user role`, `user remove`: the web's staff management from
/// the shell, with the same rules (never no administrator; posts go to someone).
#[test]
fn staff_accounts_are_managed_from_the_shell() {
    let cli = Cli::new();
    cli.ok(
        &[
            "--create-site",
            "user",
            "add",
            "--admin",
            "--email",
            "ada@example.org",
            "--password-stdin",
        ],
        Some("a long password\n"),
    );
    cli.ok(
        &[
            "user",
            "add",
            "--email",
            "bob@example.org",
            "--password-stdin",
        ],
        Some("bob's password\n"),
    );
    std::fs::write(cli.dir.path().join("b.md"), "Bob's words.").unwrap();
    cli.ok(
        &[
            "post",
            "new",
            "--title",
            "By Bob",
            "b.md",
            "--author",
            "bob@example.org",
        ],
        None,
    );

    // The only administrator cannot stop being one.
    let err = cli.fails(&["user", "role", "ada@example.org", "editor"], None);
    assert!(err.contains("at least one active administrator"), "{err}");
    let err = cli.fails(&["user", "remove", "1"], None);
    assert!(err.contains("at least one active administrator"), "{err}");
    let err = cli.fails(&["user", "role", "bob@example.org", "king"], None);
    assert!(err.contains("unknown role `king`"), "{err}");
    let out = cli.ok(&["user", "role", "bob@example.org", "admin"], None);
    assert!(out.contains("bob@example.org is now admin"), "{out}");
    let out = cli.ok(&["user", "role", "1", "editor"], None);
    assert!(out.contains("ada@example.org is now editor"), "{out}");
    assert!(cli.ok(&["user", "list"], None).contains("editor"));

    // A password from standard input, checked like any other; or a generated one.
    let err = cli.fails(
        &["user", "passwd", "bob@example.org", "--password-stdin"],
        Some("short\n"),
    );
    assert!(err.contains("at least 10 characters"), "{err}");
    let out = cli.ok(
        &["user", "passwd", "Bob@Example.org", "--password-stdin"],
        Some("a new password\n"),
    );
    assert!(out.contains("password set for bob@example.org"), "{out}");
    let out = cli.ok(&["user", "passwd", "ada@example.org"], None);
    assert!(out.contains("password: "), "{out}");
    let err = cli.fails(&["user", "passwd", "nobody@example.org"], None);
    assert!(err.contains("no staff account"), "{err}");

    // Removing someone with posts needs someone to give them to.
    cli.ok(&["user", "role", "ada@example.org", "admin"], None);
    let err = cli.fails(&["user", "remove", "bob@example.org"], None);
    assert!(err.contains("still has posts"), "{err}");
    let err = cli.fails(
        &[
            "user",
            "remove",
            "bob@example.org",
            "--reassign",
            "bob@example.org",
        ],
        None,
    );
    assert!(
        err.contains("cannot go to the account being deleted"),
        "{err}"
    );
    let out = cli.ok(
        &[
            "user",
            "remove",
            "bob@example.org",
            "--reassign",
            "ada@example.org",
        ],
        None,
    );
    assert!(out.contains("removed bob@example.org"), "{out}");
    assert!(
        out.contains("one post now belongs to ada@example.org"),
        "{out}"
    );
    assert!(!cli.ok(&["user", "list"], None).contains("bob@example.org"));
}

#[test]
fn users_posts_and_comments_from_the_shell() {
    let cli = Cli::new();
    // An admin from the shell, with the password on standard input.
    let out = cli.ok(
        &[
            "--create-site",
            "user",
            "add",
            "--admin",
            "--email",
            "Ada@Example.org",
            "--password-stdin",
        ],
        Some("a long password\n"),
    );
    assert!(out.contains("added admin ada@example.org"), "{out}");
    assert!(
        cli.dir.path().join("tribune-data/tribune.db").exists(),
        "SQLite created in ./tribune-data"
    );
    let err = cli.fails(
        &[
            "user",
            "add",
            "--email",
            "ada@example.org",
            "--password-stdin",
        ],
        Some("another password\n"),
    );
    assert!(err.contains("already exists"), "{err}");
    let err = cli.fails(
        &["user", "add", "--email", "x@example.org", "--role", "king"],
        None,
    );
    assert!(err.contains("unknown role `king`"), "{err}");
    let err = cli.fails(
        &["user", "add", "--email", "nope", "--password-stdin"],
        Some("a long password\n"),
    );
    assert!(err.contains("not an email address"), "{err}");
    let err = cli.fails(
        &[
            "user",
            "add",
            "--email",
            "short@example.org",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(err.contains("at least 10 characters"), "{err}");
    let out = cli.ok(
        &[
            "user",
            "add",
            "--email",
            "mo@example.org",
            "--role",
            "moderator",
        ],
        None,
    );
    assert!(
        out.contains("password: "),
        "a generated password is shown once: {out}"
    );

    // A post from a Markdown file.
    std::fs::write(
        cli.dir.path().join("statement.md"),
        "# Heading\n\nThe *text*.",
    )
    .unwrap();
    let out = cli.ok(
        &[
            "post",
            "new",
            "--title",
            "From the Shell",
            "statement.md",
            "--publish",
        ],
        None,
    );
    assert!(
        out.contains("published post 1 at /20") && out.contains("/from-the-shell/"),
        "{out}"
    );
    let out = cli.ok(&["post", "new", "--title", "A Draft", "statement.md"], None);
    assert!(out.contains("saved draft post 2"), "{out}");
    let err = cli.fails(
        &["post", "new", "--title", "From the Shell", "statement.md"],
        None,
    );
    assert!(err.contains("slug `from-the-shell` is used"), "{err}");
    let err = cli.fails(&["post", "new", "--title", "X", "missing.md"], None);
    assert!(err.contains("cannot read missing.md"), "{err}");
    let err = cli.fails(
        &[
            "post",
            "new",
            "--title",
            "X",
            "statement.md",
            "--lang",
            "not a tag",
        ],
        None,
    );
    assert!(err.contains("language"), "{err}");

    // Comments: none yet, unknown ids refused without changing anything.
    let out = cli.ok(&["comments", "list", "--status", "pending"], None);
    assert_eq!(out.lines().count(), 1, "just the header: {out}");
    let err = cli.fails(&["comments", "approve", "41", "42"], None);
    assert!(err.contains("no comment with id 41, 42"), "{err}");
    let err = cli.fails(&["comments", "list", "--status", "lost"], None);
    assert!(err.contains("unknown comment status"), "{err}");
    let err = cli.fails(&["--database-url", "mysql://x", "comments", "list"], None);
    assert!(err.contains("use sqlite://PATH or postgres://"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_moderates_what_the_site_received() {
    for backend in crate::support::backends() {
        let s = crate::support::TestServer::start(backend).await;
        s.setup_admin().await;
        let (post_id, link) = s.publish("Moderated from the shell", "x").await;
        let guest = crate::support::client();
        let a = crate::support::comment_id_of(
            &s.comment(&guest, post_id, 0, "Ann", "first held")
                .await
                .location(),
        );
        let b = crate::support::comment_id_of(
            &s.comment(&guest, post_id, 0, "Bob", "second held")
                .await
                .location(),
        );
        let cli = Cli::new();
        let url = s.db.url.clone();
        let list = cli.ok(
            &[
                "--database-url",
                &url,
                "comments",
                "list",
                "--status",
                "pending",
            ],
            None,
        );
        assert!(
            list.contains("first held") && list.contains("ann@example.net"),
            "{list}"
        );
        let out = cli.ok(
            &[
                "--database-url",
                &url,
                "comments",
                "approve",
                &a.to_string(),
            ],
            None,
        );
        assert_eq!(out.trim(), "approved: 1 comment");
        let out = cli.ok(
            &["--database-url", &url, "comments", "spam", &b.to_string()],
            None,
        );
        assert_eq!(out.trim(), "marked as spam: 1 comment");
        // The running site notices within its poll interval.
        tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
        let page = s.get_with(&crate::support::client(), &link).await;
        page.assert_contains("first held")
            .assert_lacks("second held")
            .assert_contains("One Response");
        s.stop().await;
    }
}

#[test]
fn a_typo_in_the_data_directory_creates_no_site() {
    let cli = Cli::new();
    for args in [
        vec!["--data-dir", "typo", "user", "list"],
        vec!["--data-dir", "typo", "comments", "list"],
        vec!["--data-dir", "typo", "export", "wordpress"],
        vec!["--data-dir", "typo", "backup", "copy.db"],
    ] {
        let err = cli.fails(&args, None);
        assert!(
            err.contains("there is no Tribune site at") && err.contains("--create-site"),
            "{args:?}: {err}"
        );
    }
    assert!(!cli.dir.path().join("typo").exists(), "nothing was created");
    // An empty database (PostgreSQL's usual state before the first start) is no site
    // either; an SQLite file that exists but holds nothing neither.
    std::fs::create_dir(cli.dir.path().join("empty")).unwrap();
    std::fs::write(cli.dir.path().join("empty/tribune.db"), b"").unwrap();
    let err = cli.fails(&["--data-dir", "empty", "user", "list"], None);
    assert!(err.contains("there is no Tribune site"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_never_print_raw_escape_sequences() {
    let cli = Cli::new();
    cli.ok(&["--create-site", "user", "list"], None);
    let url = tribune::config::sqlite_url(&cli.dir.path().join("tribune-data/tribune.db"));
    let store = tribune::store::Store::connect(&url).await.unwrap();
    let (post_id, _) = crate::support::prepared_site(&store, true).await;
    // As an old export could carry it: an escape sequence in a name and a body.
    store
        .insert_comment(
            &tribune::store::NewComment {
                post_id,
                parent_id: None,
                status: tribune::domain::comment::CommentStatus::Pending,
                author_name: "Evil\u{1b}[2J\u{1b}[31mName".into(),
                author_email: "e@example.net".into(),
                author_url: None,
                identity_id: None,
                body: "clear\u{1b}]0;owned\u{7} the screen \u{202e}txt.exe".into(),
                body_html: String::new(),
                ip: String::new(),
                user_agent: String::new(),
                duplicate_key: None,
                moderation_note: None,
                arrival: None,
            },
            0,
        )
        .await
        .unwrap();
    store.close().await;
    let out = cli.ok(&["comments", "list"], None);
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{202e}'));
    assert!(out.contains("Evil\\u{1b}[2J"), "{out}");
}

/// `tribune backup` copies a live site; restored as docs/operations.md says, it
/// serves the same pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_of_a_live_site_restores_to_the_same_pages() {
    let s = crate::support::TestServer::start(crate::support::Backend::Sqlite).await;
    s.setup_admin().await;
    let (post_id, link) = s.publish("Kept Safe", "A *statement* worth keeping.").await;
    let reader = crate::support::client();
    for i in 0..5 {
        s.comment(&reader, post_id, 0, "Reader", &format!("Comment {i}"))
            .await;
    }
    let csrf = s.admin_csrf().await;
    let ids: Vec<String> = s
        .store
        .moderation_queue(
            Some(tribune::domain::comment::CommentStatus::Pending),
            None,
            10,
            0,
        )
        .await
        .unwrap()
        .iter()
        .map(|c| c.id.to_string())
        .collect();
    let mut form = vec![("csrf", csrf.as_str()), ("bulk", "approve")];
    form.extend(ids.iter().map(|id| ("ids", id.as_str())));
    s.post("/admin/comments", &form).await;

    // Backed up while the site serves and a reader keeps commenting.
    let cli = Cli::new();
    let target = cli.dir.path().join("site-2026-12-01.db");
    let writer = {
        let url = s.url("/comments");
        tokio::spawn(async move {
            let c = crate::support::client();
            for i in 0..20 {
                let _ = c
                    .post(&url)
                    .form(&[
                        ("comment_post_ID", post_id.to_string()),
                        ("author", "Busy".into()),
                        ("email", "busy@example.net".into()),
                        ("comment", format!("during the backup {i}")),
                    ])
                    .send()
                    .await;
            }
        })
    };
    let out = cli.ok(
        &[
            "--database-url",
            &s.db.url,
            "backup",
            target.to_str().unwrap(),
        ],
        None,
    );
    writer.await.unwrap();
    assert!(out.starts_with("Backed up 1 post and "), "{out}");
    // A backup never overwrites.
    let err = cli.fails(
        &[
            "--database-url",
            &s.db.url,
            "backup",
            target.to_str().unwrap(),
        ],
        None,
    );
    assert!(err.contains("already exists"), "{err}");

    // Restore: the copy becomes tribune-data/tribune.db of a new installation.
    let restored = tempfile::tempdir().unwrap();
    std::fs::create_dir(restored.path().join("tribune-data")).unwrap();
    std::fs::copy(&target, restored.path().join("tribune-data/tribune.db")).unwrap();
    let db_url = tribune::config::sqlite_url(&restored.path().join("tribune-data/tribune.db"));
    let server = crate::support::ServerProcess::start(&db_url, restored.path(), &[]).await;
    let plain = crate::support::client();
    for path in ["/", link.as_str()] {
        let original = s.get_with(&plain, path).await;
        let copy = plain.get(server.url(path)).send().await.unwrap();
        assert_eq!(copy.status(), reqwest::StatusCode::OK);
        let copy = copy
            .text()
            .await
            .unwrap()
            .replace(['\u{2068}', '\u{2069}'], "");
        if path == "/" {
            assert_eq!(copy, original.body, "the home page is the same");
        } else {
            // The post as of the backup: the five approved comments, the same bytes
            // for everything that was there.
            assert!(copy.contains("Comment 4") && copy.contains("A <em>statement</em>"));
            assert!(copy.contains("5 Responses"), "{copy}");
        }
    }
    drop(server);
    s.stop().await;
}

#[test]
fn erasing_asks_first_and_addresses_are_checked() {
    let cli = Cli::new();
    cli.ok(&["--create-site", "user", "list"], None);
    let err = cli.fails(&["privacy", "erase", "reader@example.org"], None);
    assert!(err.contains("add --yes"), "{err}");
    let out = cli.ok(&["privacy", "erase", "reader@example.org", "--yes"], None);
    assert!(out.contains("Anonymised 0 comments."), "{out}");
    let err = cli.fails(&["export", "wordpress", "--base-url", "notaurl"], None);
    assert!(
        err.contains("must be an address such as https://example.org"),
        "{err}"
    );
    let err = cli.fails(&["export", "wordpress"], None);
    assert!(err.contains("pass --base-url"), "{err}");
}

/// A typo in `tribune.toml` or in a `TRIBUNE_*` variable is named in a warning (the
/// keys and variables known are the settings' own), and does not stop the command.
#[test]
fn typos_in_settings_are_warned_about_by_name() {
    let cli = Cli::new();
    std::fs::write(
        cli.dir.path().join("tribune.toml"),
        "data_dri = \"elsewhere\"\nmail_from = \"News <news@example.org>\"\n\
         [rate_limit]\ncomments_per_minut = 5\n[auth.oidc.corp]\nissuer = \"https://id.example.org\"\nclient = \"x\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tribune"))
        .args(["--create-site", "user", "list"])
        .current_dir(cli.dir.path())
        .env_remove("TRIBUNE_DATABASE_URL")
        .env_remove("TRIBUNE_DATA_DIR")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("TRIBUNE_BIND", "127.0.0.1:1")
        .env("TRIBUNE_SMTP_URL", "smtp://127.0.0.1:1")
        .env("TRIBUNE_RATE_LIMIT_COMMENTS_PER_MINUTE", "3")
        .env("TRIBUNE_MAIL_FORM", "typo")
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{err}");
    for warning in [
        "warning: unknown setting `data_dri` in config file; ignored",
        "warning: unknown setting `rate_limit.comments_per_minut` in config file; ignored",
        "warning: unknown setting `auth.oidc.corp.client` in config file; ignored",
        "warning: unknown environment variable TRIBUNE_MAIL_FORM; ignored",
    ] {
        assert!(err.contains(warning), "missing {warning:?} in:\n{err}");
    }
    for known in [
        "TRIBUNE_BIND",
        "TRIBUNE_SMTP_URL",
        "TRIBUNE_RATE_LIMIT_COMMENTS",
        "mail_from",
    ] {
        assert!(!err.contains(known), "{known} is a setting:\n{err}");
    }
    assert_eq!(err.lines().count(), 4, "{err}");
}

/// `post new --lang` takes only a language Tribune speaks (its page is written in it).
#[test]
fn a_post_language_tribune_does_not_speak_is_refused() {
    let cli = Cli::new();
    cli.ok(
        &[
            "--create-site",
            "user",
            "add",
            "--admin",
            "--email",
            "ada@example.org",
            "--password-stdin",
        ],
        Some("a long password\n"),
    );
    std::fs::write(cli.dir.path().join("p.md"), "Text.").unwrap();
    let err = cli.fails(
        &["post", "new", "--title", "T", "--lang", "xx", "p.md"],
        None,
    );
    assert!(err.contains("unknown language `xx`"), "{err}");
    assert!(err.contains("en, ckb, kmr, ar, fa, tr"), "{err}");
    let out = cli.ok(
        &["post", "new", "--title", "Iraq", "--lang", "ar-IQ", "p.md"],
        None,
    );
    assert!(out.contains("saved draft post"), "{out}");
}

/// Everything the command line says comes from the catalogues, in the language of the
/// terminal's locale: Arabic with Arabic digits and its plural forms, Turkish, and
/// English for `C` or a language Tribune does not ship.
#[test]
fn the_command_line_speaks_the_terminals_language() {
    let cli = Cli::new();
    let arabic = |args: &[&str], stdin: Option<&str>| {
        let out = cli.run_in("ar_IQ.UTF-8", args, stdin);
        (
            out.status.success(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (ok, out, err) = arabic(
        &[
            "--create-site",
            "user",
            "add",
            "--admin",
            "--email",
            "ada@example.org",
            "--password-stdin",
        ],
        Some("a long password\n"),
    );
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "أُضيف مدير ada@example.org (المعرّف 1)");
    let (ok, _, err) = arabic(
        &["user", "add", "--email", "x@example.org", "--role", "king"],
        None,
    );
    assert!(!ok);
    assert!(
        err.starts_with("خطأ: دور غير معروف `king`: استخدم"),
        "{err}"
    );
    let (_, _, err) = arabic(&["comments", "approve", "999"], None);
    assert!(err.contains("لا يوجد تعليق بالمعرّف 999"), "{err}");
    // clap's complaints too.
    let (ok, _, err) = arabic(&["comment", "approve", "1"], None);
    assert!(!ok);
    assert!(
        err.starts_with("خطأ: لا يوجد أمر `comment` (هل تقصد `comments`؟)"),
        "{err}"
    );
    let (_, out, _) = arabic(&["user", "list"], None);
    assert!(out.starts_with("المعرّف"), "{out}");
    assert!(out.contains("مدير"), "{out}");

    // An import's summary: counts in Arabic's forms and digits.
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/wxr-1.2.xml");
    let (ok, out, err) = arabic(&["import", "wordpress", "--dry-run", fixture], None);
    assert!(ok, "{err}");
    assert!(out.starts_with("سيُستورد: "), "{out}");
    assert!(
        out.starts_with("سيُستورد: ٣ مقالات، صفحة واحدة، ٨ تعليقات، مستخدمان، "),
        "few, one and two take their own forms: {out}"
    );
    assert!(out.contains("تجربة فقط: لم يُكتب شيء."), "{out}");
    assert!(!out.contains("Would import"), "{out}");
    // …and its errors.
    let bad = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/wxr-bad-tag.xml"
    );
    let (ok, _, err) = arabic(&["import", "wordpress", bad], None);
    assert!(!ok);
    assert!(err.starts_with("خطأ: السطر ٢٠٣، العمود ١٨: "), "{err}");
    assert!(err.trim_end().ends_with("لم يُستورد شيء."), "{err}");

    let out = cli.run_in(
        "tr_TR.UTF-8",
        &["import", "wordpress", "--dry-run", fixture],
        None,
    );
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.starts_with("İçe aktarılacak: "), "{out}");
    assert!(out.contains(" yorum"), "{out}");

    for english in ["C", "POSIX", "fr_FR.UTF-8", ""] {
        let out = cli.run_in(
            english,
            &["import", "wordpress", "--dry-run", fixture],
            None,
        );
        let out = String::from_utf8(out.stdout).unwrap();
        assert!(out.starts_with("Would import "), "LANG={english}: {out}");
    }
}
