//! Saving a post: the one path the admin editor and `tribune post new` share. What an
//! editor typed is checked (`domain::post::check_post`), its HTML is rendered once —
//! Markdown written here, or HTML brought from WordPress kept as HTML — and the post is
//! stored. The editor's preview is the same first step without the last.

use crate::domain::comment::Problem;
use crate::domain::post::{check_post, BodyFormat, PostInput};
use crate::store::{PostWrite, Store, StoreError};

/// Why a post was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// What the editor typed does not pass; the reasons, field by field.
    #[error("the post has problems: {0:?}")]
    Invalid(Vec<Problem>),
    /// Another post has this address.
    #[error("the slug `{0}` is used by another post")]
    SlugTaken(String),
    #[error(transparent)]
    Store(StoreError),
}

impl SaveError {
    /// The problems to show beside the fields of the form.
    pub fn problems(&self) -> Option<Vec<Problem>> {
        match self {
            SaveError::Invalid(p) => Some(p.clone()),
            SaveError::SlugTaken(_) => Some(vec![Problem {
                field: "slug",
                key: "error-slug-taken",
                max: 0,
                len: 0,
            }]),
            SaveError::Store(_) => None,
        }
    }
}

/// Checks `input` and renders its body, written in `format`, for `author_id`.
pub fn prepare(
    input: &PostInput,
    format: BodyFormat,
    author_id: i64,
    now: i64,
) -> Result<PostWrite, SaveError> {
    let checked = check_post(input, now).map_err(SaveError::Invalid)?;
    let body_html = match format {
        BodyFormat::Html => crate::domain::html::render_trusted(&checked.body),
        BodyFormat::Markdown => crate::domain::text::render_post(&checked.body),
    };
    Ok(PostWrite {
        slug: checked.slug,
        title: checked.title,
        excerpt: checked.excerpt,
        body_md: checked.body,
        body_html,
        status: checked.status,
        lang: checked.lang,
        translation_group: checked.translation_group,
        author_id,
        comments_open: checked.comments_open,
        published_at: checked.published_at,
        featured_media_id: input.featured_media_id,
        media_ids: Vec::new(),
    })
}

/// Stores a prepared post: a new one (`id` is `None`) or changes to post `id`.
/// Returns its id once committed.
pub async fn save(store: &Store, id: Option<i64>, write: &PostWrite) -> Result<i64, SaveError> {
    let write = &with_media(store, write.clone())
        .await
        .map_err(SaveError::Store)?;
    let result = match id {
        Some(id) => store.update_post(id, write).await.map(|()| id),
        None => store.insert_post(write).await,
    };
    result.map_err(|e| match e {
        StoreError::Conflict(_) => SaveError::SlugTaken(write.slug.clone()),
        other => SaveError::Store(other),
    })
}

/// `write` with the library's files it shows given their copies (`srcset`, size, alt
/// text) and recorded as its uses; a featured image that is not an image of the library
/// is dropped.
pub async fn with_media(store: &Store, mut write: PostWrite) -> Result<PostWrite, StoreError> {
    let hashes = crate::domain::media::hashes_in(&write.body_html);
    let found = if hashes.is_empty() {
        Default::default()
    } else {
        store.pictures(&hashes).await?
    };
    let pictures = found
        .values()
        .filter_map(|m| m.picture().map(|p| (m.hash.clone(), p)))
        .collect();
    write.body_html = crate::domain::media::responsive_images(&write.body_html, &pictures);
    write.media_ids = found.values().map(|m| m.id).collect();
    if let Some(featured) = write.featured_media_id {
        match store.media_by_id(featured).await? {
            Some(m) if m.kind == crate::domain::media::MediaKind::Image => {
                write.media_ids.push(m.id);
            }
            _ => write.featured_media_id = None,
        }
    }
    write.media_ids.sort_unstable();
    Ok(write)
}

/// Links post `id` with post `to` as translations of each other: `id` joins `to`'s
/// translation group, or both start a new one. Returns the group.
pub async fn link_translation(store: &Store, id: i64, to: i64) -> Result<String, SaveError> {
    let target = store
        .post_by_id(to)
        .await
        .map_err(SaveError::Store)?
        .ok_or(SaveError::Store(StoreError::NotFound))?;
    let group = target
        .translation_group
        .unwrap_or_else(|| format!("t{}", crate::token::random_hex(8)));
    store
        .set_translation_group(&[id, to], Some(&group))
        .await
        .map_err(SaveError::Store)?;
    Ok(group)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::post::PostStatus;

    fn input(body: &str) -> PostInput {
        PostInput {
            title: "On the Budget".into(),
            body: body.into(),
            lang: "en".into(),
            status: PostStatus::Published.as_str().into(),
            comments_open: true,
            ..PostInput::default()
        }
    }

    #[test]
    fn markdown_and_imported_html_render_each_their_way() {
        let md = prepare(&input("**bold** <b>x</b>"), BodyFormat::Markdown, 1, 100).unwrap();
        assert!(
            md.body_html.contains("<strong>bold</strong>"),
            "{}",
            md.body_html
        );
        assert_eq!(md.published_at, Some(100));
        assert_eq!(md.slug, "on-the-budget");
        let html = prepare(&input("**kept** <b>x</b>"), BodyFormat::Html, 1, 100).unwrap();
        assert!(html.body_html.contains("**kept**"), "{}", html.body_html);
    }

    #[test]
    fn a_post_without_a_title_is_refused_with_the_field() {
        let mut bad = input("x");
        bad.title.clear();
        let err = prepare(&bad, BodyFormat::Markdown, 1, 100).unwrap_err();
        let problems = err.problems().unwrap();
        assert_eq!(problems[0].field, "title");
    }
}
