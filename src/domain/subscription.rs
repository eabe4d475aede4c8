//! Email subscriptions: what a reader asked to hear about.

use super::names::named;

named! {
    /// "Notify me of new comments via email" (one post) or "… of new posts".
    pub enum SubscriptionKind: "subscription" {
        Comments = "comments",
        Posts = "posts",
    }
}
