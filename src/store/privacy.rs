//! Personal data by email address: everything stored about one person (for a data
//! access request) and erasing it (WordPress's "Export/Erase Personal Data").

use super::{Store, StoreResult};
use crate::domain::comment::{CommentKind, CommentStatus};
use crate::domain::job::JobStatus;
use crate::domain::role::Role;
use crate::domain::subscription::SubscriptionKind;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct PersonalComment {
    pub id: i64,
    pub post_id: i64,
    pub post_title: String,
    #[serde(skip)]
    pub post_slug: String,
    #[serde(skip)]
    pub post_published_at: Option<i64>,
    #[serde(skip)]
    pub post_created_at: i64,
    pub status: CommentStatus,
    pub kind: CommentKind,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body: String,
    pub ip: String,
    pub user_agent: String,
    pub created_at: i64,
}

impl PersonalComment {
    pub fn post_path(&self) -> String {
        crate::domain::post::permalink(
            self.post_published_at.unwrap_or(self.post_created_at),
            &self.post_slug,
        )
    }
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct PersonalSubscription {
    pub kind: SubscriptionKind,
    pub post_id: Option<i64>,
    pub confirmed_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct PersonalIdentity {
    pub provider: String,
    pub subject: String,
    pub name: String,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub profile_url: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct PersonalAccount {
    pub id: i64,
    pub display_name: String,
    pub role: Role,
    pub created_at: i64,
}

/// Everything Tribune holds about one email address.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PersonalData {
    pub email: String,
    pub comments: Vec<PersonalComment>,
    pub subscriptions: Vec<PersonalSubscription>,
    pub identities: Vec<PersonalIdentity>,
    pub staff_account: Option<PersonalAccount>,
    /// Emails queued, sent or failed to this address (the job queue keeps them a while).
    pub emails_on_record: i64,
    /// Activity-log entries that name this address (moderation of their comments,
    /// blocks).
    pub activity: Vec<super::ActivityRow>,
}

impl PersonalData {
    /// The export a person receives: their data, dates in RFC 3339, links as site paths.
    pub fn to_json(&self) -> serde_json::Value {
        let iso = |t: i64| {
            time::OffsetDateTime::from_unix_timestamp(t)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
        };
        let comments: Vec<_> = self
            .comments
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id,
                    "post": { "id": c.post_id, "title": c.post_title, "path": c.post_path() },
                    "status": c.status,
                    "type": c.kind,
                    "author_name": c.author_name,
                    "author_email": c.author_email,
                    "author_url": c.author_url,
                    "content": c.body,
                    "ip": c.ip,
                    "user_agent": c.user_agent,
                    "date": iso(c.created_at),
                })
            })
            .collect();
        let subscriptions: Vec<_> = self
            .subscriptions
            .iter()
            .map(|s| {
                serde_json::json!({
                    "kind": s.kind,
                    "post_id": s.post_id,
                    "confirmed": s.confirmed_at.and_then(iso),
                    "created": iso(s.created_at),
                })
            })
            .collect();
        let identities: Vec<_> = self
            .identities
            .iter()
            .map(|i| {
                serde_json::json!({
                    "provider": i.provider,
                    "subject": i.subject,
                    "name": i.name,
                    "email": i.email,
                    "avatar_url": i.avatar_url,
                    "profile_url": i.profile_url,
                    "created": iso(i.created_at),
                })
            })
            .collect();
        serde_json::json!({
            "email": self.email,
            "generated": iso(super::now()),
            "comments": comments,
            "subscriptions": subscriptions,
            "sign_in_identities": identities,
            "staff_account": self.staff_account.as_ref().map(|a| serde_json::json!({
                "id": a.id, "display_name": a.display_name, "role": a.role, "created": iso(a.created_at),
            })),
            "emails_on_record": self.emails_on_record,
            "moderation_log": self.activity.iter().map(|a| serde_json::json!({
                "date": iso(a.at),
                "action": a.action,
                "by": a.source,
                "comment_id": a.comment_id,
                "detail": a.detail,
            })).collect::<Vec<_>>(),
        })
    }
}

/// What erasing did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Erased {
    pub comments_anonymised: u64,
    pub comments_deleted: u64,
    pub subscriptions: u64,
    pub identities: u64,
    pub emails: u64,
    /// A staff account with this email is kept: remove it as a user, not as a commenter.
    pub staff_account_kept: bool,
}

/// `LIKE` pattern matching `s` anywhere, with `%`, `_` and `\` taken literally.
fn contains_pattern(s: &str) -> String {
    let mut p = String::from("%");
    for c in s.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Comments that belong to the person: by the email they gave, or by a signed-in
/// identity with that email.
const THEIR_COMMENTS: &str = "(lower(author_email) = $1 OR identity_id IN \
     (SELECT id FROM identities WHERE lower(email) = $1))";

impl Store {
    pub async fn personal_data(&self, email: &str) -> StoreResult<PersonalData> {
        let email = email.trim().to_lowercase();
        let sql = format!(
            "SELECT c.id, c.post_id, p.title AS post_title, p.slug AS post_slug, \
             p.published_at AS post_published_at, p.created_at AS post_created_at, c.status, \
             c.kind, c.author_name, c.author_email, c.author_url, c.body, c.ip, c.user_agent, \
             c.created_at FROM comments c JOIN posts p ON p.id = c.post_id \
             WHERE c.id IN (SELECT id FROM comments WHERE {THEIR_COMMENTS}) ORDER BY c.id"
        );
        let comments = sqlx::query_as(&sql)
            .bind(&email)
            .fetch_all(&self.read)
            .await?;
        let subscriptions = sqlx::query_as(
            "SELECT kind, post_id, confirmed_at, created_at FROM subscriptions \
             WHERE lower(email) = $1 ORDER BY id",
        )
        .bind(&email)
        .fetch_all(&self.read)
        .await?;
        let identities = sqlx::query_as(
            "SELECT provider, subject, name, email, avatar_url, profile_url, created_at \
             FROM identities WHERE lower(email) = $1 ORDER BY id",
        )
        .bind(&email)
        .fetch_all(&self.read)
        .await?;
        let staff_account = sqlx::query_as(
            "SELECT id, display_name, role, created_at FROM users WHERE lower(email) = $1",
        )
        .bind(&email)
        .fetch_optional(&self.read)
        .await?;
        let emails_on_record = sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE lower(payload) LIKE $1 ESCAPE '\\'",
        )
        .bind(contains_pattern(&email))
        .fetch_one(&self.read)
        .await?;
        let activity = self
            .activity(
                &super::ActivityFilter {
                    email: Some(email.clone()),
                    ..Default::default()
                },
                10_000,
                0,
            )
            .await?;
        Ok(PersonalData {
            email,
            comments,
            subscriptions,
            identities,
            staff_account,
            emails_on_record,
            activity,
        })
    }

    /// Erases one person's data: their comments are anonymised (kept, with name
    /// "Anonymous" and no email, website, IP or browser) or, with `delete_comments`,
    /// deleted; their subscriptions, sign-in identities and emails are deleted.
    pub async fn erase_personal_data(
        &self,
        email: &str,
        delete_comments: bool,
        anonymous_name: &str,
    ) -> StoreResult<Erased> {
        let email = email.trim().to_lowercase();
        let anonymous_name = anonymous_name.to_string();
        self.write(move |tx| {
            Box::pin(async move { erase(tx, &email, delete_comments, &anonymous_name).await })
        })
        .await
    }
}

/// Erases one person's data inside the caller's transaction.
async fn erase(
    tx: &mut sqlx::AnyConnection,
    email: &str,
    delete_comments: bool,
    anonymous_name: &str,
) -> StoreResult<Erased> {
    let mut erased = Erased::default();
    if delete_comments {
        let posts: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT DISTINCT post_id FROM comments WHERE {THEIR_COMMENTS} ORDER BY post_id"
        ))
        .bind(email)
        .fetch_all(&mut *tx)
        .await?;
        erased.comments_deleted =
            sqlx::query(&format!("DELETE FROM comments WHERE {THEIR_COMMENTS}"))
                .bind(email)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        for post in posts {
            super::comments::recount(tx, post).await?;
        }
    } else {
        erased.comments_anonymised = sqlx::query(&format!(
            "UPDATE comments SET author_name = $2, author_email = '', author_url = NULL, \
             ip = '', user_agent = '', identity_id = NULL, updated_at = $3 \
             WHERE {THEIR_COMMENTS}"
        ))
        .bind(email)
        .bind(anonymous_name)
        .bind(super::now())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    // The log keeps what was done, no longer to whom.
    sqlx::query("UPDATE activity SET email = NULL, detail = '' WHERE email = $1")
        .bind(email)
        .execute(&mut *tx)
        .await?;
    erased.subscriptions = sqlx::query("DELETE FROM subscriptions WHERE lower(email) = $1")
        .bind(email)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    erased.identities = sqlx::query("DELETE FROM identities WHERE lower(email) = $1")
        .bind(email)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    erased.emails =
        sqlx::query("DELETE FROM jobs WHERE status <> $2 AND lower(payload) LIKE $1 ESCAPE '\\'")
            .bind(contains_pattern(email))
            .bind(JobStatus::Running)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    sqlx::query("DELETE FROM auth_attempts WHERE lower(draft) LIKE $1 ESCAPE '\\'")
        .bind(contains_pattern(email))
        .execute(&mut *tx)
        .await?;
    let staff: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE lower(email) = $1")
        .bind(email)
        .fetch_one(&mut *tx)
        .await?;
    erased.staff_account_kept = staff > 0;
    super::bump_content_version(tx).await?;
    Ok(erased)
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(super::contains_pattern("A_b%c@x.org"), "%a\\_b\\%c@x.org%");
    }
}
