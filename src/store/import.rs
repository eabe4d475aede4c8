//! Writing an import: one transaction for the whole file, so a file that turns out bad
//! halfway (or an interrupted run) leaves the site as it was. Rows remember where they
//! came from (`import_source`, `import_id`), so running the same file again adds nothing
//! twice.

use super::{Backend, Store, StoreResult};
use crate::domain::comment::{CommentKind, CommentStatus};
use crate::domain::post::{BodyFormat, PostKind, PostStatus};
use crate::domain::role::Role;
use crate::domain::term::TermKind;

/// A post or page as an import writes it.
#[derive(Debug, Clone)]
pub struct ImportedPost {
    pub source: String,
    pub import_id: String,
    pub kind: PostKind,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub body: String,
    pub body_html: String,
    pub body_format: BodyFormat,
    pub status: PostStatus,
    pub lang: String,
    pub author_id: i64,
    pub comments_open: bool,
    pub published_at: Option<i64>,
    pub created_at: i64,
    /// The attachment shown as its featured image, fetched into the library.
    pub featured_media_id: Option<i64>,
    /// Its feed id where it came from (WordPress's `guid`), kept so feed readers do not
    /// see it as new; a fresh one when the export had none.
    pub guid: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ImportedComment {
    pub source: String,
    pub import_id: String,
    pub import_parent_id: Option<String>,
    pub post_id: i64,
    pub kind: CommentKind,
    pub status: CommentStatus,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body: String,
    pub body_html: String,
    pub ip: String,
    pub user_agent: String,
    pub created_at: i64,
}

/// Notes a comment as it is imported (the spam filter's score), or says nothing.
pub type ImportScorer = Box<dyn Fn(&ImportedComment) -> Option<String> + Send + Sync>;

pub struct ImportTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    /// For the clean-up after the commit (PostgreSQL's `VACUUM`, outside any transaction).
    pool: sqlx::AnyPool,
    /// Comments waiting to be written together.
    pending: Vec<ImportedComment>,
    /// The note each comment gets (`comments.moderation_note`), if any.
    scorer: Option<ImportScorer>,
    notes: Vec<Option<String>>,
    written: u64,
    duplicates: u64,
}

/// Comments per INSERT: 15 values each, far below SQLite's and PostgreSQL's limits, and
/// a hundred times fewer round trips than one statement per comment.
const COMMENT_BATCH: usize = 100;

impl Store {
    pub async fn begin_import(&self) -> StoreResult<ImportTx> {
        Ok(ImportTx {
            tx: self.begin_write().await?,
            backend: self.backend,
            pool: self.write.clone(),
            pending: Vec::with_capacity(COMMENT_BATCH),
            scorer: None,
            notes: Vec::with_capacity(COMMENT_BATCH),
            written: 0,
            duplicates: 0,
        })
    }
}

impl ImportTx {
    /// A staff account for an imported author: found by email (so an existing account
    /// keeps its posts together), else created as an author who cannot sign in with a
    /// password until an admin sets one.
    pub async fn author(&mut self, login: &str, email: &str, name: &str) -> StoreResult<i64> {
        let email = if email.trim().is_empty() {
            format!("{}@imported.invalid", crate::domain::post::slugify(login))
        } else {
            email.trim().to_lowercase()
        };
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM users WHERE lower(email) = $1 OR login = $2 ORDER BY id LIMIT 1",
        )
        .bind(&email)
        .bind(login)
        .fetch_optional(&mut *self.tx)
        .await?;
        if let Some(id) = found {
            return Ok(id);
        }
        let id = sqlx::query_scalar(
            "INSERT INTO users (email, display_name, password_hash, role, created_at, login) \
             VALUES ($1, $2, NULL, $5, $3, $4) RETURNING id",
        )
        .bind(&email)
        .bind(if name.trim().is_empty() { login } else { name })
        .bind(super::now())
        .bind(login)
        .bind(Role::Author)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(id)
    }

    /// How many staff accounts there are (the summary counts the ones an import adds).
    pub async fn count_users(&mut self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *self.tx)
            .await?)
    }

    /// The term's id, and whether this call created it.
    pub async fn term(
        &mut self,
        kind: TermKind,
        slug: &str,
        name: &str,
        parent: Option<&str>,
    ) -> StoreResult<(i64, bool)> {
        let created = sqlx::query(
            "INSERT INTO terms (kind, slug, name, parent_slug) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (kind, slug) DO NOTHING",
        )
        .bind(kind)
        .bind(slug)
        .bind(if name.is_empty() { slug } else { name })
        .bind(parent)
        .execute(&mut *self.tx)
        .await?
        .rows_affected()
            > 0;
        let id = sqlx::query_scalar("SELECT id FROM terms WHERE kind = $1 AND slug = $2")
            .bind(kind)
            .bind(slug)
            .fetch_one(&mut *self.tx)
            .await?;
        Ok((id, created))
    }

    pub async fn link_term(&mut self, post_id: i64, term_id: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO post_terms (post_id, term_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(post_id)
        .bind(term_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn imported_post(
        &mut self,
        source: &str,
        import_id: &str,
    ) -> StoreResult<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM posts WHERE import_source = $1 AND import_id = $2")
                .bind(source)
                .bind(import_id)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    pub async fn post_id_by_slug(&mut self, slug: &str) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT id FROM posts WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    /// A post imported from WordPress with original id `id`, from any site.
    pub async fn post_id_by_wordpress_id(&mut self, id: &str) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM posts WHERE import_id = $1 AND import_source LIKE 'wordpress:%' \
             ORDER BY id LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    pub async fn insert_post(&mut self, p: &ImportedPost) -> StoreResult<i64> {
        // Imported posts were announced where they came from: no "new post" emails.
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO posts (slug, title, excerpt, body_md, body_html, status, lang, \
             author_id, comments_open, published_at, created_at, updated_at, notified_at, \
             kind, body_format, import_source, import_id, featured_media_id, guid) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $15, $16, \
             $17, $18) RETURNING id",
        )
        .bind(&p.slug)
        .bind(&p.title)
        .bind(&p.excerpt)
        .bind(&p.body)
        .bind(&p.body_html)
        .bind(p.status)
        .bind(&p.lang)
        .bind(p.author_id)
        .bind(i64::from(p.comments_open))
        .bind(p.published_at)
        .bind(p.created_at)
        .bind(super::now())
        .bind(p.kind)
        .bind(p.body_format)
        .bind(&p.source)
        .bind(&p.import_id)
        .bind(p.featured_media_id)
        .bind(
            p.guid
                .clone()
                .filter(|g| !g.trim().is_empty())
                .unwrap_or_else(crate::token::uuid_urn),
        )
        .fetch_one(&mut *self.tx)
        .await?;
        super::search::index_post(&mut self.tx, id, &p.title, &p.excerpt, &p.body_html).await?;
        Ok(id)
    }

    /// Records that imported post `post_id` shows the library files `media_ids`.
    pub async fn record_media_uses(&mut self, post_id: i64, media_ids: &[i64]) -> StoreResult<()> {
        super::media::record_uses(&mut self.tx, post_id, media_ids).await?;
        Ok(())
    }

    /// Queues a comment; it is written with others in one statement, unless this
    /// source's comment with that id is already here. No notification is sent for
    /// imported comments.
    /// Every comment added from now on is noted by `scorer` (the spam filter's score:
    /// imported comments are scored, and keep the status they had).
    pub fn score_with(&mut self, scorer: ImportScorer) {
        self.scorer = Some(scorer);
    }

    pub async fn add_comment(&mut self, c: ImportedComment) -> StoreResult<()> {
        self.notes.push(self.scorer.as_ref().and_then(|f| f(&c)));
        self.pending.push(c);
        if self.pending.len() >= COMMENT_BATCH {
            self.flush_comments().await?;
        }
        Ok(())
    }

    /// (written, already here) for every comment added so far.
    pub async fn comment_totals(&mut self) -> StoreResult<(u64, u64)> {
        self.flush_comments().await?;
        Ok((self.written, self.duplicates))
    }

    async fn flush_comments(&mut self) -> StoreResult<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        const COLUMNS: usize = 16;
        let mut sql = String::from(
            "INSERT INTO comments (post_id, parent_id, status, author_name, author_email, \
             author_url, body, body_html, ip, user_agent, created_at, updated_at, kind, \
             import_source, import_id, import_parent_id, moderation_note) VALUES ",
        );
        for i in 0..self.pending.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            let b = i * COLUMNS;
            // SQLite looks a numbered parameter's name up in a list as long as the
            // statement's parameters (quadratic for a batch); plain `?` is direct.
            let p = |n: usize| match self.backend {
                Backend::Sqlite => "?".to_string(),
                Backend::Postgres => format!("${}", b + n),
            };
            sql.push_str(&format!(
                "({}, NULL, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                p(1),
                p(2),
                p(3),
                p(4),
                p(5),
                p(6),
                p(7),
                p(8),
                p(9),
                p(10),
                p(11),
                p(12),
                p(13),
                p(14),
                p(15),
                p(16)
            ));
        }
        sql.push_str(" ON CONFLICT (import_source, import_id) DO NOTHING");
        let mut query = sqlx::query(&sql);
        for (c, note) in self.pending.iter().zip(&self.notes) {
            query = query
                .bind(c.post_id)
                .bind(c.status)
                .bind(&c.author_name)
                .bind(&c.author_email)
                .bind(&c.author_url)
                .bind(&c.body)
                .bind(&c.body_html)
                .bind(&c.ip)
                .bind(&c.user_agent)
                .bind(c.created_at)
                .bind(c.created_at)
                .bind(c.kind)
                .bind(&c.source)
                .bind(&c.import_id)
                .bind(&c.import_parent_id)
                .bind(note);
        }
        let written = query.execute(&mut *self.tx).await?.rows_affected();
        self.written += written;
        self.duplicates += self.pending.len() as u64 - written;
        self.pending.clear();
        self.notes.clear();
        Ok(())
    }

    /// Links replies to their parents now that every comment of the file is in. Returns
    /// the original ids of replies whose parent is not in the file (they stay top level).
    pub async fn resolve_parents(&mut self, source: &str) -> StoreResult<Vec<String>> {
        self.flush_comments().await?;
        sqlx::query(
            "UPDATE comments SET parent_id = (SELECT p.id FROM comments p \
             WHERE p.import_source = comments.import_source \
             AND p.import_id = comments.import_parent_id) \
             WHERE import_source = $1 AND parent_id IS NULL AND import_parent_id IS NOT NULL",
        )
        .bind(source)
        .execute(&mut *self.tx)
        .await?;
        Ok(sqlx::query_scalar(
            "SELECT import_id FROM comments WHERE import_source = $1 \
             AND parent_id IS NULL AND import_parent_id IS NOT NULL ORDER BY id",
        )
        .bind(source)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// Recounts approved comments on every post this source touched.
    pub async fn recount(&mut self, source: &str) -> StoreResult<()> {
        self.flush_comments().await?;
        sqlx::query(
            "UPDATE posts SET comment_count = (SELECT COUNT(*) FROM comments \
             WHERE comments.post_id = posts.id AND comments.status = $2) \
             WHERE id IN (SELECT DISTINCT post_id FROM comments WHERE import_source = $1)",
        )
        .bind(source)
        .bind(CommentStatus::Approved)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn commit(mut self) -> StoreResult<()> {
        self.flush_comments().await?;
        super::bump_content_version(&mut self.tx).await?;
        if self.backend == Backend::Postgres {
            // The planner's statistics for what just arrived (a site of 100,000 posts
            // imported into an empty database would otherwise be planned as empty
            // until autovacuum came by). PostgreSQL allows ANALYZE in a transaction.
            sqlx::query("ANALYZE").execute(&mut *self.tx).await?;
        }
        self.tx.commit().await?;
        if self.backend == Backend::Postgres {
            // Marks the new rows visible to all in the visibility map, so listings and
            // counts read their indexes alone from the first page on (100,000 posts
            // just imported: a late listing page 111 ms before, 13 ms after). The data
            // is committed whatever happens here; autovacuum would come by later.
            if let Err(err) = sqlx::query("VACUUM (ANALYZE) posts, comments, post_terms")
                .execute(&self.pool)
                .await
            {
                tracing::warn!(error = %err, "VACUUM after the import failed; autovacuum will do it later");
            }
        }
        Ok(())
    }

    pub async fn rollback(self) -> StoreResult<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}
