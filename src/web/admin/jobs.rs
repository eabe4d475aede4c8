//! `/admin/jobs`: the background queue (email now), failed jobs with their last error
//! and a button to try them again. Administrators only.

use std::collections::HashMap;

use crate::web::input::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::{page, staff_context};
use crate::domain::job::JobStatus;
use crate::web::error::AppResult;
use crate::web::public::iso;
use crate::web::session::Staff;
use crate::web::AppState;

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_manage_site())?;
    let current = q
        .get("status")
        .and_then(|s| s.parse::<JobStatus>().ok())
        .unwrap_or(JobStatus::Failed);
    let site = state.site();
    let lang = staff.language(&site).tag.to_string();
    let now = crate::store::now();
    let jobs: Vec<_> = state
        .store
        .jobs(Some(current), 200)
        .await?
        .into_iter()
        .map(|j| {
            let summary = j.job().map_or_else(
                |e| e.to_string(),
                |job| job.summary().in_language(&state.i18n, &lang),
            );
            context! {
                id => j.id,
                kind => j.kind,
                summary => summary,
                status => j.status,
                attempts => j.attempts,
                max_attempts => j.max_attempts,
                error => j.last_error,
                next => state.i18n.datetime(&lang, j.run_at),
                next_relative => if j.run_at >= now {
                    state.i18n.from_now(&lang, j.run_at, now)
                } else {
                    state.i18n.ago(&lang, j.run_at, now)
                },
                next_iso => iso(j.run_at),
            }
        })
        .collect();
    let counts: HashMap<&str, i64> = state
        .store
        .job_counts()
        .await?
        .into_iter()
        .map(|(status, n)| (status.as_str(), n))
        .collect();
    let ctx = staff_context(&state, &staff).await?;
    let html = state.templates.render(
        "admin/jobs.html",
        context! {
            jobs => jobs,
            current => current,
            counts => counts,
            retried => q.contains_key("retried"),
            transport => match state.mailer.files_dir() {
                Some(dir) => crate::i18n::Message::new("jobs-transport-files")
                    .arg("dir", dir.display().to_string())
                    .in_language(&state.i18n, &lang),
                None => state.i18n.t(&lang, "jobs-transport-smtp", None),
            },
            ..ctx
        },
    )?;
    Ok(page(StatusCode::OK, html))
}

pub async fn retry(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_manage_site())?;
    staff.verify_form(&form)?;
    if state.store.retry_job(id).await? {
        tracing::info!(job = id, user = staff.user.id, "job queued again by hand");
    }
    Ok(Redirect::to("/admin/jobs?status=failed&retried=1").into_response())
}
