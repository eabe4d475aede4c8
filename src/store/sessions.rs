//! Server-side staff sessions. The cookie holds a random token; the database holds
//! only its SHA-256, so a leaked database cannot be replayed as cookies.

use super::{Store, StoreResult, UserRow};

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: UserRow,
    pub csrf_token: String,
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

impl Store {
    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        csrf_token: &str,
        ttl_secs: i64,
    ) -> StoreResult<()> {
        let (id_hash, csrf_token) = (id_hash.to_string(), csrf_token.to_string());
        self.write(move |tx| {
            Box::pin(async move {
                let now = super::now();
                sqlx::query(
                    "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&id_hash)
                .bind(user_id)
                .bind(&csrf_token)
                .bind(now)
                .bind(now + ttl_secs)
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
             WHERE s.id_hash = $1 AND s.expires_at > $2",
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
}
