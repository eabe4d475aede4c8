//! `POST /comments`: a reader's comment, from the form to the database, in named
//! steps — [`check`] (is it a comment this post takes?), [`decide`] (held or
//! approved), [`store`] (committed, or a clear reason), [`notify`] (moderators),
//! [`subscribe`] (the Notify-me boxes) — and the answer.
//!
//! A refused comment comes back on the post page with the reader's words in the form
//! and the reason beside the field; nothing typed is lost.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;

use super::post_page::{render_personal, Personal};
use super::{not_found_page, personal_response};
use crate::domain::activity::{Action, Actor, Source};
use crate::domain::bot_trap::{self, Caught, FormTiming, Trap};
use crate::domain::comment::{
    check_body, check_guest, duplicate_key, normalise_url, parent_accepts_reply, parse_parent,
    BadParent, CommentStatus, Commenter, GuestComment, GuestInput, Limits, ModerationPolicy,
    Problem, DUPLICATE_WINDOW_SECS,
};
use crate::domain::discussion::{blocked, Submission, Verdict};
use crate::domain::moderation_note::ModerationNote;
use crate::domain::post::Post;
use crate::domain::spam_filter;
use crate::domain::subscription::SubscriptionKind;
use crate::domain::text::render_comment;
use crate::metrics::CommentOutcome;
use crate::store::IdentityRow;
use crate::store::{Inserted, NewComment, StoreError};
use crate::web::client::Client;
use crate::web::error::{AppError, AppResult};
use crate::web::input::Form;
use crate::web::signin;
use crate::web::AppState;

/// The form's fields carry WordPress's names, so themes and tools that know
/// `wp-comments-post.php` feel at home.
#[derive(Debug, Default, serde::Deserialize)]
pub struct CommentForm {
    #[serde(rename = "comment_post_ID", default)]
    post_id: String,
    #[serde(default)]
    comment_parent: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    comment: String,
    subscribe_comments: Option<String>,
    subscribe_posts: Option<String>,
    /// The honeypot (`domain::bot_trap::HONEYPOT_FIELD`): no person fills it.
    #[serde(default)]
    subject: String,
    /// The signed time the form was shown, put there by the page's script.
    #[serde(default)]
    tribune_shown: String,
}

pub async fn submit(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Form(form): Form<CommentForm>,
) -> AppResult<Response> {
    let typed = form.comment.clone();
    let lang = state.site().language.clone();
    match receive(state.clone(), client, headers, form).await {
        // The database could not even be read: the post page cannot be drawn, but the
        // reader's words still come back.
        Err(AppError::Unavailable) => Ok(kept_text_page(&state, &lang, &typed)),
        Err(AppError::Internal(err)) => {
            tracing::error!(error = format!("{err:#}"), "comment form failed");
            Ok(kept_text_page(&state, &lang, &typed))
        }
        other => other,
    }
}

/// `GET /comments/shown?post=ID`: the signed time the comment form was shown, fetched
/// by the page's script (the page itself is the same cached bytes for everyone). Never
/// cached; no database work.
pub async fn form_shown(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let Some(post_id) = q.get("post").and_then(|p| p.trim().parse::<i64>().ok()) else {
        return (StatusCode::BAD_REQUEST, "post=ID\n").into_response();
    };
    let token = crate::links::form_shown(&state.site, post_id, crate::store::now());
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        token,
    )
        .into_response()
}

/// Who is commenting and what they sent.
struct Reader {
    input: GuestInput,
    parent: Result<Option<i64>, BadParent>,
    /// Signed in with an identity provider, or a guest (`None`).
    signed_in: Option<IdentityRow>,
    /// What they put in the honeypot.
    honeypot: String,
    /// Signed in to `/admin/` in this browser.
    staff: bool,
}

impl Reader {
    fn parent_id(&self) -> Option<i64> {
        self.parent.unwrap_or(None)
    }
}

async fn receive(
    state: AppState,
    client: Client,
    headers: HeaderMap,
    form: CommentForm,
) -> AppResult<Response> {
    let Ok(post_id) = form.post_id.trim().parse::<i64>() else {
        return Err(AppError::bad_request("error-no-post"));
    };
    let post = state.store.post_by_id(post_id).await?;
    let Some(post) = post.filter(|p| p.is_public(crate::store::now())) else {
        return Ok(not_found_page(&state));
    };
    let jar = CookieJar::from_headers(&headers);
    let reader = Reader {
        parent: parse_parent(&form.comment_parent),
        input: GuestInput {
            name: form.author,
            email: form.email,
            url: form.url,
            body: form.comment,
            notify_comments: form.subscribe_comments.is_some(),
            notify_posts: form.subscribe_posts.is_some(),
            shown: form.tribune_shown,
        },
        signed_in: signin::commenter_checked(&state, &jar).await,
        honeypot: form.subject,
        staff: crate::web::session::current(&state, &jar).await.is_some(),
    };
    let comment = match check(&state, &client, &post, &reader).await? {
        Ok(comment) => comment,
        Err(refusal) => return refuse(&state, &post, &reader, refusal).await,
    };
    let new = compose(
        &post,
        &reader,
        comment,
        CommentStatus::Pending,
        &client,
        &headers,
    );
    let decision = decide(&state, &post, &reader, &new).await?;
    let status = decision.status;
    let note = decision.note.to_stored();
    let new = NewComment {
        status,
        arrival: decision.by.map(|by| crate::store::Arrival {
            actor: Actor::tribune(by),
            action: if status == CommentStatus::Spam {
                Action::Spam
            } else {
                Action::Hold
            },
            detail: note.clone().unwrap_or_default(),
        }),
        moderation_note: note,
        ..new
    };
    let id = match store(&state, &new).await {
        Ok(id) => id,
        Err(refusal) => return refuse(&state, &post, &reader, refusal).await,
    };
    notify(&state, &post, id, &new).await;
    subscribe(&state, &post, &reader, &new).await?;
    // The spam service is asked from a job, never while the reader waits.
    if state.checker.is_some() && status != CommentStatus::Spam {
        let job =
            crate::domain::job::Job::SpamCheck(crate::domain::job::SpamCheck { comment_id: id });
        if let Err(err) = state
            .store
            .enqueue_job(crate::store::NewJob::now(job))
            .await
        {
            tracing::warn!(comment = id, error = %err, "spam check not queued");
        }
    }
    let score = decision.note.score.as_ref().map(|s| s.spam);
    match decision.by {
        Some(by) => {
            tracing::info!(comment = id, post = post.id, %status, ?score, by = by.as_str(), "comment received; decided before moderation");
        }
        None => tracing::info!(comment = id, post = post.id, %status, ?score, "comment received"),
    }
    let jar = remember_own(&state, jar, id, state.secure_cookies(&client));
    Ok(answer(&state, jar, &post, (id, reader.parent_id()), status).await)
}

/// Why a comment was not taken; each says so in the form, with the reader's text.
#[derive(Debug)]
enum Refusal {
    /// `comment_parent` is not something our form sends.
    BadParent,
    Closed,
    RateLimited,
    /// The comment answered is not (or no longer) an approved comment of this post.
    ParentGone,
    /// Fields to fix, each with its reason.
    Invalid(Vec<Problem>),
    /// The same person said the same thing here a moment ago.
    Duplicate,
    /// The database cannot write now; nothing was stored.
    Unavailable,
    /// Anything else went wrong storing it; nothing was stored.
    NotStored,
}

impl Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Refusal::BadParent | Refusal::ParentGone | Refusal::Invalid(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Refusal::Closed => StatusCode::FORBIDDEN,
            Refusal::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Refusal::Duplicate => StatusCode::CONFLICT,
            Refusal::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Refusal::NotStored => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The outcome counted in `/metrics`.
    fn outcome(&self) -> Option<CommentOutcome> {
        match self {
            Refusal::BadParent | Refusal::ParentGone | Refusal::Invalid(_) => {
                Some(CommentOutcome::Rejected)
            }
            Refusal::Closed => None,
            Refusal::RateLimited => Some(CommentOutcome::RateLimited),
            Refusal::Duplicate => Some(CommentOutcome::Duplicate),
            Refusal::Unavailable => Some(CommentOutcome::Unavailable),
            Refusal::NotStored => Some(CommentOutcome::Failed),
        }
    }

    /// The notice above the form, in the reader's language.
    fn notice(&self, state: &AppState, lang: &str) -> Option<String> {
        let key = match self {
            Refusal::BadParent => "error-parent-invalid",
            Refusal::Closed => "comments-closed",
            Refusal::RateLimited => "error-rate-limited",
            Refusal::ParentGone => "error-parent-gone",
            Refusal::Invalid(_) => return None,
            Refusal::Duplicate => "error-duplicate",
            Refusal::Unavailable => "error-unavailable",
            Refusal::NotStored => {
                let id = crate::web::request_id::current().unwrap_or_default();
                return Some(
                    state
                        .i18n
                        .tr(lang, "error-not-stored", &[("id", id.into())]),
                );
            }
        };
        Some(state.i18n.t(lang, key, None))
    }
}

/// Check: may this post take this comment, from this reader, now? The comment as it
/// will be stored, or why not.
async fn check(
    state: &AppState,
    client: &Client,
    post: &Post,
    reader: &Reader,
) -> AppResult<Result<GuestComment, Refusal>> {
    if reader.parent.is_err() {
        return Ok(Err(Refusal::BadParent));
    }
    if !post.takes_comments(crate::store::now(), state.site().close_after_days) {
        return Ok(Err(Refusal::Closed));
    }
    // Per address (behind a trusted proxy, the reader's own), then per post.
    if !state.limiter.allow(client.ip).await || !state.post_limiter.allow(post.id).await {
        return Ok(Err(Refusal::RateLimited));
    }
    if let Some(parent) = reader.parent_id() {
        let ok = state
            .store
            .comment_by_id(parent)
            .await?
            .is_some_and(|p| parent_accepts_reply(p.post_id, p.status, post.id));
        if !ok {
            return Ok(Err(Refusal::ParentGone));
        }
    }
    let site = state.site();
    let limits = Limits {
        body: site.max_comment_chars,
        require_name_email: site.require_name_email,
        ..Limits::default()
    };
    // A signed-in reader's name and email come from their provider.
    let checked = match &reader.signed_in {
        Some(who) => check_body(&reader.input.body, limits).map(|body| GuestComment {
            name: who.name.clone(),
            email: who.email.clone().unwrap_or_default(),
            url: who.profile_url.as_deref().and_then(normalise_url),
            body,
        }),
        None => check_guest(&reader.input, limits),
    };
    let checked = checked.map_err(Refusal::Invalid);
    // Per email address, once it is known to be one.
    if let Ok(c) = &checked {
        if !c.email.is_empty() && !state.email_limiter.allow(c.email.to_lowercase()).await {
            return Ok(Err(Refusal::RateLimited));
        }
    }
    Ok(checked)
}

/// What [`decide`] made of a comment: its status, what Tribune noted on it, and which
/// of its checks decided (`None`: the moderation policy).
struct Decision {
    status: CommentStatus,
    note: ModerationNote,
    by: Option<Source>,
}

/// Decide: the block list and the discussion rules first (a blocked author or a
/// disallowed word sends it to spam; a moderation word or too many links hold it),
/// then the bot traps (a filled honeypot, a forged or too quick form: spam; no form
/// time, no script ran: held), then the spam filter's score (a guest's at the spam
/// threshold or above: spam, a signed-in reader's or a staff member's only held; at
/// the hold threshold: held), then the site's moderation policy: held for a
/// moderator or approved at once. The score is always noted, so
/// moderators see the filter learn.
async fn decide(
    state: &AppState,
    post: &Post,
    reader: &Reader,
    new: &NewComment,
) -> AppResult<Decision> {
    let site = state.site();
    let submission = Submission {
        body: &new.body,
        name: &new.author_name,
        email: &new.author_email,
        url: new.author_url.as_deref().unwrap_or(""),
        ip: &new.ip,
        user_agent: &new.user_agent,
    };
    let started = std::time::Instant::now();
    let model = state.filter.model();
    let features = spam_filter::features(&submission);
    let mut note = ModerationNote {
        score: model.score(&features),
        ..ModerationNote::default()
    };
    state
        .metrics
        .spam_scoring
        .observe(started.elapsed().as_secs_f64());
    let spam = |note: ModerationNote, by: Source| Decision {
        status: CommentStatus::Spam,
        note,
        by: Some(by),
    };
    if let Some(hit) = blocked(&site.block_list, &submission) {
        note.blocked = Some(hit);
        return Ok(spam(note, Source::Rule));
    }
    let mut held_by = None;
    match site.discussion_rules().judge(&submission) {
        Verdict::Spam(hit) => {
            note.rule = Some(hit);
            return Ok(spam(note, Source::Rule));
        }
        Verdict::Hold(hit) => {
            note.rule = Some(hit);
            held_by = Some(Source::Rule);
        }
        Verdict::Pass => {}
    }
    let now = crate::store::now();
    let caught = if reader.signed_in.is_none() {
        let shown = bot_trap::read_shown(&reader.input.shown, post.id, |text, sig| {
            crate::links::form_shown_signed(&state.site, text, sig)
        });
        let timing = FormTiming {
            min_secs: i64::from(site.form_min_seconds),
            ..FormTiming::default()
        };
        bot_trap::judge(&reader.honeypot, shown, now, timing)
    } else if !reader.honeypot.trim().is_empty() {
        Caught::Spam(Trap::Honeypot)
    } else {
        Caught::Nothing
    };
    match caught {
        Caught::Spam(trap) => {
            note.trap = Some(trap);
            return Ok(spam(note, Source::Trap));
        }
        Caught::Hold(trap) => {
            note.trap = Some(trap);
            held_by = held_by.or(Some(Source::Trap));
        }
        Caught::Nothing => {}
    }
    if let Some(score) = note.score.as_ref().filter(|_| model.decides()) {
        let percent = score.spam * 100.0;
        if percent >= f64::from(site.spam_threshold) {
            // Signed-in commenters and staff are never sent to spam by a score alone:
            // held.
            if reader.signed_in.is_none() && !reader.staff {
                return Ok(spam(note, Source::Filter));
            }
            held_by = held_by.or(Some(Source::Filter));
        } else if site.hold_threshold > 0 && percent >= f64::from(site.hold_threshold) {
            held_by = held_by.or(Some(Source::Filter));
        }
    }
    if held_by.is_some() {
        return Ok(Decision {
            status: CommentStatus::Pending,
            note,
            by: held_by,
        });
    }
    let policy = ModerationPolicy {
        hold_new_comments: site.hold_new_comments,
        approve_returning_identities: site.approve_returning_identities,
        previously_approved: site.previously_approved,
    };
    let who = match &reader.signed_in {
        Some(c) => Commenter::Identity {
            has_approved: state.store.identity_has_approved_comment(c.id).await?,
        },
        None => Commenter::Guest {
            has_approved: policy.asks_about_guests()
                && state
                    .store
                    .guest_has_approved_comment(&new.author_name, &new.author_email)
                    .await?,
        },
    };
    Ok(Decision {
        status: policy.initial_status(who),
        note,
        by: None,
    })
}

/// The row to store: the checked comment, its HTML made once, where it came from.
fn compose(
    post: &Post,
    reader: &Reader,
    comment: GuestComment,
    status: CommentStatus,
    client: &Client,
    headers: &HeaderMap,
) -> NewComment {
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(255)
        .collect();
    let identity_id = reader.signed_in.as_ref().map(|c| c.id);
    NewComment {
        duplicate_key: Some(duplicate_key(identity_id, &comment.email, &comment.body)),
        moderation_note: None,
        arrival: None,
        post_id: post.id,
        parent_id: reader.parent_id(),
        status,
        author_name: comment.name,
        author_email: comment.email,
        author_url: comment.url,
        identity_id,
        body_html: render_comment(&comment.body),
        body: comment.body,
        ip: client.ip.to_string(),
        user_agent,
    }
}

/// Store: the comment's id once its row is committed, or why nothing was stored.
async fn store(state: &AppState, new: &NewComment) -> Result<i64, Refusal> {
    match state.store.insert_comment(new, DUPLICATE_WINDOW_SECS).await {
        Ok(Inserted::New(id)) => Ok(id),
        Ok(Inserted::Duplicate(earlier)) => {
            tracing::info!(post = new.post_id, earlier, "duplicate comment refused");
            Err(Refusal::Duplicate)
        }
        Err(StoreError::Unavailable(cause)) => {
            tracing::warn!(%cause, post = new.post_id, "comment not stored: database unavailable");
            Err(Refusal::Unavailable)
        }
        Err(err) => {
            tracing::error!(error = %err, post = new.post_id, "comment not stored");
            Err(Refusal::NotStored)
        }
    }
}

/// Notify: a held comment tells the moderators (an approved one queued its own
/// notifications in its transaction).
async fn notify(state: &AppState, post: &Post, id: i64, new: &NewComment) {
    if new.status == CommentStatus::Pending {
        state.notifier.held_comment(post, id, new).await;
    }
}

/// Subscribe: the Notify-me boxes. A signed-in reader with a verified email is
/// subscribed at once; a guest confirms by email first.
async fn subscribe(
    state: &AppState,
    post: &Post,
    reader: &Reader,
    new: &NewComment,
) -> AppResult<()> {
    let wanted = [
        (
            reader.input.notify_comments,
            SubscriptionKind::Comments,
            Some(post.id),
        ),
        (reader.input.notify_posts, SubscriptionKind::Posts, None),
    ];
    // Spam asks for nothing: no confirmation email goes to an address a spammer typed.
    if !wanted.iter().any(|(want, ..)| *want) || new.status == CommentStatus::Spam {
        return Ok(());
    }
    let (address, confirmed) = match &reader.signed_in {
        Some(c) => (c.email.clone(), true),
        None => (Some(new.author_email.clone()), false),
    };
    let Some(address) = address.filter(|a| !a.is_empty()) else {
        return Ok(());
    };
    // Their emails will speak the language of this page.
    let lang = super::post_language(&state.site(), post).tag;
    let mut unconfirmed = Vec::new();
    for (_, kind, post_id) in wanted.into_iter().filter(|(want, ..)| *want) {
        let sub = state
            .store
            .subscribe(
                &address.to_lowercase(),
                kind,
                post_id,
                confirmed,
                Some(lang),
            )
            .await?;
        if sub.confirmed_at.is_none() {
            unconfirmed.push(sub.token);
        }
    }
    if !unconfirmed.is_empty() {
        state
            .notifier
            .confirm_subscriptions(&address, &unconfirmed, &post.title, lang)
            .await;
    }
    Ok(())
}

/// Adds comment `id` to this browser's own-comments cookie, so the page's script can
/// offer to edit or delete it during the site's edit window (`comment_edit`). Entries
/// whose window closed are dropped; at most the 20 newest are kept.
fn remember_own(state: &AppState, jar: CookieJar, id: i64, secure: bool) -> CookieJar {
    let minutes = state.site().edit_minutes;
    if minutes == 0 {
        return jar;
    }
    let now = crate::store::now();
    let window = i64::from(minutes) * 60;
    let mut entries: Vec<String> = jar
        .get(super::comment_edit::OWN_COOKIE)
        .map(|c| {
            crate::links::own_comments(&state.site, c.value(), now)
                .into_iter()
                .map(|(id, until)| crate::links::own_comment(&state.site, id, until))
                .collect()
        })
        .unwrap_or_default();
    entries.push(crate::links::own_comment(&state.site, id, now + window));
    let keep = entries.len().saturating_sub(20);
    let cookie = axum_extra::extract::cookie::Cookie::build((
        super::comment_edit::OWN_COOKIE,
        entries[keep..].join("~"),
    ))
    .path("/")
    .secure(secure)
    // Read by the page's script (it only says which comments to offer to edit);
    // every change is checked against the signature on the server.
    .http_only(false)
    .same_site(axum_extra::extract::cookie::SameSite::Lax)
    .max_age(time::Duration::seconds(window))
    .build();
    jar.add(cookie)
}

/// The answer to a stored comment: to it on the post (an approved one), or to the
/// post with the key that shows the reader their own held comment.
async fn answer(
    state: &AppState,
    jar: CookieJar,
    post: &Post,
    (id, parent): (i64, Option<i64>),
    status: CommentStatus,
) -> Response {
    if status == CommentStatus::Approved {
        state.comments_changed().await;
    }
    // The comment page that holds it; the post's own address if that cannot be read
    // (the comment is stored: the answer must not fail now).
    let link = match super::comment_link::page_path(state, post, id, parent).await {
        Ok(path) => path,
        Err(err) => {
            tracing::warn!(error = %err, comment = id, "could not find the comment's page");
            post.permalink()
        }
    };
    let to = if status == CommentStatus::Approved {
        state.metrics.comment(CommentOutcome::Approved);
        format!("{link}#comment-{id}")
    } else {
        state.metrics.comment(if status == CommentStatus::Spam {
            CommentOutcome::Spam
        } else {
            CommentOutcome::Held
        });
        format!(
            "{link}?unapproved={id}&moderation-hash={}#comment-{id}",
            crate::links::held_comment_hash(&state.site, id)
        )
    };
    let jar = signin::forget_draft(state, jar).await;
    (jar, Redirect::to(&to)).into_response()
}

/// The post page again, with the reader's words in the form and the reason.
async fn refuse(
    state: &AppState,
    post: &Post,
    reader: &Reader,
    refusal: Refusal,
) -> AppResult<Response> {
    if let Some(outcome) = refusal.outcome() {
        state.metrics.comment(outcome);
    }
    let lang = super::post_language(&state.site(), post).tag;
    let status = refusal.status();
    let unavailable = matches!(refusal, Refusal::Unavailable);
    let personal = Personal {
        form: reader.input.clone(),
        notice: refusal.notice(state, lang),
        problems: match refusal {
            Refusal::Invalid(problems) => problems,
            _ => Vec::new(),
        },
        reply_to: reader.parent_id(),
        pending: None,
        commenter: reader.signed_in.clone(),
    };
    let page = render_personal(state, post, personal).await;
    let mut res = match page {
        Ok(Some(html)) => personal_response(status, html),
        Ok(None) => kept_text_page(state, lang, &reader.input.body),
        // Nothing was stored and even the post cannot be drawn: the text comes back
        // on a plain page.
        Err(_) if status.is_server_error() => kept_text_page(state, lang, &reader.input.body),
        Err(err) => return Err(err),
    };
    if unavailable {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    }
    Ok(res)
}

/// The last resort when even the post page cannot be drawn: the reader's words on a
/// plain page, ready to copy, so nothing they typed is lost.
fn kept_text_page(state: &AppState, lang: &str, body: &str) -> Response {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let language = crate::i18n::speak(lang);
    let t = |key: &str| escape(&crate::i18n::plain(&state.i18n.t(language.tag, key, None)));
    let html = format!(
        "<!doctype html><html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body><main>\
         <h1>{title}</h1>\
         <p>{text}</p>\
         <p><label for=\"kept\">{label}</label></p>\
         <textarea id=\"kept\" readonly rows=\"12\" cols=\"60\" dir=\"auto\">{kept}</textarea>\
         </main></body></html>",
        lang = language.tag,
        dir = language.dir,
        title = t("comment-lost-title"),
        text = t("comment-lost-text"),
        label = t("comment-lost-label"),
        kept = escape(body),
    );
    let mut res = personal_response(StatusCode::SERVICE_UNAVAILABLE, html);
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    res
}
