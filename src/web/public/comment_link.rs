//! Where a comment is read: its post's address on the comment page that holds it
//! (`…/comment-page-N/#comment-ID`), and `/comment/ID/`, the address of a comment
//! that stays right however the thread is paged (emails and the admin link to it).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use crate::domain::comment::CommentStatus;
use crate::domain::comment_pages::{CommentPages, Paging};
use crate::domain::post::Post;
use crate::web::error::AppResult;
use crate::web::AppState;

/// How the site pages threads now.
pub fn paging(site: &crate::domain::settings::SiteSettings) -> Paging {
    Paging {
        per_page: if site.page_comments {
            site.comments_per_page
        } else {
            0
        },
        newest_first: site.newest_page_first,
    }
}

/// Each long thread's comment pages as last cut from its shape, with the page cache's
/// generation they were cut at: any content change (here, in another process, by the
/// command line) moves the generation on and the next reader cuts them again. So an
/// uncached page of a long thread reads only its own comments, not the whole shape.
#[derive(Default)]
pub struct ThreadPages(std::sync::Mutex<HashMap<i64, Cut>>);

/// A thread's pages and what they were cut at: the cache generation, the paging.
type Cut = (u64, Paging, Arc<CommentPages>);

/// How many threads' pages are kept (a few integers a comment each).
const KEPT_THREADS: usize = 256;

/// The comment pages of `post`'s thread, cut now or as last cut since nothing changed.
pub async fn pages(state: &AppState, post: &Post, paging: Paging) -> AppResult<Arc<CommentPages>> {
    let generation = state.cache.generation();
    if let Some((_, _, pages)) = state
        .thread_pages
        .0
        .lock()
        .expect("thread pages lock")
        .get(&post.id)
        .filter(|(g, p, _)| *g == generation && *p == paging)
    {
        return Ok(pages.clone());
    }
    let shape = state.store.approved_comment_shape(post.id).await?;
    let pages = Arc::new(CommentPages::new(&shape, paging));
    let mut kept = state.thread_pages.0.lock().expect("thread pages lock");
    if kept.len() >= KEPT_THREADS {
        kept.retain(|_, (g, _, _)| *g == generation);
        if kept.len() >= KEPT_THREADS {
            kept.clear();
        }
    }
    // Cut from a read that began at `generation`: kept under it, so a change that
    // landed meanwhile makes the next reader cut again.
    kept.insert(post.id, (generation, paging, pages.clone()));
    Ok(pages)
}

/// The path of the comment page that shows comment `id` (approved), or where one not
/// shown yet — the reader's own, held — would sit, by its `parent`.
pub async fn page_path(
    state: &AppState,
    post: &Post,
    id: i64,
    parent: Option<i64>,
) -> AppResult<String> {
    let link = post.permalink();
    let paging = paging(&state.site());
    // One more than counted: the comment itself may have just been approved.
    if !paging.may_split(post.comment_count.max(0) as usize + 1) {
        return Ok(link);
    }
    let pages = pages(state, post, paging).await?;
    // A held comment that would start a new page is shown to its author on the last
    // page there is (see `post_page`).
    let page = pages
        .page_of(id)
        .unwrap_or_else(|| pages.page_for_new(parent))
        .min(pages.count());
    if page == pages.default_page() {
        Ok(link)
    } else {
        Ok(format!("{link}comment-page-{page}/"))
    }
}

/// `GET /comment/ID/`: to the approved comment, on its page.
pub async fn show(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Response> {
    let not_found = || Ok(super::not_found_page(&state));
    let Ok(id) = id.parse::<i64>() else {
        return not_found();
    };
    let Some(c) = state.store.comment_by_id(id).await? else {
        return not_found();
    };
    if c.status != CommentStatus::Approved {
        return not_found();
    }
    let Some(post) = state.store.post_by_id(c.post_id).await? else {
        return not_found();
    };
    if !post.is_public(crate::store::now()) {
        return not_found();
    }
    let path = page_path(&state, &post, c.id, c.parent_id).await?;
    let to = format!("{}#comment-{}", super::location(&path), c.id);
    Ok(Redirect::to(&to).into_response())
}
