//! Commenters who signed in with an identity provider, their sessions, and pending
//! sign-ins (with the draft comment they carry).

use super::{Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct IdentityRow {
    pub id: i64,
    pub provider: String,
    pub subject: String,
    pub name: String,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub profile_url: Option<String>,
}

/// What a provider told us about a person, already mapped.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewIdentity {
    pub provider: String,
    pub subject: String,
    pub name: String,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub profile_url: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuthAttempt {
    pub provider: String,
    pub purpose: String,
    pub state: Option<String>,
    pub pkce_verifier: String,
    pub nonce: Option<String>,
    pub return_to: String,
    pub draft: String,
    pub created_at: i64,
}

const IDENTITY_COLUMNS: &str = "id, provider, subject, name, email, avatar_url, profile_url";

impl Store {
    /// Creates the identity or refreshes its name, email and pictures; (provider,
    /// subject) is the key, never the email.
    pub async fn upsert_identity(&self, i: &NewIdentity) -> StoreResult<i64> {
        let i = i.clone();
        self.write(move |tx| {
            Box::pin(async move {
                Ok(sqlx::query_scalar(
                    "INSERT INTO identities (provider, subject, name, email, avatar_url, profile_url, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                     ON CONFLICT (provider, subject) DO UPDATE SET name = excluded.name, \
                     email = excluded.email, avatar_url = excluded.avatar_url, \
                     profile_url = excluded.profile_url, updated_at = excluded.updated_at RETURNING id",
                )
                .bind(&i.provider)
                .bind(&i.subject)
                .bind(&i.name)
                .bind(&i.email)
                .bind(&i.avatar_url)
                .bind(&i.profile_url)
                .bind(super::now())
                .fetch_one(&mut *tx)
                .await?)
            })
        })
        .await
    }

    pub async fn identity_by_id(&self, id: i64) -> StoreResult<Option<IdentityRow>> {
        let sql = format!("SELECT {IDENTITY_COLUMNS} FROM identities WHERE id = $1");
        Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?)
    }

    /// Whether this identity has a comment a moderator approved.
    /// Whether a moderator approved an earlier guest comment with this name and
    /// email (WordPress's "previously approved" test; the email is indexed).
    pub async fn guest_has_approved_comment(&self, name: &str, email: &str) -> StoreResult<bool> {
        if email.is_empty() {
            return Ok(false);
        }
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE author_email = $1 \
             AND author_name = $2 AND status = $3 AND identity_id IS NULL LIMIT 1) AS found",
        )
        .bind(email)
        .bind(name)
        .bind(crate::domain::comment::CommentStatus::Approved)
        .fetch_one(&self.read)
        .await?;
        Ok(n > 0)
    }

    pub async fn identity_has_approved_comment(&self, identity_id: i64) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM comments WHERE identity_id = $1 AND status = $2",
        )
        .bind(identity_id)
        .bind(crate::domain::comment::CommentStatus::Approved)
        .fetch_one(&self.read)
        .await?;
        Ok(n > 0)
    }

    pub async fn create_commenter_session(
        &self,
        id_hash: &str,
        identity_id: i64,
        ttl_secs: i64,
    ) -> StoreResult<()> {
        let id_hash = id_hash.to_string();
        self.write(move |tx| {
            Box::pin(async move {
                let now = super::now();
                sqlx::query(
                    "INSERT INTO commenter_sessions (id_hash, identity_id, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(&id_hash)
                .bind(identity_id)
                .bind(now)
                .bind(now + ttl_secs)
                .execute(&mut *tx)
                .await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn commenter_session(&self, id_hash: &str) -> StoreResult<Option<IdentityRow>> {
        let sql =
            "SELECT i.id, i.provider, i.subject, i.name, i.email, i.avatar_url, i.profile_url \
             FROM commenter_sessions s JOIN identities i ON i.id = s.identity_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2";
        Ok(sqlx::query_as(sql)
            .bind(id_hash)
            .bind(super::now())
            .fetch_optional(&self.read)
            .await?)
    }

    pub async fn delete_commenter_session(&self, id_hash: &str) -> StoreResult<()> {
        let id_hash = id_hash.to_string();
        self.write(move |tx| {
            Box::pin(async move {
                sqlx::query("DELETE FROM commenter_sessions WHERE id_hash = $1 OR expires_at < $2")
                    .bind(&id_hash)
                    .bind(super::now())
                    .execute(&mut *tx)
                    .await?;
                Ok(())
            })
        })
        .await
    }

    /// Records a sign-in this browser is starting, replacing any earlier one.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_auth_attempt(
        &self,
        browser_hash: &str,
        provider: &str,
        purpose: &str,
        state: &str,
        pkce_verifier: &str,
        nonce: Option<&str>,
        return_to: &str,
        draft: &str,
    ) -> StoreResult<()> {
        let fields: [String; 6] = [
            browser_hash.into(),
            provider.into(),
            purpose.into(),
            state.into(),
            pkce_verifier.into(),
            return_to.into(),
        ];
        let (nonce, draft) = (nonce.map(str::to_string), draft.to_string());
        self.write(move |tx| {
            Box::pin(async move {
                let [browser_hash, provider, purpose, state, pkce_verifier, return_to] = fields;
                sqlx::query("DELETE FROM auth_attempts WHERE browser_hash = $1 OR created_at < $2")
                    .bind(&browser_hash)
                    .bind(super::now() - 24 * 3600)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO auth_attempts (browser_hash, provider, purpose, state, pkce_verifier, \
                     nonce, return_to, draft, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(browser_hash)
                .bind(provider)
                .bind(purpose)
                .bind(state)
                .bind(pkce_verifier)
                .bind(nonce)
                .bind(return_to)
                .bind(draft)
                .bind(super::now())
                .execute(&mut *tx)
                .await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn auth_attempt(&self, browser_hash: &str) -> StoreResult<Option<AuthAttempt>> {
        Ok(sqlx::query_as(
            "SELECT provider, purpose, state, pkce_verifier, nonce, return_to, draft, created_at \
             FROM auth_attempts WHERE browser_hash = $1",
        )
        .bind(browser_hash)
        .fetch_optional(&self.write)
        .await?)
    }

    /// Spends the attempt's `state`, so the same callback cannot be used twice; the
    /// draft stays until the comment is posted. Returns false if it was already spent.
    pub async fn spend_auth_state(&self, browser_hash: &str, state: &str) -> StoreResult<bool> {
        let (browser_hash, state) = (browser_hash.to_string(), state.to_string());
        self.write(move |tx| {
            Box::pin(async move {
                let done = sqlx::query(
                    "UPDATE auth_attempts SET state = NULL WHERE browser_hash = $1 AND state = $2",
                )
                .bind(&browser_hash)
                .bind(&state)
                .execute(&mut *tx)
                .await?;
                Ok(done.rows_affected() == 1)
            })
        })
        .await
    }

    pub async fn delete_auth_attempt(&self, browser_hash: &str) -> StoreResult<()> {
        let browser_hash = browser_hash.to_string();
        self.write(move |tx| {
            Box::pin(async move {
                sqlx::query("DELETE FROM auth_attempts WHERE browser_hash = $1")
                    .bind(&browser_hash)
                    .execute(&mut *tx)
                    .await?;
                Ok(())
            })
        })
        .await
    }
}
