//! A post's permalink page: the article, its threaded comments, "Leave a Reply".
//!
//! The page a reader gets without personal parameters is cached and shared; a page
//! with a form error, a `?replytocom=` or the reader's own held comment is rendered
//! for them alone.

use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Redirect, Response};
use minijinja::context;

use super::{
    avatar_url, cached_response, iso, not_found_page, page_context, personal_response,
    post_language, PostView,
};
use crate::domain::comment::{Comment, CommentKind, CommentStatus};
use crate::domain::comment::{GuestInput, Problem};
use crate::domain::comment_pages::parse_segment;
use crate::domain::post::date_matches;
use crate::domain::post::{Post, PostKind};
use crate::domain::thread::{self, ThreadNode};
use crate::store::IdentityRow;
use crate::web::error::AppResult;
use crate::web::signin;
use crate::web::AppState;
use axum_extra::extract::cookie::CookieJar;

#[derive(Debug, Default, serde::Deserialize)]
pub struct PostQuery {
    replytocom: Option<String>,
    unapproved: Option<String>,
    #[serde(rename = "moderation-hash")]
    moderation_hash: Option<String>,
    auth_error: Option<String>,
}

/// What makes a page one reader's own.
#[derive(Debug, Default)]
pub struct Personal {
    pub form: GuestInput,
    pub problems: Vec<Problem>,
    /// A message about the whole form (e.g. "slow down").
    pub notice: Option<String>,
    pub reply_to: Option<i64>,
    /// The reader's own comment, still held for moderation.
    pub pending: Option<Comment>,
    /// The reader signed in with a provider.
    pub commenter: Option<IdentityRow>,
}

impl Personal {
    fn is_empty(&self) -> bool {
        self.problems.is_empty()
            && self.notice.is_none()
            && self.reply_to.is_none()
            && self.pending.is_none()
            && self.commenter.is_none()
            && self.form.body.is_empty()
            && self.form.name.is_empty()
    }
}

#[derive(Debug, serde::Serialize)]
struct CommentView {
    id: i64,
    author_name: String,
    author_url: Option<String>,
    avatar: String,
    date: String,
    iso: String,
    body_html: String,
    depth: usize,
    kind: CommentKind,
    can_reply: bool,
    pending: bool,
    children: Vec<CommentView>,
}

fn comment_views(state: &AppState, ui_lang: &str, nodes: Vec<ThreadNode>) -> Vec<CommentView> {
    let site = state.site();
    nodes
        .into_iter()
        .map(|n| CommentView {
            id: n.comment.id,
            avatar: avatar_url(state, &site, &n.comment.author_email),
            date: state.i18n.datetime(ui_lang, n.comment.created_at),
            iso: iso(n.comment.created_at),
            pending: n.comment.status != CommentStatus::Approved,
            author_name: n.comment.author_name,
            author_url: n.comment.author_url,
            body_html: n.comment.body_html,
            depth: n.depth,
            can_reply: n.can_reply && n.comment.kind == CommentKind::Comment,
            kind: n.comment.kind,
            children: comment_views(state, ui_lang, n.children),
        })
        .collect()
}

/// The comments of one comment page, and where that page sits among the others
/// (`None`: the thread is one page).
struct PageOfComments {
    comments: Vec<Comment>,
    nav: Option<(usize, usize, usize)>,
}

/// Reads the comments of comment page `page` (`None`: the page the post shows first,
/// or the one holding the comment being replied to). `None` when there is no such page.
async fn comments_of_page(
    state: &AppState,
    site: &crate::domain::settings::SiteSettings,
    post: &Post,
    page: Option<usize>,
    personal: &Personal,
) -> AppResult<Option<PageOfComments>> {
    let paging = super::comment_link::paging(site);
    let mut comments;
    let mut nav = None;
    let pending_here;
    if paging.may_split(post.comment_count.max(0) as usize) {
        let pages = super::comment_link::pages(state, post, paging).await?;
        let page = page
            .or_else(|| personal.reply_to.and_then(|id| pages.page_of(id)))
            .unwrap_or_else(|| pages.default_page());
        let Some(ids) = pages.on_page(page) else {
            return Ok(None);
        };
        let ids: Vec<i64> = ids.into_iter().collect();
        comments = state.store.approved_comments_among(post.id, &ids).await?;
        pending_here = personal
            .pending
            .as_ref()
            // One that would start a new page shows on the last page there is.
            .is_some_and(|p| pages.page_for_new(p.parent_id).min(pages.count()) == page);
        if pages.count() > 1 {
            nav = Some((page, pages.count(), pages.default_page()));
        }
    } else {
        if page.is_some_and(|p| p > 1) {
            return Ok(None);
        }
        comments = state.store.approved_comments(post.id).await?;
        pending_here = personal.pending.is_some();
    }
    if let Some(p) = personal.pending.clone().filter(|_| pending_here) {
        let at = comments.partition_point(|c| c.id < p.id);
        comments.insert(at, p);
    }
    Ok(Some(PageOfComments { comments, nav }))
}

/// The links between comment pages: WordPress's "Older comments" / "Newer comments"
/// and the page numbers, page `n` at `…/comment-page-n/` (the page shown first at
/// the post's own address).
fn page_links(post: &Post, (page, count, default): (usize, usize, usize)) -> minijinja::Value {
    let url = |n: usize| {
        if n == default {
            format!("{}#comments", post.permalink())
        } else {
            format!("{}comment-page-{n}/#comments", post.permalink())
        }
    };
    // WordPress's paginate_links: the first and last pages, two either side of this
    // one, and a gap ("…") between, so a thread of 600 pages has a short list.
    let mut pages = Vec::new();
    let mut last_shown = 0;
    for n in 1..=count {
        if n == 1 || n == count || n.abs_diff(page) <= 2 {
            if n > last_shown + 1 {
                pages.push(context! { gap => true });
            }
            pages.push(context! { n => n, url => url(n), current => n == page });
            last_shown = n;
        }
    }
    context! {
        page => page,
        count => count,
        older => (page > 1).then(|| url(page - 1)),
        newer => (page < count).then(|| url(page + 1)),
        pages => pages,
    }
}

/// Renders the post page at comment page `page` (`None`: the one shown first);
/// `personal` adds what only one reader sees. `None` when that page does not exist.
pub async fn render(
    state: &AppState,
    post: &Post,
    page: Option<usize>,
    personal: Personal,
) -> AppResult<Option<String>> {
    let site = state.site();
    let lang = post_language(&site, post);
    let ui_lang = lang.tag;
    let Some(PageOfComments { comments, nav }) =
        comments_of_page(state, &site, post, page, &personal).await?
    else {
        return Ok(None);
    };
    let reply_to = personal.reply_to.and_then(|id| {
        comments
            .iter()
            .find(|c| c.id == id && c.status == CommentStatus::Approved)
            .map(|c| (c.id, c.author_name.clone()))
    });
    let mut tree = thread::build(comments, site.thread_depth);
    if site.newest_comments_first {
        tree.reverse();
    }
    let views = comment_views(state, ui_lang, tree);
    let messages: Vec<(&str, String)> = personal
        .problems
        .iter()
        .map(|p| (p.field, super::problem_message(state, ui_lang, p)))
        .collect();
    let field_errors: std::collections::BTreeMap<&str, String> = messages.iter().cloned().collect();
    let errors: Vec<_> = messages
        .iter()
        .map(|(field, message)| context! { field => field, message => message })
        .collect();
    let view = PostView::new(state, ui_lang, post, true);
    let post_terms = state.store.post_terms(post.id).await?;
    let terms: Vec<_> = post_terms
        .iter()
        .map(|(kind, slug, name)| context! { kind => kind, slug => slug, name => name })
        .collect();
    let providers: Vec<_> = state
        .auth()
        .all()
        .map(|p| context! { name => p.name, label => p.label, initial => p.label.chars().next().unwrap_or('?').to_string() })
        .collect();
    let commenter = personal.commenter.as_ref().map(|c| {
        let label = state.auth().get(&c.provider).map(|p| p.label.clone()).unwrap_or_else(|| c.provider.clone());
        context! {
            name => c.name,
            avatar => c.avatar_url.clone().unwrap_or_else(|| avatar_url(state, &site, &format!("{}:{}", c.provider, c.subject))),
            provider => label,
            profile_url => c.profile_url,
        }
    });
    let (alternates, also_in, x_default, versions) = translations(state, &site, post).await?;
    let featured_row = match post.featured_media_id {
        Some(id) => state.store.media_by_id(id).await?,
        None => None,
    };
    let featured = featured_row.as_ref().and_then(featured_image);
    let canonical = match nav {
        Some((n, _, default)) if n != default => format!("{}comment-page-{n}/", post.permalink()),
        _ => post.permalink(),
    };
    let base = state.site.url();
    let preview = super::preview::preview(
        post,
        super::preview::PreviewInput {
            base: &base,
            site_title: &site.title,
            canonical_path: &canonical,
            summary: &view.summary,
            image: featured_row
                .as_ref()
                .and_then(|m| super::preview::PreviewImage::of(&base, m)),
            terms: post_terms.iter().map(|(k, _, n)| (*k, n.clone())).collect(),
            translations: versions,
        },
    );
    let ctx = page_context(&site, lang);
    Ok(Some(state.templates.render(
        "post.html",
        context! {
            comment_pages => nav.map(|n| page_links(post, n)),
            post => view,
            terms => terms,
            comments => views,
            comment_count => post.comment_count,
            comments_open => post.takes_comments(crate::store::now(), site.close_after_days),
            form => personal.form,
            errors => errors,
            field_errors => field_errors,
            notice => personal.notice,
            reply_to => reply_to.as_ref().map(|r| r.0),
            reply_to_name => reply_to.map(|r| r.1),
            max_comment_chars => site.max_comment_chars,
            providers => providers,
            commenter => commenter,
            alternates => alternates,
            also_in => also_in,
            x_default => x_default,
            featured => featured,
            preview => preview, ..ctx
        },
    )?))
}

/// The post's featured image as the page shows it above the text: the first thing a
/// reader sees, so fetched at once rather than lazily.
pub fn featured_image(media: &crate::store::MediaRow) -> Option<String> {
    media.picture().map(|p| {
        p.img(
            None,
            " class=\"featured-image\" fetchpriority=\"high\" decoding=\"async\"",
        )
    })
}

/// `<link rel="alternate">` entries, "Also in" entries, the `x-default` address, and
/// the versions' language tags.
type Translations = (
    Vec<minijinja::Value>,
    Vec<minijinja::Value>,
    Option<String>,
    Vec<String>,
);

/// A post's translations that readers can see: every version for
/// `<link rel="alternate" hreflang>` (itself included, with absolute addresses), the
/// others for "Also in: …", each named in its own language, and the `x-default`
/// version (the one in the site's language, else the first written).
async fn translations(
    state: &AppState,
    site: &crate::domain::settings::SiteSettings,
    post: &Post,
) -> AppResult<Translations> {
    let Some(group) = post.translation_group.as_deref() else {
        return Ok((Vec::new(), Vec::new(), None, Vec::new()));
    };
    let now = crate::store::now();
    let versions: Vec<Post> = state
        .store
        .translations(group)
        .await?
        .into_iter()
        .filter(|p| p.is_public(now))
        .collect();
    if versions.len() < 2 {
        return Ok((Vec::new(), Vec::new(), None, Vec::new()));
    }
    let base = state.site.url();
    let view = |p: &Post| {
        let lang = crate::i18n::shipped(&p.lang);
        context! {
            lang => lang.map_or(p.lang.as_str(), |l| l.tag),
            name => lang.map_or(p.lang.as_str(), |l| l.name),
            dir => lang.map_or("auto", |l| l.dir),
            title => p.title,
            url => p.permalink(),
            href => base.join(&p.permalink()),
        }
    };
    let alternates = versions.iter().map(view).collect();
    let also_in = versions
        .iter()
        .filter(|p| p.id != post.id)
        .map(view)
        .collect();
    let site_lang = super::site_language(site).tag;
    let default = versions
        .iter()
        .find(|p| crate::i18n::shipped(&p.lang).is_some_and(|l| l.tag == site_lang))
        .unwrap_or(&versions[0]);
    let langs = versions.iter().map(|p| p.lang.clone()).collect();
    Ok((
        alternates,
        also_in,
        Some(base.join(&default.permalink())),
        langs,
    ))
}

/// `/2026/11/26/slug` → `/2026/11/26/slug/`. The path is the reader's, so it is made
/// a path on this site first: `//evil.example/x/y` must not become the scheme-relative
/// `//evil.example/x/y/`, which a browser follows to another host.
pub async fn add_slash(uri: OriginalUri) -> Redirect {
    let mut to = super::site_path(&format!("{}/", uri.path()));
    if let Some(q) = uri.query() {
        to.push('?');
        to.push_str(q);
    }
    Redirect::permanent(&to)
}

/// A post at `/YYYY/MM/DD/slug/`.
pub async fn show(
    State(state): State<AppState>,
    Path((y, m, d, slug)): Path<(String, String, String, String)>,
    Query(query): Query<PostQuery>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let date = match (y.parse(), m.parse(), d.parse()) {
        (Ok(y), Ok(m), Ok(d)) => Some((y, m, d)),
        _ => Some((0, 0, 0)),
    };
    respond(state, slug, date, None, query, uri, headers).await
}

/// A comment page of a post: `/YYYY/MM/DD/slug/comment-page-N/`.
pub async fn show_comment_page(
    State(state): State<AppState>,
    Path((y, m, d, slug, segment)): Path<(String, String, String, String, String)>,
    Query(query): Query<PostQuery>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let date = match (y.parse(), m.parse(), d.parse()) {
        (Ok(y), Ok(m), Ok(d)) => Some((y, m, d)),
        _ => Some((0, 0, 0)),
    };
    // `…/slug/feed/`: the post's comments as RSS.
    if segment == "feed" {
        return super::feeds::post_comments(state, slug, date, None, uri, headers).await;
    }
    let Some(page) = parse_segment(&segment) else {
        return Ok(not_found_page(&state));
    };
    respond(state, slug, date, Some(page), query, uri, headers).await
}

/// A comment page of a page: `/slug/comment-page-N/`.
pub async fn show_page_comment_page(
    State(state): State<AppState>,
    Path((slug, segment)): Path<(String, String)>,
    Query(query): Query<PostQuery>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    // `/ar/feed/` (a language's posts) or `/about/feed/` (a page's comments).
    if segment == "feed" {
        return super::feeds::language_or_page(state, slug, None, uri, headers).await;
    }
    let Some(page) = parse_segment(&segment) else {
        return Ok(not_found_page(&state));
    };
    respond(state, slug, None, Some(page), query, uri, headers).await
}

/// A page at `/slug/` (a post asked for that way is sent to its dated address).
pub async fn show_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<PostQuery>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    // `/ar/`, `/ckb/`…: a language's listing (a page cannot take a language's tag).
    if let Some(lang) = crate::i18n::SHIPPED.iter().find(|l| l.tag == slug) {
        return super::home::language(state, lang, uri, headers).await;
    }
    respond(state, slug, None, None, query, uri, headers).await
}

async fn respond(
    state: AppState,
    slug: String,
    date: Option<(i32, u8, u8)>,
    page: Option<usize>,
    query: PostQuery,
    uri: OriginalUri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let key = uri.path().to_string();
    let jar = CookieJar::from_headers(&headers);
    let has_personal_cookie =
        jar.get(signin::COMMENTER_COOKIE).is_some() || jar.get(signin::BROWSER_COOKIE).is_some();
    let personal_request = query.replytocom.is_some()
        || query.unapproved.is_some()
        || query.auth_error.is_some()
        || has_personal_cookie;
    if !personal_request {
        if let Some(hit) = state.cache.get(&key) {
            state.metrics.page_cache_hits.inc();
            return Ok(cached_response(hit, &headers));
        }
    }
    state.metrics.page_cache_misses.inc();
    let generation = state.cache.generation();
    let Some(post) = state.store.post_by_slug(&slug).await? else {
        // A slug changed in the editor: its old address sends readers on (301).
        if let Some(moved) = state.store.post_by_old_slug(&slug).await? {
            if moved.is_public(crate::store::now()) {
                let to = match page {
                    Some(n) => format!("{}comment-page-{n}/", moved.permalink()),
                    None => moved.permalink(),
                };
                return Ok(super::moved_permanently(&to));
            }
        }
        return Ok(not_found_page(&state));
    };
    let now = crate::store::now();
    if !post.is_public(now) {
        return Ok(not_found_page(&state));
    }
    let published = post.published_at.unwrap_or(post.created_at);
    let address_ok = match (date, post.kind) {
        (Some((y, m, d)), PostKind::Post) => date_matches(published, y, m, d),
        (None, PostKind::Page) => true,
        _ => false,
    };
    if !address_ok {
        let to = match page {
            Some(n) => format!("{}comment-page-{n}/", post.permalink()),
            None => post.permalink(),
        };
        return Ok(super::moved_permanently(&to));
    }

    let mut personal = Personal {
        reply_to: query.replytocom.as_deref().and_then(|s| s.parse().ok()),
        ..Personal::default()
    };
    if let (Some(id), Some(hash)) = (
        query.unapproved.as_deref(),
        query.moderation_hash.as_deref(),
    ) {
        if let Ok(id) = id.parse::<i64>() {
            let expected = crate::links::held_comment_hash(&state.site, id);
            if crate::token::constant_time_eq(&expected, hash) {
                personal.pending = state
                    .store
                    .comment_by_id(id)
                    .await?
                    // A comment a rule sent to spam reads as held to its author: the
                    // answer says nothing a spammer could learn from.
                    .filter(|c| {
                        c.post_id == post.id
                            && matches!(c.status, CommentStatus::Pending | CommentStatus::Spam)
                    });
            }
        }
    }
    if has_personal_cookie {
        personal.commenter = signin::commenter(&state, &jar).await;
        if let Some(draft) = signin::draft_for(&state, &jar, post.id).await {
            personal.form = draft.form;
            if draft.parent_id > 0 && personal.reply_to.is_none() {
                personal.reply_to = Some(draft.parent_id);
            }
        }
    }
    if let Some(code) = query.auth_error.as_deref() {
        let lang = post_language(&state.site(), &post);
        personal.notice = signin::error_message(&state, lang.tag, code);
    }
    let personal_page =
        !personal.is_empty() || query.replytocom.is_some() || query.unapproved.is_some();
    let Some(html) = render(&state, &post, page, personal).await? else {
        return Ok(not_found_page(&state));
    };
    if personal_page {
        return Ok(personal_response(StatusCode::OK, html));
    }
    let cached = state.cache.insert(&key, html, generation);
    Ok(cached_response(cached, &headers))
}
