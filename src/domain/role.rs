//! Staff roles and what each may do.

use super::names::named;

named! {
    /// A staff account's role.
    pub enum Role: "role" {
        /// Everything, including site settings and staff accounts.
        Admin = "admin",
        /// All posts, and moderation.
        Editor = "editor",
        /// Their own posts only.
        Author = "author",
        /// The comment queue only.
        Moderator = "moderator",
    }
}

impl Role {
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
            assert_eq!(r.as_str().parse::<Role>().unwrap(), *r);
        }
        assert!("root".parse::<Role>().is_err());
    }
}
