//! The `tribune` command line: `serve`, `user`, `post`, `comments`, `import`, `export`,
//! `privacy`.
//! Each subcommand reports bad input in one line and exits non-zero.

mod data;
mod usage;

use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

use crate::config::{
    unknown_env_warnings, DataSettings, FileConfig, GlobalArgs, ServeArgs, ServeSettings,
};
use crate::domain::comment::{plausible_email, CommentStatus};
use crate::domain::post::{permalink, BodyFormat, PostInput, PostStatus};
use crate::domain::role::Role;
use crate::publish::{self, SaveError};
use crate::store::{Store, StoreError};

#[derive(Debug, Parser)]
#[command(
    name = "tribune",
    version,
    about = "Tribune: publish statements and articles, take replies."
)]
pub struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the site (http://127.0.0.1:8080 by default)
    Serve(ServeArgs),
    /// Manage staff accounts
    #[command(subcommand)]
    User(UserCommand),
    /// Write posts
    #[command(subcommand)]
    Post(PostCommand),
    /// Moderate comments
    #[command(subcommand)]
    Comments(CommentsCommand),
    /// Bring posts and comments in from WordPress or Disqus
    #[command(subcommand)]
    Import(data::ImportCommand),
    /// Write the whole site out (WordPress WXR)
    #[command(subcommand)]
    Export(data::ExportCommand),
    /// Export or erase everything stored about one email address
    #[command(subcommand)]
    Privacy(data::PrivacyCommand),
    /// Copy the whole site, consistently, while it runs (SQLite; PostgreSQL uses pg_dump)
    Backup(data::BackupCommand),
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a staff account
    Add {
        /// Email address to sign in with
        #[arg(long)]
        email: String,
        /// Name shown on posts [default: the part of the email before @]
        #[arg(long)]
        name: Option<String>,
        /// admin, editor, author or moderator
        #[arg(long, default_value_t = Role::Author.to_string())]
        role: String,
        /// Same as --role admin
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of standard input (otherwise one is generated and printed)
        #[arg(long)]
        password_stdin: bool,
    },
    /// List staff accounts
    List,
    /// Set a staff member's password and sign them out everywhere
    Passwd {
        /// Their email address or id
        user: String,
        /// Read the password from the first line of standard input (otherwise one is generated and printed)
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change a staff member's role
    Role {
        /// Their email address or id
        user: String,
        /// admin, editor, author or moderator
        role: String,
    },
    /// Delete a staff account
    Remove {
        /// Their email address or id
        user: String,
        /// Give their posts to this staff member (email address or id)
        #[arg(long)]
        reassign: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum PostCommand {
    /// Create a post from a Markdown file (- reads standard input)
    New {
        /// The post's title
        #[arg(long)]
        title: String,
        /// Markdown file with the body
        file: PathBuf,
        /// Publish now instead of saving a draft
        #[arg(long)]
        publish: bool,
        /// URL slug [default: made from the title]
        #[arg(long)]
        slug: Option<String>,
        /// Language of the post, a BCP 47 tag such as en, ar, ckb [default: the site's]
        #[arg(long)]
        lang: Option<String>,
        /// Short summary for listings
        #[arg(long)]
        excerpt: Option<String>,
        /// Email of the author [default: the first administrator]
        #[arg(long)]
        author: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum CommentsCommand {
    /// List comments, newest first
    List {
        /// pending, approved, spam or trash [default: pending and approved]
        #[arg(long)]
        status: Option<String>,
        /// Only comments on this post id
        #[arg(long)]
        post: Option<i64>,
        /// At most this many
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Approve comments so readers see them
    Approve {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<i64>,
    },
    /// Mark comments as spam
    Spam {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<i64>,
    },
    /// Move comments to the trash
    Trash {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<i64>,
    },
    /// Not spam: back to the moderation queue, and the spam filter learns from it
    NotSpam {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<i64>,
    },
    /// The activity log: every moderation action and rule change, newest first
    Log {
        /// admin, email, cli, filter, rule, trap, job or service
        #[arg(long)]
        source: Option<String>,
        /// approve, unapprove, spam, not-spam, trash, hold, delete, block or settings
        #[arg(long)]
        action: Option<String>,
        /// Only entries about this commenter's email address
        #[arg(long)]
        email: Option<String>,
        /// At most this many
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

/// Every `TRIBUNE_*` variable a flag reads, from the flags themselves.
fn known_env() -> Vec<String> {
    fn collect(cmd: &clap::Command, out: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            if let Some(env) = arg.get_env() {
                out.push(env.to_string_lossy().into_owned());
            }
        }
        for sub in cmd.get_subcommands() {
            collect(sub, out);
        }
    }
    let mut out = Vec::new();
    collect(&<Cli as clap::CommandFactory>::command(), &mut out);
    out
}

/// Runs the command line; prints `error: …` on one line on failure.
pub fn main() -> ExitCode {
    let cli: Cli = usage::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}", crate::say!("cli-error", message = e.to_string()));
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(cli));
    // Blocking work still running (a password hash for a client long gone) must not
    // keep the process alive after the server has stopped.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let msg = explain(&err);
            eprintln!(
                "{}",
                crate::say!("cli-error", message = msg.replace('\n', " "))
            );
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes, as `{:#}` writes them, each part Tribune wrote in the
/// terminal's language.
fn explain(err: &anyhow::Error) -> String {
    use crate::domain::names::UnknownName;
    use crate::domain::site_url::BadSiteUrl;
    use crate::i18n::{terminal, Message};
    err.chain()
        .map(|cause| {
            if let Some(e) = cause.downcast_ref::<crate::import::ImportError>() {
                e.in_terminal_language()
            } else if let Some(e) = cause.downcast_ref::<UnknownName>() {
                terminal::tell(
                    &Message::new("cli-unknown-name")
                        .arg_key("what", format!("name-{}", e.what.replace(' ', "-")))
                        .arg("value", e.value.as_str())
                        .arg("choices", e.expected.join(", ")),
                )
            } else if let Some(StoreError::Refused(key)) = cause.downcast_ref::<StoreError>() {
                terminal::tell(&Message::new(key))
            } else if let Some(e) = cause.downcast_ref::<BadSiteUrl>() {
                crate::say!("cli-bad-site-url", url = e.0.as_str())
            } else {
                cause.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(": ")
}

/// Opens the site's database and brings its schema up to date. Without `create`, a
/// data directory or database that holds no site is refused (a typo in `--data-dir`
/// must not quietly start a new, empty site).
async fn open_store(data: &DataSettings, create: bool) -> anyhow::Result<Store> {
    let no_site = || {
        anyhow::anyhow!(crate::say!(
            "cli-no-site",
            place = redact(&data.database_url)
        ))
    };
    if let Some(path) = data.sqlite_path() {
        if !path.exists() {
            if !create {
                return Err(no_site());
            }
            let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
            if let Some(dir) = dir {
                std::fs::create_dir_all(dir).with_context(|| {
                    crate::say!("cli-cannot-create-dir", path = dir.display().to_string())
                })?;
            }
        }
    }
    let store = Store::connect(&data.database_url).await.with_context(|| {
        crate::say!(
            "cli-cannot-open-database",
            place = redact(&data.database_url)
        )
    })?;
    if !create && !store.has_site().await? {
        store.close().await;
        return Err(no_site());
    }
    store.migrate().await?;
    Ok(store)
}

/// Text from the database as a terminal may show it: control characters (an escape
/// sequence in an imported name would repaint the screen) and bidirectional overrides
/// written as visible escapes, e.g. `\u{1b}`.
fn shown(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A database URL with any password replaced, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let (file, mut warnings) = FileConfig::load(cli.global.config.as_deref())?;
    warnings.extend(unknown_env_warnings(&known_env()));
    match cli.command {
        Command::Serve(args) => {
            let settings = ServeSettings::resolve(&cli.global, &args, &file)?;
            crate::logging::init(settings.json_logs);
            for w in warnings {
                tracing::warn!("{w}");
            }
            serve(settings).await
        }
        other => {
            for w in warnings {
                eprintln!("{}", crate::say!("cli-warning", message = w));
            }
            let data = DataSettings::resolve(&cli.global, &file);
            let store = open_store(&data, cli.global.create_site).await?;
            // Moderation here is reported to the spam service too, when one is set.
            store.report_decisions(crate::config::spam_service(&file)?.is_some());
            let result = match other {
                Command::User(cmd) => user(&store, cmd).await,
                Command::Post(cmd) => post(&store, cmd).await,
                Command::Comments(cmd) => comments(&store, cmd).await,
                Command::Import(cmd) => {
                    let media = crate::config::media(&file)?;
                    data::import(&store, cmd, &media, &data.data_dir).await
                }
                Command::Export(cmd) => data::export(&store, cmd, file.base_url.clone()).await,
                Command::Backup(cmd) => data::backup(&store, cmd).await,
                Command::Privacy(cmd) => data::privacy(&store, cmd).await,
                Command::Serve(_) => unreachable!("handled above"),
            };
            store.close().await;
            result
        }
    }
}

async fn serve(settings: ServeSettings) -> anyhow::Result<()> {
    let store = open_store(&settings.data, true).await?;
    // A file grown past the process's size limit (RLIMIT_FSIZE) would otherwise end
    // the server with SIGXFSZ; with the signal caught, that write fails with EFBIG
    // like any other disk error and the reader is told their comment was not saved.
    #[cfg(unix)]
    let _xfsz = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::from_raw(25));
    let (bind, database_url) = (settings.bind, settings.data.database_url.clone());
    let state = crate::web::AppState::new(store.clone(), settings).await?;
    if !state.site.url_known() {
        tracing::warn!(
            "the site's public address is not known yet: it is recorded when the first \
             administrator sets the site up (or set --base-url / TRIBUNE_BASE_URL, e.g. \
             https://example.org). Until then links in emails use the listening address."
        );
    }
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| crate::say!("cli-cannot-listen", bind = bind.to_string()))?;
    tracing::info!(mail = %state.mailer.describe(), "email transport");
    tracing::info!(
        address = %format!("http://{}", listener.local_addr()?),
        database = %redact(&database_url),
        "Tribune is serving"
    );
    crate::web::serve(state, listener, shutdown_signal()).await?;
    // A connection still held by work that outlived the grace period would make
    // `close` wait for it; the databases roll back whatever was not committed.
    if tokio::time::timeout(std::time::Duration::from_secs(2), store.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections still busy at exit; uncommitted work is rolled back");
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down; finishing requests in flight");
}

async fn user(store: &Store, cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add {
            email,
            name,
            role,
            admin,
            password_stdin,
        } => {
            let email = email.trim().to_lowercase();
            if !plausible_email(&email) {
                bail!(crate::say!("cli-not-an-email", email = email.as_str()));
            }
            // Parsed here, not by clap, so a wrong role is the usual one-line error.
            let role = if admin { Role::Admin } else { role.parse()? };
            let name =
                name.unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
            let (password, generated) = read_password(password_stdin)?;
            let hash = crate::passwords::hash(&password)?;
            match store
                .insert_user(&email, &name, Some(&hash), role, false)
                .await
            {
                Ok(id) => {
                    println!(
                        "{}",
                        crate::say!(
                            "cli-user-added",
                            role = crate::say!("cli-role", role = role.as_str()),
                            email = email.as_str(),
                            id = id.to_string()
                        )
                    );
                    if generated {
                        println!(
                            "{}",
                            crate::say!("cli-generated-password", password = password.as_str())
                        );
                    }
                    Ok(())
                }
                Err(StoreError::Conflict(_)) => {
                    bail!(crate::say!("cli-user-exists", email = email.as_str()))
                }
                Err(e) => Err(e.into()),
            }
        }
        UserCommand::List => {
            // A reader that stops listening (`| head`) ends the listing, not a panic.
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "{:<6} {:<14} {:<32} {}",
                crate::say!("cli-column-id"),
                crate::say!("cli-column-role"),
                crate::say!("cli-column-email"),
                crate::say!("cli-column-name")
            );
            for u in store.list_users().await? {
                let line = writeln!(
                    out,
                    "{:<6} {:<14} {:<32} {}",
                    u.id,
                    crate::say!("cli-role", role = u.role.as_str()),
                    shown(&u.email),
                    shown(&u.display_name)
                );
                if line.is_err() {
                    break;
                }
            }
            Ok(())
        }
        UserCommand::Passwd {
            user,
            password_stdin,
        } => {
            let user = staff_account(store, &user).await?;
            let (password, generated) = read_password(password_stdin)?;
            let hash = crate::passwords::hash(&password)?;
            store.set_password(user.id, &hash, None).await?;
            println!(
                "{}",
                crate::say!("cli-password-set", email = user.email.as_str())
            );
            if generated {
                println!(
                    "{}",
                    crate::say!("cli-generated-password", password = password.as_str())
                );
            }
            Ok(())
        }
        UserCommand::Role { user, role } => {
            let user = staff_account(store, &user).await?;
            let role: Role = role.parse()?;
            store
                .change_user(user.id, crate::store::StaffChange::Role(role))
                .await?;
            println!(
                "{}",
                crate::say!(
                    "cli-role-changed",
                    email = user.email.as_str(),
                    role = crate::say!("cli-role", role = role.as_str())
                )
            );
            Ok(())
        }
        UserCommand::Remove { user, reassign } => {
            let user = staff_account(store, &user).await?;
            let heir = match reassign {
                Some(who) => Some(staff_account(store, &who).await?),
                None => None,
            };
            let posts = store
                .remove_user(user.id, heir.as_ref().map(|h| h.id))
                .await?;
            println!(
                "{}",
                crate::say!("cli-user-removed", email = user.email.as_str())
            );
            if let Some(heir) = heir {
                println!(
                    "{}",
                    crate::say!(
                        "cli-posts-reassigned",
                        count = posts,
                        email = heir.email.as_str()
                    )
                );
            }
            Ok(())
        }
    }
}

/// A new password: the first line of standard input, or a generated one (`true`).
fn read_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    let (password, generated) = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .with_context(|| crate::say!("cli-cannot-read-password"))?;
        (line.trim_end_matches(['\r', '\n']).to_string(), false)
    } else {
        (crate::token::random_hex(12), true)
    };
    use crate::domain::account::{check_new_password, MIN_PASSWORD_CHARS};
    if let Err(problem) = check_new_password(&password, None) {
        bail!(crate::i18n::terminal::say(
            problem.key(),
            &[("min", (MIN_PASSWORD_CHARS as i64).into())]
        ));
    }
    Ok((password, generated))
}

/// The staff account `who` names (email or id), or the error that says none does.
async fn staff_account(store: &Store, who: &str) -> anyhow::Result<crate::store::UserRow> {
    store
        .user_by_ref(who)
        .await?
        .with_context(|| crate::say!("cli-no-staff-account", email = who))
}

async fn post(store: &Store, cmd: PostCommand) -> anyhow::Result<()> {
    let PostCommand::New {
        title,
        file,
        publish,
        slug,
        lang,
        excerpt,
        author,
    } = cmd;
    let body = if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .with_context(|| crate::say!("cli-cannot-read-post"))?;
        s
    } else {
        std::fs::read_to_string(&file)
            .with_context(|| crate::say!("cli-cannot-read", path = file.display().to_string()))?
    };
    let author = match author {
        Some(email) => store
            .user_by_email(&email.to_lowercase())
            .await?
            .with_context(|| crate::say!("cli-no-staff-account", email = email.as_str()))?,
        None => {
            let users = store.list_users().await?;
            match users.into_iter().find(|u| u.role == Role::Admin) {
                Some(u) => u,
                None => bail!(crate::say!("cli-no-admin")),
            }
        }
    };
    let site = crate::domain::settings::SiteSettings::from_pairs(store.all_settings().await?);
    // Only a language Tribune speaks: the post's page is written in it.
    let lang = match lang {
        Some(tag) => crate::i18n::shipped(&tag).map(|l| l.tag).with_context(|| {
            let tags: Vec<_> = crate::i18n::SHIPPED.iter().map(|l| l.tag).collect();
            crate::say!(
                "cli-unknown-language",
                tag = tag.as_str(),
                tags = tags.join(", ")
            )
        })?,
        None => crate::i18n::speak(&site.language).tag,
    };
    let status = if publish {
        PostStatus::Published
    } else {
        PostStatus::Draft
    };
    let input = PostInput {
        title,
        slug: slug.unwrap_or_default(),
        excerpt: excerpt.unwrap_or_default(),
        body,
        lang: lang.to_string(),
        status: status.as_str().into(),
        published_at: String::new(),
        translation_group: String::new(),
        comments_open: true,
        featured_media_id: None,
    };
    let saved = match publish::prepare(&input, BodyFormat::Markdown, author.id, crate::store::now())
    {
        Ok(write) => publish::save(store, None, &write)
            .await
            .map(|id| (id, write)),
        Err(e) => Err(e),
    };
    let (id, write) = match saved {
        Ok(saved) => saved,
        Err(SaveError::SlugTaken(slug)) => {
            bail!(crate::say!("cli-slug-taken", slug = slug))
        }
        Err(SaveError::Store(e)) => return Err(e.into()),
        Err(SaveError::Invalid(problems)) => {
            let say = crate::i18n::terminal::say;
            let reasons: Vec<String> = problems
                .iter()
                .map(|p| {
                    let field = say(&format!("field-{}", p.field), &[]);
                    say(
                        p.key,
                        &[
                            ("field", field.into()),
                            ("max", (p.max as i64).into()),
                            ("len", (p.len as i64).into()),
                        ],
                    )
                })
                .collect();
            bail!("{}", reasons.join("; "));
        }
    };
    match write.published_at {
        Some(t) => println!(
            "{}",
            crate::say!(
                "cli-post-published",
                id = id.to_string(),
                path = permalink(t, &write.slug)
            )
        ),
        None => println!("{}", crate::say!("cli-post-draft", id = id.to_string())),
    }
    Ok(())
}

async fn comments(store: &Store, cmd: CommentsCommand) -> anyhow::Result<()> {
    let (ids, status) = match cmd {
        CommentsCommand::List {
            status,
            post,
            limit,
        } => {
            let status = status.map(|s| s.parse::<CommentStatus>()).transpose()?;
            let rows = store
                .moderation_queue(status, post, limit.max(1), 0)
                .await?;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "{:<7} {:<14} {:<20} {:<24} {:<6} {}",
                crate::say!("cli-column-id"),
                crate::say!("cli-column-status"),
                crate::say!("cli-column-date"),
                crate::say!("cli-column-author"),
                crate::say!("cli-column-post"),
                crate::say!("cli-column-comment")
            );
            for c in rows {
                let date =
                    crate::domain::post::format_datetime_local(c.created_at).replace('T', " ");
                let author = shown(&format!("{} <{}>", c.author_name, c.author_email));
                let text: String = c
                    .body
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .chars()
                    .take(60)
                    .collect();
                let text = shown(&text);
                let line = writeln!(
                    out,
                    "{:<7} {:<14} {:<20} {:<24} {:<6} {}",
                    c.id,
                    crate::say!("cli-status", status = c.status.as_str()),
                    date,
                    author,
                    c.post_id,
                    text
                );
                if line.is_err() {
                    break;
                }
            }
            return Ok(());
        }
        CommentsCommand::Approve { ids } => (ids, CommentStatus::Approved),
        CommentsCommand::Spam { ids } => (ids, CommentStatus::Spam),
        CommentsCommand::Trash { ids } => (ids, CommentStatus::Trash),
        CommentsCommand::NotSpam { ids } => (ids, CommentStatus::Pending),
        CommentsCommand::Log {
            source,
            action,
            email,
            limit,
        } => {
            let filter = crate::store::ActivityFilter {
                source: source.map(|s| s.parse()).transpose()?,
                action: action.map(|a| a.parse()).transpose()?,
                comment_id: None,
                email,
            };
            let rows = store.activity(&filter, limit.max(1), 0).await?;
            let mut out = std::io::stdout().lock();
            for a in rows {
                let date = crate::domain::post::format_datetime_local(a.at).replace('T', " ");
                let who = if a.actor.is_empty() {
                    crate::say!("cli-log-someone")
                } else {
                    a.actor.clone()
                };
                let comment = a.comment_id.map(|id| format!("#{id}")).unwrap_or_default();
                let line = writeln!(
                    out,
                    "{:<20} {:<8} {:<20} {:<10} {:<8} {:<28} {}",
                    date,
                    a.source.as_str(),
                    shown(&who),
                    a.action.as_str(),
                    comment,
                    a.email.as_deref().unwrap_or(""),
                    shown(&a.detail)
                );
                if line.is_err() {
                    break;
                }
            }
            return Ok(());
        }
    };
    let mut missing = Vec::new();
    for id in &ids {
        if store.comment_by_id(*id).await?.is_none() {
            missing.push(id.to_string());
        }
    }
    if !missing.is_empty() {
        bail!(crate::say!("cli-no-comment", ids = missing.join(", ")));
    }
    let n = store.set_comment_status(&ids, status, &cli_actor()).await?;
    println!(
        "{}",
        crate::say!("cli-moderated", status = status.as_str(), count = n)
    );
    Ok(())
}

/// Whoever runs the command, for the activity log: the system user's name.
fn cli_actor() -> crate::domain::activity::Actor {
    let name = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_default();
    crate::domain::activity::Actor {
        user_id: None,
        name,
        source: crate::domain::activity::Source::Cli,
    }
}
