//! Reading the whole site out, a batch of posts at a time (for the WXR export).

use super::{Store, StoreResult};
use crate::domain::comment::{CommentKind, CommentStatus};
use crate::domain::post::{BodyFormat, PostKind, PostStatus};
use crate::domain::term::TermKind;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportPost {
    pub id: i64,
    pub kind: PostKind,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub body_md: String,
    pub body_html: String,
    pub body_format: BodyFormat,
    pub status: PostStatus,
    pub lang: String,
    /// 1 or 0, as stored (an integer on both databases).
    pub comments_open: i64,
    pub published_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub author_login: String,
    pub featured_media_id: Option<i64>,
    /// Its feed id, written as the export's `<guid>` so the next site keeps it.
    pub guid: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportComment {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: CommentKind,
    pub status: CommentStatus,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body: String,
    pub ip: String,
    pub user_agent: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportAuthor {
    pub id: i64,
    pub login: String,
    pub email: String,
    pub display_name: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportTerm {
    pub id: i64,
    pub kind: TermKind,
    pub slug: String,
    pub name: String,
    pub parent_slug: Option<String>,
}

/// The login an export gives a user: the one imported with them, else their email.
const AUTHOR_LOGIN: &str = "COALESCE(u.login, u.email)";

impl Store {
    /// Users who wrote at least one post.
    pub async fn export_authors(&self) -> StoreResult<Vec<ExportAuthor>> {
        let sql = format!(
            "SELECT u.id, {AUTHOR_LOGIN} AS login, u.email, u.display_name FROM users u \
             WHERE EXISTS (SELECT 1 FROM posts p WHERE p.author_id = u.id) ORDER BY u.id"
        );
        Ok(sqlx::query_as(&sql).fetch_all(&self.read).await?)
    }

    pub async fn export_terms(&self) -> StoreResult<Vec<ExportTerm>> {
        Ok(
            sqlx::query_as("SELECT id, kind, slug, name, parent_slug FROM terms ORDER BY kind, id")
                .fetch_all(&self.read)
                .await?,
        )
    }

    /// Up to `limit` posts and pages with an id above `after`, in id order.
    pub async fn export_posts(&self, after: i64, limit: i64) -> StoreResult<Vec<ExportPost>> {
        let sql = format!(
            "SELECT p.id, p.kind, p.slug, p.title, p.excerpt, p.body_md, p.body_html, \
             p.body_format, p.status, p.lang, p.comments_open, p.published_at, p.created_at, \
             p.updated_at, {AUTHOR_LOGIN} AS author_login, p.featured_media_id, p.guid \
             FROM posts p JOIN users u ON u.id = p.author_id \
             WHERE p.id > $1 ORDER BY p.id LIMIT $2"
        );
        Ok(sqlx::query_as(&sql)
            .bind(after)
            .bind(limit)
            .fetch_all(&self.read)
            .await?)
    }

    /// (kind, slug, name) of the post's categories and tags.
    pub async fn post_terms(&self, post_id: i64) -> StoreResult<Vec<(TermKind, String, String)>> {
        Ok(sqlx::query_as(
            "SELECT t.kind, t.slug, t.name FROM terms t JOIN post_terms pt ON pt.term_id = t.id \
             WHERE pt.post_id = $1 ORDER BY t.kind, t.name",
        )
        .bind(post_id)
        .fetch_all(&self.read)
        .await?)
    }

    /// Every comment of a post, whatever its status, oldest first.
    pub async fn export_comments(&self, post_id: i64) -> StoreResult<Vec<ExportComment>> {
        Ok(sqlx::query_as(
            "SELECT id, parent_id, kind, status, author_name, author_email, author_url, body, \
             ip, user_agent, created_at FROM comments WHERE post_id = $1 ORDER BY id",
        )
        .bind(post_id)
        .fetch_all(&self.read)
        .await?)
    }
}
