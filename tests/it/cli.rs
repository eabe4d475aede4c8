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
        let mut child = Command::new(env!("CARGO_BIN_EXE_tribune"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("TRIBUNE_DATABASE_URL")
            .env_remove("TRIBUNE_DATA_DIR")
            .env("RUST_BACKTRACE", "0")
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
        vec!["post", "new", "--help"],
        vec!["comments", "--help"],
        vec!["comments", "list", "--help"],
        vec!["comments", "approve", "--help"],
        vec!["import", "wordpress", "--help"],
        vec!["import", "disqus", "--help"],
        vec!["export", "wordpress", "--help"],
        vec!["privacy", "export", "--help"],
        vec!["privacy", "erase", "--help"],
    ] {
        let out = cli.ok(&args, None);
        assert!(out.contains("Usage:"), "{args:?}: {out}");
    }
    assert!(cli
        .ok(&["serve", "--help"], None)
        .contains("TRIBUNE_BASE_URL"));
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
