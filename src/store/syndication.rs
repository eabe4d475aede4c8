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

/// The newest approved comments on public posts (`$1` approved, `$2` published, `$3`
/// now, `$4` limit, then the post if `on_post`). One text for each case: with
/// `post IS NULL OR …` in one, SQLite walked every approved comment of the site for one
/// post's feed (3 s at 1,000,000 comments); alone, a post's walks
/// `comments_post_status_idx`.
pub(super) fn recent_comments_sql(on_post: bool) -> String {
    let columns: String = COMMENT_COLUMNS
        .split(',')
        .map(|c| format!("c.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let on_post = if on_post { " AND c.post_id = $5" } else { "" };
    format!(
        "SELECT {columns} FROM comments c JOIN posts p ON p.id = c.post_id \
         WHERE c.status = $1 AND p.status = $2 AND p.published_at <= $3{on_post} \
         ORDER BY c.id DESC LIMIT $4"
    )
}

/// Public posts (or pages) counted from `posts_kind_listing_idx` alone (`$1` published,
/// `$2` now, `$3` kind).
pub(super) const COUNT_PUBLIC: &str =
    "SELECT COUNT(*) FROM posts WHERE kind = $3 AND status = $1 AND published_at <= $2";

/// A sitemap's page of posts, oldest first (`$1` published, `$2` now, `$3` kind, `$4`
/// limit, `$5` offset): the page's ids from the index alone first (the last of 50
/// sitemaps skips 98,000 index entries, not rows), then those posts read whole.
pub(super) fn public_posts_page_sql() -> String {
    format!(
        "{POST_SELECT} WHERE p.id IN (SELECT p.id FROM posts p WHERE p.kind = $3 \
         AND p.status = $1 AND p.published_at <= $2 \
         ORDER BY p.published_at, p.id LIMIT $4 OFFSET $5) ORDER BY p.published_at, p.id"
    )
}

/// Each term with the `updated_at` of its newest public post, or NULL (`$1` published,
/// `$2` now, `$3` post). `CROSS JOIN` keeps SQLite's walk starting from the term's
/// entries (it would otherwise start from every public post).
pub(super) const PUBLIC_TERMS: &str = "SELECT t.kind, t.slug, (SELECT p.updated_at \
     FROM post_terms pt CROSS JOIN posts p \
     WHERE pt.term_id = t.id AND p.id = pt.post_id AND p.status = $1 \
     AND p.published_at <= $2 AND p.kind = $3 ORDER BY pt.post_id DESC LIMIT 1) AS modified \
     FROM terms t ORDER BY t.kind, t.slug";

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
        let sql = recent_comments_sql(post.is_some());
        let mut query = sqlx::query_as(&sql)
            .bind(CommentStatus::Approved)
            .bind(PostStatus::Published)
            .bind(now)
            .bind(limit);
        if let Some(post) = post {
            query = query.bind(post);
        }
        Ok(query.fetch_all(&self.read).await?)
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
        Ok(sqlx::query_scalar(COUNT_PUBLIC)
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
        Ok(sqlx::query_as(&public_posts_page_sql())
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
    /// them (by id: the last filed under it) was changed. One walk of
    /// `post_terms_term_post_idx` a term, newest first, stopping at the first public
    /// post: never every post of every term.
    pub async fn public_terms(&self, now: i64) -> StoreResult<Vec<TermEntry>> {
        let rows: Vec<(TermKind, String, Option<i64>)> = sqlx::query_as(PUBLIC_TERMS)
            .bind(PostStatus::Published)
            .bind(now)
            .bind(PostKind::Post)
            .fetch_all(&self.read)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(kind, slug, modified)| {
                Some(TermEntry {
                    kind,
                    slug,
                    modified: modified?,
                })
            })
            .collect())
    }
}
