//! Search behind one interface: SQLite's FTS5 (`bm25`, the title weighted ten times the
//! text) or PostgreSQL's full-text search (`ts_rank` over a weighted `tsvector`, GIN).
//! Both hold the text folded by `domain::search::fold`, so Arabic, Kurdish, Persian and
//! Turkish spellings meet the same way on either.

use sqlx::AnyConnection;

use super::{Store, StoreResult};
use crate::domain::post::{Post, PostStatus};
use crate::domain::search::{fold, fts5_query, tsquery, FOLD_VERSION};

fn is_postgres(conn: &AnyConnection) -> bool {
    conn.backend_name().eq_ignore_ascii_case("postgresql")
}

/// Writes post `id`'s row of the index (its title, excerpt and text), inside the
/// transaction that writes the post.
pub(crate) async fn index_post(
    conn: &mut AnyConnection,
    id: i64,
    title: &str,
    excerpt: &str,
    body_html: &str,
) -> Result<(), sqlx::Error> {
    let title = fold(title);
    let body = fold(&format!(
        "{excerpt} {}",
        crate::domain::html::plain_text(body_html)
    ));
    if is_postgres(conn) {
        sqlx::query(
            "INSERT INTO search_index (post_id, title, body, document) VALUES ($1, $2, $3, \
             setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'D')) \
             ON CONFLICT (post_id) DO UPDATE SET title = excluded.title, body = excluded.body, \
             document = excluded.document",
        )
        .bind(id)
        .bind(&title)
        .bind(&body)
        .execute(conn)
        .await?;
    } else {
        sqlx::query("DELETE FROM search_index WHERE rowid = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("INSERT INTO search_index (rowid, title, body) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(&title)
            .bind(&body)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Up to how many matches a search counts and ranks by relevance; past it, "more than
/// 1,000" newest first (a word in that many posts says little about any one of them,
/// and neither counting nor ranking them all is worth a reader's wait).
pub const RANKED_MATCHES: i64 = 1_000;

/// What a search found: how many match in all, and this page of them.
#[derive(Debug, Default)]
pub struct Found {
    /// How many match, up to the number ranked.
    pub total: i64,
    /// More than that match (`total` is then that number).
    pub more: bool,
    pub posts: Vec<Post>,
}

impl Store {
    /// Posts and pages readers can see at `now` that hold every one of `terms` (each a
    /// prefix, see `domain::search`), best first, `limit` from `offset`. Ranked by
    /// relevance (title matches weigh most) while at most `ranked_matches` (normally
    /// [`RANKED_MATCHES`]) match;
    /// past that the newest first, which the listing index answers without scoring.
    ///
    /// Three queries (four on PostgreSQL when the matches are old): the count (stopped
    /// at `ranked_matches + 1`), this page's ids, their posts. The full-text index is
    /// read first and each match checked against an index of posts
    /// (`posts_visible_idx`), so a word in every one of 100,000 posts never reads
    /// 100,000 post rows.
    pub async fn search(
        &self,
        terms: &[String],
        ranked_matches: i64,
        now: i64,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Found> {
        if terms.is_empty() {
            return Ok(Found::default());
        }
        let postgres = self.backend() == super::Backend::Postgres;
        let (matches, query) = if postgres {
            (
                "FROM search_index s JOIN posts p ON p.id = s.post_id \
                 WHERE s.document @@ to_tsquery('simple', $1) \
                 AND p.status = $2 AND p.published_at <= $3",
                tsquery(terms),
            )
        } else {
            // The index first (CROSS JOIN keeps that order), each match checked in
            // `posts_visible_idx` (id, status, published_at): no post row is read.
            (
                "FROM search_index CROSS JOIN posts p INDEXED BY posts_visible_idx \
                 ON p.id = search_index.rowid WHERE search_index MATCH $1 \
                 AND p.status = $2 AND p.published_at <= $3",
                fts5_query(terms),
            )
        };
        let counted: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM (SELECT 1 {matches} LIMIT {}) c",
            ranked_matches + 1
        ))
        .bind(&query)
        .bind(PostStatus::Published)
        .bind(now)
        .fetch_one(&self.read)
        .await?;
        let more = counted > ranked_matches;
        let total = counted.min(ranked_matches);
        if total == 0 || (!more && offset >= total) {
            return Ok(Found {
                total,
                more,
                posts: Vec::new(),
            });
        }
        if more && postgres {
            // The newest visible posts first, each looked up in the index: enough when
            // the matches are many among recent posts (a common word). Otherwise (the
            // matches are old: a language the site stopped writing in) every match is
            // taken from the GIN index and the newest kept, so neither way reads more
            // than the matches or a few hundred posts. The newest looked through are
            // half the number ranked (500 as shipped: a few milliseconds at most), each
            // checked by a subquery the planner cannot make a join of (a join over
            // every match costs as much as the way below).
            let walk = (ranked_matches / 2).max(1);
            let recent = format!(
                "SELECT p.id FROM (SELECT id, published_at FROM posts \
                 WHERE status = $2 AND published_at <= $3 \
                 ORDER BY published_at DESC, id DESC LIMIT {walk}) p \
                 WHERE (SELECT s.document @@ to_tsquery('simple', $1) FROM search_index s \
                 WHERE s.post_id = p.id) \
                 ORDER BY p.published_at DESC, p.id DESC LIMIT $4 OFFSET $5"
            );
            let mut ids = self.page_ids(&recent, &query, now, limit, offset).await?;
            if (ids.len() as i64) < limit {
                let every = "WITH m AS MATERIALIZED (SELECT post_id FROM search_index \
                     WHERE document @@ to_tsquery('simple', $1)) \
                     SELECT p.id FROM m JOIN posts p ON p.id = m.post_id \
                     WHERE p.status = $2 AND p.published_at <= $3 \
                     ORDER BY p.published_at DESC, p.id DESC LIMIT $4 OFFSET $5";
                ids = self.page_ids(every, &query, now, limit, offset).await?;
            }
            return self.found(total, more, ids).await;
        }
        let page_sql = if more {
            // Walks the listing index (status, published_at) newest first.
            "SELECT p.id FROM posts p WHERE p.status = $2 AND p.published_at <= $3 \
             AND p.id IN (SELECT rowid FROM search_index WHERE search_index MATCH $1) \
             ORDER BY p.published_at DESC, p.id DESC LIMIT $4 OFFSET $5"
                .to_string()
        } else if postgres {
            format!(
                "SELECT p.id {matches} \
                 ORDER BY ts_rank(s.document, to_tsquery('simple', $1)) DESC, p.id DESC \
                 LIMIT $4 OFFSET $5"
            )
        } else {
            format!(
                "SELECT p.id {matches} \
                 ORDER BY bm25(search_index, 10.0, 1.0), p.id DESC LIMIT $4 OFFSET $5"
            )
        };
        let ids = self.page_ids(&page_sql, &query, now, limit, offset).await?;
        self.found(total, more, ids).await
    }

    /// The ids one of `search`'s page queries gives (`$1` the query, `$2`–`$3` what
    /// readers see at `now`, `$4`–`$5` the page).
    async fn page_ids(
        &self,
        sql: &str,
        query: &str,
        now: i64,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<i64>> {
        Ok(sqlx::query_scalar(sql)
            .bind(query)
            .bind(PostStatus::Published)
            .bind(now)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.read)
            .await?)
    }

    /// The posts of `ids`, in that order.
    async fn found(&self, total: i64, more: bool, ids: Vec<i64>) -> StoreResult<Found> {
        let mut by_id = self.posts_by_ids(&ids).await?;
        let posts = ids.iter().filter_map(|id| by_id.remove(id)).collect();
        Ok(Found { total, more, posts })
    }

    /// Makes the index whole: built again when folding changed since it was written
    /// (`FOLD_VERSION`), then a row for every post without one (posts from before
    /// search). A batch of 500 posts a transaction; returns how many were indexed.
    pub async fn complete_search_index(&self) -> StoreResult<usize> {
        let version: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'search_fold_version'")
                .fetch_optional(&self.read)
                .await?;
        if version.as_deref() != Some(&FOLD_VERSION.to_string()) {
            self.write(|tx| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM search_index")
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("DELETE FROM settings WHERE key = 'search_fold_version'")
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(
                        "INSERT INTO settings (key, value) VALUES ('search_fold_version', $1)",
                    )
                    .bind(FOLD_VERSION.to_string())
                    .execute(&mut *tx)
                    .await?;
                    Ok(())
                })
            })
            .await?;
        }
        let missing = if self.backend() == super::Backend::Postgres {
            "SELECT id, title, excerpt, body_html FROM posts p WHERE NOT EXISTS \
             (SELECT 1 FROM search_index s WHERE s.post_id = p.id) ORDER BY id LIMIT 500"
        } else {
            "SELECT id, title, excerpt, body_html FROM posts p WHERE NOT EXISTS \
             (SELECT 1 FROM search_index s WHERE s.rowid = p.id) ORDER BY id LIMIT 500"
        };
        let mut done = 0;
        loop {
            let batch: Vec<(i64, String, String, String)> =
                sqlx::query_as(missing).fetch_all(&self.read).await?;
            if batch.is_empty() {
                return Ok(done);
            }
            done += batch.len();
            self.write(move |tx| {
                Box::pin(async move {
                    for (id, title, excerpt, body) in &batch {
                        index_post(tx, *id, title, excerpt, body).await?;
                    }
                    Ok(())
                })
            })
            .await?;
        }
    }
}
