//! Server-side staff sessions. The cookie holds a random token; the database holds
//! only its SHA-256, so a leaked database cannot be replayed as cookies.

use super::{Store, StoreResult, UserRow};

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: UserRow,
    pub csrf_token: String,
}

/// One of a staff member's sessions, as their profile lists it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct SessionInfo {
    /// The stored hash of its token (never the token): names it in "sign out".
    pub id_hash: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub user_agent: String,
    pub ip: String,
}

#[derive(sqlx::FromRow)]
struct Joined {
    id: i64,
    email: String,
    display_name: String,
    role: crate::domain::role::Role,
    created_at: i64,
    ui_lang: Option<String>,
    csrf_token: String,
}

/// Ends every session of `user_id` but `except`, in the caller's transaction.
pub(super) async fn end_all_in(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    except: Option<&str>,
) -> Result<sqlx::any::AnyQueryResult, sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(user_id)
        .bind(except.unwrap_or(""))
        .execute(conn)
        .await
}

impl Store {
    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        csrf_token: &str,
        ttl_secs: i64,
        (user_agent, ip): (&str, &str),
    ) -> StoreResult<()> {
        let (id_hash, csrf_token) = (id_hash.to_string(), csrf_token.to_string());
        let user_agent: String = user_agent.chars().take(300).collect();
        let ip = ip.to_string();
        self.write(move |tx| {
            Box::pin(async move {
                let now = super::now();
                sqlx::query(
                    "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, \
                     user_agent, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&id_hash)
                .bind(user_id)
                .bind(&csrf_token)
                .bind(now)
                .bind(now + ttl_secs)
                .bind(&user_agent)
                .bind(&ip)
                .execute(&mut *tx)
                .await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn session(&self, id_hash: &str) -> StoreResult<Option<SessionRow>> {
        let row: Option<Joined> = sqlx::query_as(
            "SELECT u.id, u.email, u.display_name, u.role, u.created_at, u.ui_lang, s.csrf_token \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.deactivated_at IS NULL",
        )
        .bind(id_hash)
        .bind(super::now())
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(|j| SessionRow {
            user: UserRow {
                id: j.id,
                email: j.email,
                display_name: j.display_name,
                password_hash: None,
                role: j.role,
                created_at: j.created_at,
                ui_lang: j.ui_lang,
                deactivated_at: None,
            },
            csrf_token: j.csrf_token,
        }))
    }

    pub async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        let id_hash = id_hash.to_string();
        self.write(move |tx| {
            Box::pin(async move {
                sqlx::query("DELETE FROM sessions WHERE id_hash = $1 OR expires_at < $2")
                    .bind(&id_hash)
                    .bind(super::now())
                    .execute(&mut *tx)
                    .await?;
                Ok(())
            })
        })
        .await
    }

    /// Their sessions that have not expired, newest first.
    pub async fn sessions_of(&self, user_id: i64) -> StoreResult<Vec<SessionInfo>> {
        Ok(sqlx::query_as(
            "SELECT id_hash, created_at, expires_at, user_agent, ip FROM sessions \
             WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC, id_hash",
        )
        .bind(user_id)
        .bind(super::now())
        .fetch_all(&self.read)
        .await?)
    }

    /// Ends sessions of `user_id`: the one `only` names, else all but `except`.
    /// Returns how many ended.
    pub async fn end_sessions(
        &self,
        user_id: i64,
        only: Option<&str>,
        except: Option<&str>,
    ) -> StoreResult<u64> {
        let (only, except) = (only.map(str::to_string), except.map(str::to_string));
        self.write(move |tx| {
            Box::pin(async move {
                let n = match only {
                    Some(one) => {
                        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash = $2")
                            .bind(user_id)
                            .bind(&one)
                            .execute(&mut *tx)
                            .await?
                    }
                    None => end_all_in(tx, user_id, except.as_deref()).await?,
                };
                Ok(n.rows_affected())
            })
        })
        .await
    }
}
