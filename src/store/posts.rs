//! Posts: the statements and articles a site publishes.

use super::codec::POST_SELECT;
use super::{Store, StoreResult};
use crate::domain::job::{Job, PostPublished, WebmentionsSend};
use crate::domain::post::{Post, PostKind, PostStatus};
use crate::domain::term::TermKind;

/// Everything an editor sets on a post.
#[derive(Debug, Clone)]
pub struct PostWrite {
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub body_md: String,
    pub body_html: String,
    pub status: PostStatus,
    pub lang: String,
    pub translation_group: Option<String>,
    pub author_id: i64,
    pub comments_open: bool,
    pub published_at: Option<i64>,
    /// The library image shown above the post.
    pub featured_media_id: Option<i64>,
    /// The library files the post shows (its text and featured image), recorded as
    /// its uses in the same transaction; `publish::save` fills it in.
    pub media_ids: Vec<i64>,
}

/// The columns an editor sets, in the order [`bind_write`] binds them ($1 … $12).
const WRITE_COLUMNS: &str = "slug, title, excerpt, body_md, body_html, status, lang, \
     translation_group, author_id, comments_open, published_at, featured_media_id";

type PostQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds what an editor sets, in the order [`WRITE_COLUMNS`] lists it.
fn bind_write<'q>(q: PostQuery<'q>, post: &'q PostWrite) -> PostQuery<'q> {
    q.bind(&post.slug)
        .bind(&post.title)
        .bind(&post.excerpt)
        .bind(&post.body_md)
        .bind(&post.body_html)
        .bind(post.status)
        .bind(&post.lang)
        .bind(&post.translation_group)
        .bind(post.author_id)
        .bind(i64::from(post.comments_open))
        .bind(post.published_at)
        .bind(post.featured_media_id)
}

/// Queues what a published post's save sets off, for when it goes public: the "new
/// post" email to subscribers (`announce`: not when they were told already) and the
/// post's Webmentions (each save, so a link added or taken out is told).
async fn queue_on_publication(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    post: &PostWrite,
    announce: bool,
) -> Result<(), sqlx::Error> {
    let (PostStatus::Published, Some(at)) = (post.status, post.published_at) else {
        return Ok(());
    };
    if announce {
        let job = Job::PostPublished(PostPublished { post_id: id });
        super::jobs::enqueue_in(&mut *conn, &job, at).await?;
    }
    let job = Job::WebmentionsSend(WebmentionsSend { post_id: id });
    super::jobs::enqueue_in(conn, &job, at.max(super::now())).await
}

/// Which published posts a listing shows: all, those filed under a term, those in a
/// language (its tag, or a tag under it: `ar` takes `ar-IQ`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Listing<'a> {
    pub term: Option<i64>,
    pub lang: Option<&'a str>,
}

/// The listing's conditions on `p` (`AND …`, nothing for all posts), numbered from
/// `$first`: only those the listing sets, so each query text has a plan of its own. A
/// language is its stored tags (`tags` of them), each an equality the index
/// `posts_kind_lang_idx` walks newest first — no `LIKE`, which no index answers.
fn listing_where(listing: &Listing<'_>, first: usize, tags: usize) -> String {
    let mut at = first;
    let mut sql = String::new();
    if listing.term.is_some() {
        sql += &format!(" AND p.id IN (SELECT post_id FROM post_terms WHERE term_id = ${at})");
        at += 1;
    }
    if listing.lang.is_some() {
        let marks: Vec<String> = (at..at + tags).map(|i| format!("${i}")).collect();
        sql += &format!(" AND p.lang IN ({})", marks.join(", "));
    }
    sql
}

/// A listing's page of posts (`$1` now, `$2` limit, `$3` offset, `$4` published, `$5`
/// post, then the term and the language's `tags`): the page's ids first, from the index
/// alone (a late page skips index entries, not rows), then only those posts read whole.
pub(super) fn published_posts_sql(listing: &Listing<'_>, tags: usize) -> String {
    format!(
        "{POST_SELECT} WHERE p.id IN (SELECT p.id FROM posts p \
         WHERE p.kind = $5 AND p.status = $4 AND p.published_at <= $1{} \
         ORDER BY p.published_at DESC, p.id DESC LIMIT $2 OFFSET $3) \
         ORDER BY p.published_at DESC, p.id DESC",
        listing_where(listing, 6, tags)
    )
}

/// A post by its slug (`$1`).
pub(super) fn post_by_slug_sql() -> String {
    format!("{POST_SELECT} WHERE p.slug = $1")
}

/// Whether a stored language tag is in a listing's language (`ar` takes `ar-IQ`).
fn in_language(tag: &str, lang: &str) -> bool {
    tag.strip_prefix(lang)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
}

/// Each language with a public post, in order: the first, then repeatedly the first one
/// after the last found, each an index seek (`$1` now, `$2` published, `$3` post).
pub(super) const PUBLISHED_LANGUAGES: &str = "WITH RECURSIVE l(lang) AS ( \
     SELECT (SELECT lang FROM posts WHERE kind = $3 AND status = $2 AND published_at <= $1 \
             ORDER BY lang LIMIT 1) \
     UNION ALL \
     SELECT (SELECT p.lang FROM posts p WHERE p.kind = $3 AND p.status = $2 \
             AND p.published_at <= $1 AND p.lang > l.lang ORDER BY p.lang LIMIT 1) \
     FROM l WHERE l.lang IS NOT NULL) \
     SELECT lang FROM l WHERE lang IS NOT NULL";

impl Store {
    /// Published posts visible at `now` in `listing`, newest first. Pages are not in
    /// the stream of posts.
    pub async fn published_posts(
        &self,
        listing: Listing<'_>,
        now: i64,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<Post>> {
        let tags: Vec<String> = match listing.lang {
            Some(lang) => {
                let tags: Vec<String> = self
                    .published_languages(now)
                    .await?
                    .into_iter()
                    .filter(|tag| in_language(tag, lang))
                    .collect();
                if tags.is_empty() {
                    return Ok(Vec::new());
                }
                tags
            }
            None => Vec::new(),
        };
        let sql = published_posts_sql(&listing, tags.len());
        let mut query = sqlx::query_as(&sql)
            .bind(now)
            .bind(limit)
            .bind(offset)
            .bind(PostStatus::Published)
            .bind(PostKind::Post);
        if let Some(term) = listing.term {
            query = query.bind(term);
        }
        for tag in tags {
            query = query.bind(tag);
        }
        Ok(query.fetch_all(&self.read).await?)
    }

    /// The posts of a translation group (a statement and its translations), oldest
    /// first.
    pub async fn translations(&self, group: &str) -> StoreResult<Vec<Post>> {
        let sql = format!("{POST_SELECT} WHERE p.translation_group = $1 ORDER BY p.id");
        Ok(sqlx::query_as(&sql)
            .bind(group)
            .fetch_all(&self.read)
            .await?)
    }

    /// Puts posts `ids` in translation group `group` (or in none).
    pub async fn set_translation_group(&self, ids: &[i64], group: Option<&str>) -> StoreResult<()> {
        let ids = ids.to_vec();
        let group = group.map(str::to_string);
        self.write(move |tx| {
            Box::pin(async move {
                for id in ids {
                    sqlx::query("UPDATE posts SET translation_group = $1 WHERE id = $2")
                        .bind(&group)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                super::bump_content_version(tx).await?;
                Ok(())
            })
        })
        .await
    }

    /// The languages of the posts readers can see at `now` (their tags as stored).
    /// A loose scan of `posts_kind_lang_idx`: one index step a language, whatever the
    /// number of posts (a `DISTINCT` would read every public post's row).
    pub async fn published_languages(&self, now: i64) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(PUBLISHED_LANGUAGES)
            .bind(now)
            .bind(PostStatus::Published)
            .bind(PostKind::Post)
            .fetch_all(&self.read)
            .await?)
    }

    /// A category or tag by its slug: (id, name).
    pub async fn term_by_slug(
        &self,
        kind: TermKind,
        slug: &str,
    ) -> StoreResult<Option<(i64, String)>> {
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
            "SELECT MIN(published_at) FROM posts WHERE status = $2 AND published_at > $1",
        )
        .bind(now)
        .bind(PostStatus::Published)
        .fetch_one(&self.read)
        .await?)
    }

    pub async fn post_by_slug(&self, slug: &str) -> StoreResult<Option<Post>> {
        Ok(sqlx::query_as(&post_by_slug_sql())
            .bind(slug)
            .fetch_optional(&self.read)
            .await?)
    }

    /// The public post a WordPress `/?p=ID` (or `/?page_id=ID`) link meant: one imported
    /// with that original id, else one written here with that id.
    /// The post that used to be at `slug` (its slug changed since).
    pub async fn post_by_old_slug(&self, slug: &str) -> StoreResult<Option<Post>> {
        let sql = format!(
            "{POST_SELECT} WHERE p.id = (SELECT post_id FROM post_old_slugs WHERE slug = $1)"
        );
        Ok(sqlx::query_as(&sql)
            .bind(slug)
            .fetch_optional(&self.read)
            .await?)
    }

    /// Every category and tag there is, by kind then name: what the editor offers.
    pub async fn all_terms(&self) -> StoreResult<Vec<(TermKind, String, String)>> {
        Ok(
            sqlx::query_as("SELECT kind, slug, name FROM terms ORDER BY kind, name")
                .fetch_all(&self.read)
                .await?,
        )
    }

    /// Gives post `id` exactly these categories and tags (by name), creating those
    /// that do not exist yet, in one transaction.
    pub async fn set_post_terms(&self, id: i64, terms: Vec<(TermKind, String)>) -> StoreResult<()> {
        self.write(move |tx| {
            Box::pin(async move {
                sqlx::query("DELETE FROM post_terms WHERE post_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                for (kind, name) in &terms {
                    let slug = crate::domain::post::slugify(name);
                    if slug.is_empty() {
                        continue;
                    }
                    sqlx::query(
                        "INSERT INTO terms (kind, slug, name) VALUES ($1, $2, $3) \
                         ON CONFLICT (kind, slug) DO NOTHING",
                    )
                    .bind(*kind)
                    .bind(&slug)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO post_terms (post_id, term_id) \
                         SELECT $1, id FROM terms WHERE kind = $2 AND slug = $3 \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(id)
                    .bind(*kind)
                    .bind(&slug)
                    .execute(&mut *tx)
                    .await?;
                }
                super::bump_content_version(tx).await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn post_by_wordpress_id(&self, id: i64) -> StoreResult<Option<Post>> {
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

    pub async fn post_by_id(&self, id: i64) -> StoreResult<Option<Post>> {
        let sql = format!("{POST_SELECT} WHERE p.id = $1");
        Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?)
    }

    /// All posts for the admin list; `author` limits it to one author's posts.
    pub async fn all_posts(&self, author: Option<i64>) -> StoreResult<Vec<Post>> {
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
                let sql = format!(
                    "INSERT INTO posts ({WRITE_COLUMNS}, created_at, updated_at, guid) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14) RETURNING id"
                );
                let row = bind_write(sqlx::query(&sql), &post)
                    .bind(super::now())
                    .bind(crate::token::uuid_urn())
                    .fetch_one(&mut *tx)
                    .await?;
                let id: i64 = sqlx::Row::try_get(&row, 0)?;
                queue_on_publication(tx, id, &post, true).await?;
                super::media::record_uses(tx, id, &post.media_ids).await?;
                super::search::index_post(tx, id, &post.title, &post.excerpt, &post.body_html)
                    .await?;
                super::bump_content_version(tx).await?;
                Ok(id)
            })
        })
        .await
        .inspect(|_| self.job_queued())
    }

    pub async fn update_post(&self, id: i64, post: &PostWrite) -> StoreResult<()> {
        let post = post.clone();
        self.write(move |tx| {
            Box::pin(async move {
                let sql = format!(
                    "UPDATE posts SET ({WRITE_COLUMNS}, updated_at) = \
                     ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) WHERE id = $14"
                );
                let before: Option<String> =
                    sqlx::query_scalar("SELECT slug FROM posts WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let done = bind_write(sqlx::query(&sql), &post)
                    .bind(super::now())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                // A new slug: the old one keeps answering (a 301 to the new address);
                // an old slug taken again is nobody's old slug any more.
                if let Some(old) = before.filter(|old| *old != post.slug) {
                    sqlx::query(
                        "INSERT INTO post_old_slugs (slug, post_id) VALUES ($1, $2) \
                         ON CONFLICT (slug) DO UPDATE SET post_id = excluded.post_id",
                    )
                    .bind(&old)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query("DELETE FROM post_old_slugs WHERE slug = $1")
                    .bind(&post.slug)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(super::StoreError::NotFound);
                }
                // Saved from the editor, a post in the trash is out of it.
                sqlx::query(
                    "UPDATE posts SET trashed_status = NULL, trashed_at = NULL WHERE id = $1",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                let notified: Option<i64> =
                    sqlx::query_scalar("SELECT notified_at FROM posts WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                queue_on_publication(tx, id, &post, notified.is_none()).await?;
                super::media::record_uses(tx, id, &post.media_ids).await?;
                super::search::index_post(tx, id, &post.title, &post.excerpt, &post.body_html)
                    .await?;
                super::bump_content_version(tx).await?;
                Ok(())
            })
        })
        .await
        .inspect(|()| self.job_queued())
    }
}
