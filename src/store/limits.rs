//! Counters shared by every instance on one database: attempts per key in a fixed
//! window (the comment limits) and failed staff sign-ins (`web::rate_limit`,
//! `web::signin_throttle` use them on PostgreSQL). Each change is one statement. A key
//! (an address, an email) is kept only as its SHA-256, and for a day at most.

use super::{Store, StoreResult};

/// Counts untouched this long are past every window (an hour at most) and lockout.
pub const COUNTS_KEPT_SECS: i64 = 24 * 3600;

impl Store {
    /// Counts one attempt for `key` in `scope` at `now` and returns the attempts in its
    /// current window (a window older than `window_secs` starts again at 1).
    pub async fn count_attempt(
        &self,
        scope: &'static str,
        key: String,
        window_secs: i64,
        now: i64,
    ) -> StoreResult<i64> {
        let counts: Vec<i64> = self
            .write_statement(move |conn| {
                Box::pin(async move {
                    Ok(sqlx::query_scalar(
                        "INSERT INTO limit_counts (scope, subject, hits, stamp) VALUES ($1, $2, 1, $3) \
                         ON CONFLICT (scope, subject) DO UPDATE SET \
                         hits = CASE WHEN limit_counts.stamp <= $3 - $4 THEN 1 \
                                 ELSE limit_counts.hits + 1 END, \
                         stamp = CASE WHEN limit_counts.stamp <= $3 - $4 THEN $3 \
                              ELSE limit_counts.stamp END \
                         RETURNING hits",
                    )
                    .bind(scope)
                    .bind(subject(&key))
                    .bind(now)
                    .bind(window_secs)
                    .fetch_all(&mut *conn)
                    .await?)
                })
            })
            .await?;
        Ok(counts.first().copied().unwrap_or(1))
    }

    /// The failures counted for `key` in `scope`: how many, and when the last was.
    pub async fn failures(
        &self,
        scope: &'static str,
        key: &str,
    ) -> StoreResult<Option<(i64, i64)>> {
        Ok(
            sqlx::query_as(
                "SELECT hits, stamp FROM limit_counts WHERE scope = $1 AND subject = $2",
            )
            .bind(scope)
            .bind(subject(key))
            .fetch_optional(&self.write)
            .await?,
        )
    }

    /// Counts one failure for `key` in `scope` at `now`; one more than `window_secs`
    /// after the last starts the count again.
    pub async fn record_failure(
        &self,
        scope: &'static str,
        key: String,
        window_secs: i64,
        now: i64,
    ) -> StoreResult<()> {
        self.write_statement(move |conn| {
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO limit_counts (scope, subject, hits, stamp) VALUES ($1, $2, 1, $3) \
                     ON CONFLICT (scope, subject) DO UPDATE SET \
                     hits = CASE WHEN limit_counts.stamp < $3 - $4 THEN 1 \
                             ELSE limit_counts.hits + 1 END, \
                     stamp = $3",
                )
                .bind(scope)
                .bind(subject(&key))
                .bind(now)
                .bind(window_secs)
                .execute(&mut *conn)
                .await?;
                Ok(())
            })
        })
        .await
    }

    /// Forgets the count for `key` in `scope` (a sign-in that succeeded).
    pub async fn clear_count(&self, scope: &'static str, key: String) -> StoreResult<()> {
        self.write_statement(move |conn| {
            Box::pin(async move {
                sqlx::query("DELETE FROM limit_counts WHERE scope = $1 AND subject = $2")
                    .bind(scope)
                    .bind(subject(&key))
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            })
        })
        .await
    }

    /// Deletes every count last touched before `before` (older than any window).
    pub async fn prune_counts(&self, before: i64) -> StoreResult<u64> {
        self.write_statement(move |conn| {
            Box::pin(async move {
                Ok(sqlx::query("DELETE FROM limit_counts WHERE stamp < $1")
                    .bind(before)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected())
            })
        })
        .await
    }
}

/// How a key is stored: its SHA-256, so the table holds no address or email.
fn subject(key: &str) -> String {
    crate::token::sha256_hex(key)
}
