//! Site settings as key/value rows; typed in `crate::domain::settings`.

use super::activity::record;
use super::{Store, StoreResult};
use crate::domain::activity::{Action, Actor};

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

    /// Adds lines to the block list (`domain::discussion::blocked`) that it does not
    /// hold yet, in one transaction with their activity-log entries; returns the lines
    /// added. Read and written in the same transaction, so two blocks at once both stay.
    pub async fn add_to_block_list(
        &self,
        lines: Vec<(String, Option<String>)>,
        actor: &Actor,
    ) -> StoreResult<Vec<String>> {
        let actor = actor.clone();
        self.write(move |tx| {
            Box::pin(async move {
                let current: Option<String> =
                    sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                        .bind("block_list")
                        .fetch_optional(&mut *tx)
                        .await?;
                let mut list: Vec<String> = current
                    .unwrap_or_default()
                    .lines()
                    .map(str::to_string)
                    .collect();
                let mut added = Vec::new();
                for (line, email) in lines {
                    let held = list
                        .iter()
                        .any(|l| l.trim().eq_ignore_ascii_case(line.trim()));
                    if held || added.contains(&line) {
                        continue;
                    }
                    list.push(line.clone());
                    record(tx, &actor, Action::Block, None, email.as_deref(), &line).await?;
                    added.push(line);
                }
                if added.is_empty() {
                    return Ok(added);
                }
                sqlx::query("DELETE FROM settings WHERE key = $1")
                    .bind("block_list")
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
                    .bind("block_list")
                    .bind(list.join("\n"))
                    .execute(&mut *tx)
                    .await?;
                super::bump_content_version(tx).await?;
                Ok(added)
            })
        })
        .await
    }

    /// The author of a comment as the block list knows them: name, email, address.
    pub async fn comment_author(&self, id: i64) -> StoreResult<Option<(String, String, String)>> {
        Ok(
            sqlx::query_as("SELECT author_name, author_email, ip FROM comments WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.read)
                .await?,
        )
    }
}
