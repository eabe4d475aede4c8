//! Writing posts: the list, the editor with preview, saving.

use std::collections::HashMap;

use crate::web::input::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::{page, problem_messages, staff_context};
use crate::domain::comment::Problem;
use crate::domain::post::{check_post, format_datetime_local, permalink, PostInput};
use crate::domain::text::render_post;
use crate::store::{PostRow, PostWrite, StoreError};
use crate::web::error::{AppError, AppResult};
use crate::web::public::iso;
use crate::web::session::Staff;
use crate::web::AppState;

pub async fn list(State(state): State<AppState>, staff: Staff) -> AppResult<Response> {
    staff.require(staff.role.can_write_posts())?;
    let only_own = (!staff.role.can_edit_others_posts()).then_some(staff.user.id);
    let posts = state.store.all_posts(only_own).await?;
    let site = state.site();
    let lang = state.i18n.resolve(&site.language).to_string();
    let rows: Vec<_> = posts
        .iter()
        .map(|p| {
            let when = p.published_at.unwrap_or(p.updated_at);
            context! {
                id => p.id,
                title => p.title,
                status => p.status,
                author => p.author_name,
                date => state.i18n.datetime(&lang, when),
                iso => iso(when),
                comment_count => p.comment_count,
                url => crate::domain::post::is_public(&p.status, p.published_at, crate::store::now())
                    .then(|| permalink(when, &p.slug)),
            }
        })
        .collect();
    let ctx = staff_context(&state, &staff).await?;
    let html = state
        .templates
        .render("admin/posts.html", context! { posts => rows, ..ctx })?;
    Ok(page(StatusCode::OK, html))
}

fn input_from_row(p: &PostRow) -> PostInput {
    PostInput {
        title: p.title.clone(),
        slug: p.slug.clone(),
        excerpt: p.excerpt.clone(),
        body: p.body_md.clone(),
        lang: p.lang.clone(),
        status: p.status.clone(),
        published_at: p
            .published_at
            .map(format_datetime_local)
            .unwrap_or_default(),
        translation_group: p.translation_group.clone().unwrap_or_default(),
        comments_open: p.comments_open != 0,
    }
}

fn input_from_form(form: &HashMap<String, String>) -> PostInput {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    PostInput {
        title: get("title"),
        slug: get("slug"),
        excerpt: get("excerpt"),
        body: get("body"),
        lang: get("lang"),
        status: get("status"),
        published_at: get("published_at"),
        translation_group: get("translation_group"),
        comments_open: form.contains_key("comments_open"),
    }
}

struct Editor<'a> {
    id: Option<i64>,
    input: PostInput,
    problems: Vec<Problem>,
    preview: Option<String>,
    saved: bool,
    view_url: Option<String>,
    staff: &'a Staff,
}

async fn editor_page(state: &AppState, e: Editor<'_>) -> AppResult<Response> {
    let ctx = staff_context(state, e.staff).await?;
    let status = if e.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = state.templates.render(
        "admin/post_edit.html",
        context! {
            post_id => e.id,
            form => e.input,
            field_errors => problem_messages(state, &e.problems),
            preview => e.preview,
            saved => e.saved,
            view_url => e.view_url,
            statuses => ["draft", "published", "private"], ..ctx
        },
    )?;
    Ok(page(status, html))
}

pub async fn new_form(State(state): State<AppState>, staff: Staff) -> AppResult<Response> {
    staff.require(staff.role.can_write_posts())?;
    let site = state.site();
    let input = PostInput {
        lang: site.language.clone(),
        status: "draft".into(),
        comments_open: true,
        ..PostInput::default()
    };
    editor_page(
        &state,
        Editor {
            id: None,
            input,
            problems: vec![],
            preview: None,
            saved: false,
            view_url: None,
            staff: &staff,
        },
    )
    .await
}

async fn load_editable(state: &AppState, staff: &Staff, id: &str) -> AppResult<PostRow> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let post = state
        .store
        .post_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    staff.require(
        staff.role.can_write_posts()
            && (staff.role.can_edit_others_posts() || post.author_id == staff.user.id),
    )?;
    Ok(post)
}

pub async fn edit_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> AppResult<Response> {
    let post = load_editable(&state, &staff, &id).await?;
    // "Post saved. View post" after a save (the editor redirects here with ?saved=1);
    // the link only where readers can see the post.
    let readable =
        crate::domain::post::is_public(&post.status, post.published_at, crate::store::now());
    let view_url = readable.then(|| post.permalink());
    let saved = q.contains_key("saved");
    editor_page(
        &state,
        Editor {
            id: Some(post.id),
            input: input_from_row(&post),
            problems: vec![],
            preview: None,
            saved,
            view_url,
            staff: &staff,
        },
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_write_posts())?;
    save(&state, &staff, None, staff.user.id, form).await
}

pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let post = load_editable(&state, &staff, &id).await?;
    save(&state, &staff, Some(post.id), post.author_id, form).await
}

async fn save(
    state: &AppState,
    staff: &Staff,
    id: Option<i64>,
    author_id: i64,
    form: HashMap<String, String>,
) -> AppResult<Response> {
    staff.verify_form(&form)?;
    let input = input_from_form(&form);
    let preview_only = form.get("action").map(String::as_str) == Some("preview");
    let checked = match check_post(&input, crate::store::now()) {
        Ok(c) => c,
        Err(problems) => {
            return editor_page(
                state,
                Editor {
                    id,
                    input,
                    problems,
                    preview: None,
                    saved: false,
                    view_url: None,
                    staff,
                },
            )
            .await;
        }
    };
    // Posts brought from WordPress stay HTML; posts written here are Markdown.
    let html_body = match id {
        Some(id) => state
            .store
            .post_by_id(id)
            .await?
            .is_some_and(|p| p.body_format == "html"),
        None => false,
    };
    let body_html = if html_body {
        crate::domain::html::render_trusted(&checked.body)
    } else {
        render_post(&checked.body)
    };
    if preview_only {
        return editor_page(
            state,
            Editor {
                id,
                input,
                problems: vec![],
                preview: Some(body_html),
                saved: false,
                view_url: None,
                staff,
            },
        )
        .await;
    }
    let write = PostWrite {
        slug: checked.slug.clone(),
        title: checked.title,
        excerpt: checked.excerpt,
        body_md: checked.body,
        body_html,
        status: checked.status.as_str().to_string(),
        lang: checked.lang,
        translation_group: checked.translation_group,
        author_id,
        comments_open: checked.comments_open,
        published_at: checked.published_at,
    };
    let result = match id {
        Some(id) => state.store.update_post(id, &write).await.map(|_| id),
        None => state.store.insert_post(&write).await,
    };
    let id = match result {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => {
            let problems = vec![Problem {
                field: "slug",
                key: "error-slug-taken",
                max: 0,
                len: 0,
            }];
            return editor_page(
                state,
                Editor {
                    id,
                    input,
                    problems,
                    preview: None,
                    saved: false,
                    view_url: None,
                    staff,
                },
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    state.content_changed().await;
    tracing::info!(post = id, status = write.status, "post saved");
    Ok(Redirect::to(&format!("/admin/posts/{id}?saved=1")).into_response())
}
