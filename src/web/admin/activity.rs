//! Admin → Activity: the activity log (who did what to which comment, from where),
//! filterable by where it came from, what was done and the commenter's email.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::{page, staff_context};
use crate::domain::activity::{Action, Source};
use crate::store::ActivityFilter;
use crate::web::error::AppResult;
use crate::web::public::iso;
use crate::web::session::Staff;
use crate::web::AppState;

const PER_PAGE: i64 = 100;

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_moderate())?;
    // An unknown name in the address filters nothing rather than failing.
    let filter = ActivityFilter {
        source: q.get("source").and_then(|s| s.parse::<Source>().ok()),
        action: q.get("action").and_then(|a| a.parse::<Action>().ok()),
        comment_id: q.get("comment").and_then(|c| c.trim().parse().ok()),
        email: q
            .get("email")
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty()),
    };
    let page_no = super::page_number(&q);
    let rows = state
        .store
        .activity(&filter, PER_PAGE + 1, (page_no - 1) * PER_PAGE)
        .await?;
    let more = rows.len() as i64 > PER_PAGE;
    let site = state.site();
    let lang = staff.language(&site).tag.to_string();
    let now = crate::store::now();
    let entries: Vec<_> = rows
        .into_iter()
        .take(PER_PAGE as usize)
        .map(|a| {
            context! {
                date => state.i18n.datetime(&lang, a.at),
                ago => state.i18n.ago(&lang, a.at, now),
                iso => iso(a.at),
                actor => a.actor,
                source => a.source,
                action => a.action,
                comment_id => a.comment_id,
                email_query => a.email.as_deref().map(encode),
                email => a.email,
                // A decision on arrival keeps the comment's note: said as the queue says it.
                reasons => if a.detail.starts_with('{') {
                    super::comments::why(&a.detail)
                        .iter()
                        .map(|m| m.in_language(&state.i18n, &lang))
                        .collect::<Vec<_>>()
                } else {
                    Vec::new()
                },
                detail => if a.detail.starts_with('{') { String::new() } else { a.detail },
            }
        })
        .collect();
    let ctx = staff_context(&state, &staff).await?;
    let html = state.templates.render(
        "admin/activity.html",
        context! {
            entries => entries,
            sources => Source::NAMES,
            actions => Action::NAMES,
            source => filter.source,
            action => filter.action,
            email_query => encode(filter.email.as_deref().unwrap_or("")),
            email => filter.email,
            comment => filter.comment_id,
            page => page_no,
            more => more,
            ..ctx
        },
    )?;
    Ok(page(StatusCode::OK, html))
}

/// `s` as a query-string value.
fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
