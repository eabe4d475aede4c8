//! What operators need from the database: whether a site is there at all, a cheap
//! proof that it still takes writes, and a consistent copy of a live SQLite site.

use std::path::Path;

use super::{Backend, Store, StoreError, StoreResult};

impl Store {
    /// Whether this database holds a Tribune site (its schema is there). A database
    /// that is empty, or an SQLite file just created, does not.
    pub async fn has_site(&self) -> StoreResult<bool> {
        match sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM site_state")
            .fetch_one(&self.read)
            .await
        {
            Ok(n) => Ok(n > 0),
            Err(sqlx::Error::Database(db))
                if db.code().as_deref() == Some("42P01")
                    || db.message().contains("no such table") =>
            {
                Ok(false)
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Writes one tiny row and commits: succeeds only if the database takes writes now.
    pub async fn probe_write(&self) -> StoreResult<()> {
        self.write(|tx| {
            Box::pin(async move {
                sqlx::query("UPDATE health_probe SET checked_at = $1 WHERE id = 1")
                    .bind(super::now())
                    .execute(&mut *tx)
                    .await?;
                Ok(())
            })
        })
        .await
    }

    /// Copies a live SQLite site into `target` (which must not exist) with
    /// `VACUUM INTO`: one consistent snapshot, taken while the site keeps serving and
    /// writing. Not for PostgreSQL (use `pg_dump`).
    pub async fn backup_sqlite(&self, target: &Path) -> StoreResult<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Unsupported(
                "a PostgreSQL site is backed up with pg_dump".into(),
            ));
        }
        let target = target.to_string_lossy().to_string();
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.read)
            .await?;
        Ok(())
    }

    /// How many posts and comments the site holds.
    pub async fn counts(&self) -> StoreResult<(i64, i64)> {
        Ok(
            sqlx::query_as("SELECT (SELECT COUNT(*) FROM posts), (SELECT COUNT(*) FROM comments)")
                .fetch_one(&self.read)
                .await?,
        )
    }

    /// `PRAGMA quick_check` on an SQLite database: `ok`, or what is wrong.
    pub async fn quick_check(&self) -> StoreResult<String> {
        Ok(sqlx::query_scalar("PRAGMA quick_check")
            .fetch_one(&self.read)
            .await?)
    }
}
