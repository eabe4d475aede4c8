//! Comments: statuses, the checks a reader's comment must pass, and the moderation rule
//! that decides whether it is held.

use super::names::named;

named! {
    /// Where a comment stands in moderation.
    pub enum CommentStatus: "comment status" {
        /// Held for a moderator.
        Pending = "pending",
        /// Readers see it.
        Approved = "approved",
        Spam = "spam",
        Trash = "trash",
    }
}

named! {
    /// What kind of response a comment is (WordPress's `comment_type`).
    pub enum CommentKind: "comment type" {
        Comment = "comment",
        Pingback = "pingback",
        Trackback = "trackback",
        /// A Webmention another site sent, verified by fetching its source.
        Webmention = "webmention",
    }
}

named! {
    /// What a moderator does to a comment (the queue's buttons, the links in emails,
    /// the CLI), with WordPress's names.
    pub enum ModerationAction: "moderation action" {
        Approve = "approve",
        /// Back to the queue.
        Unapprove = "unapprove",
        Spam = "spam",
        Trash = "trash",
    }
}

impl ModerationAction {
    /// The actions a signed link in a moderation email may carry.
    pub const BY_EMAIL: [ModerationAction; 3] = [
        ModerationAction::Approve,
        ModerationAction::Spam,
        ModerationAction::Trash,
    ];

    /// The status it gives the comment.
    pub fn status(self) -> CommentStatus {
        match self {
            ModerationAction::Approve => CommentStatus::Approved,
            ModerationAction::Unapprove => CommentStatus::Pending,
            ModerationAction::Spam => CommentStatus::Spam,
            ModerationAction::Trash => CommentStatus::Trash,
        }
    }
}

/// A comment as a page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Comment {
    pub id: i64,
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub status: CommentStatus,
    pub author_name: String,
    #[serde(skip)]
    pub author_email: String,
    pub author_url: Option<String>,
    pub identity_id: Option<i64>,
    pub body_html: String,
    pub created_at: i64,
    /// When it last changed: for a comment approved by a moderator, when it was
    /// approved (the moment readers could first see it).
    pub updated_at: i64,
    pub kind: CommentKind,
}

/// The same text from the same author on the same post within this time is a duplicate
/// (WordPress refuses it with "Duplicate comment detected").
pub const DUPLICATE_WINDOW_SECS: i64 = 24 * 3600;

/// What makes two comments "the same comment": their author (the signed-in identity,
/// else the email in any case) and their text, as a short digest.
pub fn duplicate_key(identity: Option<i64>, email: &str, body: &str) -> String {
    let author = match identity {
        Some(id) => format!("identity:{id}"),
        None => format!("email:{}", email.trim().to_lowercase()),
    };
    crate::token::sha256_hex(&format!("{author}\n{}", body.trim()))[..32].to_string()
}

/// The form's `comment_parent`: empty or `0` for a new thread, a positive id for a
/// reply. Anything else is not something our form sends, and is refused rather than
/// quietly turned into a top-level comment.
pub fn parse_parent(field: &str) -> Result<Option<i64>, BadParent> {
    let field = field.trim();
    if field.is_empty() {
        return Ok(None);
    }
    match field.parse::<i64>() {
        Ok(0) => Ok(None),
        Ok(id) if id > 0 => Ok(Some(id)),
        _ => Err(BadParent),
    }
}

/// A `comment_parent` that is not an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadParent;

/// What a guest comment must have: length limits, in characters, and whether name and
/// email are required (WordPress's "Comment author must fill out name and email").
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub name: usize,
    pub email: usize,
    pub url: usize,
    pub body: usize,
    pub require_name_email: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            name: 100,
            email: 254,
            url: 200,
            body: 10_000,
            require_name_email: true,
        }
    }
}

/// The name shown for a guest who left the name empty where the site allows it.
pub const ANONYMOUS: &str = "Anonymous";

/// What a guest typed into "Leave a Reply".
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct GuestInput {
    pub name: String,
    pub email: String,
    pub url: String,
    pub body: String,
    /// "Notify me of new comments via email."
    #[serde(default)]
    pub notify_comments: bool,
    /// "Notify me of new posts via email."
    #[serde(default)]
    pub notify_posts: bool,
    /// The signed "form shown at" time the page's script put in the form
    /// (`domain::bot_trap`), kept when the form comes back with a reason.
    #[serde(default)]
    pub shown: String,
}

/// A guest comment that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct GuestComment {
    pub name: String,
    pub email: String,
    pub url: Option<String>,
    pub body: String,
}

/// One reason a comment was refused, tied to the field it concerns. `key` names the
/// message in the translation catalogue; `max` and `len` fill it in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub field: &'static str,
    pub key: &'static str,
    pub max: usize,
    pub len: usize,
}

impl Problem {
    fn new(field: &'static str, key: &'static str) -> Self {
        Problem {
            field,
            key,
            max: 0,
            len: 0,
        }
    }
}

fn check_len(problems: &mut Vec<Problem>, field: &'static str, value: &str, max: usize) {
    let len = value.chars().count();
    if len > max {
        problems.push(Problem {
            field,
            key: "error-too-long",
            max,
            len,
        });
    }
}

/// A plausible address: one `@`, something before it, a dotted domain after, no spaces.
pub fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
}

/// Normalises a website: `example.org` becomes `http://example.org`, `http:x.org` is
/// read as browsers read it (`http://x.org`); only http(s) with a dotted host (or an
/// IP address) is allowed, never `javascript:` or another scheme.
pub fn normalise_url(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty()
        || url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\'))
    {
        return None;
    }
    // A scheme is letters before the first `:`; `example.org:8080` has none.
    let scheme = url
        .split_once(':')
        .map(|(s, _)| s)
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphabetic()));
    let full = match scheme {
        Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {
            url.to_string()
        }
        Some(_) => return None,
        None => format!("http://{}", url.trim_start_matches('/')),
    };
    let parsed = url::Url::parse(&full).ok()?;
    let host_ok = match parsed.host()? {
        url::Host::Domain(d) => {
            d.contains('.') && !d.starts_with('.') && !d.ends_with('.') && !d.contains("..")
        }
        url::Host::Ipv4(_) | url::Host::Ipv6(_) => true,
    };
    if !matches!(parsed.scheme(), "http" | "https")
        || !host_ok
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return None;
    }
    let text = parsed.as_str();
    // `http://example.org/` reads as the reader typed it: without the lone slash.
    let bare = parsed.path() == "/" && parsed.query().is_none() && parsed.fragment().is_none();
    Some(if bare {
        text.trim_end_matches('/').to_string()
    } else {
        text.to_string()
    })
}

/// Checks a guest's comment. Returns every problem at once so the reader can fix them
/// in one go.
pub fn check_guest(input: &GuestInput, limits: Limits) -> Result<GuestComment, Vec<Problem>> {
    let name = input.name.trim();
    let email = input.email.trim();
    let url = input.url.trim();
    let body = input.body.trim();
    let mut problems = Vec::new();

    if body.is_empty() {
        problems.push(Problem::new("body", "error-body-required"));
    }
    check_len(&mut problems, "body", body, limits.body);
    if name.is_empty() && limits.require_name_email {
        problems.push(Problem::new("name", "error-name-required"));
    }
    check_len(&mut problems, "name", name, limits.name);
    if email.is_empty() {
        if limits.require_name_email {
            problems.push(Problem::new("email", "error-email-required"));
        }
    } else if !plausible_email(email) {
        problems.push(Problem::new("email", "error-email-invalid"));
    }
    check_len(&mut problems, "email", email, limits.email);
    let url = if url.is_empty() {
        None
    } else {
        match normalise_url(url) {
            Some(u) => Some(u),
            None => {
                problems.push(Problem::new("url", "error-url-invalid"));
                None
            }
        }
    };
    check_len(&mut problems, "url", input.url.trim(), limits.url);

    if problems.is_empty() {
        Ok(GuestComment {
            name: if name.is_empty() {
                ANONYMOUS.to_string()
            } else {
                name.to_string()
            },
            email: email.to_string(),
            url,
            body: body.to_string(),
        })
    } else {
        Err(problems)
    }
}

/// Checks the text of a comment from a signed-in reader (their name and email come
/// from the provider).
pub fn check_body(body: &str, limits: Limits) -> Result<String, Vec<Problem>> {
    let body = body.trim();
    let mut problems = Vec::new();
    if body.is_empty() {
        problems.push(Problem::new("body", "error-body-required"));
    }
    check_len(&mut problems, "body", body, limits.body);
    if problems.is_empty() {
        Ok(body.to_string())
    } else {
        Err(problems)
    }
}

/// Who wrote a comment, as far as moderation cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commenter {
    /// `has_approved` if a moderator approved an earlier comment with this name and
    /// email (WordPress's test).
    Guest { has_approved: bool },
    /// Signed in with a provider; `has_approved` if a moderator approved an earlier
    /// comment of this identity.
    Identity { has_approved: bool },
}

/// How new comments are treated, from the site settings.
#[derive(Debug, Clone, Copy)]
pub struct ModerationPolicy {
    /// WordPress's "Comment must be manually approved".
    pub hold_new_comments: bool,
    /// Signed-in identities skip the queue, manual approval or not, once one of
    /// their comments was approved.
    pub approve_returning_identities: bool,
    /// WordPress's "Comment author must have a previously approved comment": when
    /// comments are not all held, a first-time author's comment is.
    pub previously_approved: bool,
}

impl ModerationPolicy {
    pub fn initial_status(&self, who: Commenter) -> CommentStatus {
        let (identity, has_approved) = match who {
            Commenter::Guest { has_approved } => (false, has_approved),
            Commenter::Identity { has_approved } => (true, has_approved),
        };
        let trusted = identity && has_approved && self.approve_returning_identities;
        let held = if self.hold_new_comments {
            !trusted
        } else {
            self.previously_approved && !has_approved
        };
        if held {
            CommentStatus::Pending
        } else {
            CommentStatus::Approved
        }
    }

    /// Whether [`initial_status`](Self::initial_status) needs to know if a guest
    /// was approved before (a query worth skipping when it does not).
    pub fn asks_about_guests(&self) -> bool {
        !self.hold_new_comments && self.previously_approved
    }
}

/// A reply may only answer an approved comment on the same post.
pub fn parent_accepts_reply(parent_post: i64, parent_status: CommentStatus, post_id: i64) -> bool {
    parent_post == post_id && parent_status == CommentStatus::Approved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_and_email_are_required_unless_the_site_allows_anonymous_comments() {
        let anonymous = input("", "", "", "A thought.");
        let problems = check_guest(&anonymous, Limits::default()).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["name", "email"]);
        let open = Limits {
            require_name_email: false,
            ..Limits::default()
        };
        let c = check_guest(&anonymous, open).unwrap();
        assert_eq!((c.name.as_str(), c.email.as_str()), (ANONYMOUS, ""));
        // An email given must still be one.
        let problems = check_guest(&input("", "nope", "", "Hi"), open).unwrap_err();
        assert_eq!(problems[0].field, "email");
    }

    #[test]
    fn a_parent_is_a_positive_number_or_nothing() {
        assert_eq!(parse_parent(""), Ok(None));
        assert_eq!(parse_parent(" 0 "), Ok(None));
        assert_eq!(parse_parent("12"), Ok(Some(12)));
        for bad in ["abc", "-3", "1.5", "12abc", "99999999999999999999"] {
            assert_eq!(parse_parent(bad), Err(BadParent), "{bad}");
        }
    }

    fn input(name: &str, email: &str, url: &str, body: &str) -> GuestInput {
        GuestInput {
            name: name.into(),
            email: email.into(),
            url: url.into(),
            body: body.into(),
            ..GuestInput::default()
        }
    }

    #[test]
    fn a_complete_comment_passes_with_its_website_normalised() {
        let c = check_guest(
            &input(" Ann ", "ann@example.org", "ann.example.org", " Hi "),
            Limits::default(),
        )
        .unwrap();
        assert_eq!(c.name, "Ann");
        assert_eq!(c.url.as_deref(), Some("http://ann.example.org"));
        assert_eq!(c.body, "Hi");
    }

    #[test]
    fn every_missing_field_is_reported_at_once() {
        let problems = check_guest(&input("", "", "", "  "), Limits::default()).unwrap_err();
        let keys: Vec<_> = problems.iter().map(|p| p.key).collect();
        assert_eq!(
            keys,
            [
                "error-body-required",
                "error-name-required",
                "error-email-required"
            ]
        );
    }

    #[test]
    fn too_long_comments_say_the_limit_and_the_length() {
        let limits = Limits {
            body: 5,
            ..Limits::default()
        };
        let problems = check_guest(&input("A", "a@b.co", "", "123456"), limits).unwrap_err();
        assert_eq!(
            problems,
            [Problem {
                field: "body",
                key: "error-too-long",
                max: 5,
                len: 6
            }]
        );
    }

    #[test]
    fn bad_emails_and_websites_are_refused() {
        for bad in ["ann", "ann@", "@x.org", "a b@x.org", "a@x", "a@@x.org"] {
            assert!(!plausible_email(bad), "{bad}");
        }
        assert!(plausible_email("ann+tag@mail.example.org"));
        assert_eq!(normalise_url("javascript:alert(1)"), None);
        assert_eq!(normalise_url("JavaScript:alert(1)"), None);
        assert_eq!(normalise_url("ftp://x.org"), None);
        assert_eq!(normalise_url("data:text/html,x"), None);
        assert_eq!(normalise_url("https://user:pw@x.org"), None);
        assert_eq!(normalise_url("http://localhost"), None);
        assert_eq!(normalise_url("http://a..b"), None);
        // Written without slashes, as browsers read it; never `http://http:…`.
        assert_eq!(
            normalise_url("http:evil.example").as_deref(),
            Some("http://evil.example")
        );
        assert_eq!(
            normalise_url("example.org:8080/x").as_deref(),
            Some("http://example.org:8080/x")
        );
        assert_eq!(
            normalise_url("//cdn.example.org").as_deref(),
            Some("http://cdn.example.org")
        );
        assert_eq!(
            normalise_url("https://x.org/a?b#c").as_deref(),
            Some("https://x.org/a?b#c")
        );
    }

    #[test]
    fn held_or_approved_follows_the_setting() {
        let hold = ModerationPolicy {
            hold_new_comments: true,
            approve_returning_identities: true,
            previously_approved: false,
        };
        let open = ModerationPolicy {
            hold_new_comments: false,
            ..hold
        };
        let guest = Commenter::Guest {
            has_approved: false,
        };
        assert_eq!(hold.initial_status(guest), CommentStatus::Pending);
        assert_eq!(open.initial_status(guest), CommentStatus::Approved);
    }

    #[test]
    fn a_first_time_author_waits_when_a_previously_approved_comment_is_required() {
        let policy = ModerationPolicy {
            hold_new_comments: false,
            approve_returning_identities: true,
            previously_approved: true,
        };
        assert!(policy.asks_about_guests());
        let first = Commenter::Guest {
            has_approved: false,
        };
        let known = Commenter::Guest { has_approved: true };
        assert_eq!(policy.initial_status(first), CommentStatus::Pending);
        assert_eq!(policy.initial_status(known), CommentStatus::Approved);
        assert_eq!(
            policy.initial_status(Commenter::Identity {
                has_approved: false
            }),
            CommentStatus::Pending
        );
        assert_eq!(
            policy.initial_status(Commenter::Identity { has_approved: true }),
            CommentStatus::Approved
        );
        // Manual approval holds everyone, a previously approved guest too.
        let manual = ModerationPolicy {
            hold_new_comments: true,
            ..policy
        };
        assert!(!manual.asks_about_guests());
        assert_eq!(manual.initial_status(known), CommentStatus::Pending);
    }

    #[test]
    fn returning_signed_in_commenters_skip_the_queue_guests_and_first_timers_do_not() {
        let hold = ModerationPolicy {
            hold_new_comments: true,
            approve_returning_identities: true,
            previously_approved: false,
        };
        let returning = Commenter::Identity { has_approved: true };
        assert_eq!(hold.initial_status(returning), CommentStatus::Approved);
        assert_eq!(
            hold.initial_status(Commenter::Identity {
                has_approved: false
            }),
            CommentStatus::Pending
        );
        let strict = ModerationPolicy {
            approve_returning_identities: false,
            ..hold
        };
        assert_eq!(strict.initial_status(returning), CommentStatus::Pending);
    }

    #[test]
    fn replies_only_to_approved_comments_of_the_same_post() {
        assert!(parent_accepts_reply(1, CommentStatus::Approved, 1));
        assert!(!parent_accepts_reply(2, CommentStatus::Approved, 1));
        assert!(!parent_accepts_reply(1, CommentStatus::Pending, 1));
    }
}
