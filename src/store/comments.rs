//! Comments and the moderation queue. Every status change recounts the post's
//! approved comments in the same transaction, so `posts.comment_count` is always true.

use super::activity::record;
use super::codec::COMMENT_COLUMNS;
use super::spam::{count, learn, stored_features, Deltas, Label};
use super::{Store, StoreResult};
use crate::domain::activity::{Action, Actor, Source};
use crate::domain::comment::{Comment, CommentStatus};
use crate::domain::job::{CommentApproved, Job, SpamReport};

/// A comment as moderators see it: with email, IP and the post it belongs to.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ModerationRow {
    pub id: i64,
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub status: CommentStatus,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body: String,
    pub body_html: String,
    pub ip: String,
    pub user_agent: String,
    pub created_at: i64,
    pub post_title: String,
    pub post_slug: String,
    pub post_published_at: Option<i64>,
    pub moderation_note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewComment {
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub status: CommentStatus,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub identity_id: Option<i64>,
    pub body: String,
    pub body_html: String,
    pub ip: String,
    pub user_agent: String,
    /// `domain::comment::duplicate_key` of a comment from the form; `None` skips the
    /// duplicate check.
    pub duplicate_key: Option<String>,
    /// What Tribune noted on it before any moderator (`domain::discussion::ModerationNote`
    /// as JSON).
    pub moderation_note: Option<String>,
    /// The activity log's entry for a decision made on arrival (a rule, a trap, the
    /// filter), written in the comment's own transaction.
    pub arrival: Option<Arrival>,
}

/// Who decided on a comment as it arrived, and what.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub actor: Actor,
    pub action: Action,
    pub detail: String,
}

/// What became of a comment sent to [`Store::insert_comment`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// Stored and committed, with this id.
    New(i64),
    /// The same person said the same thing on this post a moment ago (comment `id`);
    /// nothing was stored.
    Duplicate(i64),
}

/// How many comments each status holds, counted up to [`QueueCounts::CAP`] and one
/// more: a number past `CAP` means "more than `CAP`" (a moderator with 100,000 waiting
/// needs to know there are very many, not to wait for all of them to be counted).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct QueueCounts {
    pub pending: i64,
    pub approved: i64,
    pub spam: i64,
    pub trash: i64,
    /// Past this, a count is "more than `cap`".
    pub cap: i64,
}

impl QueueCounts {
    pub const CAP: i64 = 10_000;
}

/// Each status's comments counted through `comments_status_idx`, each count stopped at
/// `$5` (`QueueCounts::CAP` + 1) rows.
pub(super) const QUEUE_COUNTS: &str = "SELECT \
     (SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE status = $1 LIMIT $5) n1), \
     (SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE status = $2 LIMIT $5) n2), \
     (SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE status = $3 LIMIT $5) n3), \
     (SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE status = $4 LIMIT $5) n4)";

const MODERATION_SELECT: &str = "SELECT c.id, c.post_id, c.parent_id, c.status, c.author_name, \
     c.author_email, c.author_url, c.body, c.body_html, c.ip, c.user_agent, c.created_at, \
     p.title AS post_title, p.slug AS post_slug, p.published_at AS post_published_at, \
     c.moderation_note \
     FROM comments c JOIN posts p ON p.id = c.post_id";

/// The moderation queue's page of `limit` (`$1` offset, `$2` the status — or `$2`, `$3`
/// held and approved —, then the post if `on_post`): the page's ids from
/// `comments_status_idx` first, then only those rows with their posts. The limit is
/// written in the text (a number of ours, never a reader's): PostgreSQL's generic plan
/// guesses a tenth of the table for `LIMIT $1` and joins every comment with every post
/// (470 ms at 1,000,000 comments against 23 ms).
pub(super) fn moderation_queue_sql(limit: i64, one_status: bool, on_post: bool) -> String {
    let (which, next) = if one_status {
        ("status = $2", 3)
    } else {
        ("status IN ($2, $3)", 4)
    };
    let on_post = if on_post {
        format!(" AND post_id = ${next}")
    } else {
        String::new()
    };
    format!(
        "{MODERATION_SELECT} WHERE c.id IN (SELECT id FROM comments WHERE {which}{on_post} \
         ORDER BY id DESC LIMIT {limit} OFFSET $1) ORDER BY c.id DESC"
    )
}

/// A post's approved comments (`$1` post, `$2` approved, then `ids` of them if any),
/// oldest first: on SQLite one JSON row, on PostgreSQL rows.
pub(super) fn approved_of_sql(backend: super::Backend, ids: usize) -> String {
    let mut filter = "post_id = $1 AND status = $2".to_string();
    if ids > 0 {
        let marks: Vec<String> = (0..ids).map(|i| format!("${}", i + 3)).collect();
        filter = format!("{filter} AND id IN ({})", marks.join(", "));
    }
    match backend {
        super::Backend::Sqlite => super::codec::comments_json(&filter),
        super::Backend::Postgres => {
            format!("SELECT {COMMENT_COLUMNS} FROM comments WHERE {filter} ORDER BY id")
        }
    }
}

/// A post's approved comments' ids and parents (`$1` post, `$2` approved), oldest first.
pub(super) const APPROVED_SHAPE: &str = "SELECT id, parent_id FROM comments \
     WHERE post_id = $1 AND status = $2 ORDER BY id";

/// Sets a post's `comment_count` to its approved comments. The post's row is locked
/// first, by a statement of its own: on PostgreSQL (read committed) a count taken in
/// the same statement that waited for the lock would use the snapshot from before the
/// wait and miss a comment another transaction had just committed. Callers touching
/// several posts recount them in id order, so two of them never wait on each other.
pub(super) async fn recount(
    conn: &mut sqlx::AnyConnection,
    post_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE posts SET comment_count = comment_count WHERE id = $1")
        .bind(post_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE posts SET comment_count = (SELECT COUNT(*) FROM comments \
         WHERE comments.post_id = posts.id AND comments.status = $2) WHERE id = $1",
    )
    .bind(post_id)
    .bind(CommentStatus::Approved)
    .execute(conn)
    .await?;
    Ok(())
}

/// Inserts `c` unless the same author said the same thing on the same post within
/// the window: one statement (`INSERT … SELECT … WHERE NOT EXISTS`), read to its end
/// (`fetch_all`, see [`Store::write_statement`]).
pub(super) async fn insert_unless_duplicate(
    conn: &mut sqlx::AnyConnection,
    c: &NewComment,
    window_secs: i64,
) -> StoreResult<Inserted> {
    let now = super::now();
    let ids: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO comments (post_id, parent_id, status, author_name, author_email, \
         author_url, identity_id, body, body_html, ip, user_agent, created_at, updated_at, \
         duplicate_key, moderation_note) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $17 \
         WHERE CAST($13 AS TEXT) IS NULL OR NOT EXISTS (SELECT 1 FROM comments \
           WHERE post_id = $1 AND duplicate_key = $13 AND created_at >= $14 \
           AND status IN ($15, $16)) \
         RETURNING id",
    )
    .bind(c.post_id)
    .bind(c.parent_id)
    .bind(c.status)
    .bind(&c.author_name)
    .bind(&c.author_email)
    .bind(&c.author_url)
    .bind(c.identity_id)
    .bind(&c.body)
    .bind(&c.body_html)
    .bind(&c.ip)
    .bind(&c.user_agent)
    .bind(now)
    .bind(&c.duplicate_key)
    .bind(now - window_secs)
    .bind(CommentStatus::Pending)
    .bind(CommentStatus::Approved)
    .bind(&c.moderation_note)
    .fetch_all(&mut *conn)
    .await?;
    if let Some(id) = ids.first() {
        if let Some(a) = &c.arrival {
            record(
                conn,
                &a.actor,
                a.action,
                Some(*id),
                Some(&c.author_email),
                &a.detail,
            )
            .await?;
        }
        return Ok(Inserted::New(*id));
    }
    let earlier: i64 = sqlx::query_scalar(
        "SELECT id FROM comments WHERE post_id = $1 AND duplicate_key = $2 \
         AND status IN ($3, $4) ORDER BY id LIMIT 1",
    )
    .bind(c.post_id)
    .bind(&c.duplicate_key)
    .bind(CommentStatus::Pending)
    .bind(CommentStatus::Approved)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Inserted::Duplicate(earlier))
}

impl Store {
    /// Stores a comment; returns its id once the row is committed. An approved comment
    /// also queues its notifications, recounts the post and bumps the content version,
    /// all in the same transaction. The same text from the same author on the same post
    /// within `duplicate_window_secs` is not stored again (a double click, a resent form).
    pub async fn insert_comment(
        &self,
        c: &NewComment,
        duplicate_window_secs: i64,
    ) -> StoreResult<Inserted> {
        let c = c.clone();
        if c.status == CommentStatus::Approved {
            let inserted = self
                .write(move |tx| {
                    Box::pin(async move {
                        let id =
                            match insert_unless_duplicate(tx, &c, duplicate_window_secs).await? {
                                Inserted::New(id) => id,
                                duplicate => return Ok(duplicate),
                            };
                        let job = Job::CommentApproved(CommentApproved { comment_id: id });
                        super::jobs::enqueue_in(tx, &job, super::now()).await?;
                        recount(tx, c.post_id).await?;
                        super::bump_for_comments(tx, &[c.post_id]).await?;
                        Ok(Inserted::New(id))
                    })
                })
                .await?;
            if matches!(inserted, Inserted::New(_)) {
                self.job_queued();
            }
            return Ok(inserted);
        }
        // A held comment changes nothing readers see. On SQLite, held comments arriving
        // together are committed together (`held.rs`); otherwise one statement, read
        // to its end, is its own transaction.
        if let Some(held) = &self.held {
            return held.insert(c, duplicate_window_secs).await;
        }
        // With its log entry it is two statements: one transaction.
        if c.arrival.is_some() {
            return self
                .write(move |tx| {
                    Box::pin(
                        async move { insert_unless_duplicate(tx, &c, duplicate_window_secs).await },
                    )
                })
                .await;
        }
        self.write_statement(move |conn| {
            Box::pin(async move { insert_unless_duplicate(conn, &c, duplicate_window_secs).await })
        })
        .await
    }

    /// The approved comments of a post in the order they were written; one query, one
    /// row (`codec::comments_json`).
    pub async fn approved_comments(&self, post_id: i64) -> StoreResult<Vec<Comment>> {
        self.approved_of(post_id, &[]).await
    }

    /// A post's approved comments, oldest first: all of them, or those among `ids` (at
    /// most a few hundred). On SQLite as one JSON row (`codec::comments_json`: one
    /// hand-off from its worker thread, not one per comment), on PostgreSQL as rows
    /// (building the JSON there costs the server more than sending the rows).
    async fn approved_of(&self, post_id: i64, ids: &[i64]) -> StoreResult<Vec<Comment>> {
        let sql = approved_of_sql(self.backend, ids.len());
        match self.backend {
            super::Backend::Sqlite => {
                let mut q = sqlx::query_scalar(&sql)
                    .bind(post_id)
                    .bind(CommentStatus::Approved);
                for id in ids {
                    q = q.bind(*id);
                }
                let json: String = q.fetch_one(&self.read).await?;
                super::codec::comments_from_json(&json)
            }
            super::Backend::Postgres => {
                let pages = self.pages.as_ref().expect("PostgreSQL has a pages pool");
                let mut q = sqlx::query(&sql)
                    .bind(post_id)
                    .bind(CommentStatus::Approved.as_str());
                for id in ids {
                    q = q.bind(*id);
                }
                let rows = q.fetch_all(pages).await?;
                rows.iter()
                    .map(super::codec::comment_of_pg_row)
                    .collect::<Result<Vec<_>, sqlx::Error>>()
                    .map_err(Into::into)
            }
        }
    }

    /// Every approved comment's id and parent on a post, in the order written: what
    /// comment pages are cut from (`domain::comment_pages`), without the bodies. On SQLite one row,
    /// as [`Store::approved_comments`].
    pub async fn approved_comment_shape(
        &self,
        post_id: i64,
    ) -> StoreResult<Vec<(i64, Option<i64>)>> {
        const SHAPE: &str = APPROVED_SHAPE;
        if self.backend == super::Backend::Postgres {
            return Ok(sqlx::query_as(SHAPE)
                .bind(post_id)
                .bind(CommentStatus::Approved)
                .fetch_all(&self.read)
                .await?);
        }
        let json: String = sqlx::query_scalar(&format!(
            "SELECT json_group_array(json_array(id, parent_id)) FROM ({SHAPE})"
        ))
        .bind(post_id)
        .bind(CommentStatus::Approved)
        .fetch_one(&self.read)
        .await?;
        let mut shape: Vec<(i64, Option<i64>)> =
            serde_json::from_str(&json).map_err(super::codec::bad_json)?;
        shape.sort_unstable_by_key(|(id, _)| *id);
        Ok(shape)
    }

    /// The approved comments of a post among `ids`, in the order written (a few
    /// hundred ids a query, so a long page never makes one enormous statement; each
    /// query one row).
    pub async fn approved_comments_among(
        &self,
        post_id: i64,
        ids: &[i64],
    ) -> StoreResult<Vec<Comment>> {
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        let mut out = Vec::with_capacity(sorted.len());
        for chunk in sorted.chunks(500).filter(|c| !c.is_empty()) {
            out.extend(self.approved_of(post_id, chunk).await?);
        }
        Ok(out)
    }

    /// The text of a comment as its author wrote it (before it became HTML).
    pub async fn comment_text(&self, id: i64) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT body FROM comments WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// New text for comment `id` (and, from a moderator, its author's name, email and
    /// website), in one transaction with the activity log's entry: with `hold`, an
    /// approved comment goes back to the queue (its author's new text trips a rule).
    /// Returns the status it has now, `None` if it is gone.
    pub async fn edit_comment(
        &self,
        id: i64,
        (body, body_html): (&str, &str),
        author: Option<(&str, &str, Option<&str>)>,
        hold: bool,
        actor: &Actor,
    ) -> StoreResult<Option<CommentStatus>> {
        let (body, body_html, actor) = (body.to_string(), body_html.to_string(), actor.clone());
        let author = author.map(|(n, e, u)| (n.to_string(), e.to_string(), u.map(str::to_string)));
        self.write(move |tx| {
            Box::pin(async move {
                let row: Option<(CommentStatus, i64, String)> = sqlx::query_as(
                    "SELECT status, post_id, author_email FROM comments WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((was, post_id, email)) = row else {
                    return Ok(None);
                };
                let status = if hold && was == CommentStatus::Approved {
                    CommentStatus::Pending
                } else {
                    was
                };
                sqlx::query(
                    "UPDATE comments SET body = $1, body_html = $2, status = $3, updated_at = $4 \
                     WHERE id = $5",
                )
                .bind(&body)
                .bind(&body_html)
                .bind(status)
                .bind(super::now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if let Some((name, new_email, url)) = &author {
                    sqlx::query(
                        "UPDATE comments SET author_name = $1, author_email = $2, author_url = $3 \
                         WHERE id = $4",
                    )
                    .bind(name)
                    .bind(new_email)
                    .bind(url)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                record(tx, &actor, Action::Edit, Some(id), Some(&email), "").await?;
                if status != was {
                    record(tx, &actor, Action::Hold, Some(id), Some(&email), "").await?;
                    recount(tx, post_id).await?;
                }
                if was == CommentStatus::Approved {
                    super::bump_for_comments(tx, &[post_id]).await?;
                }
                Ok(Some(status))
            })
        })
        .await
    }

    pub async fn comment_by_id(&self, id: i64) -> StoreResult<Option<Comment>> {
        let sql = format!("SELECT {COMMENT_COLUMNS} FROM comments WHERE id = $1");
        Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?)
    }

    /// Comments with a given status (all but trash and spam when `None`), newest first.
    /// The page's ids are found in the index first and only those rows are read with
    /// their posts, so a late page of 100,000 held comments skips index entries, not
    /// rows; each filter has a query text of its own (one plan each on PostgreSQL).
    pub async fn moderation_queue(
        &self,
        status: Option<CommentStatus>,
        post_id: Option<i64>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<ModerationRow>> {
        let sql = moderation_queue_sql(limit.max(0), status.is_some(), post_id.is_some());
        let mut query = sqlx::query_as(&sql).bind(offset);
        query = match status {
            Some(status) => query.bind(status),
            None => query
                .bind(CommentStatus::Pending)
                .bind(CommentStatus::Approved),
        };
        if let Some(post_id) = post_id {
            query = query.bind(post_id);
        }
        Ok(query.fetch_all(&self.read).await?)
    }

    /// How many comments on one post wait for a moderator.
    pub async fn pending_count(&self, post_id: i64) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE post_id = $1 AND status = $2")
                .bind(post_id)
                .bind(CommentStatus::Pending)
                .fetch_one(&self.read)
                .await?,
        )
    }

    pub async fn queue_counts(&self) -> StoreResult<QueueCounts> {
        let (pending, approved, spam, trash): (i64, i64, i64, i64) = sqlx::query_as(QUEUE_COUNTS)
            .bind(CommentStatus::Pending)
            .bind(CommentStatus::Approved)
            .bind(CommentStatus::Spam)
            .bind(CommentStatus::Trash)
            .bind(QueueCounts::CAP + 1)
            .fetch_one(&self.read)
            .await?;
        Ok(QueueCounts {
            pending,
            approved,
            spam,
            trash,
            cap: QueueCounts::CAP,
        })
    }

    /// Sends comment `id` to spam for `actor` (the spam service) if it is still held
    /// or approved and no person has judged it; returns whether it did.
    pub async fn spam_unless_judged(&self, id: i64, actor: &Actor) -> StoreResult<bool> {
        let judged: Option<(CommentStatus, Option<String>)> =
            sqlx::query_as("SELECT status, trained_as FROM comments WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.read)
                .await?;
        match judged {
            Some((CommentStatus::Pending | CommentStatus::Approved, None)) => Ok(self
                .set_comment_status(&[id], CommentStatus::Spam, actor)
                .await?
                > 0),
            _ => Ok(false),
        }
    }

    /// One comment as moderators see it.
    pub async fn moderation_row(&self, id: i64) -> StoreResult<Option<ModerationRow>> {
        let sql = format!("{MODERATION_SELECT} WHERE c.id = $1");
        Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?)
    }

    /// Deletes, for good, spam that went to spam before `before` (by its last change),
    /// with the activity log's entry, in one transaction; returns how many.
    pub async fn purge_spam(&self, before: i64, actor: &Actor) -> StoreResult<u64> {
        let actor = actor.clone();
        self.write(move |tx| {
            Box::pin(async move {
                let done =
                    sqlx::query("DELETE FROM comments WHERE status = $1 AND updated_at < $2")
                        .bind(CommentStatus::Spam)
                        .bind(before)
                        .execute(&mut *tx)
                        .await?;
                let n = done.rows_affected();
                if n > 0 {
                    record(
                        tx,
                        &actor,
                        Action::Delete,
                        None,
                        None,
                        &format!("spam: {n}"),
                    )
                    .await?;
                }
                Ok(n)
            })
        })
        .await
    }

    /// Deletes, for good, the comments in `status` (spam or trash: never shown, so no
    /// count or page changes) created before `before`; returns how many.
    pub async fn delete_comments_with_status(
        &self,
        status: CommentStatus,
        before: i64,
    ) -> StoreResult<u64> {
        debug_assert!(matches!(status, CommentStatus::Spam | CommentStatus::Trash));
        self.write(move |tx| {
            Box::pin(async move {
                let done =
                    sqlx::query("DELETE FROM comments WHERE status = $1 AND created_at < $2")
                        .bind(status)
                        .bind(before)
                        .execute(&mut *tx)
                        .await?;
                Ok(done.rows_affected())
            })
        })
        .await
    }

    /// Moves comments to `status` as `actor` decided; returns how many existed. Counts
    /// and the content version change in the same transaction, and so does what the
    /// spam filter learns from the decision ("Approve" teaches it not spam, "Spam"
    /// spam, "Not spam" — a spam comment back to the queue — not spam) and the
    /// activity log's entry.
    pub async fn set_comment_status(
        &self,
        ids: &[i64],
        status: CommentStatus,
        actor: &Actor,
    ) -> StoreResult<u64> {
        let mut ids = ids.to_vec();
        // In id order, so two moderators' transactions lock rows in the same order.
        ids.sort_unstable();
        ids.dedup();
        let actor = actor.clone();
        // The filter learns from people, not from the spam service or a job.
        let person = matches!(actor.source, Source::Admin | Source::Email | Source::Cli);
        let report = person && self.reports_decisions();
        self.write(move |tx| {
            Box::pin(async move {
                let mut posts = Vec::new();
                let mut changed = 0;
                let mut deltas = Deltas::new();
                let now = super::now();
                for id in ids {
                    let row: Option<LearnRow> = sqlx::query_as(
                        "SELECT status, trained_as, body, author_name, author_email, author_url, \
                         user_agent FROM comments WHERE id = $1",
                    )
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(row) = row else { continue };
                    let was = row.status;
                    let approved = CommentStatus::Approved;
                    if status == approved && was != approved {
                        let job = Job::CommentApproved(CommentApproved { comment_id: id });
                        super::jobs::enqueue_in(tx, &job, now).await?;
                    }
                    let action = match (was, status) {
                        (_, CommentStatus::Approved) => Action::Approve,
                        (CommentStatus::Spam, CommentStatus::Pending) => Action::NotSpam,
                        (_, CommentStatus::Pending) => Action::Unapprove,
                        (_, CommentStatus::Spam) => Action::Spam,
                        (_, CommentStatus::Trash) => Action::Trash,
                    };
                    let label = match action {
                        _ if !person => None,
                        Action::Approve | Action::NotSpam => Some(Label::Ham),
                        Action::Spam => Some(Label::Spam),
                        _ => None,
                    };
                    if report && matches!(action, Action::Spam | Action::NotSpam) && was != status {
                        let job = Job::SpamReport(SpamReport {
                            comment_id: id,
                            spam: action == Action::Spam,
                        });
                        super::jobs::enqueue_in(tx, &job, now).await?;
                    }
                    let learned = row.trained_as.as_deref().and_then(Label::parse);
                    let mut trained_as = learned;
                    if let Some(label) = label.filter(|l| Some(*l) != learned) {
                        let features = stored_features(
                            &row.body,
                            &row.author_name,
                            &row.author_email,
                            row.author_url.as_deref(),
                            &row.user_agent,
                        );
                        if let Some(old) = learned {
                            count(&mut deltas, &features, old, -1);
                        }
                        count(&mut deltas, &features, label, 1);
                        trained_as = Some(label);
                    }
                    let post: Option<i64> = sqlx::query_scalar(
                        "UPDATE comments SET status = $1, updated_at = $2, trained_as = $4 \
                         WHERE id = $3 RETURNING post_id",
                    )
                    .bind(status)
                    .bind(now)
                    .bind(id)
                    .bind(trained_as.map(Label::as_str))
                    .fetch_optional(&mut *tx)
                    .await?;
                    record(tx, &actor, action, Some(id), Some(&row.author_email), "").await?;
                    if let Some(post) = post {
                        changed += 1;
                        if !posts.contains(&post) {
                            posts.push(post);
                        }
                    }
                }
                learn(tx, deltas).await?;
                posts.sort_unstable();
                for post in &posts {
                    recount(tx, *post).await?;
                }
                if changed > 0 {
                    super::bump_for_comments(tx, &posts).await?;
                }
                Ok(changed)
            })
        })
        .await
        .inspect(|_| {
            if status == CommentStatus::Approved {
                self.job_queued();
            }
        })
    }
}

/// What a status change reads of a comment to learn from it.
#[derive(sqlx::FromRow)]
struct LearnRow {
    status: CommentStatus,
    trained_as: Option<String>,
    body: String,
    author_name: String,
    author_email: String,
    author_url: Option<String>,
    user_agent: String,
}
