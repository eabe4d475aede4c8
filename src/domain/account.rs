//! Staff accounts' own rules: what a link in an account email is for, how long it
//! works, and what a password must be.

use super::names::named;

named! {
    /// What an emailed account link lets its reader do: choose a password.
    pub enum AccountLink: "account link" {
        /// "Lost your password?": a short-lived link to choose a new one.
        Reset = "reset",
        /// An administrator invited them: the link sets their first password.
        Invite = "invite",
    }
}

impl AccountLink {
    /// How long the link works: an hour to reset (someone is waiting for it), a week
    /// for an invitation (it may wait in an inbox over a weekend).
    pub fn ttl_secs(self) -> i64 {
        match self {
            AccountLink::Reset => 3600,
            AccountLink::Invite => 7 * 24 * 3600,
        }
    }
}

/// The shortest password a staff account may have.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// What is wrong with a new password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    /// The two fields differ.
    Mismatch,
}

impl PasswordProblem {
    /// The catalogue key that says it (`min` is [`MIN_PASSWORD_CHARS`] for `TooShort`).
    pub fn key(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "error-password-short",
            PasswordProblem::Mismatch => "error-password-mismatch",
        }
    }
}

/// Checks a new password and its confirmation (`None` when there is none to check).
pub fn check_new_password(password: &str, again: Option<&str>) -> Result<(), PasswordProblem> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if again.is_some_and(|a| a != password) {
        return Err(PasswordProblem::Mismatch);
    }
    Ok(())
}

/// What an account link is bound to: the account's current password (or its absence),
/// its email and whether it is switched on. Once any of them changes — above all once
/// the link has been used to set a password — the link no longer works: single use
/// without a table of tokens.
pub fn link_state(password_hash: Option<&str>, email: &str, active: bool) -> String {
    format!(
        "{}|{}|{}",
        password_hash.unwrap_or("-"),
        email,
        if active { "on" } else { "off" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_enough_and_typed_twice_alike() {
        assert_eq!(
            check_new_password("short", None),
            Err(PasswordProblem::TooShort)
        );
        // Ten characters, counted as characters, not bytes.
        assert_eq!(check_new_password("كلمةالمرور", None), Ok(()));
        assert_eq!(
            check_new_password("long enough!", Some("long enough?")),
            Err(PasswordProblem::Mismatch)
        );
        assert_eq!(
            check_new_password("long enough!", Some("long enough!")),
            Ok(())
        );
    }

    #[test]
    fn a_link_is_bound_to_the_password_it_replaces() {
        let before = link_state(None, "a@example.org", true);
        assert_ne!(
            before,
            link_state(Some("$argon2id$x"), "a@example.org", true)
        );
        assert_ne!(before, link_state(None, "b@example.org", true));
        assert_ne!(before, link_state(None, "a@example.org", false));
    }
}
