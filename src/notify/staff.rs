//! Staff hear about their own accounts: an invitation to choose a first password, and
//! the "Lost your password?" link. Both carry a signed link (`links::account`) that
//! stops working once used and after its time.

use minijinja::context;

use super::{Notifier, NotifyResult};
use crate::domain::account::AccountLink;
use crate::links;
use crate::store::UserRow;

/// The shortest time between two account emails to one address: asking again and
/// again cannot flood someone's mailbox, and one who did not get the first can ask
/// once more a minute later.
pub const ACCOUNT_EMAIL_GAP_SECS: i64 = 60;

impl Notifier {
    /// Queues the email with a link for `user` to choose a password. `invited_by` is
    /// the administrator's name on an invitation. Returns false when an account email
    /// went to them less than [`ACCOUNT_EMAIL_GAP_SECS`] ago (nothing is queued).
    pub async fn account_link(
        &self,
        user: &UserRow,
        purpose: AccountLink,
        invited_by: Option<&str>,
    ) -> NotifyResult<bool> {
        let topic = format!("account:{}", user.email);
        let now = crate::store::now();
        let (last, _) = self
            .store
            .last_job_on(crate::domain::job::JobKind::Email, &topic)
            .await?;
        if last.is_some_and(|last| now - last < ACCOUNT_EMAIL_GAP_SECS) {
            return Ok(false);
        }
        let site = self.site.settings();
        let lang = self.language(user.ui_lang.as_deref());
        let expires = now + purpose.ttl_secs();
        let ctx = context! {
            site_title => site.title,
            name => user.display_name,
            email => user.email,
            invited_by => invited_by,
            purpose => purpose,
            link => links::account(&self.site, purpose, user, expires),
            hours => purpose.ttl_secs() / 3600,
            days => purpose.ttl_secs() / 86_400,
            login => self.site.url().join("/admin/login"),
        };
        let subject = match purpose {
            AccountLink::Reset => "email-reset-subject",
            AccountLink::Invite => "email-invite-subject",
        };
        let written = self.write(
            "account_link",
            ctx,
            lang,
            subject,
            &[("site", site.title.clone().into())],
        )?;
        let email = self.email(user.email.clone(), &written, None);
        self.queue_email(email, Some(&topic)).await?;
        Ok(true)
    }
}
