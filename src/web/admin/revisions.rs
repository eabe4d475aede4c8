//! A post's revisions (list, compare with the post as it is, restore) and the editor's
//! autosave. A draft autosaves into itself (a new post becomes a draft on its first
//! autosave); a published post's autosave waits as a revision of its own, so readers
//! never see a change its author has not saved.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::{page, staff_context};
use crate::domain::post::{BodyFormat, PostInput, PostStatus};
use crate::publish;
use crate::store::RevisionRow;
use crate::web::error::{AppError, AppResult};
use crate::web::input::Form;
use crate::web::session::Staff;
use crate::web::AppState;

/// The lines of `old` and `new` as a list of (kind, text): "same", "del" or "ins".
fn line_diff(old: &str, new: &str) -> Vec<(&'static str, String)> {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|c| {
            let kind = match c.tag() {
                similar::ChangeTag::Equal => "same",
                similar::ChangeTag::Delete => "del",
                similar::ChangeTag::Insert => "ins",
            };
            (kind, c.value().trim_end_matches('\n').to_string())
        })
        .collect()
}

/// `GET /admin/posts/ID/revisions[?compare=REV]`.
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let post = super::posts::load_editable(&state, &staff, &id).await?;
    let site = state.site();
    let lang = staff.language(&site).tag.to_string();
    let revisions = state.store.revisions(post.id).await?;
    let view = |r: &RevisionRow| {
        context! {
            id => r.id,
            title => r.title,
            by => r.saved_by_name,
            date => state.i18n.datetime(&lang, r.created_at),
            autosave => r.autosave == 1,
        }
    };
    let rows: Vec<_> = revisions.iter().map(view).collect();
    let compared = match q.get("compare").and_then(|c| c.parse::<i64>().ok()) {
        Some(rev) => revisions.iter().find(|r| r.id == rev).map(|r| {
            let lines = |old: &str, new: &str| {
                line_diff(old, new)
                    .into_iter()
                    .map(|(kind, text)| context! { kind => kind, text => text })
                    .collect::<Vec<_>>()
            };
            context! {
                revision => view(r),
                title => lines(&r.title, &post.title),
                excerpt => lines(&r.excerpt, &post.excerpt),
                body => lines(&r.body_md, &post.body_md),
            }
        }),
        None => None,
    };
    let ctx = staff_context(&state, &staff).await?;
    let html = state.templates.render(
        "admin/revisions.html",
        context! {
            post => context! { id => post.id, title => post.title },
            revisions => rows,
            compared => compared,
            dir => crate::i18n::shipped(&post.lang).map_or("auto", |l| l.dir),
            ..ctx
        },
    )?;
    Ok(page(StatusCode::OK, html))
}

/// `POST /admin/posts/ID/revisions` with `restore=REV`: the post takes that revision's
/// title, excerpt and text (saved like any change, so it becomes a revision too).
pub async fn restore(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.verify_form(&form)?;
    let post = super::posts::load_editable(&state, &staff, &id).await?;
    let rev = form
        .get("restore")
        .and_then(|r| r.parse::<i64>().ok())
        .ok_or(AppError::NotFound)?;
    let rev = state
        .store
        .revision(post.id, rev)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut input = super::posts::input_from_post(&post);
    input.title = rev.title;
    input.excerpt = rev.excerpt;
    input.body = rev.body_md;
    let write = publish::prepare(
        &input,
        post.body_format,
        post.author_id,
        crate::store::now(),
    )
    .map_err(|_| AppError::bad_request("error-revision-invalid"))?;
    publish::save(&state.store, Some(post.id), &write)
        .await
        .map_err(|e| match e {
            publish::SaveError::Store(e) => e.into(),
            _ => AppError::bad_request("error-revision-invalid"),
        })?;
    state
        .store
        .add_revision(post.id, Some(staff.user.id), None)
        .await?;
    state.content_changed().await;
    tracing::info!(post = post.id, revision = rev.id, "revision restored");
    Ok(Redirect::to(&format!("/admin/posts/{}?saved=restored", post.id)).into_response())
}

/// `POST /admin/posts/autosave`: what the editor holds, every half minute while it
/// changes. Answers `{"id": ID}` (a new post's id on its first autosave).
pub async fn autosave(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_write_posts())?;
    staff.verify_form(&form)?;
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let existing = match form.get("post_id").and_then(|v| v.parse::<i64>().ok()) {
        Some(id) => Some(super::posts::load_editable(&state, &staff, &id.to_string()).await?),
        None => None,
    };
    let id = match existing {
        // Published (or scheduled, or private): kept aside, never shown.
        Some(post) if post.status != PostStatus::Draft => {
            state
                .store
                .add_revision(
                    post.id,
                    Some(staff.user.id),
                    Some((&get("title"), &get("excerpt"), &get("body"))),
                )
                .await?;
            post.id
        }
        existing => {
            let site = state.site();
            let mut input = PostInput {
                status: PostStatus::Draft.as_str().into(),
                lang: site.language.clone(),
                comments_open: true,
                ..PostInput::default()
            };
            if let Some(post) = &existing {
                input = super::posts::input_from_post(post);
            }
            input.title = get("title");
            input.body = get("body");
            input.excerpt = get("excerpt");
            input.status = PostStatus::Draft.as_str().into();
            let format = existing
                .as_ref()
                .map_or(BodyFormat::Markdown, |p| p.body_format);
            let author = existing.as_ref().map_or(staff.user.id, |p| p.author_id);
            let write = publish::prepare(&input, format, author, crate::store::now())
                .map_err(|_| AppError::bad_request("error-autosave-incomplete"))?;
            let id = publish::save(&state.store, existing.as_ref().map(|p| p.id), &write)
                .await
                .map_err(|e| match e {
                    publish::SaveError::Store(e) => e.into(),
                    _ => AppError::bad_request("error-autosave-incomplete"),
                })?;
            state
                .store
                .add_revision(id, Some(staff.user.id), None)
                .await?;
            id
        }
    };
    let lang = staff.language(&state.site()).tag;
    let at = state.i18n.datetime(lang, crate::store::now());
    let said = state.i18n.tr(lang, "autosaved-at", &[("time", at.into())]);
    let body = serde_json::json!({ "id": id, "said": crate::i18n::plain(&said) }).to_string();
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}
