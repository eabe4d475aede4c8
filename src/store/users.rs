//! Staff accounts.

use super::{Store, StoreResult};
use crate::domain::role::Role;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub role: Role,
    pub created_at: i64,
    /// The administration language they chose; `None` for the site's.
    pub ui_lang: Option<String>,
}

const USER_COLUMNS: &str = "id, email, display_name, password_hash, role, created_at, ui_lang";

impl Store {
    /// How many administrators there are: none means the one-time setup is still open
    /// (authors brought in by an import cannot sign in and do not count).
    pub async fn count_admins(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = $1")
                .bind(Role::Admin)
                .fetch_one(&self.read)
                .await?,
        )
    }

    /// Adds a staff account. With `only_if_first`, fails with `Conflict` if an administrator
    /// exists (the one-time setup form cannot be replayed).
    pub async fn insert_user(
        &self,
        email: &str,
        display_name: &str,
        password_hash: &str,
        role: Role,
        only_if_first: bool,
    ) -> StoreResult<i64> {
        let (email, display_name) = (email.to_string(), display_name.to_string());
        let password_hash = password_hash.to_string();
        self.write(move |tx| {
            Box::pin(async move {
                if only_if_first {
                    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = $1")
                        .bind(Role::Admin)
                        .fetch_one(&mut *tx)
                        .await?;
                    if n > 0 {
                        return Err(super::StoreError::Conflict("setup already done".into()));
                    }
                }
                // An author brought in by an import has no password yet: adding an account
                // with their email gives them one (and the role asked for) instead of failing.
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO users (email, display_name, password_hash, role, created_at) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash, \
                     role = excluded.role, display_name = excluded.display_name \
                     WHERE users.password_hash IS NULL RETURNING id",
                )
                .bind(&email)
                .bind(&display_name)
                .bind(&password_hash)
                .bind(role)
                .bind(super::now())
                .fetch_optional(&mut *tx)
                .await?;
                id.ok_or_else(|| super::StoreError::Conflict("users_email_key".into()))
            })
        })
        .await
    }

    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        Ok(sqlx::query_as(&sql)
            .bind(email)
            .fetch_optional(&self.read)
            .await?)
    }

    pub async fn user_by_id(&self, id: i64) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?)
    }

    /// Sets the administration language of user `id` (`None`: the site's).
    pub async fn set_user_language(&self, id: i64, lang: Option<&str>) -> StoreResult<()> {
        let lang = lang.map(str::to_string);
        self.write(move |tx| {
            Box::pin(async move {
                sqlx::query("UPDATE users SET ui_lang = $1 WHERE id = $2")
                    .bind(&lang)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn list_users(&self) -> StoreResult<Vec<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id");
        Ok(sqlx::query_as(&sql).fetch_all(&self.read).await?)
    }
}
