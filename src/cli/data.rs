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
use crate::i18n::count_en;
use crate::import::Report;
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
        bail!(
            "erasing cannot be undone: add --yes to erase the data of {email} without being asked"
        );
    }
    eprint!("This erases what is stored about {email} and cannot be undone. Type the address again to go on: ");
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if !answer.trim().eq_ignore_ascii_case(email.trim()) {
        bail!("the address typed did not match; nothing was erased");
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
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} importing [{bar:40}] {bytes}/{total_bytes} ({eta} left)",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar
}

fn print_summary(report: &Report, started: Instant, dry_run: bool) {
    let secs = started.elapsed().as_secs_f64();
    let rate = report.comments as f64 / secs.max(0.001);
    let mut text = format!("{report}Took {secs:.1} s ({rate:.0} comments/s)");
    if dry_run {
        text = text.replacen("Imported", "Would import", 1);
    }
    if let Some(mb) = peak_memory_mb() {
        text.push_str(&format!(", peak memory {mb:.0} MB"));
    }
    // The import is done; a reader that stopped listening (`| head`) changes nothing.
    let _ = writeln!(std::io::stdout(), "{text}.");
}

pub async fn import(store: &Store, cmd: ImportCommand) -> anyhow::Result<()> {
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
        } => {
            if let Some(l) = &lang {
                if !crate::i18n::valid_language_tag(l) {
                    bail!("`{l}` is not a language tag: use one such as en, ar or ckb");
                }
            }
            let site = site_settings(store).await?;
            let languages = crate::import::Languages {
                forced: lang,
                fallback: site.language,
            };
            crate::import::wordpress(store, &file, &languages, dry_run, &mut progress).await
        }
        ImportCommand::Disqus { file, dry_run } => {
            crate::import::disqus(store, &file, dry_run, &mut progress).await
        }
    };
    bar.finish_and_clear();
    let report = report?;
    print_summary(&report, started, dry);
    if dry {
        println!("Dry run: nothing was written. Run it again without --dry-run to import.");
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
        Some(typed) => SiteUrl::parse(&typed).with_context(|| {
            format!("base URL `{typed}` must be an address such as https://example.org")
        })?,
        None => site.site_url.clone().context(
            "the site's public address is not known yet: pass --base-url https://example.org \
             (or set TRIBUNE_BASE_URL)",
        )?,
    };
    let counts = match &output {
        Some(path) => {
            // Written beside the target and renamed, so a failed export never leaves half a file.
            let tmp = path.with_extension("xml.partial");
            let file = std::fs::File::create(&tmp)
                .with_context(|| format!("cannot create {}", tmp.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let counts = crate::export::wordpress(store, &site, &base, &mut out).await?;
            out.flush()?;
            drop(out);
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            counts
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            crate::export::wordpress(store, &site, &base, &mut out).await?
        }
    };
    eprintln!(
        "Exported {} with {}.",
        count_en(counts.posts, "post or page", "posts and pages"),
        count_en(counts.comments, "comment", "comments")
    );
    Ok(())
}

pub async fn privacy(store: &Store, cmd: PrivacyCommand) -> anyhow::Result<()> {
    match cmd {
        PrivacyCommand::Export { email } => {
            if !plausible_email(&email) {
                bail!("`{email}` is not an email address");
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
                bail!("`{email}` is not an email address");
            }
            if !yes {
                confirm_erase(&email)?;
            }
            let erased = store
                .erase_personal_data(&email, delete_comments, "Anonymous")
                .await?;
            if delete_comments {
                println!(
                    "Deleted {}.",
                    count_en(erased.comments_deleted, "comment", "comments")
                );
            } else {
                println!(
                    "Anonymised {}.",
                    count_en(erased.comments_anonymised, "comment", "comments")
                );
            }
            println!(
                "Removed {}, {}, {}.",
                count_en(erased.subscriptions, "subscription", "subscriptions"),
                count_en(erased.identities, "sign-in identity", "sign-in identities"),
                count_en(erased.emails, "email", "emails")
            );
            if erased.staff_account_kept {
                println!("A staff account uses this address; it was kept (staff accounts are managed with `tribune user`).");
            }
        }
    }
    Ok(())
}

/// Copies a live SQLite site to `cmd.file` and checks the copy; for PostgreSQL, says
/// how to use `pg_dump`.
pub async fn backup(store: &Store, cmd: BackupCommand) -> anyhow::Result<()> {
    if store.backend() != crate::store::Backend::Sqlite {
        bail!(
            "this site is on PostgreSQL: back it up with pg_dump, e.g. \
             pg_dump --format=custom --file {} \"$TRIBUNE_DATABASE_URL\" (see docs/operations.md)",
            cmd.file.display()
        );
    }
    let target = cmd.file;
    if target.exists() {
        bail!(
            "{} already exists: choose a new file name, backups never overwrite",
            target.display()
        );
    }
    let started = Instant::now();
    // Written beside the target and renamed, so a failed backup never leaves a file
    // that looks whole.
    let partial = target.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    if let Err(err) = store.backup_sqlite(&partial).await {
        let _ = std::fs::remove_file(&partial);
        return Err(anyhow::Error::new(err).context(format!("cannot write {}", partial.display())));
    }
    let copy = Store::connect(&crate::config::sqlite_url(&partial)).await?;
    let check = copy.quick_check().await;
    let (posts, comments) = copy.counts().await.unwrap_or((0, 0));
    copy.close().await;
    match check {
        Ok(ok) if ok == "ok" => {}
        Ok(problem) => {
            let _ = std::fs::remove_file(&partial);
            bail!("the copy failed its integrity check ({problem}); nothing was kept");
        }
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            return Err(anyhow::Error::new(err).context("cannot check the copy"));
        }
    }
    std::fs::rename(&partial, &target)
        .with_context(|| format!("cannot write {}", target.display()))?;
    let size = std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0);
    println!(
        "Backed up {} and {} to {} ({:.1} MB) in {:.1} s.",
        count_en(posts as u64, "post", "posts"),
        count_en(comments as u64, "comment", "comments"),
        target.display(),
        size as f64 / 1_048_576.0,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
