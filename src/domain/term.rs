//! Categories and tags: the terms posts are filed under.

use super::names::named;

named! {
    /// WordPress's two taxonomies, at `/category/slug/` and `/tag/slug/`.
    pub enum TermKind: "term kind" {
        Category = "category",
        Tag = "tag",
    }
}
