//! The links Tribune writes for people to bring back: signed moderation links in
//! emails, the key that shows a reader their own held comment, and the addresses of
//! the subscription pages. Written and checked here, nowhere else.

use crate::domain::account::AccountLink;
use crate::domain::comment::ModerationAction;
use crate::site::Site;
use crate::store::UserRow;

/// How long a link in a moderation email works.
pub const MODERATION_LINK_TTL_SECS: i64 = 7 * 24 * 3600;

fn moderation_signature(site: &Site, id: i64, action: ModerationAction, expires: i64) -> String {
    site.sign(&format!("moderate:{id}:{action}:{expires}"))
}

/// `/moderate/ID/ACTION?exp=…&sig=…`: one click from an email, valid until `expires`.
pub fn moderation_path(site: &Site, id: i64, action: ModerationAction, expires: i64) -> String {
    let sig = moderation_signature(site, id, action, expires);
    format!("/moderate/{id}/{action}?exp={expires}&sig={sig}")
}

/// [`moderation_path`] on the site's address.
pub fn moderation(site: &Site, id: i64, action: ModerationAction, expires: i64) -> String {
    site.url().join(&moderation_path(site, id, action, expires))
}

/// Whether `sig` is the signature of a moderation link with these parts (expired or
/// not: the caller says which).
pub fn moderation_signed(
    site: &Site,
    id: i64,
    action: ModerationAction,
    expires: i64,
    sig: &str,
) -> bool {
    crate::token::constant_time_eq(&moderation_signature(site, id, action, expires), sig)
}

/// The `moderation-hash` that lets a commenter see their own held comment
/// (`?unapproved=ID&moderation-hash=…`, WordPress's names).
pub fn held_comment_hash(site: &Site, comment_id: i64) -> String {
    let mut sig = site.sign(&format!("unapproved:{comment_id}"));
    sig.truncate(32);
    sig
}

/// The key of an email address's identicon: an HMAC, so the address cannot be
/// guessed from its picture.
pub fn avatar_key(site: &Site, email: &str) -> String {
    let mut sig = site.sign(&format!("avatar:{email}"));
    sig.truncate(32);
    sig
}

/// A comment's own address, `/comment/ID/`: it sends the reader to the comment page
/// that holds the comment, however the thread is paged by then.
pub fn comment(site: &Site, comment_id: i64) -> String {
    site.url().join(&format!("/comment/{comment_id}/"))
}

/// One entry of the browser's own-comments cookie: comment `id`, editable by this
/// browser until `until` (`ID.UNTIL.SIG`).
pub fn own_comment(site: &Site, id: i64, until: i64) -> String {
    format!("{id}.{until}.{}", own_comment_signature(site, id, until))
}

fn own_comment_signature(site: &Site, id: i64, until: i64) -> String {
    let mut sig = site.sign(&format!("own:{id}:{until}"));
    sig.truncate(32);
    sig
}

/// The entries of an own-comments cookie that are ours and still open at `now`, as
/// (comment id, until).
pub fn own_comments(site: &Site, cookie: &str, now: i64) -> Vec<(i64, i64)> {
    cookie
        .split(['~', ','])
        .filter_map(|entry| {
            let mut parts = entry.splitn(3, '.');
            let id = parts.next()?.parse::<i64>().ok()?;
            let until = parts.next()?.parse::<i64>().ok()?;
            let sig = parts.next()?;
            (until > now
                && crate::token::constant_time_eq(&own_comment_signature(site, id, until), sig))
            .then_some((id, until))
        })
        .collect()
}

/// One-click unsubscribe (RFC 8058) for a subscription's token.
pub fn unsubscribe(site: &Site, token: &str) -> String {
    site.url()
        .join(&format!("/subscriptions/unsubscribe?t={token}"))
}

/// The page that lists an address's subscriptions.
pub fn manage_subscriptions(site: &Site, token: &str) -> String {
    site.url().join(&format!("/subscriptions?t={token}"))
}

/// Confirms every subscription in `tokens` at once (double opt-in).
pub fn confirm_subscriptions(site: &Site, tokens: &[String]) -> String {
    let query: Vec<String> = tokens.iter().map(|t| format!("t={t}")).collect();
    site.url()
        .join(&format!("/subscriptions/confirm?{}", query.join("&")))
}

/// The signed "form shown at" time the comment form's script fetches
/// (`domain::bot_trap`), for `post_id` at `at`.
pub fn form_shown(site: &Site, post_id: i64, at: i64) -> String {
    crate::domain::bot_trap::shown_token(post_id, at, |text| {
        let mut sig = site.sign(text);
        sig.truncate(32);
        sig
    })
}

/// Whether `sig` is our signature of a form-shown `text`.
pub fn form_shown_signed(site: &Site, text: &str, sig: &str) -> bool {
    let mut want = site.sign(text);
    want.truncate(32);
    crate::token::constant_time_eq(&want, sig)
}

/// The page where an account email's reader chooses a password
/// (`/admin/password?u=…&p=reset|invite&exp=…&sig=…`). The signature covers the
/// account's [`link_state`](crate::domain::account::link_state), so the link stops
/// working once it has been used, and at `expires`.
pub fn account(site: &Site, purpose: AccountLink, user: &UserRow, expires: i64) -> String {
    let sig = account_signature(site, purpose, user, expires);
    site.url().join(&format!(
        "/admin/password?u={}&p={purpose}&exp={expires}&sig={sig}",
        user.id
    ))
}

fn account_signature(site: &Site, purpose: AccountLink, user: &UserRow, expires: i64) -> String {
    let state = crate::domain::account::link_state(
        user.password_hash.as_deref(),
        &user.email,
        user.active(),
    );
    site.sign(&format!("account:{purpose}:{}:{expires}:{state}", user.id))
}

/// Whether an account link still works for `user` at `now`.
pub fn account_valid(
    site: &Site,
    purpose: AccountLink,
    user: &UserRow,
    expires: i64,
    sig: &str,
    now: i64,
) -> bool {
    now < expires
        && user.active()
        && crate::token::constant_time_eq(&account_signature(site, purpose, user, expires), sig)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::settings::SiteSettings;
    use crate::domain::site_url::SiteUrl;

    fn site() -> Site {
        Site::new(
            Some(SiteUrl::parse("https://example.org").unwrap()),
            SiteSettings {
                secret: "s".into(),
                ..SiteSettings::default()
            },
        )
    }

    #[test]
    fn a_moderation_link_checks_out_only_for_its_own_parts() {
        let site = site();
        let link = moderation(&site, 7, ModerationAction::Approve, 100);
        assert!(link.starts_with("https://example.org/moderate/7/approve?exp=100&sig="));
        let sig = link.rsplit_once("sig=").unwrap().1;
        assert!(moderation_signed(
            &site,
            7,
            ModerationAction::Approve,
            100,
            sig
        ));
        assert!(!moderation_signed(
            &site,
            7,
            ModerationAction::Trash,
            100,
            sig
        ));
        assert!(!moderation_signed(
            &site,
            8,
            ModerationAction::Approve,
            100,
            sig
        ));
        assert!(!moderation_signed(
            &site,
            7,
            ModerationAction::Approve,
            101,
            sig
        ));
    }

    #[test]
    fn subscription_links_carry_their_tokens() {
        let site = site();
        assert_eq!(
            confirm_subscriptions(&site, &["a".into(), "b".into()]),
            "https://example.org/subscriptions/confirm?t=a&t=b"
        );
        assert_eq!(
            unsubscribe(&site, "a"),
            "https://example.org/subscriptions/unsubscribe?t=a"
        );
    }
}
