//! The durable job queue. Claiming a job is the one query whose text differs between
//! the backends: PostgreSQL uses `FOR UPDATE SKIP LOCKED` so several instances share
//! the queue and each job runs once; SQLite has one writer, so a plain
//! `UPDATE … WHERE id = (SELECT …)` is already atomic.

use super::{Backend, Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const JOB_COLUMNS: &str =
    "id, kind, payload, status, attempts, max_attempts, run_at, last_error, created_at, updated_at";

/// Queues a job inside a caller's transaction (so the job exists if and only if the
/// change that caused it does).
pub(crate) async fn enqueue_in(
    conn: &mut sqlx::AnyConnection,
    kind: &str,
    payload: &str,
    run_at: i64,
) -> Result<(), sqlx::Error> {
    let now = super::now();
    sqlx::query(
        "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, created_at, updated_at) \
         VALUES ($1, $2, 'queued', 0, 10, $3, $4, $4)",
    )
    .bind(kind)
    .bind(payload)
    .bind(run_at)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    pub async fn enqueue_job(
        &self,
        kind: &str,
        payload: &str,
        max_attempts: i64,
    ) -> StoreResult<i64> {
        self.enqueue_job_at(kind, payload, max_attempts, super::now(), None)
            .await
    }

    /// Queues a job to run at `run_at`, about `topic` (see [`Store::last_job_on`]).
    pub async fn enqueue_job_at(
        &self,
        kind: &str,
        payload: &str,
        max_attempts: i64,
        run_at: i64,
        topic: Option<&str>,
    ) -> StoreResult<i64> {
        let (kind, payload) = (kind.to_string(), payload.to_string());
        let topic = topic.map(str::to_string);
        self.write(move |tx| {
            Box::pin(async move {
                Ok(sqlx::query_scalar(
                    "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, topic, \
                     created_at, updated_at) VALUES ($1, $2, 'queued', 0, $3, $4, $5, $6, $6) RETURNING id",
                )
                .bind(&kind)
                .bind(&payload)
                .bind(max_attempts)
                .bind(run_at)
                .bind(&topic)
                .bind(super::now())
                .fetch_one(&mut *tx)
                .await?)
            })
        })
        .await
    }

    /// When the latest job of `kind` about `topic` was queued, and whether one of that
    /// kind is still waiting to run.
    pub async fn last_job_on(&self, kind: &str, topic: &str) -> StoreResult<(Option<i64>, bool)> {
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(created_at) FROM jobs WHERE kind = $1 AND topic = $2")
                .bind(kind)
                .bind(topic)
                .fetch_one(&self.read)
                .await?;
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND topic = $2 AND status IN ('queued', 'running')",
        )
        .bind(kind)
        .bind(topic)
        .fetch_one(&self.read)
        .await?;
        Ok((last, waiting > 0))
    }

    /// Takes the next due job for `worker`, or a running one whose worker vanished
    /// (locked for longer than `stale_secs`).
    pub async fn claim_job(
        &self,
        worker: &str,
        now: i64,
        stale_secs: i64,
    ) -> StoreResult<Option<JobRow>> {
        let pick = match self.backend {
            Backend::Postgres => {
                "SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= $2) \
                 OR (status = 'running' AND locked_at < $3) \
                 ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
            }
            Backend::Sqlite => {
                "SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= $2) \
                 OR (status = 'running' AND locked_at < $3) \
                 ORDER BY run_at, id LIMIT 1"
            }
        };
        let sql = format!(
            "UPDATE jobs SET status = 'running', locked_by = $1, locked_at = $2, \
             attempts = attempts + 1, updated_at = $2 WHERE id = ({pick}) RETURNING {JOB_COLUMNS}"
        );
        let worker = worker.to_string();
        self.write(move |tx| {
            Box::pin(async move {
                Ok(sqlx::query_as(&sql)
                    .bind(&worker)
                    .bind(now)
                    .bind(now - stale_secs)
                    .fetch_optional(&mut *tx)
                    .await?)
            })
        })
        .await
    }

    /// Marks a job done, if `worker` still holds it.
    pub async fn finish_job(&self, id: i64, worker: &str) -> StoreResult<()> {
        let worker = worker.to_string();
        self.write(move |tx| {
            Box::pin(async move {
                sqlx::query(
                    "UPDATE jobs SET status = 'done', locked_by = NULL, locked_at = NULL, \
                     last_error = NULL, updated_at = $1 WHERE id = $2 AND locked_by = $3",
                )
                .bind(super::now())
                .bind(id)
                .bind(&worker)
                .execute(&mut *tx)
                .await?;
                Ok(())
            })
        })
        .await
    }

    /// Records a failure: back in the queue at `retry_at`, or `failed` for good.
    pub async fn fail_job(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        retry_at: Option<i64>,
    ) -> StoreResult<()> {
        let status = if retry_at.is_some() {
            "queued"
        } else {
            "failed"
        };
        let worker = worker.to_string();
        let error: String = error.chars().take(2000).collect();
        self.write(move |tx| {
            Box::pin(async move {
                sqlx::query(
                    "UPDATE jobs SET status = $1, run_at = COALESCE($2, run_at), last_error = $3, \
                     locked_by = NULL, locked_at = NULL, updated_at = $4 WHERE id = $5 AND locked_by = $6",
                )
                .bind(status)
                .bind(retry_at)
                .bind(&error)
                .bind(super::now())
                .bind(id)
                .bind(&worker)
                .execute(&mut *tx)
                .await?;
                Ok(())
            })
        })
        .await
    }

    /// Jobs for the admin page: failed and waiting ones first.
    pub async fn jobs(&self, status: Option<&str>, limit: i64) -> StoreResult<Vec<JobRow>> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE ($1 IS NULL OR status = $1) ORDER BY id DESC LIMIT $2"
        );
        Ok(sqlx::query_as(&sql)
            .bind(status)
            .bind(limit)
            .fetch_all(&self.read)
            .await?)
    }

    pub async fn job_counts(&self) -> StoreResult<Vec<(String, i64)>> {
        Ok(
            sqlx::query_as("SELECT status, COUNT(*) FROM jobs GROUP BY status ORDER BY status")
                .fetch_all(&self.read)
                .await?,
        )
    }

    /// Puts a failed job back in the queue with a fresh set of attempts.
    pub async fn retry_job(&self, id: i64) -> StoreResult<bool> {
        self.write(move |tx| {
            Box::pin(async move {
                let done = sqlx::query(
                    "UPDATE jobs SET status = 'queued', attempts = 0, run_at = $1, updated_at = $1 \
                     WHERE id = $2 AND status = 'failed'",
                )
                .bind(super::now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
                Ok(done.rows_affected() == 1)
            })
        })
        .await
    }
}
