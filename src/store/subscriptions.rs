//! Email subscriptions: "Notify me of new comments" (per post) and "Notify me of new
//! posts". A subscription counts only once confirmed (double opt-in); its random token
//! is the reader's key to confirm, unsubscribe and manage, without an account.

use super::{Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct SubscriptionRow {
    pub id: i64,
    pub email: String,
    pub kind: String,
    pub post_id: Option<i64>,
    pub post_title: Option<String>,
    pub token: String,
    pub confirmed_at: Option<i64>,
}

const SELECT: &str = "SELECT s.id, s.email, s.kind, s.post_id, p.title AS post_title, s.token, \
     s.confirmed_at FROM subscriptions s LEFT JOIN posts p ON p.id = s.post_id";

impl Store {
    /// Adds a subscription, or returns the existing one for the same email and topic.
    pub async fn subscribe(
        &self,
        email: &str,
        kind: &str,
        post_id: Option<i64>,
        confirmed: bool,
    ) -> StoreResult<SubscriptionRow> {
        let sql = format!(
            "{SELECT} WHERE s.email = $1 AND s.kind = $2 AND ((s.post_id IS NULL AND $3 IS NULL) OR s.post_id = $3)"
        );
        let existing: Option<SubscriptionRow> = sqlx::query_as(&sql)
            .bind(email)
            .bind(kind)
            .bind(post_id)
            .fetch_optional(&self.write)
            .await?;
        if let Some(found) = existing {
            if confirmed && found.confirmed_at.is_none() {
                self.confirm_subscription(&found.token).await?;
            }
            return Ok(found);
        }
        let now = super::now();
        let token = crate::token::random_hex(20);
        sqlx::query(
            "INSERT INTO subscriptions (email, kind, post_id, token, confirmed_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(email)
        .bind(kind)
        .bind(post_id)
        .bind(&token)
        .bind(confirmed.then_some(now))
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(self.subscription(&token).await?.expect("just inserted"))
    }

    pub async fn subscription(&self, token: &str) -> StoreResult<Option<SubscriptionRow>> {
        let sql = format!("{SELECT} WHERE s.token = $1");
        Ok(sqlx::query_as(&sql)
            .bind(token)
            .fetch_optional(&self.write)
            .await?)
    }

    /// Every subscription of the email that `token` belongs to.
    pub async fn subscriptions_of(&self, email: &str) -> StoreResult<Vec<SubscriptionRow>> {
        let sql = format!("{SELECT} WHERE s.email = $1 ORDER BY s.id");
        Ok(sqlx::query_as(&sql)
            .bind(email)
            .fetch_all(&self.write)
            .await?)
    }

    /// Confirms every waiting subscription of the same email made with this token's
    /// confirmation email (they were sent together).
    pub async fn confirm_subscription(&self, token: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE subscriptions SET confirmed_at = $1 WHERE token = $2 AND confirmed_at IS NULL",
        )
        .bind(super::now())
        .bind(token)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn unsubscribe(&self, token: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM subscriptions WHERE token = $1")
            .bind(token)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Confirmed subscribers to comments on a post.
    pub async fn comment_subscribers(&self, post_id: i64) -> StoreResult<Vec<SubscriptionRow>> {
        let sql = format!(
            "{SELECT} WHERE s.kind = 'comments' AND s.post_id = $1 AND s.confirmed_at IS NOT NULL ORDER BY s.id"
        );
        Ok(sqlx::query_as(&sql)
            .bind(post_id)
            .fetch_all(&self.read)
            .await?)
    }

    /// Confirmed subscribers to new posts.
    pub async fn post_subscribers(&self) -> StoreResult<Vec<SubscriptionRow>> {
        let sql =
            format!("{SELECT} WHERE s.kind = 'posts' AND s.confirmed_at IS NOT NULL ORDER BY s.id");
        Ok(sqlx::query_as(&sql).fetch_all(&self.read).await?)
    }

    /// Marks a post's subscribers as told; false if they already were.
    pub async fn mark_post_notified(&self, post_id: i64) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE posts SET notified_at = $1 WHERE id = $2 AND notified_at IS NULL")
                .bind(super::now())
                .bind(post_id)
                .execute(&self.write)
                .await?;
        Ok(done.rows_affected() == 1)
    }
}
