//! Site settings as key/value rows; typed in `crate::domain::settings`.

use super::{Store, StoreResult};

impl Store {
    pub async fn all_settings(&self) -> StoreResult<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT key, value FROM settings")
            .fetch_all(&self.read)
            .await?)
    }

    /// Writes settings in one transaction; `visible` marks a change readers see.
    pub async fn put_settings(&self, pairs: &[(&str, String)], visible: bool) -> StoreResult<()> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        self.write(move |tx| {
            Box::pin(async move {
                for (key, value) in &pairs {
                    sqlx::query("DELETE FROM settings WHERE key = $1")
                        .bind(key)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
                        .bind(key)
                        .bind(value)
                        .execute(&mut *tx)
                        .await?;
                }
                if visible {
                    super::bump_content_version(tx).await?;
                }
                Ok(())
            })
        })
        .await
    }
}
