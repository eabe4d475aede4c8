//! The activity log: every moderation action and rule change, who did it and from
//! where. Entries are written in the transaction of what they record, so the log
//! never says something happened that did not (or misses what did).

use super::{Store, StoreResult};
use crate::domain::activity::{Action, Actor, Source};

/// One entry, as Admin → Activity and `tribune comments log` show it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ActivityRow {
    pub id: i64,
    pub at: i64,
    pub user_id: Option<i64>,
    pub actor: String,
    pub source: Source,
    pub action: Action,
    pub comment_id: Option<i64>,
    /// The commenter the entry names.
    pub email: Option<String>,
    pub detail: String,
}

/// Which entries to list; `None` is any.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub source: Option<Source>,
    pub action: Option<Action>,
    /// Entries about this comment.
    pub comment_id: Option<i64>,
    /// Entries naming this commenter's email (exact, any case).
    pub email: Option<String>,
}

/// Writes an entry in the caller's transaction.
pub(super) async fn record(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    action: Action,
    comment_id: Option<i64>,
    email: Option<&str>,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO activity (at, user_id, actor, source, action, comment_id, email, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(super::now())
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(actor.source)
    .bind(action)
    .bind(comment_id)
    .bind(email.map(str::to_lowercase).filter(|e| !e.is_empty()))
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// Records something done outside a comment's status change (a rule change, a block).
    pub async fn record_activity(
        &self,
        actor: &Actor,
        action: Action,
        comment_id: Option<i64>,
        email: Option<&str>,
        detail: &str,
    ) -> StoreResult<()> {
        let (actor, detail, email) = (actor.clone(), detail.to_string(), email.map(str::to_string));
        self.write(move |tx| {
            Box::pin(async move {
                record(tx, &actor, action, comment_id, email.as_deref(), &detail).await?;
                Ok(())
            })
        })
        .await
    }

    /// The newest entries first.
    pub async fn activity(
        &self,
        filter: &ActivityFilter,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<ActivityRow>> {
        Ok(sqlx::query_as(
            "SELECT id, at, user_id, actor, source, action, comment_id, email, detail \
             FROM activity WHERE (CAST($1 AS TEXT) IS NULL OR source = $1) \
             AND (CAST($2 AS TEXT) IS NULL OR action = $2) \
             AND ($3 IS NULL OR comment_id = $3) \
             AND (CAST($4 AS TEXT) IS NULL OR email = $4) \
             ORDER BY at DESC, id DESC LIMIT $5 OFFSET $6",
        )
        .bind(filter.source)
        .bind(filter.action)
        .bind(filter.comment_id)
        .bind(filter.email.as_deref().map(str::to_lowercase))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.read)
        .await?)
    }
}
