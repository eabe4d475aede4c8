//! Webmentions: those received (comments of kind `webmention`, one per source and
//! post) and those sent (`webmentions_sent`, one per post and target).

use super::{Store, StoreResult};
use crate::domain::comment::{CommentKind, CommentStatus};

/// A mention as it is kept: who wrote the source and what it says.
#[derive(Debug, Clone)]
pub struct Mention {
    pub post_id: i64,
    pub source: String,
    pub author_name: String,
    pub author_url: Option<String>,
    /// The text quoted, plain.
    pub body: String,
    /// As the page shows it (escaped, with the link to the source).
    pub body_html: String,
}

/// What keeping a mention did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// A new comment, held for a moderator.
    New(i64),
    /// The source's comment was brought up to date.
    Updated(i64),
}

impl Store {
    /// Keeps a verified mention: a new held comment, or the one from this source on
    /// this post updated (its status stays what the moderator made it).
    pub async fn keep_mention(&self, m: Mention) -> StoreResult<Kept> {
        self.write(move |tx| {
            Box::pin(async move {
                let now = super::now();
                let existing: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM comments WHERE post_id = $1 AND webmention_source = $2 \
                     AND status <> $3 ORDER BY id LIMIT 1",
                )
                .bind(m.post_id)
                .bind(&m.source)
                .bind(CommentStatus::Trash)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(id) = existing {
                    sqlx::query(
                        "UPDATE comments SET author_name = $1, author_url = $2, body = $3, \
                         body_html = $4, updated_at = $5 WHERE id = $6",
                    )
                    .bind(&m.author_name)
                    .bind(&m.author_url)
                    .bind(&m.body)
                    .bind(&m.body_html)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    super::bump_for_comments(tx, &[m.post_id]).await?;
                    return Ok(Kept::Updated(id));
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO comments (post_id, status, author_name, author_email, author_url, \
                     body, body_html, ip, user_agent, created_at, updated_at, kind, \
                     webmention_source) \
                     VALUES ($1, $2, $3, '', $4, $5, $6, '', '', $7, $7, $8, $9) RETURNING id",
                )
                .bind(m.post_id)
                .bind(CommentStatus::Pending)
                .bind(&m.author_name)
                .bind(&m.author_url)
                .bind(&m.body)
                .bind(&m.body_html)
                .bind(now)
                .bind(CommentKind::Webmention)
                .bind(&m.source)
                .fetch_one(&mut *tx)
                .await?;
                Ok(Kept::New(id))
            })
        })
        .await
    }

    /// Removes the mentions of post `post_id` from `source` (the source is gone, or no
    /// longer links here); how many there were.
    pub async fn forget_mention(&self, post_id: i64, source: &str) -> StoreResult<u64> {
        let source = source.to_string();
        self.write(move |tx| {
            Box::pin(async move {
                let done = sqlx::query(
                    "DELETE FROM comments WHERE post_id = $1 AND webmention_source = $2",
                )
                .bind(post_id)
                .bind(&source)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() > 0 {
                    super::comments::recount(tx, post_id).await?;
                    super::bump_for_comments(tx, &[post_id]).await?;
                }
                Ok(done.rows_affected())
            })
        })
        .await
    }

    /// The pages post `post_id` told of a mention before.
    pub async fn mentioned_targets(&self, post_id: i64) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT target FROM webmentions_sent WHERE post_id = $1 ORDER BY target",
        )
        .bind(post_id)
        .fetch_all(&self.read)
        .await?)
    }

    /// Records that `target` was told of post `post_id` (`endpoint` None: it has none),
    /// with the endpoint's answer.
    pub async fn record_mention_sent(
        &self,
        post_id: i64,
        target: &str,
        endpoint: Option<&str>,
        status: Option<u16>,
    ) -> StoreResult<()> {
        let (target, endpoint) = (target.to_string(), endpoint.map(str::to_string));
        self.write(move |tx| {
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO webmentions_sent (post_id, target, endpoint, status, sent_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (post_id, target) DO UPDATE SET \
                     endpoint = excluded.endpoint, status = excluded.status, sent_at = excluded.sent_at",
                )
                .bind(post_id)
                .bind(&target)
                .bind(&endpoint)
                .bind(status.map(i64::from))
                .bind(super::now())
                .execute(&mut *tx)
                .await?;
                Ok(())
            })
        })
        .await
    }
}
