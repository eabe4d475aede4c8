//! A post's revisions: each saved version of its title, excerpt and text, and the
//! editor's autosave of a published post (kept apart, one per post and person, so an
//! unfinished change never reaches readers).

use super::{Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RevisionRow {
    pub id: i64,
    pub post_id: i64,
    pub title: String,
    pub excerpt: String,
    pub body_md: String,
    /// Who saved it (`None`: the account is gone, or it came from the command line).
    pub saved_by: Option<i64>,
    pub saved_by_name: Option<String>,
    pub created_at: i64,
    pub autosave: i64,
}

const SELECT: &str = "SELECT r.id, r.post_id, r.title, r.excerpt, r.body_md, r.saved_by, \
     u.display_name AS saved_by_name, r.created_at, r.autosave \
     FROM post_revisions r LEFT JOIN users u ON u.id = r.saved_by";

impl Store {
    /// Records the post as it is now as a revision saved by `by`; an unchanged post
    /// (saved again as it was) adds nothing. With `autosave`, the text given replaces
    /// this person's autosave of the post instead.
    pub async fn add_revision(
        &self,
        post_id: i64,
        by: Option<i64>,
        autosave: Option<(&str, &str, &str)>,
    ) -> StoreResult<()> {
        let autosave = autosave.map(|(t, e, b)| (t.to_string(), e.to_string(), b.to_string()));
        self.write(move |tx| {
            Box::pin(async move {
                let now = super::now();
                if let Some((title, excerpt, body)) = autosave {
                    sqlx::query(
                        "DELETE FROM post_revisions WHERE post_id = $1 AND autosave = 1 \
                         AND COALESCE(saved_by, 0) = COALESCE($2, 0)",
                    )
                    .bind(post_id)
                    .bind(by)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO post_revisions (post_id, title, excerpt, body_md, saved_by, \
                         created_at, autosave) VALUES ($1, $2, $3, $4, $5, $6, 1)",
                    )
                    .bind(post_id)
                    .bind(&title)
                    .bind(&excerpt)
                    .bind(&body)
                    .bind(by)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    return Ok(());
                }
                let last: Option<(String, String, String)> = sqlx::query_as(
                    "SELECT title, excerpt, body_md FROM post_revisions \
                     WHERE post_id = $1 AND autosave = 0 ORDER BY id DESC LIMIT 1",
                )
                .bind(post_id)
                .fetch_optional(&mut *tx)
                .await?;
                let now_row: Option<(String, String, String)> =
                    sqlx::query_as("SELECT title, excerpt, body_md FROM posts WHERE id = $1")
                        .bind(post_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some(current) = now_row else {
                    return Ok(());
                };
                if last.as_ref() != Some(&current) {
                    sqlx::query(
                        "INSERT INTO post_revisions (post_id, title, excerpt, body_md, saved_by, \
                         created_at, autosave) VALUES ($1, $2, $3, $4, $5, $6, 0)",
                    )
                    .bind(post_id)
                    .bind(&current.0)
                    .bind(&current.1)
                    .bind(&current.2)
                    .bind(by)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                // A saved post has no unsaved change left.
                sqlx::query(
                    "DELETE FROM post_revisions WHERE post_id = $1 AND autosave = 1 \
                     AND COALESCE(saved_by, 0) = COALESCE($2, 0)",
                )
                .bind(post_id)
                .bind(by)
                .execute(&mut *tx)
                .await?;
                Ok(())
            })
        })
        .await
    }

    /// A post's revisions, newest first.
    pub async fn revisions(&self, post_id: i64) -> StoreResult<Vec<RevisionRow>> {
        let sql = format!("{SELECT} WHERE r.post_id = $1 ORDER BY r.id DESC");
        Ok(sqlx::query_as(&sql)
            .bind(post_id)
            .fetch_all(&self.read)
            .await?)
    }

    /// How many revisions a post has (the editor's link says so).
    pub async fn count_revisions(&self, post_id: i64) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM post_revisions WHERE post_id = $1")
                .bind(post_id)
                .fetch_one(&self.read)
                .await?,
        )
    }

    pub async fn revision(&self, post_id: i64, id: i64) -> StoreResult<Option<RevisionRow>> {
        let sql = format!("{SELECT} WHERE r.post_id = $1 AND r.id = $2");
        Ok(sqlx::query_as(&sql)
            .bind(post_id)
            .bind(id)
            .fetch_optional(&self.read)
            .await?)
    }
}
