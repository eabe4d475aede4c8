//! Admin → Posts: the list searched, filtered and paged in the database, and the
//! trash (a post keeps the status it had, to restore it; while there it is a draft).

use super::codec::POST_SELECT;
use super::{Store, StoreResult};
use crate::domain::post::{Post, PostStatus};

/// What the posts list shows.
#[derive(Debug, Clone, Default)]
pub struct PostFilter {
    /// Words in the title or the text.
    pub search: Option<String>,
    pub status: Option<PostStatus>,
    /// The trash instead of everything else.
    pub trash: bool,
    pub lang: Option<String>,
    /// A category's slug.
    pub category: Option<String>,
    pub author: Option<i64>,
}

/// `%text%` for `LIKE … ESCAPE '\'`, the text's own `%`, `_` and `\` taken literally.
fn like(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

const WHERE: &str = " WHERE ($1 IS NULL OR p.author_id = $1) \
     AND ($2 IS NULL OR p.status = $2) \
     AND (CASE WHEN p.trashed_status IS NULL THEN 0 ELSE 1 END) = $3 \
     AND ($4 IS NULL OR LOWER(p.title) LIKE $4 ESCAPE '\\' OR LOWER(p.body_md) LIKE $4 ESCAPE '\\') \
     AND ($5 IS NULL OR p.lang = $5) \
     AND ($6 IS NULL OR EXISTS (SELECT 1 FROM post_terms pt JOIN terms t ON t.id = pt.term_id \
          WHERE pt.post_id = p.id AND t.kind = 'category' AND t.slug = $6))";

macro_rules! bind_filter {
    ($q:expr, $f:expr) => {
        $q.bind($f.author)
            .bind($f.status.map(|s| s.as_str()))
            .bind(i64::from($f.trash))
            .bind($f.search.as_deref().map(like))
            .bind($f.lang.as_deref())
            .bind($f.category.as_deref())
    };
}

impl Store {
    /// One page of the posts `filter` picks, newest first.
    pub async fn list_posts(
        &self,
        filter: &PostFilter,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<Post>> {
        let sql = format!(
            "{POST_SELECT}{WHERE} ORDER BY COALESCE(p.published_at, p.created_at) DESC, p.id DESC \
             LIMIT $7 OFFSET $8"
        );
        Ok(bind_filter!(sqlx::query_as(&sql), filter)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.read)
            .await?)
    }

    /// How many posts `filter` picks.
    pub async fn count_posts(&self, filter: &PostFilter) -> StoreResult<i64> {
        let sql = format!("SELECT COUNT(*) FROM posts p{WHERE}");
        Ok(bind_filter!(sqlx::query_scalar(&sql), filter)
            .fetch_one(&self.read)
            .await?)
    }

    /// Moves a post to the trash (`true`) or back to the status it had (`false`).
    /// Returns false when it was not there to move.
    pub async fn trash_post(&self, id: i64, trash: bool) -> StoreResult<bool> {
        self.write(move |tx| {
            Box::pin(async move {
                let n = if trash {
                    sqlx::query(
                        "UPDATE posts SET trashed_status = status, trashed_at = $2, status = $3, \
                         updated_at = $2 WHERE id = $1 AND trashed_status IS NULL",
                    )
                    .bind(id)
                    .bind(super::now())
                    .bind(PostStatus::Draft)
                    .execute(&mut *tx)
                    .await?
                } else {
                    sqlx::query(
                        "UPDATE posts SET status = trashed_status, trashed_status = NULL, \
                         trashed_at = NULL, updated_at = $2 \
                         WHERE id = $1 AND trashed_status IS NOT NULL",
                    )
                    .bind(id)
                    .bind(super::now())
                    .execute(&mut *tx)
                    .await?
                }
                .rows_affected();
                if n > 0 {
                    super::bump_content_version(tx).await?;
                }
                Ok(n > 0)
            })
        })
        .await
    }

    /// Deletes a post in the trash for good, with its comments.
    pub async fn delete_trashed_post(&self, id: i64) -> StoreResult<bool> {
        self.write(move |tx| {
            Box::pin(async move {
                let n =
                    sqlx::query("DELETE FROM posts WHERE id = $1 AND trashed_status IS NOT NULL")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                Ok(n > 0)
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn search_words_are_taken_literally() {
        assert_eq!(super::like("50% off_now"), "%50\\% off\\_now%");
        assert_eq!(super::like("Budget"), "%budget%");
    }
}
