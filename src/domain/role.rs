//! Staff roles and what each may do.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including site settings and staff accounts.
    Admin,
    /// All posts, and moderation.
    Editor,
    /// Their own posts only.
    Author,
    /// The comment queue only.
    Moderator,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Editor, Role::Author, Role::Moderator];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Author => "author",
            Role::Moderator => "moderator",
        }
    }

    pub fn can_write_posts(self) -> bool {
        matches!(self, Role::Admin | Role::Editor | Role::Author)
    }

    /// May edit posts written by someone else.
    pub fn can_edit_others_posts(self) -> bool {
        matches!(self, Role::Admin | Role::Editor)
    }

    pub fn can_moderate(self) -> bool {
        matches!(self, Role::Admin | Role::Editor | Role::Moderator)
    }

    pub fn can_manage_site(self) -> bool {
        self == Role::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown role `{0}`: use admin, editor, author or moderator")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_moderating_roles_see_the_queue() {
        assert!(Role::Moderator.can_moderate());
        assert!(!Role::Author.can_moderate());
        assert!(!Role::Moderator.can_write_posts());
        assert!(Role::Author.can_write_posts() && !Role::Author.can_edit_others_posts());
    }

    #[test]
    fn roles_parse_from_their_names() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("root".parse::<Role>().is_err());
    }
}
