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
    /// When the account was switched off; `None`: it can sign in.
    pub deactivated_at: Option<i64>,
}

impl UserRow {
    pub fn active(&self) -> bool {
        self.deactivated_at.is_none()
    }

    /// Invited (or brought in by an import) and no password chosen yet.
    pub fn invited(&self) -> bool {
        self.password_hash.is_none()
    }
}

/// A change an administrator makes to someone's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffChange {
    Role(Role),
    /// Switched off (`false`) or on again (`true`). Switching off ends their sessions.
    Active(bool),
}

const USER_COLUMNS: &str =
    "id, email, display_name, password_hash, role, created_at, ui_lang, deactivated_at";

/// Refuses a change that would leave the site without an active administrator, inside
/// the transaction that makes it (so two administrators demoting each other at once
/// cannot both succeed: the second sees the first's change or waits for it).
async fn keep_an_admin(tx: &mut sqlx::AnyConnection, losing: i64) -> StoreResult<()> {
    let others: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE role = $1 AND deactivated_at IS NULL \
         AND password_hash IS NOT NULL AND id <> $2",
    )
    .bind(Role::Admin)
    .bind(losing)
    .fetch_one(&mut *tx)
    .await?;
    let was_admin: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE id = $1 AND role = $2 AND deactivated_at IS NULL",
    )
    .bind(losing)
    .bind(Role::Admin)
    .fetch_optional(&mut *tx)
    .await?;
    if was_admin.is_some() && others == 0 {
        return Err(super::StoreError::Refused("error-last-admin"));
    }
    Ok(())
}

/// Takes the write lock on the users table before reading it (PostgreSQL; SQLite's
/// writer already holds the whole database).
async fn lock_users(tx: &mut sqlx::AnyConnection) -> StoreResult<()> {
    if !tx.backend_name().eq_ignore_ascii_case("sqlite") {
        sqlx::query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

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
    /// With no `password_hash` the account is invited: it signs in once its owner
    /// has chosen a password through the link they were sent.
    pub async fn insert_user(
        &self,
        email: &str,
        display_name: &str,
        password_hash: Option<&str>,
        role: Role,
        only_if_first: bool,
    ) -> StoreResult<i64> {
        let (email, display_name) = (email.to_string(), display_name.to_string());
        let password_hash = password_hash.map(str::to_string);
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

    /// A user named by their id or their email (the command line takes either).
    pub async fn user_by_ref(&self, who: &str) -> StoreResult<Option<UserRow>> {
        match who.trim().parse::<i64>() {
            Ok(id) => self.user_by_id(id).await,
            Err(_) => self.user_by_email(&who.trim().to_lowercase()).await,
        }
    }

    /// How many posts (of any status) each author has.
    pub async fn post_counts_by_author(&self) -> StoreResult<std::collections::HashMap<i64, i64>> {
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT author_id, COUNT(*) FROM posts GROUP BY author_id")
                .fetch_all(&self.read)
                .await?;
        Ok(rows.into_iter().collect())
    }

    /// Their name and email. `Conflict` when another account has that email.
    pub async fn update_user_profile(
        &self,
        id: i64,
        display_name: &str,
        email: &str,
    ) -> StoreResult<()> {
        let (name, email) = (display_name.to_string(), email.to_string());
        self.write(move |tx| {
            Box::pin(async move {
                let n = sqlx::query("UPDATE users SET display_name = $1, email = $2 WHERE id = $3")
                    .bind(&name)
                    .bind(&email)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 {
                    return Err(super::StoreError::NotFound);
                }
                Ok(())
            })
        })
        .await
    }

    /// Sets a new password and ends every session of theirs but `keep` (the browser
    /// that changed it, if it was theirs): a stolen session does not outlive a new
    /// password.
    pub async fn set_password(
        &self,
        id: i64,
        password_hash: &str,
        keep: Option<&str>,
    ) -> StoreResult<()> {
        let hash = password_hash.to_string();
        let keep = keep.map(str::to_string);
        self.write(move |tx| {
            Box::pin(async move {
                let n = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(&hash)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 {
                    return Err(super::StoreError::NotFound);
                }
                super::sessions::end_all_in(tx, id, keep.as_deref()).await?;
                Ok(())
            })
        })
        .await
    }

    /// Sets the password chosen through an emailed link, only if the account's password
    /// is still `old` (the one the link was signed with), and ends all their sessions.
    /// False when it changed meanwhile: the link was used already.
    pub async fn replace_password(
        &self,
        id: i64,
        old: Option<&str>,
        password_hash: &str,
    ) -> StoreResult<bool> {
        let (old, hash) = (old.unwrap_or("").to_string(), password_hash.to_string());
        self.write(move |tx| {
            Box::pin(async move {
                let n = sqlx::query(
                    "UPDATE users SET password_hash = $1 \
                     WHERE id = $2 AND COALESCE(password_hash, '') = $3",
                )
                .bind(&hash)
                .bind(id)
                .bind(&old)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 1 {
                    super::sessions::end_all_in(tx, id, None).await?;
                }
                Ok(n == 1)
            })
        })
        .await
    }

    /// Changes a role or switches an account off or on, never leaving the site without
    /// an active administrator (`Refused("error-last-admin")`).
    pub async fn change_user(&self, id: i64, change: StaffChange) -> StoreResult<()> {
        self.write(move |tx| {
            Box::pin(async move {
                lock_users(tx).await?;
                let losing_admin = match change {
                    StaffChange::Role(role) => role != Role::Admin,
                    StaffChange::Active(on) => !on,
                };
                if losing_admin {
                    keep_an_admin(tx, id).await?;
                }
                let n = match change {
                    StaffChange::Role(role) => {
                        sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                            .bind(role)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?
                    }
                    StaffChange::Active(on) => {
                        sqlx::query("UPDATE users SET deactivated_at = $1 WHERE id = $2")
                            .bind((!on).then(super::now))
                            .bind(id)
                            .execute(&mut *tx)
                            .await?
                    }
                }
                .rows_affected();
                if n == 0 {
                    return Err(super::StoreError::NotFound);
                }
                if change == StaffChange::Active(false) {
                    super::sessions::end_all_in(tx, id, None).await?;
                }
                Ok(())
            })
        })
        .await
    }

    /// Deletes an account, giving its posts to `reassign_to`. Refused when it is the
    /// last active administrator, or has posts and no one to give them to
    /// (`error-user-has-posts`). Its sessions go with it; the activity log keeps its
    /// entries under the name they were written with.
    pub async fn remove_user(&self, id: i64, reassign_to: Option<i64>) -> StoreResult<i64> {
        self.write(move |tx| {
            Box::pin(async move {
                lock_users(tx).await?;
                keep_an_admin(tx, id).await?;
                let posts: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM posts WHERE author_id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                match reassign_to {
                    Some(to) if to == id => {
                        return Err(super::StoreError::Refused("error-reassign-self"))
                    }
                    Some(to) => {
                        let exists: Option<i64> =
                            sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
                                .bind(to)
                                .fetch_optional(&mut *tx)
                                .await?;
                        if exists.is_none() {
                            return Err(super::StoreError::NotFound);
                        }
                        sqlx::query("UPDATE posts SET author_id = $1 WHERE author_id = $2")
                            .bind(to)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    None if posts > 0 => {
                        return Err(super::StoreError::Refused("error-user-has-posts"))
                    }
                    None => {}
                }
                super::sessions::end_all_in(tx, id, None).await?;
                let n = sqlx::query("DELETE FROM users WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 {
                    return Err(super::StoreError::NotFound);
                }
                Ok(posts)
            })
        })
        .await
    }
}
