//! Admin → Media: the library (a grid, searched, filtered, paged), uploading (a form
//! that works without a script, and the editor's button, drop and paste through the
//! same address), one file's page (alt text, title, where it is used, delete when
//! unused), and the editor's picker (`/admin/media/pick`, JSON).

use std::collections::HashMap;

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::{page, staff_context};
use crate::domain::media::{MediaKind, MediaProblem};
use crate::media::{MediaError, Upload};
use crate::store::{MediaFilter, MediaRow, StoreError};
use crate::web::error::{AppError, AppResult};
use crate::web::input::Form;
use crate::web::public::iso;
use crate::web::session::Staff;
use crate::web::AppState;

const PER_PAGE: i64 = 40;

/// A library file as pages and the editor's script see it.
fn item(state: &AppState, lang: &str, m: &MediaRow) -> minijinja::Value {
    let picture = m.picture();
    context! {
        id => m.id,
        kind => m.kind,
        url => m.url(),
        thumb => picture.as_ref().map(crate::domain::media::Picture::thumbnail),
        srcset => picture.as_ref().map(crate::domain::media::Picture::srcset),
        name => m.file_name,
        title => m.title,
        alt => m.alt,
        width => m.width,
        height => m.height,
        size => size(state, lang, m.bytes),
        uses => m.uses,
        uploaded_by => m.uploaded_by_name,
        date => state.i18n.datetime(lang, m.created_at),
        iso => iso(m.created_at),
        markdown => markdown(m),
    }
}

/// What the editor puts in the text for a file: an image, or a link to a PDF.
fn markdown(m: &MediaRow) -> String {
    let clean = |s: &str| s.replace(['[', ']', '\n', '\r'], " ");
    match m.kind {
        MediaKind::Image => format!("![{}]({})", clean(&m.alt), m.url()),
        MediaKind::Pdf => format!("[{}]({})", clean(&m.file_name), m.url()),
    }
}

/// "340 KB", "2.4 MB" with the reader's digits.
fn size(state: &AppState, lang: &str, bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
        let n = format!(
            "{}{}{}",
            state.i18n.number(lang, tenths / 10),
            decimal_separator(lang),
            state.i18n.number(lang, tenths % 10)
        );
        state.i18n.tr(lang, "media-size-mb", &[("size", n.into())])
    } else {
        let kb = state.i18n.number(lang, (bytes + 1023) / 1024);
        state.i18n.tr(lang, "media-size-kb", &[("size", kb.into())])
    }
}

fn decimal_separator(lang: &str) -> &'static str {
    match lang {
        "ar" | "ckb" | "fa" => "٫",
        "tr" | "kmr" => ",",
        _ => ".",
    }
}

fn may_delete(staff: &Staff, m: &MediaRow) -> bool {
    staff.role.can_edit_others_posts() || m.uploaded_by == Some(staff.user.id)
}

fn filter_from(q: &HashMap<String, String>) -> MediaFilter {
    MediaFilter {
        search: q
            .get("s")
            .map(|s| s.trim().chars().take(200).collect())
            .unwrap_or_default(),
        kind: q.get("kind").and_then(|k| k.parse().ok()),
        unused: q.get("unused").is_some_and(|v| v == "1"),
    }
}

/// `GET /admin/media`: the library.
pub async fn library(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    library_page(&state, &staff, &q, None, StatusCode::OK).await
}

async fn library_page(
    state: &AppState,
    staff: &Staff,
    q: &HashMap<String, String>,
    problem: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    staff.require(staff.role.can_write_posts())?;
    let filter = filter_from(q);
    let page_no = super::page_number(q);
    let (rows, total) = state
        .store
        .list_media(&filter, PER_PAGE, (page_no - 1).saturating_mul(PER_PAGE))
        .await?;
    let lang = staff.language(&state.site()).tag.to_string();
    let items: Vec<_> = rows.iter().map(|m| item(state, &lang, m)).collect();
    let page_url = |n: i64| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for k in ["s", "kind", "unused"] {
            if let Some(v) = q.get(k).filter(|v| !v.is_empty()) {
                query.append_pair(k, v);
            }
        }
        query.append_pair("page", &n.to_string());
        format!("/admin/media?{}", query.finish())
    };
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    let ctx = staff_context(state, staff).await?;
    let html = state.templates.render(
        "admin/media.html",
        context! {
            items => items,
            total => total,
            search => filter.search,
            kind => filter.kind,
            unused => filter.unused,
            page => page_no,
            pages => pages,
            older => (page_no < pages).then(|| page_url(page_no + 1)),
            newer => (page_no > 1).then(|| page_url(page_no - 1)),
            problem => problem,
            done => q.get("done").filter(|d| ["uploaded", "deleted"].contains(&d.as_str())),
            max_mb => state.media.max_bytes / (1024 * 1024),
            ..ctx
        },
    )?;
    Ok(page(status, html))
}

/// The words an uploader reads for `problem`.
fn explain(state: &AppState, lang: &str, problem: &MediaProblem) -> String {
    problem.message().in_language(&state.i18n, lang)
}

/// `POST /admin/media`: one or more files (`file`), with alt text (`alt`). A script
/// that asks for JSON gets `{id, url, markdown, …}` or `{error}`; a form gets the
/// library again.
pub async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    multipart: Multipart,
) -> AppResult<Response> {
    staff.require(staff.role.can_write_posts())?;
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let lang = staff.language(&state.site()).tag.to_string();
    let answer = |status: StatusCode, message: String| -> AppResult<Response> {
        Ok((
            status,
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(serde_json::json!({ "error": crate::i18n::plain(&message) })),
        )
            .into_response())
    };
    let (fields, files) = match read_parts(multipart).await {
        Ok(parts) => parts,
        Err(status) => {
            let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                explain(
                    &state,
                    &lang,
                    &MediaProblem::TooLarge {
                        bytes: state.media.max_bytes + 1,
                        max: state.media.max_bytes,
                    },
                )
            } else {
                state.i18n.tr(&lang, "media-error-broken-upload", &[])
            };
            if wants_json {
                return answer(status, message);
            }
            return library_page(&state, &staff, &HashMap::new(), Some(message), status).await;
        }
    };
    staff.verify_form(&fields)?;
    if files.is_empty() {
        let message = state.i18n.tr(&lang, "media-error-no-file", &[]);
        if wants_json {
            return answer(StatusCode::UNPROCESSABLE_ENTITY, message);
        }
        let q = HashMap::new();
        return library_page(
            &state,
            &staff,
            &q,
            Some(message),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let alt = fields.get("alt").cloned().unwrap_or_default();
    let mut stored = Vec::new();
    for (name, bytes) in files {
        let about = Upload {
            file_name: name.clone(),
            alt: alt.clone(),
            uploaded_by: Some(staff.user.id),
            source_url: None,
        };
        match state.media.upload(bytes, about).await {
            Ok(row) => {
                tracing::info!(media = row.id, user = staff.user.id, "file uploaded");
                stored.push(row);
            }
            Err(e) => {
                let (status, message) = match &e {
                    MediaError::Refused(p) => (
                        match p {
                            MediaProblem::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                            MediaProblem::Svg | MediaProblem::NotAllowed => {
                                StatusCode::UNSUPPORTED_MEDIA_TYPE
                            }
                            _ => StatusCode::UNPROCESSABLE_ENTITY,
                        },
                        explain(&state, &lang, p),
                    ),
                    other => {
                        tracing::error!(error = %other, "an upload could not be stored");
                        (
                            StatusCode::SERVICE_UNAVAILABLE,
                            state.i18n.tr(&lang, "media-error-storage", &[]),
                        )
                    }
                };
                let message = format!(
                    "{}: {message}",
                    crate::domain::media::clean_file_name(&name)
                );
                if wants_json {
                    return answer(status, message);
                }
                return library_page(&state, &staff, &HashMap::new(), Some(message), status).await;
            }
        }
    }
    if wants_json {
        let row = stored.last().expect("at least one file");
        return Ok((
            StatusCode::CREATED,
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(item(&state, &lang, row)),
        )
            .into_response());
    }
    Ok(Redirect::to("/admin/media?done=uploaded").into_response())
}

/// The form's text fields and its files, whole. `Err`: the status to answer (413 when
/// the body passed the limit).
async fn read_parts(
    mut multipart: Multipart,
) -> Result<(HashMap<String, String>, Vec<(String, bytes::Bytes)>), StatusCode> {
    let mut fields = HashMap::new();
    let mut files = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(e.status()),
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| e.status())?;
        match file_name {
            Some(file_name) if name == "file" => {
                if !(bytes.is_empty() && file_name.is_empty()) {
                    files.push((file_name, bytes));
                }
            }
            _ => {
                fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    Ok((fields, files))
}

/// `GET /admin/media/{id}`: one file, its alt text and title, where it is used.
pub async fn detail(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_write_posts())?;
    let m = state
        .store
        .media_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    detail_page(&state, &staff, &m, q.contains_key("saved"), None).await
}

async fn detail_page(
    state: &AppState,
    staff: &Staff,
    m: &MediaRow,
    saved: bool,
    problem: Option<String>,
) -> AppResult<Response> {
    let lang = staff.language(&state.site()).tag.to_string();
    let used_in: Vec<_> = state
        .store
        .media_used_in(m.id)
        .await?
        .into_iter()
        .map(|(id, title, status)| context! { id => id, title => title, status => status })
        .collect();
    let ctx = staff_context(state, staff).await?;
    let status = if problem.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let html = state.templates.render(
        "admin/media_item.html",
        context! {
            m => item(state, &lang, m),
            used_in => used_in,
            may_delete => may_delete(staff, m),
            saved => saved,
            problem => problem,
            ..ctx
        },
    )?;
    Ok(page(status, html))
}

/// `POST /admin/media/{id}`: `do=save` (alt text, title) or `do=delete`.
pub async fn change(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_write_posts())?;
    staff.verify_form(&form)?;
    let m = state
        .store
        .media_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    match form.get("do").map(String::as_str) {
        Some("delete") => {
            staff.require(may_delete(&staff, &m))?;
            match state.media.remove(id).await {
                Ok(_) => {
                    tracing::info!(media = id, user = staff.user.id, "file deleted");
                    Ok(Redirect::to("/admin/media?done=deleted").into_response())
                }
                Err(MediaError::Store(StoreError::Refused(key))) => {
                    let lang = staff.language(&state.site()).tag;
                    let message = state.i18n.tr(lang, key, &[]);
                    detail_page(&state, &staff, &m, false, Some(message)).await
                }
                Err(MediaError::Store(e)) => Err(e.into()),
                Err(e) => Err(AppError::Internal(e.into())),
            }
        }
        _ => {
            let get = |k: &str| -> String {
                form.get(k)
                    .map(|v| v.trim().chars().take(500).collect())
                    .unwrap_or_default()
            };
            state
                .store
                .describe_media(id, &get("title"), &get("alt"))
                .await?;
            Ok(Redirect::to(&format!("/admin/media/{id}?saved=1")).into_response())
        }
    }
}

/// `GET /admin/media/pick?s=&kind=&page=`: the editor's picker, as JSON.
pub async fn pick(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_write_posts())?;
    let filter = filter_from(&q);
    let page_no = super::page_number(&q);
    let (rows, total) = state
        .store
        .list_media(&filter, 24, (page_no - 1).saturating_mul(24))
        .await?;
    let lang = staff.language(&state.site()).tag.to_string();
    let items: Vec<_> = rows.iter().map(|m| item(&state, &lang, m)).collect();
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(context! { items => items, total => total, page => page_no }),
    )
        .into_response())
}
