//! `tribune import`, `tribune export` and `tribune privacy`: moving a site in and out,
//! and one person's data.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Subcommand;

use crate::domain::comment::plausible_email;
use crate::domain::settings::SiteSettings;
use crate::domain::site_url::SiteUrl;
use crate::i18n::terminal;
use crate::import::Report;
use crate::say;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a WordPress export (WXR 1.0–1.2: Tools → Export → All content)
    Wordpress {
        /// The .xml file WordPress gave you
        file: PathBuf,
        /// Language of every imported post, a BCP 47 tag such as en, ar, ckb
        /// [default: each post's own (Polylang), else the export's, else the site's]
        #[arg(long)]
        lang: Option<String>,
        /// Read the whole file and report what would come in, writing nothing
        #[arg(long)]
        dry_run: bool,
        /// Bring the export's images and files into the media library (fetched from
        /// their addresses in the export) and show them from here
        #[arg(long)]
        fetch_media: bool,
    },
    /// Import a Disqus export, matching its threads to posts here by URL
    Disqus {
        /// The .xml file Disqus mailed you (gunzip it first)
        file: PathBuf,
        /// Read the whole file and report what would come in, writing nothing
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write the whole site as WordPress eXtended RSS 1.2 (to standard output by default)
    Wordpress {
        /// Write to this file instead of standard output
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// The site's public address, for links in the file [default: base_url from the
        /// config, else the address recorded at setup]
        #[arg(long, alias = "site-url", env = "TRIBUNE_BASE_URL", value_name = "URL")]
        base_url: Option<String>,
    },
}

/// `tribune backup FILE`.
#[derive(Debug, clap::Args)]
pub struct BackupCommand {
    /// Where to write the copy (an SQLite database file; it must not exist yet)
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum PrivacyCommand {
    /// Print everything stored about an email address, as JSON
    Export { email: String },
    /// Erase an email address's data: comments anonymised (or deleted), subscriptions,
    /// sign-in identities and emails removed. Asks first, unless --yes
    Erase {
        email: String,
        /// Delete their comments instead of anonymising them
        #[arg(long)]
        delete_comments: bool,
        /// Erase without asking (for scripts)
        #[arg(long)]
        yes: bool,
    },
}

/// Erasing cannot be undone: on a terminal the address is typed again; elsewhere
/// `--yes` must say it.
fn confirm_erase(email: &str) -> anyhow::Result<()> {
    use std::io::{BufRead, IsTerminal};
    if !std::io::stdin().is_terminal() {
        bail!(say!("cli-erase-needs-yes", email = email));
    }
    eprint!("{} ", say!("cli-erase-confirm", email = email));
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if !answer.trim().eq_ignore_ascii_case(email.trim()) {
        bail!(say!("cli-erase-mismatch"));
    }
    Ok(())
}

async fn site_settings(store: &Store) -> anyhow::Result<SiteSettings> {
    Ok(SiteSettings::from_pairs(store.all_settings().await?))
}

/// Peak resident memory of this process in MB (Linux), for the summary.
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn progress_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    // indicatif's placeholders pass through the catalogue as they are.
    let template = format!(
        "{{spinner}} {} [{{bar:40}}] {{bytes}}/{{total_bytes}} ({})",
        say!("cli-importing"),
        say!("cli-time-left", eta = "{eta}")
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(&template)
            .or_else(|_| {
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{bar:40}] {bytes}/{total_bytes}",
                )
            })
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar
}

fn print_summary(report: &Report, started: Instant, dry_run: bool) {
    let secs = started.elapsed().as_secs_f64();
    let rate = report.comments as f64 / secs.max(0.001);
    let seconds = (secs * 10.0).round() / 10.0;
    let rate = rate.round() as i64;
    let took = match peak_memory_mb() {
        Some(mb) => say!(
            "import-took-memory",
            seconds = seconds,
            rate = rate,
            mb = mb.round() as i64
        ),
        None => say!("import-took", seconds = seconds, rate = rate),
    };
    let text = report.describe(dry_run, &terminal::tell);
    // The import is done; a reader that stopped listening (`| head`) changes nothing.
    let _ = writeln!(std::io::stdout(), "{text}{took}");
}

pub async fn import(
    store: &Store,
    cmd: ImportCommand,
    media: &crate::media::MediaConfig,
    data_dir: &std::path::Path,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let bar = progress_bar();
    let mut progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let dry = match &cmd {
        ImportCommand::Wordpress { dry_run, .. } | ImportCommand::Disqus { dry_run, .. } => {
            *dry_run
        }
    };
    let report = match cmd {
        ImportCommand::Wordpress {
            file,
            lang,
            dry_run,
            fetch_media,
        } => {
            if let Some(l) = &lang {
                if !crate::i18n::valid_language_tag(l) {
                    bail!(say!("cli-not-language-tag", tag = l.as_str()));
                }
            }
            let site = site_settings(store).await?;
            let languages = crate::import::Languages {
                forced: lang,
                fallback: site.language,
            };
            let fetch = if fetch_media {
                let library = crate::media::Library::new(store.clone(), media, data_dir)?;
                let http = reqwest::Client::builder()
                    .timeout(std::time::Duration::from_secs(120))
                    .user_agent(concat!("Tribune/", env!("CARGO_PKG_VERSION"), " (import)"))
                    .build()?;
                Some((library, http))
            } else {
                None
            };
            crate::import::wordpress(
                store,
                &file,
                &languages,
                dry_run,
                &mut progress,
                fetch.as_ref().map(|(l, h)| (l, h)),
            )
            .await
        }
        ImportCommand::Disqus { file, dry_run } => {
            crate::import::disqus(store, &file, dry_run, &mut progress).await
        }
    };
    bar.finish_and_clear();
    let report = report?;
    print_summary(&report, started, dry);
    if dry {
        println!("{}", say!("cli-dry-run-done"));
    }
    Ok(())
}

pub async fn export(
    store: &Store,
    cmd: ExportCommand,
    base_url: Option<String>,
) -> anyhow::Result<()> {
    let ExportCommand::Wordpress {
        output,
        base_url: given,
    } = cmd;
    let site = site_settings(store).await?;
    let base = match given.or(base_url) {
        Some(typed) => SiteUrl::parse(&typed)
            .with_context(|| say!("cli-bad-base-url", url = typed.as_str()))?,
        None => site
            .site_url
            .clone()
            .with_context(|| say!("cli-no-base-url"))?,
    };
    let counts = match &output {
        Some(path) => {
            // Written beside the target and renamed, so a failed export never leaves half a file.
            let tmp = path.with_extension("xml.partial");
            let file = std::fs::File::create(&tmp)
                .with_context(|| say!("cli-cannot-create", path = tmp.display().to_string()))?;
            let mut out = std::io::BufWriter::new(file);
            let counts = crate::export::wordpress(store, &site, &base, &mut out).await?;
            out.flush()?;
            drop(out);
            std::fs::rename(&tmp, path)
                .with_context(|| say!("cli-cannot-write", path = path.display().to_string()))?;
            counts
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            crate::export::wordpress(store, &site, &base, &mut out).await?
        }
    };
    eprintln!(
        "{}",
        say!(
            "cli-exported",
            posts = say!("cli-count-posts-pages", count = counts.posts),
            comments = say!("import-comments", count = counts.comments)
        )
    );
    Ok(())
}

pub async fn privacy(store: &Store, cmd: PrivacyCommand) -> anyhow::Result<()> {
    match cmd {
        PrivacyCommand::Export { email } => {
            if !plausible_email(&email) {
                bail!(say!("cli-not-an-email", email = email.as_str()));
            }
            let data = store.personal_data(&email).await?;
            println!("{}", serde_json::to_string_pretty(&data.to_json())?);
        }
        PrivacyCommand::Erase {
            email,
            delete_comments,
            yes,
        } => {
            if !plausible_email(&email) {
                bail!(say!("cli-not-an-email", email = email.as_str()));
            }
            if !yes {
                confirm_erase(&email)?;
            }
            let erased = store
                .erase_personal_data(&email, delete_comments, "Anonymous")
                .await?;
            if delete_comments {
                println!(
                    "{}",
                    say!(
                        "cli-deleted",
                        comments = say!("import-comments", count = erased.comments_deleted)
                    )
                );
            } else {
                println!(
                    "{}",
                    say!(
                        "cli-anonymised",
                        comments = say!("import-comments", count = erased.comments_anonymised)
                    )
                );
            }
            println!(
                "{}",
                say!(
                    "cli-removed",
                    subscriptions = say!("cli-count-subscriptions", count = erased.subscriptions),
                    identities = say!("cli-count-identities", count = erased.identities),
                    emails = say!("cli-count-emails", count = erased.emails)
                )
            );
            if erased.staff_account_kept {
                println!("{}", say!("cli-staff-kept"));
            }
        }
    }
    Ok(())
}

/// Copies a live SQLite site to `cmd.file` and checks the copy; for PostgreSQL, says
/// how to use `pg_dump`.
pub async fn backup(store: &Store, cmd: BackupCommand) -> anyhow::Result<()> {
    if store.backend() != crate::store::Backend::Sqlite {
        bail!(say!(
            "cli-backup-postgres",
            file = cmd.file.display().to_string()
        ));
    }
    let target = cmd.file;
    if target.exists() {
        bail!(say!(
            "cli-backup-exists",
            path = target.display().to_string()
        ));
    }
    let started = Instant::now();
    // Written beside the target and renamed, so a failed backup never leaves a file
    // that looks whole.
    let partial = target.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    if let Err(err) = store.backup_sqlite(&partial).await {
        let _ = std::fs::remove_file(&partial);
        return Err(anyhow::Error::new(err).context(say!(
            "cli-cannot-write",
            path = partial.display().to_string()
        )));
    }
    let copy = Store::connect(&crate::config::sqlite_url(&partial)).await?;
    let check = copy.quick_check().await;
    let (posts, comments) = copy.counts().await.unwrap_or((0, 0));
    copy.close().await;
    match check {
        Ok(ok) if ok == "ok" => {}
        Ok(problem) => {
            let _ = std::fs::remove_file(&partial);
            bail!(say!("cli-backup-damaged", problem = problem));
        }
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            return Err(anyhow::Error::new(err).context(say!("cli-backup-cannot-check")));
        }
    }
    std::fs::rename(&partial, &target)
        .with_context(|| say!("cli-cannot-write", path = target.display().to_string()))?;
    let size = std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0);
    println!(
        "{}",
        say!(
            "cli-backed-up",
            posts = say!("import-posts", count = posts),
            comments = say!("import-comments", count = comments),
            path = target.display().to_string(),
            mb = (size as f64 / 104_857.6).round() / 10.0,
            seconds = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0
        )
    );
    Ok(())
}
