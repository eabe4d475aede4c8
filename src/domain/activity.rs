//! The activity log's vocabulary: who or what acted (a staff member from the admin
//! pages, an email link or the command line; the filter, a rule or a trap), and what
//! was done. The store keeps the entries (`store::activity`).

use super::names::named;

named! {
    /// Where an action came from.
    pub enum Source: "activity source" {
        /// The admin pages.
        Admin = "admin",
        /// A signed link in a moderation email.
        Email = "email",
        /// `tribune comments …` and the other commands.
        Cli = "cli",
        /// The spam filter decided on a new comment.
        Filter = "filter",
        /// A discussion rule decided on a new comment.
        Rule = "rule",
        /// A bot trap caught a new comment.
        Trap = "trap",
        /// A scheduled job (the spam folder's clean-up).
        Job = "job",
        /// The Akismet-compatible spam service.
        Service = "service",
        /// The commenter, changing or deleting their own comment in its edit window.
        Author = "author",
    }
}

named! {
    /// What was done.
    pub enum Action: "activity action" {
        Approve = "approve",
        Unapprove = "unapprove",
        Spam = "spam",
        NotSpam = "not-spam",
        Trash = "trash",
        /// A new comment held for a moderator.
        Hold = "hold",
        /// Comments deleted for good (an emptied folder, the clean-up job).
        Delete = "delete",
        /// An email, address or name put on the block list.
        Block = "block",
        /// The discussion settings changed.
        Settings = "settings",
        /// Its author changed the comment's text.
        Edit = "edit",
    }
}

/// Who acted, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The staff member, if a person acted.
    pub user_id: Option<i64>,
    /// Their name (or the rule's, the filter's), as the log shows it.
    pub name: String,
    pub source: Source,
}

impl Actor {
    pub fn staff(user_id: i64, name: &str, source: Source) -> Self {
        Actor {
            user_id: Some(user_id),
            name: name.to_string(),
            source,
        }
    }

    /// The commenter, acting on their own comment.
    pub fn author(name: &str) -> Self {
        Actor {
            user_id: None,
            name: name.to_string(),
            source: Source::Author,
        }
    }

    /// Tribune itself: the filter, a rule, a trap, a job.
    pub fn tribune(source: Source) -> Self {
        Actor {
            user_id: None,
            name: "Tribune".into(),
            source,
        }
    }
}
