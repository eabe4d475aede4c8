//! The durable job queue. Claiming a job is the one query whose text differs between
//! the backends: PostgreSQL uses `FOR UPDATE SKIP LOCKED` so several instances share
//! the queue and each job runs once; SQLite has one writer, so a plain
//! `UPDATE … WHERE id = (SELECT …)` is already atomic.

use super::{Backend, Store, StoreResult};
use crate::domain::job::{Job, JobError, JobKind, JobStatus};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct JobRow {
    pub id: i64,
    /// As stored: a kind this version does not know stays readable here.
    pub kind: String,
    pub payload: String,
    pub status: JobStatus,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl JobRow {
    /// The job this row holds.
    pub fn job(&self) -> Result<Job, JobError> {
        Job::decode(&self.kind, &self.payload)
    }
}

/// A job to queue: what, when, about what, and how often to try it.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub job: Job,
    pub run_at: i64,
    /// Groups notifications for the burst rule (see [`Store::last_job_on`]).
    pub topic: Option<String>,
    pub max_attempts: i64,
}

impl NewJob {
    /// `job`, due now.
    pub fn now(job: Job) -> Self {
        NewJob {
            max_attempts: job.max_attempts(),
            job,
            run_at: super::now(),
            topic: None,
        }
    }

    pub fn at(mut self, run_at: i64) -> Self {
        self.run_at = run_at;
        self
    }

    pub fn topic(mut self, topic: &str) -> Self {
        self.topic = Some(topic.to_string());
        self
    }

    pub fn max_attempts(mut self, n: i64) -> Self {
        self.max_attempts = n;
        self
    }
}

const JOB_COLUMNS: &str =
    "id, kind, payload, status, attempts, max_attempts, run_at, last_error, created_at, updated_at";

async fn insert(conn: &mut sqlx::AnyConnection, new: &NewJob) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, topic, \
         created_at, updated_at) VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(new.job.kind())
    .bind(new.job.payload())
    .bind(JobStatus::Queued)
    .bind(new.max_attempts)
    .bind(new.run_at)
    .bind(&new.topic)
    .bind(super::now())
    .fetch_one(conn)
    .await
}

/// Queues a job inside a caller's transaction (so the job exists if and only if the
/// change that caused it does). The caller wakes the worker after its commit
/// ([`Store::job_queued`]).
pub(crate) async fn enqueue_in(
    conn: &mut sqlx::AnyConnection,
    job: &Job,
    run_at: i64,
) -> Result<(), sqlx::Error> {
    insert(conn, &NewJob::now(job.clone()).at(run_at)).await?;
    Ok(())
}

impl Store {
    /// Queues a job and wakes this process's worker.
    pub async fn enqueue_job(&self, new: NewJob) -> StoreResult<i64> {
        let id = self
            .write(move |tx| Box::pin(async move { Ok(insert(tx, &new).await?) }))
            .await?;
        self.job_queued();
        Ok(id)
    }

    /// Queues `job` at `run_at` about `topic` unless one of its kind and topic is
    /// already queued (a recurring job's next run; two instances starting at once may
    /// both queue one, which is harmless).
    pub async fn ensure_queued(&self, job: Job, run_at: i64, topic: &str) -> StoreResult<bool> {
        let topic = topic.to_string();
        let queued = self
            .write(move |tx| {
                Box::pin(async move {
                    let waiting: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND topic = $2 AND status = $3",
                    )
                    .bind(job.kind())
                    .bind(&topic)
                    .bind(JobStatus::Queued)
                    .fetch_one(&mut *tx)
                    .await?;
                    if waiting > 0 {
                        return Ok(false);
                    }
                    insert(tx, &NewJob::now(job).at(run_at).topic(&topic)).await?;
                    Ok(true)
                })
            })
            .await?;
        if queued {
            self.job_queued();
        }
        Ok(queued)
    }

    /// Wakes this process's worker: a job was queued or put back.
    pub fn job_queued(&self) {
        self.jobs_wakeup.notify_one();
    }

    /// Resolves when a job may be waiting (see [`Store::job_queued`]); the worker also
    /// polls, for jobs queued by other processes.
    pub async fn job_may_be_waiting(&self) {
        self.jobs_wakeup.notified().await;
    }

    /// When the latest job of `kind` about `topic` was queued, and whether one of that
    /// kind is still waiting to run.
    pub async fn last_job_on(
        &self,
        kind: JobKind,
        topic: &str,
    ) -> StoreResult<(Option<i64>, bool)> {
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(created_at) FROM jobs WHERE kind = $1 AND topic = $2")
                .bind(kind)
                .bind(topic)
                .fetch_one(&self.read)
                .await?;
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND topic = $2 AND status IN ($3, $4)",
        )
        .bind(kind)
        .bind(topic)
        .bind(JobStatus::Queued)
        .bind(JobStatus::Running)
        .fetch_one(&self.read)
        .await?;
        Ok((last, waiting > 0))
    }

    /// Takes the next due job for `worker`, or a running one whose worker vanished
    /// (locked for longer than `stale_secs`). Only kinds this version knows are taken:
    /// a job written by a newer version waits for it.
    pub async fn claim_job(
        &self,
        worker: &str,
        now: i64,
        stale_secs: i64,
    ) -> StoreResult<Option<JobRow>> {
        let known: Vec<String> = (0..JobKind::ALL.len())
            .map(|i| format!("${}", i + 6))
            .collect();
        let pick = format!(
            "SELECT id FROM jobs WHERE ((status = $4 AND run_at <= $2) \
             OR (status = $1 AND locked_at < $3)) AND kind IN ({}) \
             ORDER BY run_at, id LIMIT 1{}",
            known.join(", "),
            match self.backend {
                Backend::Postgres => " FOR UPDATE SKIP LOCKED",
                Backend::Sqlite => "",
            }
        );
        let sql = format!(
            "UPDATE jobs SET status = $1, locked_by = $5, locked_at = $2, \
             attempts = attempts + 1, updated_at = $2 WHERE id = ({pick}) RETURNING {JOB_COLUMNS}"
        );
        let worker = worker.to_string();
        self.write(move |tx| {
            Box::pin(async move {
                let mut query = sqlx::query_as(&sql)
                    .bind(JobStatus::Running)
                    .bind(now)
                    .bind(now - stale_secs)
                    .bind(JobStatus::Queued)
                    .bind(&worker);
                for kind in JobKind::ALL {
                    query = query.bind(*kind);
                }
                Ok(query.fetch_optional(&mut *tx).await?)
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
                    "UPDATE jobs SET status = $4, locked_by = NULL, locked_at = NULL, \
                     last_error = NULL, updated_at = $1 WHERE id = $2 AND locked_by = $3",
                )
                .bind(super::now())
                .bind(id)
                .bind(&worker)
                .bind(JobStatus::Done)
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
            JobStatus::Queued
        } else {
            JobStatus::Failed
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
    pub async fn jobs(&self, status: Option<JobStatus>, limit: i64) -> StoreResult<Vec<JobRow>> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE (CAST($1 AS TEXT) IS NULL OR status = $1) \
             ORDER BY id DESC LIMIT $2"
        );
        Ok(sqlx::query_as(&sql)
            .bind(status)
            .bind(limit)
            .fetch_all(&self.read)
            .await?)
    }

    pub async fn job_counts(&self) -> StoreResult<Vec<(JobStatus, i64)>> {
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
                    "UPDATE jobs SET status = $3, attempts = 0, run_at = $1, updated_at = $1 \
                     WHERE id = $2 AND status = $4",
                )
                .bind(super::now())
                .bind(id)
                .bind(JobStatus::Queued)
                .bind(JobStatus::Failed)
                .execute(&mut *tx)
                .await?;
                Ok(done.rows_affected() == 1)
            })
        })
        .await
        .inspect(|&again| {
            if again {
                self.job_queued();
            }
        })
    }
}
