//! The store's edge: how the domain's named enums (statuses, roles, kinds) and its
//! `Comment` and `Post` are read from and written to rows. Each enum is stored as its
//! name (`domain::names`), the only mapping there is; a name the database holds that
//! this version does not know is a decode error, not a silent default.

use sqlx::any::{AnyRow, AnyTypeInfo};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Any, Decode, Encode, FromRow, Row, Type};

use crate::domain::activity::{Action, Source};
use crate::domain::comment::{Comment, CommentKind, CommentStatus};
use crate::domain::job::{JobKind, JobStatus};
use crate::domain::post::{BodyFormat, Post, PostKind, PostStatus};
use crate::domain::role::Role;
use crate::domain::subscription::SubscriptionKind;
use crate::domain::term::TermKind;

macro_rules! stored_as_text {
    ($($t:ty),+ $(,)?) => {$(
        impl Type<Any> for $t {
            fn type_info() -> AnyTypeInfo {
                <str as Type<Any>>::type_info()
            }
            fn compatible(ty: &AnyTypeInfo) -> bool {
                <str as Type<Any>>::compatible(ty)
            }
        }

        impl<'q> Encode<'q, Any> for $t {
            fn encode_by_ref(
                &self,
                buf: &mut <Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<IsNull, BoxDynError> {
                <&str as Encode<'q, Any>>::encode(self.as_str(), buf)
            }
        }

        impl<'r> Decode<'r, Any> for $t {
            fn decode(value: <Any as sqlx::Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let name = <String as Decode<'r, Any>>::decode(value)?;
                Ok(name.parse::<$t>()?)
            }
        }
    )+};
}

stored_as_text!(
    CommentStatus,
    CommentKind,
    PostStatus,
    PostKind,
    BodyFormat,
    Role,
    JobStatus,
    JobKind,
    SubscriptionKind,
    TermKind,
    Source,
    Action,
    crate::domain::media::MediaKind,
);

/// Columns for [`Comment`], in [`FromRow`]'s names.
pub(super) const COMMENT_COLUMNS: &str = "id, post_id, parent_id, status, author_name, \
     author_email, author_url, identity_id, body_html, created_at, updated_at, kind";

impl<'r> FromRow<'r, AnyRow> for Comment {
    fn from_row(row: &'r AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Comment {
            id: row.try_get("id")?,
            post_id: row.try_get("post_id")?,
            parent_id: row.try_get("parent_id")?,
            status: row.try_get("status")?,
            author_name: row.try_get("author_name")?,
            author_email: row.try_get("author_email")?,
            author_url: row.try_get("author_url")?,
            identity_id: row.try_get("identity_id")?,
            body_html: row.try_get("body_html")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            kind: row.try_get("kind")?,
        })
    }
}

/// A [`Comment`] from a row of the `postgres` driver (`Store::pages`), its columns in
/// [`COMMENT_COLUMNS`]' order: texts read in place, each copied once, into the comment.
pub(super) fn comment_of_pg_row(row: &sqlx::postgres::PgRow) -> Result<Comment, sqlx::Error> {
    Ok(Comment {
        id: row.try_get(0)?,
        post_id: row.try_get(1)?,
        parent_id: row.try_get(2)?,
        status: row.try_get::<&str, _>(3)?.parse().map_err(decode)?,
        author_name: row.try_get(4)?,
        author_email: row.try_get(5)?,
        author_url: row.try_get(6)?,
        identity_id: row.try_get(7)?,
        body_html: row.try_get(8)?,
        created_at: row.try_get(9)?,
        updated_at: row.try_get(10)?,
        kind: row.try_get::<&str, _>(11)?.parse().map_err(decode)?,
    })
}

/// A `SELECT` of one row, one column: the comments matching `filter` (a `WHERE`
/// clause of `comments`) as one JSON array of arrays, in [`COMMENT_COLUMNS`]' order,
/// oldest first. A page of 200 comments then crosses from SQLite as one value, not 200
/// rows (each row is a hand-off between its worker thread and the runtime, and the
/// `Any` driver copies every value of every row once more).
pub(super) fn comments_json(filter: &str) -> String {
    let columns = COMMENT_COLUMNS;
    // SQLite only (see `Store::approved_of`). The rows come in id order from the
    // subquery (an aggregate's own ORDER BY would sort them again in a temporary
    // b-tree).
    format!(
        "SELECT json_group_array(json_array({columns})) \
         FROM (SELECT {columns} FROM comments WHERE {filter} ORDER BY id)"
    )
}

/// One comment as [`comments_json`] writes it.
type CommentArray = (
    i64,
    i64,
    Option<i64>,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    String,
    i64,
    i64,
    String,
);

/// The comments of a [`comments_json`] row, in the order written.
pub(super) fn comments_from_json(json: &str) -> super::StoreResult<Vec<Comment>> {
    let rows: Vec<CommentArray> = serde_json::from_str(json).map_err(bad_json)?;
    let mut comments = rows
        .into_iter()
        .map(|r| {
            Ok(Comment {
                id: r.0,
                post_id: r.1,
                parent_id: r.2,
                status: r.3.parse().map_err(decode)?,
                author_name: r.4,
                author_email: r.5,
                author_url: r.6,
                identity_id: r.7,
                body_html: r.8,
                created_at: r.9,
                updated_at: r.10,
                kind: r.11.parse().map_err(decode)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    // Both databases keep the order the rows came in; sorting what is already sorted
    // is a single pass, and keeps the promise if one ever did not.
    comments.sort_by_key(|c| c.id);
    Ok(comments)
}

/// A JSON row the database built that Tribune cannot read: a decode error, as a
/// column of the wrong type would be.
pub(super) fn bad_json(e: serde_json::Error) -> sqlx::Error {
    decode(e)
}

fn decode(e: impl std::error::Error + Send + Sync + 'static) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

/// `SELECT` for [`Post`]: the post with its author's name.
pub(super) const POST_SELECT: &str = "SELECT p.id, p.slug, p.title, p.excerpt, p.body_md, \
     p.body_html, p.status, p.lang, p.translation_group, p.author_id, \
     u.display_name AS author_name, p.comments_open, p.comment_count, p.published_at, \
     p.created_at, p.updated_at, p.kind, p.body_format, p.featured_media_id, p.guid FROM posts p JOIN users u ON u.id = p.author_id";

impl<'r> FromRow<'r, AnyRow> for Post {
    fn from_row(row: &'r AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Post {
            id: row.try_get("id")?,
            slug: row.try_get("slug")?,
            title: row.try_get("title")?,
            excerpt: row.try_get("excerpt")?,
            body_md: row.try_get("body_md")?,
            body_html: row.try_get("body_html")?,
            status: row.try_get("status")?,
            lang: row.try_get("lang")?,
            translation_group: row.try_get("translation_group")?,
            author_id: row.try_get("author_id")?,
            author_name: row.try_get("author_name")?,
            comments_open: row.try_get::<i64, _>("comments_open")? != 0,
            comment_count: row.try_get("comment_count")?,
            published_at: row.try_get("published_at")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            kind: row.try_get("kind")?,
            body_format: row.try_get("body_format")?,
            featured_media_id: row.try_get("featured_media_id")?,
            // Every row has one since the column came (filled in by its migration).
            guid: row
                .try_get::<Option<String>, _>("guid")?
                .unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn names_are_stored_as_text_and_unknown_ones_do_not_decode() {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect("sqlite::memory:").await.unwrap();
        let back: (CommentStatus, Role) = sqlx::query_as("SELECT $1, $2")
            .bind(CommentStatus::Spam)
            .bind(Role::Moderator)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(back, (CommentStatus::Spam, Role::Moderator));
        let text: String = sqlx::query_scalar("SELECT $1")
            .bind(PostStatus::Published)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(text, "published");
        let err = sqlx::query_scalar::<_, CommentStatus>("SELECT 'maybe'")
            .fetch_one(&pool)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("unknown comment status `maybe`"),
            "{err}"
        );
    }
}
