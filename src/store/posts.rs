//! Posts: the statements and articles a site publishes.

use super::{Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct PostRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub body_md: String,
    pub body_html: String,
    pub status: String,
    pub lang: String,
    pub translation_group: Option<String>,
    pub author_id: i64,
    pub author_name: String,
    pub comments_open: i64,
    pub comment_count: i64,
    pub published_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// "post" or "page".
    pub kind: String,
    /// "markdown" (written here) or "html" (imported).
    pub body_format: String,
}

impl PostRow {
    /// A post's `/YYYY/MM/DD/slug/` address (drafts date from their creation), a
    /// page's `/slug/`.
    pub fn permalink(&self) -> String {
        if self.kind == "page" {
            return format!("/{}/", self.slug);
        }
        crate::domain::post::permalink(self.published_at.unwrap_or(self.created_at), &self.slug)
    }

    /// The first words of the body, for listings and emails.
    pub fn summary(&self, words: usize) -> String {
        if self.body_format == "html" {
            crate::domain::html::summary(&self.body_md, words)
        } else {
            crate::domain::text::summary(&self.body_md, words)
        }
    }
}

/// Everything an editor sets on a post.
#[derive(Debug, Clone)]
pub struct PostWrite {
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub body_md: String,
    pub body_html: String,
    pub status: String,
    pub lang: String,
    pub translation_group: Option<String>,
    pub author_id: i64,
    pub comments_open: bool,
    pub published_at: Option<i64>,
}

const POST_SELECT: &str = "SELECT p.id, p.slug, p.title, p.excerpt, p.body_md, p.body_html, \
     p.status, p.lang, p.translation_group, p.author_id, u.display_name AS author_name, \
     p.comments_open, p.comment_count, p.published_at, p.created_at, p.updated_at, \
     p.kind, p.body_format FROM posts p JOIN users u ON u.id = p.author_id";

/// Queues the "new post" email to subscribers for when a published post goes public.
async fn announce(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    post: &PostWrite,
) -> Result<(), sqlx::Error> {
    if post.status == "published" {
        if let Some(at) = post.published_at {
            super::jobs::enqueue_in(conn, "post_published", &format!("{{\"post_id\":{id}}}"), at)
                .await?;
        }
    }
    Ok(())
}

impl Store {
    /// Published posts visible at `now`, newest first; with `term`, only those filed
    /// under it. Pages are not in the stream of posts.
    pub async fn published_posts(
        &self,
        term: Option<i64>,
        now: i64,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<PostRow>> {
        let sql = format!(
            "{POST_SELECT} WHERE p.status = 'published' AND p.published_at <= $1 \
             AND p.kind = 'post' AND ($4 IS NULL OR p.id IN \
             (SELECT post_id FROM post_terms WHERE term_id = $4)) \
             ORDER BY p.published_at DESC, p.id DESC LIMIT $2 OFFSET $3"
        );
        Ok(sqlx::query_as(&sql)
            .bind(now)
            .bind(limit)
            .bind(offset)
            .bind(term)
            .fetch_all(&self.read)
            .await?)
    }

    pub async fn count_published_posts(&self, term: Option<i64>, now: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM posts WHERE status = 'published' AND published_at <= $1 \
             AND kind = 'post' AND ($2 IS NULL OR id IN \
             (SELECT post_id FROM post_terms WHERE term_id = $2))",
        )
        .bind(now)
        .bind(term)
        .fetch_one(&self.read)
        .await?)
    }

    /// A category or tag by its slug: (id, name).
    pub async fn term_by_slug(&self, kind: &str, slug: &str) -> StoreResult<Option<(i64, String)>> {
        Ok(
            sqlx::query_as("SELECT id, name FROM terms WHERE kind = $1 AND slug = $2")
                .bind(kind)
                .bind(slug)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// The earliest publish time still in the future, if a post is scheduled.
    pub async fn next_scheduled_post(&self, now: i64) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(published_at) FROM posts WHERE status = 'published' AND published_at > $1",
        )
        .bind(now)
        .fetch_one(&self.read)
        .await?)
    }

    pub async fn post_by_slug(&self, slug: &str) -> StoreResult<Option<PostRow>> {
        let sql = format!("{POST_SELECT} WHERE p.slug = $1");
        Ok(sqlx::query_as(&sql)
            .bind(slug)
            .fetch_optional(&self.read)
            .await?)
    }

    /// The public post a WordPress `/?p=ID` (or `/?page_id=ID`) link meant: one imported
    /// with that original id, else one written here with that id.
    pub async fn post_by_wordpress_id(&self, id: i64) -> StoreResult<Option<PostRow>> {
        let sql = format!(
            "{POST_SELECT} WHERE (p.import_id = $1 AND p.import_source LIKE 'wordpress:%') \
             OR (p.id = $2 AND p.import_source IS NULL) \
             ORDER BY p.import_source IS NULL, p.id LIMIT 1"
        );
        Ok(sqlx::query_as(&sql)
            .bind(id.to_string())
            .bind(id)
            .fetch_optional(&self.read)
            .await?)
    }

    pub async fn post_by_id(&self, id: i64) -> StoreResult<Option<PostRow>> {
        let sql = format!("{POST_SELECT} WHERE p.id = $1");
        Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?)
    }

    /// All posts for the admin list; `author` limits it to one author's posts.
    pub async fn all_posts(&self, author: Option<i64>) -> StoreResult<Vec<PostRow>> {
        let sql = format!(
            "{POST_SELECT} WHERE ($1 IS NULL OR p.author_id = $1) \
             ORDER BY COALESCE(p.published_at, p.created_at) DESC, p.id DESC"
        );
        Ok(sqlx::query_as(&sql)
            .bind(author)
            .fetch_all(&self.read)
            .await?)
    }

    pub async fn insert_post(&self, post: &PostWrite) -> StoreResult<i64> {
        let post = post.clone();
        self.write(move |tx| {
            Box::pin(async move {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO posts (slug, title, excerpt, body_md, body_html, status, lang, \
                     translation_group, author_id, comments_open, published_at, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
                )
                .bind(&post.slug)
                .bind(&post.title)
                .bind(&post.excerpt)
                .bind(&post.body_md)
                .bind(&post.body_html)
                .bind(&post.status)
                .bind(&post.lang)
                .bind(&post.translation_group)
                .bind(post.author_id)
                .bind(post.comments_open as i64)
                .bind(post.published_at)
                .bind(super::now())
                .fetch_one(&mut *tx)
                .await?;
                announce(tx, id, &post).await?;
                super::bump_content_version(tx).await?;
                Ok(id)
            })
        })
        .await
    }

    pub async fn update_post(&self, id: i64, post: &PostWrite) -> StoreResult<()> {
        let post = post.clone();
        self.write(move |tx| {
            Box::pin(async move {
                let done = sqlx::query(
                    "UPDATE posts SET slug = $1, title = $2, excerpt = $3, body_md = $4, body_html = $5, \
                     status = $6, lang = $7, translation_group = $8, author_id = $9, comments_open = $10, \
                     published_at = $11, updated_at = $12 WHERE id = $13",
                )
                .bind(&post.slug)
                .bind(&post.title)
                .bind(&post.excerpt)
                .bind(&post.body_md)
                .bind(&post.body_html)
                .bind(&post.status)
                .bind(&post.lang)
                .bind(&post.translation_group)
                .bind(post.author_id)
                .bind(post.comments_open as i64)
                .bind(post.published_at)
                .bind(super::now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(super::StoreError::NotFound);
                }
                let notified: Option<i64> =
                    sqlx::query_scalar("SELECT notified_at FROM posts WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                if notified.is_none() {
                    announce(tx, id, &post).await?;
                }
                super::bump_content_version(tx).await?;
                Ok(())
            })
        })
        .await
    }
}
