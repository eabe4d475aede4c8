//! Email subscriptions: "Notify me of new comments" (per post) and "Notify me of new
//! posts". A subscription counts only once confirmed (double opt-in); its random token
//! is the reader's key to confirm, unsubscribe and manage, without an account.

use super::{Store, StoreResult};
use crate::domain::subscription::SubscriptionKind;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct SubscriptionRow {
    pub id: i64,
    pub email: String,
    pub kind: SubscriptionKind,
    pub post_id: Option<i64>,
    pub post_title: Option<String>,
    pub token: String,
    pub confirmed_at: Option<i64>,
    /// The language of the page where they subscribed: their emails are written in it.
    pub lang: Option<String>,
}

const SELECT: &str = "SELECT s.id, s.email, s.kind, s.post_id, p.title AS post_title, s.token, \
     s.confirmed_at, s.lang FROM subscriptions s LEFT JOIN posts p ON p.id = s.post_id";

/// Confirms the subscription with `token`; false if it was confirmed already.
async fn confirm(
    conn: &mut sqlx::AnyConnection,
    token: &str,
    now: i64,
) -> super::StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE subscriptions SET confirmed_at = $1 WHERE token = $2 AND confirmed_at IS NULL",
    )
    .bind(now)
    .bind(token)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

impl Store {
    /// Adds a subscription, or returns the existing one for the same email and topic
    /// (which takes the language of the page where it was asked for again).
    pub async fn subscribe(
        &self,
        email: &str,
        kind: SubscriptionKind,
        post_id: Option<i64>,
        confirmed: bool,
        lang: Option<&str>,
    ) -> StoreResult<SubscriptionRow> {
        let email = email.to_string();
        let lang = lang.map(str::to_string);
        let token = self
            .write(move |tx| {
                Box::pin(async move {
                    let existing: Option<(String, Option<i64>)> = sqlx::query_as(
                        "SELECT token, confirmed_at FROM subscriptions WHERE email = $1 AND kind = $2 \
                         AND ((post_id IS NULL AND $3 IS NULL) OR post_id = $3)",
                    )
                    .bind(&email)
                    .bind(kind)
                    .bind(post_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let now = super::now();
                    if let Some((token, confirmed_at)) = existing {
                        if confirmed && confirmed_at.is_none() {
                            confirm(tx, &token, now).await?;
                        }
                        if lang.is_some() {
                            sqlx::query("UPDATE subscriptions SET lang = $1 WHERE token = $2")
                                .bind(&lang)
                                .bind(&token)
                                .execute(&mut *tx)
                                .await?;
                        }
                        return Ok(token);
                    }
                    let token = crate::token::random_hex(20);
                    sqlx::query(
                        "INSERT INTO subscriptions (email, kind, post_id, token, confirmed_at, created_at, lang) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(&email)
                    .bind(kind)
                    .bind(post_id)
                    .bind(&token)
                    .bind(confirmed.then_some(now))
                    .bind(now)
                    .bind(&lang)
                    .execute(&mut *tx)
                    .await?;
                    Ok(token)
                })
            })
            .await?;
        self.subscription(&token)
            .await?
            .ok_or(super::StoreError::NotFound)
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
        let token = token.to_string();
        self.write(move |tx| Box::pin(async move { confirm(tx, &token, super::now()).await }))
            .await
    }

    pub async fn unsubscribe(&self, token: &str) -> StoreResult<bool> {
        let token = token.to_string();
        self.write(move |tx| {
            Box::pin(async move {
                let done = sqlx::query("DELETE FROM subscriptions WHERE token = $1")
                    .bind(&token)
                    .execute(&mut *tx)
                    .await?;
                Ok(done.rows_affected() == 1)
            })
        })
        .await
    }

    /// Confirmed subscribers to comments on a post.
    pub async fn comment_subscribers(&self, post_id: i64) -> StoreResult<Vec<SubscriptionRow>> {
        let sql = format!(
            "{SELECT} WHERE s.kind = $2 AND s.post_id = $1 AND s.confirmed_at IS NOT NULL ORDER BY s.id"
        );
        Ok(sqlx::query_as(&sql)
            .bind(post_id)
            .bind(SubscriptionKind::Comments)
            .fetch_all(&self.read)
            .await?)
    }

    /// Confirmed subscribers to new posts.
    pub async fn post_subscribers(&self) -> StoreResult<Vec<SubscriptionRow>> {
        let sql =
            format!("{SELECT} WHERE s.kind = $1 AND s.confirmed_at IS NOT NULL ORDER BY s.id");
        Ok(sqlx::query_as(&sql)
            .bind(SubscriptionKind::Posts)
            .fetch_all(&self.read)
            .await?)
    }

    /// Marks a post's subscribers as told; false if they already were.
    pub async fn mark_post_notified(&self, post_id: i64) -> StoreResult<bool> {
        self.write(move |tx| {
            Box::pin(async move {
                let done = sqlx::query(
                    "UPDATE posts SET notified_at = $1 WHERE id = $2 AND notified_at IS NULL",
                )
                .bind(super::now())
                .bind(post_id)
                .execute(&mut *tx)
                .await?;
                Ok(done.rows_affected() == 1)
            })
        })
        .await
    }
}
