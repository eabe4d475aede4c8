//! What feeds and sitemaps read: several posts' terms and files at once, the newest
//! comments readers can see, every public address a page at a time.

use std::collections::HashMap;

use super::codec::{COMMENT_COLUMNS, POST_SELECT};
use super::media::MediaRow;
use super::{Store, StoreResult};
use crate::domain::comment::{Comment, CommentStatus};
use crate::domain::post::{Post, PostKind, PostStatus};
use crate::domain::term::TermKind;

/// `$first, $first+1, …` for `n` values.
fn marks(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A category or tag with a public post, for the sitemap.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TermEntry {
    pub kind: TermKind,
    pub slug: String,
    /// When its newest public post was last changed.
    pub modified: i64,
}

impl Store {
    /// The categories and tags of each of `ids`: (kind, slug, name), by post.
    pub async fn terms_of_posts(
        &self,
        ids: &[i64],
    ) -> StoreResult<HashMap<i64, Vec<(TermKind, String, String)>>> {
        let mut out: HashMap<i64, Vec<(TermKind, String, String)>> = HashMap::new();
        for chunk in ids.chunks(100) {
            let sql = format!(
                "SELECT pt.post_id, t.kind, t.slug, t.name FROM terms t \
                 JOIN post_terms pt ON pt.term_id = t.id WHERE pt.post_id IN ({}) \
                 ORDER BY t.kind, t.name",
                marks(1, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (i64, TermKind, String, String)>(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for (post, kind, slug, name) in q.fetch_all(&self.read).await? {
                out.entry(post).or_default().push((kind, slug, name));
            }
        }
        Ok(out)
    }

    /// The library files each of `ids` shows (its text and featured image), by post.
    pub async fn media_of_posts(&self, ids: &[i64]) -> StoreResult<HashMap<i64, Vec<MediaRow>>> {
        let mut uses: Vec<(i64, i64)> = Vec::new();
        for chunk in ids.chunks(100) {
            let sql = format!(
                "SELECT post_id, media_id FROM media_uses WHERE post_id IN ({}) \
                 ORDER BY post_id, media_id",
                marks(1, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (i64, i64)>(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            uses.extend(q.fetch_all(&self.read).await?);
        }
        let mut media_ids: Vec<i64> = uses.iter().map(|(_, m)| *m).collect();
        media_ids.sort_unstable();
        media_ids.dedup();
        let rows = if media_ids.is_empty() {
            HashMap::new()
        } else {
            self.media_by_ids(&media_ids).await?
        };
        let mut out: HashMap<i64, Vec<MediaRow>> = HashMap::new();
        for (post, media) in uses {
            if let Some(row) = rows.get(&media) {
                out.entry(post).or_default().push(row.clone());
            }
        }
        Ok(out)
    }

    /// The newest approved comments on posts readers can see at `now` (those of
    /// `post` alone, if given), newest first.
    pub async fn recent_comments(
        &self,
        post: Option<i64>,
        now: i64,
        limit: i64,
    ) -> StoreResult<Vec<Comment>> {
        let columns: String = COMMENT_COLUMNS
            .split(',')
            .map(|c| format!("c.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns} FROM comments c JOIN posts p ON p.id = c.post_id \
             WHERE c.status = $1 AND p.status = $2 AND p.published_at <= $3 \
             AND (CAST($4 AS BIGINT) IS NULL OR c.post_id = $4) \
             ORDER BY c.id DESC LIMIT $5"
        );
        Ok(sqlx::query_as(&sql)
            .bind(CommentStatus::Approved)
            .bind(PostStatus::Published)
            .bind(now)
            .bind(post)
            .bind(limit)
            .fetch_all(&self.read)
            .await?)
    }

    /// The posts among `ids`, by id.
    pub async fn posts_by_ids(&self, ids: &[i64]) -> StoreResult<HashMap<i64, Post>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(100) {
            let sql = format!("{POST_SELECT} WHERE p.id IN ({})", marks(1, chunk.len()));
            let mut q = sqlx::query_as::<_, Post>(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for post in q.fetch_all(&self.read).await? {
                out.insert(post.id, post);
            }
        }
        Ok(out)
    }

    /// How many posts (or pages) readers can see at `now`.
    pub async fn count_public(&self, kind: PostKind, now: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM posts WHERE status = $1 AND published_at <= $2 AND kind = $3",
        )
        .bind(PostStatus::Published)
        .bind(now)
        .bind(kind)
        .fetch_one(&self.read)
        .await?)
    }

    /// Posts (or pages) readers can see at `now`, oldest first, `limit` from `offset`:
    /// a sitemap's page.
    pub async fn public_posts_page(
        &self,
        kind: PostKind,
        now: i64,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<Post>> {
        let sql = format!(
            "{POST_SELECT} WHERE p.status = $1 AND p.published_at <= $2 AND p.kind = $3 \
             ORDER BY p.published_at, p.id LIMIT $4 OFFSET $5"
        );
        Ok(sqlx::query_as(&sql)
            .bind(PostStatus::Published)
            .bind(now)
            .bind(kind)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.read)
            .await?)
    }

    /// The public versions of the translation groups `groups`: (group, lang, post), so
    /// a sitemap page names each post's translations in one query.
    pub async fn public_translations(
        &self,
        groups: &[String],
        now: i64,
    ) -> StoreResult<HashMap<String, Vec<Post>>> {
        let mut out: HashMap<String, Vec<Post>> = HashMap::new();
        for chunk in groups.chunks(100) {
            let sql = format!(
                "{POST_SELECT} WHERE p.status = $1 AND p.published_at <= $2 \
                 AND p.translation_group IN ({}) ORDER BY p.id",
                marks(3, chunk.len())
            );
            let mut q = sqlx::query_as::<_, Post>(&sql)
                .bind(PostStatus::Published)
                .bind(now);
            for g in chunk {
                q = q.bind(g.clone());
            }
            for post in q.fetch_all(&self.read).await? {
                if let Some(g) = post.translation_group.clone() {
                    out.entry(g).or_default().push(post);
                }
            }
        }
        Ok(out)
    }

    /// Categories and tags that list at least one public post, with when the newest of
    /// them changed.
    pub async fn public_terms(&self, now: i64) -> StoreResult<Vec<TermEntry>> {
        Ok(sqlx::query_as(
            "SELECT t.kind, t.slug, MAX(p.updated_at) AS modified FROM terms t \
             JOIN post_terms pt ON pt.term_id = t.id JOIN posts p ON p.id = pt.post_id \
             WHERE p.status = $1 AND p.published_at <= $2 AND p.kind = $3 \
             GROUP BY t.kind, t.slug ORDER BY t.kind, t.slug",
        )
        .bind(PostStatus::Published)
        .bind(now)
        .bind(PostKind::Post)
        .fetch_all(&self.read)
        .await?)
    }
}
