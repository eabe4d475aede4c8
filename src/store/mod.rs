//! Storage: one sqlx layer over SQLite (the embedded default) and PostgreSQL.
//!
//! Queries are written once, with `$1` placeholders, and run through sqlx's `Any`
//! driver on both backends. Per-backend SQL lives only in `migrations/{sqlite,postgres}`.
//! This module maps database errors to [`StoreError`] and never renders anything.

mod activity;
mod codec;
mod comments;
mod export;
mod held;
mod identities;
mod import;
mod jobs;
mod limits;
mod media;
mod ops;
pub mod plans;
mod post_list;
mod posts;
mod privacy;
mod revisions;
mod search;
mod sessions;
mod settings;
mod spam;
mod subscriptions;
mod syndication;
mod users;
mod webmentions;

pub use activity::{ActivityFilter, ActivityRow};
pub use comments::{Arrival, Inserted, ModerationRow, NewComment, QueueCounts};
pub use export::{ExportAuthor, ExportComment, ExportPost, ExportTerm};
pub use identities::{AuthAttempt, IdentityRow, NewIdentity};
pub use import::{ImportScorer, ImportTx, ImportedComment, ImportedPost};
pub use jobs::{JobRow, NewJob};
pub use limits::COUNTS_KEPT_SECS;
pub use media::{MediaFilter, MediaRow, NewMedia};
pub use post_list::PostFilter;
pub use posts::{Listing, PostWrite};
pub use privacy::{Erased, PersonalData};
pub use revisions::RevisionRow;
pub use search::{Found, RANKED_MATCHES};
pub use sessions::{SessionInfo, SessionRow};
pub use spam::Label;
pub use subscriptions::SubscriptionRow;
pub use syndication::TermEntry;
pub use users::{StaffChange, UserRow};
pub use webmentions::{Kept, Mention};

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};

/// Which database server holds the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Picks the backend from a database URL's scheme.
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            other => Err(StoreError::UnsupportedUrl(other.to_string())),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflicts with an existing row ({0})")]
    Conflict(String),
    /// A rule kept in the transaction refused the change (the last administrator,
    /// an account that still has posts): the catalogue key says which, and what to do.
    #[error("refused: {0}")]
    Refused(&'static str),
    /// The database cannot take this request now but may soon: busy or locked (a long
    /// import, a backup), out of connections, unreachable, out of disk, read-only.
    /// Nothing was written; the same request can be sent again.
    #[error("the database cannot answer right now ({0}); try again in a moment")]
    Unavailable(String),
    /// Something this database cannot do (e.g. `VACUUM INTO` on PostgreSQL).
    #[error("{0}")]
    Unsupported(String),
    /// Write work stopped before it could say whether it finished (it panicked).
    #[error("a database write was interrupted: {0}")]
    Interrupted(String),
    #[error("unsupported database URL scheme `{0}`: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        if is_transient(&err) {
            return StoreError::Unavailable(err.to_string());
        }
        match err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(ref db) if db.is_unique_violation() => {
                let what = db
                    .constraint()
                    .map(str::to_string)
                    .unwrap_or_else(|| db.message().to_string());
                StoreError::Conflict(what)
            }
            other => StoreError::Database(other),
        }
    }
}

/// Whether an error says "not now" rather than "never": the request may succeed when
/// sent again, and nothing it tried to write was kept.
fn is_transient(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => {
            if let Some(lite) = db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
                // Primary result codes: BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN.
                let primary = sqlx::error::DatabaseError::code(lite)
                    .and_then(|c| c.parse::<i32>().ok())
                    .map(|c| c & 0xff);
                matches!(primary, Some(5 | 6 | 8 | 10 | 13 | 14))
            } else {
                // SQLSTATE classes: connection exception, insufficient resources (disk
                // full, too many connections), operator intervention (shutdown), and a
                // read-only transaction (a standby, or writes switched off).
                db.code().is_some_and(|c| {
                    c.starts_with("08")
                        || c.starts_with("53")
                        || c.starts_with("57P")
                        || c == "25006"
                })
            }
        }
        _ => false,
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The future of one piece of write work, borrowing the transaction it runs in.
pub(crate) type WriteFuture<'c, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = StoreResult<T>> + Send + 'c>>;

/// Handle on the database. Cheap to clone.
///
/// SQLite allows one writer at a time, so on SQLite writes go through a pool of one
/// connection (no `SQLITE_BUSY` storms under load) while reads use several. On
/// PostgreSQL both are the same pool.
#[derive(Clone)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
    /// SQLite only: the task that writes held comments together (`held.rs`).
    held: Option<held::HeldWriter>,
    /// Woken when this process queues a job, so its worker need not wait for a poll.
    jobs_wakeup: std::sync::Arc<tokio::sync::Notify>,
    /// Moderators' Spam / Not spam are reported to the spam service (`[akismet]`).
    reports: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// PostgreSQL only: a few connections through the `postgres` driver itself, for
    /// the one read whose rows dominate a page (a post's comments, `Store::approved_of`):
    /// the `Any` driver copies every value of every row into its own row first, and
    /// then again when it is read (a fifth of an uncached render of a long thread).
    pages: Option<sqlx::PgPool>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// PostgreSQL: connections an instance opens for pages' comments (`Store::pages`),
/// beside the 16 of its main pool.
pub const PAGE_CONNECTIONS: u32 = 8;

/// What a connection logs: every statement at trace level, one slower than 500 ms as a
/// warning.
fn logged<O: ConnectOptions>(options: O) -> O {
    options
        .log_statements(tracing::log::LevelFilter::Trace)
        .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500))
}

const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";

impl Store {
    /// From now on, queue a `SpamReport` job with every moderator's Spam and Not spam.
    pub fn report_decisions(&self, on: bool) {
        self.reports.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) fn reports_decisions(&self) -> bool {
        self.reports.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Connects to the database named by `url`, creating an SQLite file if missing.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let options = logged(AnyConnectOptions::from_str(url)?);
        let pool = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(10))
                .after_connect(|conn, _meta| {
                    Box::pin(async move {
                        if conn.backend_name().eq_ignore_ascii_case("sqlite") {
                            conn.execute(SQLITE_PRAGMAS).await?;
                        }
                        Ok(())
                    })
                })
                // A connection still inside a transaction when it is handed out again
                // was left by work that stopped halfway (a rollback that failed, a
                // commit whose outcome is unknown). Its state is not trusted: it is
                // closed and a fresh one opened, never reused.
                .before_acquire(|conn, _meta| {
                    Box::pin(async move {
                        let clean = !conn.is_in_transaction();
                        if !clean {
                            tracing::warn!(
                                "discarding a database connection left inside a transaction"
                            );
                        }
                        Ok(clean)
                    })
                })
        };
        let store = match backend {
            Backend::Sqlite => {
                // An embedded database's connection does not go stale the way a network
                // one does: no ping before each use (a round trip to SQLite's worker
                // thread inside the single writer's turn). A broken one is still caught
                // by the ping sqlx makes when a connection is given back. On
                // PostgreSQL each connection is pinged before use: one cut by a restart
                // or `pg_terminate_backend` is replaced, not handed to a request.
                let write = pool(1)
                    .test_before_acquire(false)
                    .connect_with(options.clone())
                    .await?;
                let read = pool(8)
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await?;
                let mut store = Store {
                    read,
                    write,
                    backend,
                    held: None,
                    jobs_wakeup: Default::default(),
                    reports: Default::default(),
                    pages: None,
                };
                store.held = Some(held::HeldWriter::start(store.clone()));
                store
            }
            Backend::Postgres => {
                let shared = pool(16).connect_with(options).await?;
                // Opened as pages ask for them; pinged before each use like the others.
                let pages = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(PAGE_CONNECTIONS)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_lazy_with(logged(sqlx::postgres::PgConnectOptions::from_str(url)?));
                Store {
                    read: shared.clone(),
                    write: shared,
                    backend,
                    held: None,
                    jobs_wakeup: Default::default(),
                    reports: Default::default(),
                    pages: Some(pages),
                }
            }
        };
        Ok(store)
    }

    /// Brings the schema up to date. Safe to run on every start.
    pub async fn migrate(&self) -> StoreResult<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.write).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.write).await?,
        }
        Ok(())
    }

    /// Runs `work` in one write transaction, on a task of its own, to the end.
    ///
    /// Every write in the store goes through here (the import's long transaction
    /// aside), for two reasons. A request's future is dropped at whatever `.await` it
    /// has reached when its client goes away; work spawned on its own task cannot be
    /// cut off halfway, so no transaction is left open on a pooled connection. And a
    /// write is acknowledged only once `COMMIT` has succeeded: an autocommit statement
    /// read with `fetch_one` can hand back its `RETURNING` row while the commit that
    /// follows fails unseen (a full or read-only disk), and the caller would say
    /// "received" for a row that is not there.
    pub(crate) async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut sqlx::AnyConnection) -> WriteFuture<'c, T> + Send + 'static,
    {
        let store = self.clone();
        let task = tokio::spawn(async move {
            let mut tx = store.begin_write().await?;
            match work(&mut tx).await {
                Ok(value) => {
                    tx.commit().await?;
                    Ok(value)
                }
                Err(err) => {
                    if let Err(rollback) = tx.rollback().await {
                        tracing::warn!(error = %rollback, "rollback failed; the connection will be discarded");
                    }
                    Err(err)
                }
            }
        });
        match task.await {
            Ok(result) => result,
            Err(join) => Err(StoreError::Interrupted(join.to_string())),
        }
    }

    /// Runs one statement that writes, on a task of its own, without a transaction
    /// around it: for hot paths where `BEGIN` and `COMMIT` would triple the work on
    /// SQLite's single write connection. `work` must run exactly one statement and read
    /// its result to the end (`execute`, `fetch_all`): an autocommit statement commits
    /// when it finishes, and only a statement stepped to its end reports a failed
    /// commit (`fetch_one` stops at the first row and would hide it).
    pub(crate) async fn write_statement<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut sqlx::AnyConnection) -> WriteFuture<'c, T> + Send + 'static,
    {
        let store = self.clone();
        let task = tokio::spawn(async move {
            let mut conn = store.write.acquire().await?;
            work(&mut conn).await
        });
        match task.await {
            Ok(result) => result,
            Err(join) => Err(StoreError::Interrupted(join.to_string())),
        }
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads first cannot upgrade once
    /// another process (the CLI, the server) has written, and fails with
    /// `SQLITE_BUSY_SNAPSHOT` instead of waiting. Callers other than [`Store::write`]
    /// (the import) must not be cancellable while they hold it.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.write.begin().await,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
        if let Some(pages) = &self.pages {
            pages.close().await;
        }
    }

    /// A cheap round trip for health checks.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    /// The version of everything a reader can see; goes up with each visible change.
    pub async fn content_version(&self) -> StoreResult<i64> {
        let v: i64 = sqlx::query_scalar("SELECT content_version FROM site_state WHERE id = 1")
            .fetch_one(&self.read)
            .await?;
        Ok(v)
    }

    /// What changed after content version `seen`: the current version and what the
    /// changes touched. `Everything` when any change could show on any page, or when
    /// the record of a version is gone (pruned, or written before the record existed).
    pub async fn changes_since(&self, seen: i64) -> StoreResult<(i64, Changes)> {
        let current = self.content_version().await?;
        if current == seen {
            return Ok((current, Changes::Discussions(Vec::new())));
        }
        if current < seen || current - seen > MAX_CHANGES_READ {
            return Ok((current, Changes::Everything));
        }
        let rows: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT version, post_id FROM content_changes WHERE version > $1 AND version <= $2 \
             ORDER BY version",
        )
        .bind(seen)
        .bind(current)
        .fetch_all(&self.read)
        .await?;
        let mut versions: Vec<i64> = rows.iter().map(|r| r.0).collect();
        versions.dedup();
        if versions.len() as i64 != current - seen || rows.iter().any(|r| r.1.is_none()) {
            return Ok((current, Changes::Everything));
        }
        let mut posts: Vec<i64> = rows.into_iter().filter_map(|r| r.1).collect();
        posts.sort_unstable();
        posts.dedup();
        Ok((current, Changes::Discussions(posts)))
    }
}

/// What a run of visible changes touched, as [`Store::changes_since`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changes {
    /// Only the comments of these posts (their pages, and listings that count them).
    Discussions(Vec<i64>),
    /// Anything any page shows.
    Everything,
}

/// More versions behind than this and an instance forgets everything instead of
/// reading what each touched.
const MAX_CHANGES_READ: i64 = 1_000;
/// Versions of `content_changes` kept (the rest is pruned as new ones are written).
const CHANGES_KEPT: i64 = 4 * MAX_CHANGES_READ;

/// Marks a change any page may show, inside a write transaction.
pub(crate) async fn bump_content_version(
    conn: &mut sqlx::AnyConnection,
) -> Result<(), sqlx::Error> {
    record_change(conn, &[None]).await
}

/// Marks a change to the comments of `posts` (their pages, and the listings that count
/// them), inside a write transaction.
pub(crate) async fn bump_for_comments(
    conn: &mut sqlx::AnyConnection,
    posts: &[i64],
) -> Result<(), sqlx::Error> {
    let touched: Vec<Option<i64>> = posts.iter().copied().map(Some).collect();
    record_change(conn, &touched).await
}

/// Raises the content version (the row lock orders concurrent writers: versions follow
/// commit order) and writes what the change touched under it.
async fn record_change(
    conn: &mut sqlx::AnyConnection,
    touched: &[Option<i64>],
) -> Result<(), sqlx::Error> {
    let version: i64 = sqlx::query_scalar(
        "UPDATE site_state SET content_version = content_version + 1 WHERE id = 1 \
         RETURNING content_version",
    )
    .fetch_one(&mut *conn)
    .await?;
    for post in touched {
        sqlx::query("INSERT INTO content_changes (version, post_id) VALUES ($1, $2)")
            .bind(version)
            .bind(*post)
            .execute(&mut *conn)
            .await?;
    }
    if version % 256 == 0 {
        sqlx::query("DELETE FROM content_changes WHERE version <= $1")
            .bind(version - CHANGES_KEPT)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Seconds since the Unix epoch, UTC.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
