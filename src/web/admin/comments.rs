//! The moderation queue: held comments with everything a moderator needs to judge
//! them, acted on one at a time or in bulk.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::{page, staff_context};
use crate::domain::comment::{CommentStatus, ModerationAction};
use crate::domain::discussion::{block_line, Field};
use crate::domain::moderation_note::ModerationNote;
use crate::domain::post::permalink;
use crate::web::error::{AppError, AppResult};
use crate::web::public::iso;
use crate::web::session::Staff;
use crate::web::{csrf, session, AppState};

const PER_PAGE: i64 = 50;

pub async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_moderate())?;
    let status = match q.get("status").map(String::as_str) {
        None | Some("") => Some(CommentStatus::Pending),
        Some("all") => None,
        Some(s) => Some(
            s.parse::<CommentStatus>()
                .map_err(|_| AppError::bad_request("error-unknown-list"))?,
        ),
    };
    let page_no = super::page_number(&q);
    let rows = state
        .store
        .moderation_queue(
            status,
            q.get("post").and_then(|p| p.parse::<i64>().ok()),
            PER_PAGE + 1,
            (page_no - 1).saturating_mul(PER_PAGE),
        )
        .await?;
    let more = rows.len() as i64 > PER_PAGE;
    let site = state.site();
    let lang = staff.language(&site).tag.to_string();
    let now = crate::store::now();
    let items: Vec<_> = rows
        .into_iter()
        .take(PER_PAGE as usize)
        .map(|c| {
            let link = permalink(c.post_published_at.unwrap_or(0), &c.post_slug);
            context! {
                id => c.id,
                status => c.status,
                author_name => c.author_name,
                author_email => c.author_email,
                author_url => c.author_url,
                ip => c.ip,
                user_agent => c.user_agent,
                body_html => c.body_html,
                date => state.i18n.datetime(&lang, c.created_at),
                ago => state.i18n.ago(&lang, c.created_at, now),
                reasons => c.moderation_note.as_deref().map(why).unwrap_or_default()
                    .iter().map(|m| m.in_language(&state.i18n, &lang)).collect::<Vec<_>>(),
                iso => iso(c.created_at),
                post_title => c.post_title,
                post_url => link,
                in_reply_to => c.parent_id,
            }
        })
        .collect();
    let counts = state.store.queue_counts().await?;
    let ctx = staff_context(&state, &staff).await?;
    let html = state.templates.render(
        "admin/comments.html",
        context! {
            comments => items,
            current => status.map_or("all", CommentStatus::as_str),
            counts => counts,
            page => page_no,
            more => more,
            done => q.get("done"),
            // Only the two problems `act` names; anything else in the address is ignored.
            problem => q.get("problem").filter(|p| ["choose-action", "select-some"].contains(&p.as_str())),
            done_count => q.get("n").and_then(|n| n.parse::<i64>().ok()).unwrap_or(0), ..ctx
        },
    )?;
    Ok(page(StatusCode::OK, html))
}

/// Applies an action: a row's own button (`do=approve:12`) or the bulk selector
/// (`bulk=spam` with `ids=…`).
pub async fn act(State(state): State<AppState>, staff: Staff, body: Bytes) -> AppResult<Response> {
    staff.require(staff.role.can_moderate())?;
    let mut token = String::new();
    let mut ids: Vec<i64> = Vec::new();
    let mut action = String::new();
    let mut back = CommentStatus::Pending.as_str().to_string();
    let mut empty = None;
    // From the staff tools on a public page: back there afterwards.
    let mut return_to = None;
    for (k, v) in form_urlencoded::parse(&body) {
        match &*k {
            "csrf" => token = v.into_owned(),
            "ids" => ids.extend(v.parse::<i64>().ok()),
            "bulk" if action.is_empty() => action = v.into_owned(),
            "do" => {
                if let Some((a, id)) = v.split_once(':') {
                    action = a.to_string();
                    ids = id.parse::<i64>().ok().into_iter().collect();
                }
            }
            "back" => back = v.chars().filter(char::is_ascii_alphabetic).collect(),
            "empty" => empty = Some(v.into_owned()),
            "return_to" => return_to = Some(session::safe_next(Some(&v))),
            _ => {}
        }
    }
    csrf::verify(Some(&staff.csrf), &token)?;
    // "Empty spam" / "Empty trash": every comment there, deleted for good.
    if let Some(which) = empty {
        let Ok(status @ (CommentStatus::Spam | CommentStatus::Trash)) = which.parse() else {
            return Err(AppError::bad_request("moderation-choose-action"));
        };
        let deleted = state
            .store
            .delete_comments_with_status(status, i64::MAX)
            .await?;
        tracing::info!(user = staff.user.id, %status, deleted, "comments deleted for good");
        if deleted > 0 {
            state
                .store
                .record_activity(
                    &staff.actor(),
                    crate::domain::activity::Action::Delete,
                    None,
                    None,
                    &format!("{status}: {deleted}"),
                )
                .await?;
        }
        return Ok(Redirect::to(&format!(
            "/admin/comments?status={status}&done=deleted&n={deleted}"
        ))
        .into_response());
    }
    // Nothing chosen, or nothing selected: say so, and change nothing (WordPress's
    // "Bulk actions" list starts on no action, so Apply is never destructive by default).
    let problem = if action.is_empty() {
        Some("choose-action")
    } else if ids.is_empty() {
        Some("select-some")
    } else {
        None
    };
    if let Some(problem) = problem {
        return Ok(
            Redirect::to(&format!("/admin/comments?status={back}&problem={problem}"))
                .into_response(),
        );
    }
    if let Some(field) = action.strip_prefix("block-").and_then(block_field) {
        return block(&state, &staff, &ids, field, &back).await;
    }
    let Ok(action) = action.parse::<ModerationAction>() else {
        return Err(AppError::bad_request("moderation-choose-action"));
    };
    let target = action.status();
    let actor = staff.actor();
    let changed = state.store.set_comment_status(&ids, target, &actor).await?;
    if changed > 0 {
        state.moderated().await;
    }
    tracing::info!(
        user = staff.user.id,
        action = action.as_str(),
        changed,
        "comments moderated"
    );
    if let Some(back) = return_to {
        return Ok(Redirect::to(&format!(
            "{}#comments",
            super::super::public::location(&back)
        ))
        .into_response());
    }
    Ok(Redirect::to(&format!(
        "/admin/comments?status={back}&done={}&n={changed}",
        target.as_str()
    ))
    .into_response())
}

/// Which author field a "Block …" button blocks.
fn block_field(name: &str) -> Option<Field> {
    match name {
        "email" => Some(Field::Email),
        "ip" => Some(Field::Ip),
        "name" => Some(Field::Name),
        _ => None,
    }
}

/// "Block email" / "Block IP" / "Block name": the comments' authors go on the block
/// list (Settings → Discussion, editable there) and the comments to spam, which teaches
/// the filter.
async fn block(
    state: &AppState,
    staff: &Staff,
    ids: &[i64],
    field: Field,
    back: &str,
) -> AppResult<Response> {
    let mut lines = Vec::new();
    for id in ids {
        let Some((name, email, ip)) = state.store.comment_author(*id).await? else {
            continue;
        };
        let value = match field {
            Field::Email => email.clone(),
            Field::Ip => ip,
            _ => name,
        };
        if !value.trim().is_empty() {
            lines.push((block_line(field, &value), Some(email)));
        }
    }
    let actor = staff.actor();
    let added = state.store.add_to_block_list(lines, &actor).await?;
    let changed = state
        .store
        .set_comment_status(ids, CommentStatus::Spam, &actor)
        .await?;
    state.moderated().await;
    tracing::info!(user = staff.user.id, blocked = ?added, changed, "authors blocked");
    Ok(Redirect::to(&format!(
        "/admin/comments?status={back}&done=blocked&n={}",
        added.len()
    ))
    .into_response())
}

/// What Tribune noted on a comment before any moderator (`moderation_note`): the rule,
/// the block-list entry or the trap that decided, and the spam filter's score with
/// the features that weighed most.
pub(super) fn why(note: &str) -> Vec<crate::i18n::Message> {
    use crate::domain::bot_trap::Trap;
    use crate::domain::discussion::RuleHit;
    use crate::i18n::Message;
    let Some(note) = ModerationNote::parse(note) else {
        return Vec::new();
    };
    let field = |f: Field| match f {
        Field::Body => "rule-field-body",
        Field::Name => "rule-field-name",
        Field::Email => "rule-field-email",
        Field::Url => "rule-field-url",
        Field::Ip => "rule-field-ip",
        Field::UserAgent => "rule-field-user-agent",
    };
    let mut out = Vec::new();
    if let Some(b) = note.blocked {
        out.push(
            Message::new("rule-blocked")
                .arg_key("field", field(b.field))
                .arg("value", b.value),
        );
    }
    if let Some(rule) = note.rule {
        out.push(match rule {
            RuleHit::Links { count, max } => Message::new("rule-links")
                .number("count", count as i64)
                .number("max", max as i64),
            RuleHit::ModerationWord { word, field: f } => Message::new("rule-moderation-word")
                .arg("word", word)
                .arg_key("field", field(f)),
            RuleHit::DisallowedWord { word, field: f } => Message::new("rule-disallowed-word")
                .arg("word", word)
                .arg_key("field", field(f)),
        });
    }
    if let Some(trap) = note.trap {
        out.push(match trap {
            Trap::Honeypot => Message::new("trap-honeypot"),
            Trap::Forged => Message::new("trap-forged"),
            Trap::TooFast { secs } => Message::new("trap-too-fast").number("count", secs),
            Trap::Expired { secs } => Message::new("trap-expired").number("count", secs / 3600),
            Trap::NoScript => Message::new("trap-no-script"),
        });
    }
    if let Some(score) = note.score {
        let clues: Vec<String> = score
            .clues
            .iter()
            .map(|c| crate::domain::spam_filter::describe(&c.token))
            .collect();
        out.push(if clues.is_empty() {
            Message::new("filter-score-unknown")
        } else {
            Message::new("filter-score")
                .number("score", (score.spam * 100.0).round() as i64)
                .arg("clues", clues.join(" · "))
        });
    }
    out
}

/// `GET /admin/comments/ID/edit`: a moderator changes a comment's text or its author's
/// name, email and website (WordPress's "Edit Comment").
pub async fn edit_form(
    State(state): State<AppState>,
    staff: Staff,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_moderate())?;
    let c = state
        .store
        .comment_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let text = state.store.comment_text(id).await?.unwrap_or_default();
    let typed = HashMap::from([
        ("author".to_string(), c.author_name.clone()),
        ("email".to_string(), c.author_email.clone()),
        ("url".to_string(), c.author_url.clone().unwrap_or_default()),
        ("comment".to_string(), text),
    ]);
    edit_page(&state, &staff, &c, &typed, (None, q.contains_key("saved"))).await
}

async fn edit_page(
    state: &AppState,
    staff: &Staff,
    c: &crate::domain::comment::Comment,
    typed: &HashMap<String, String>,
    (error, saved): (Option<String>, bool),
) -> AppResult<Response> {
    let post = state
        .store
        .post_by_id(c.post_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let ctx = staff_context(state, staff).await?;
    let html = state.templates.render(
        "admin/comment_edit.html",
        context! {
            comment => context! { id => c.id, status => c.status },
            post_title => post.title,
            post_url => post.permalink(),
            typed => typed,
            error => error,
            saved => saved,
            ..ctx
        },
    )?;
    Ok(page(status, html))
}

/// `POST /admin/comments/ID/edit`.
pub async fn edit(
    State(state): State<AppState>,
    staff: Staff,
    axum::extract::Path(id): axum::extract::Path<i64>,
    crate::web::input::Form(form): crate::web::input::Form<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_moderate())?;
    staff.verify_form(&form)?;
    let c = state
        .store
        .comment_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let site = state.site();
    let lang = staff.language(&site).tag.to_string();
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let input = crate::domain::comment::GuestInput {
        name: get("author"),
        email: get("email"),
        url: get("url"),
        body: get("comment"),
        ..Default::default()
    };
    let limits = crate::domain::comment::Limits {
        body: site.max_comment_chars,
        require_name_email: false,
        ..Default::default()
    };
    let checked = match crate::domain::comment::check_guest(&input, limits) {
        Ok(checked) => checked,
        Err(problems) => {
            let error = problems
                .first()
                .map(|p| crate::web::public::problem_message(&state, &lang, p));
            return edit_page(&state, &staff, &c, &form, (error, false)).await;
        }
    };
    let html = crate::domain::text::render_comment(&checked.body);
    let author = (
        checked.name.as_str(),
        checked.email.as_str(),
        checked.url.as_deref(),
    );
    state
        .store
        .edit_comment(
            id,
            (&checked.body, &html),
            Some(author),
            false,
            &staff.actor(),
        )
        .await?
        .ok_or(AppError::NotFound)?;
    state.moderated().await;
    tracing::info!(
        user = staff.user.id,
        comment = id,
        "comment edited by a moderator"
    );
    Ok(Redirect::to(&format!("/admin/comments/{id}/edit?saved=1")).into_response())
}
