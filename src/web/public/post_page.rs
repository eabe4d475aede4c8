//! A post's permalink page: the article, its threaded comments, "Leave a Reply".
//!
//! The page a reader gets without personal parameters is cached and shared. A signed-in
//! reader, a form error, a `?replytocom=` or the reader's own held comment changes only
//! "Leave a Reply" (`respond.html`): that part is drawn for them alone and put in the
//! cached page's place for it, so the thread is not drawn again.

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
use crate::i18n::I18n;
use crate::store::IdentityRow;
use crate::web::cache::{CachedPage, DrawnKey};
use crate::web::encoding::{self, Encoding};
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

/// A comment as the templates see it: its fields, its replies, and its markup as
/// `comment.html`'s `comment_body` draws it (filled in by [`draw_comments`]).
#[derive(Clone, Debug, serde::Serialize)]
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
    html: Option<minijinja::Value>,
}

impl CommentView {
    /// Everything its markup is drawn from, with the page's language and whether the
    /// post takes comments, hashed (each field with its length, so no two differ only
    /// in where one ends).
    fn drawn_key(&self, ui_lang: &str, comments_open: bool) -> crate::web::cache::DrawnKey {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        let mut field = |bytes: &[u8]| {
            h.update(&(bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        field(ui_lang.as_bytes());
        field(&[
            u8::from(comments_open),
            u8::from(self.can_reply),
            u8::from(self.pending),
        ]);
        field(&self.id.to_le_bytes());
        field(&(self.depth as u64).to_le_bytes());
        field(self.kind.as_str().as_bytes());
        field(self.author_name.as_bytes());
        field(self.author_url.as_deref().unwrap_or("\0none").as_bytes());
        field(self.avatar.as_bytes());
        field(self.date.as_bytes());
        field(self.iso.as_bytes());
        field(self.body_html.as_bytes());
        h.digest128()
    }
}

/// A drawn comment as the page template sees it: its fields made template values only
/// when the template reads them (a thread is not copied field by field into values
/// for a loop that reads a handful of them).
#[derive(Debug)]
struct CommentItem {
    view: CommentView,
    children: minijinja::Value,
}

impl CommentItem {
    const FIELDS: &'static [&'static str] = &[
        "id",
        "author_name",
        "author_url",
        "avatar",
        "date",
        "iso",
        "body_html",
        "depth",
        "kind",
        "can_reply",
        "pending",
        "children",
        "html",
    ];

    /// The thread as the page template's `comments`.
    fn values(views: Vec<CommentView>) -> Vec<minijinja::Value> {
        views
            .into_iter()
            .map(|mut view| {
                let children =
                    minijinja::Value::from(Self::values(std::mem::take(&mut view.children)));
                minijinja::Value::from_object(CommentItem { view, children })
            })
            .collect()
    }
}

impl minijinja::value::Object for CommentItem {
    fn get_value(self: &std::sync::Arc<Self>, key: &minijinja::Value) -> Option<minijinja::Value> {
        use minijinja::Value;
        let v = &self.view;
        Some(match key.as_str()? {
            "id" => Value::from(v.id),
            "author_name" => Value::from(v.author_name.as_str()),
            "author_url" => Value::from(v.author_url.as_deref()),
            "avatar" => Value::from(v.avatar.as_str()),
            "date" => Value::from(v.date.as_str()),
            "iso" => Value::from(v.iso.as_str()),
            "body_html" => Value::from(v.body_html.as_str()),
            "depth" => Value::from(v.depth),
            "kind" => Value::from(v.kind.as_str()),
            "can_reply" => Value::from(v.can_reply),
            "pending" => Value::from(v.pending),
            "children" => self.children.clone(),
            "html" => v.html.clone().unwrap_or(Value::from(())),
            _ => return None,
        })
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Str(Self::FIELDS)
    }
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
            html: None,
        })
        .collect()
}

/// Fills in every comment's `html`: as drawn before where the same comment was drawn
/// with the same language and the same open or closed discussion (the page cache's
/// drawn comments), else drawn now with `comment.html` and kept. A page drawn again
/// after one new comment draws that one comment.
fn draw_comments(
    state: &AppState,
    ui_lang: &str,
    comments_open: bool,
    views: &mut [CommentView],
) -> AppResult<()> {
    fn keys(views: &[CommentView], ui_lang: &str, open: bool, out: &mut Vec<DrawnKey>) {
        for v in views {
            out.push(v.drawn_key(ui_lang, open));
            keys(&v.children, ui_lang, open, out);
        }
    }
    type Draw<'a> = &'a dyn Fn(&[minijinja::Value]) -> Result<String, minijinja::Error>;
    /// Gives each view, in the order `keys` met them, its markup: known, or drawn.
    fn fill(
        views: &mut [CommentView],
        known: &mut impl Iterator<Item = (DrawnKey, Option<crate::web::cache::Drawn>)>,
        (draw, open): (Option<Draw<'_>>, bool),
        fresh: &mut Vec<(DrawnKey, crate::web::cache::Drawn)>,
    ) -> Result<(), minijinja::Error> {
        for v in views {
            let (key, drawn) = known.next().expect("one key a comment");
            v.html = Some(match (drawn, draw) {
                (Some(html), _) => html,
                (None, Some(draw)) => {
                    // The macro sees the comment without its replies.
                    let replies = std::mem::take(&mut v.children);
                    let html = draw(&[
                        minijinja::Value::from_serialize(&*v),
                        minijinja::Value::from(open),
                    ]);
                    v.children = replies;
                    let html = minijinja::Value::from_safe_string(html?);
                    fresh.push((key, html.clone()));
                    html
                }
                (None, None) => unreachable!("drawn with a macro when any is missing"),
            });
            fill(&mut v.children, known, (draw, open), fresh)?;
        }
        Ok(())
    }
    let mut wanted = Vec::new();
    keys(views, ui_lang, comments_open, &mut wanted);
    let generation = state.cache.drawn_generation();
    let known = state.cache.drawn(&wanted);
    let all_known = known.iter().all(Option::is_some);
    let mut known = wanted.into_iter().zip(known);
    let mut fresh = Vec::new();
    if all_known {
        fill(views, &mut known, (None, comments_open), &mut fresh)?;
    } else if !state.templates.overridden("comment.html") {
        // The built-in comment.html's macro, written out in Rust: the same bytes
        // (`tests::the_builtin_comment_markup_is_the_templates`) at a tenth of the cost.
        let words = Labels::new(&state.i18n, ui_lang);
        fill_builtin(views, &mut known, (&words, comments_open), &mut fresh);
    } else {
        state.templates.with_macro(
            ("comment.html", "comment_body"),
            context! { ui_lang => ui_lang },
            |draw| fill(views, &mut known, (Some(draw), comments_open), &mut fresh),
        )?;
    }
    state.metrics.comments_drawn.inc_by(fresh.len() as u64);
    state.cache.keep_drawn(fresh, generation);
    Ok(())
}

/// [`draw_comments`]'s `fill` for the built-in `comment.html`: each comment not known
/// drawn by [`builtin_comment_body`].
fn fill_builtin(
    views: &mut [CommentView],
    known: &mut impl Iterator<Item = (DrawnKey, Option<crate::web::cache::Drawn>)>,
    (words, open): (&Labels, bool),
    fresh: &mut Vec<(DrawnKey, crate::web::cache::Drawn)>,
) {
    for v in views.iter_mut() {
        let (key, drawn) = known.next().expect("one key a comment");
        v.html = Some(drawn.unwrap_or_else(|| {
            let html = minijinja::Value::from_safe_string(builtin_comment_body(v, open, words));
            fresh.push((key, html.clone()));
            html
        }));
        fill_builtin(&mut v.children, known, (words, open), fresh);
    }
}

/// What the built-in `comments.html`'s `{% for c in comments recursive %}` loop draws
/// for a thread whose comments are drawn (`html` filled in), byte for byte; the page
/// then walks no template loop over the thread. A theme's `comments.html` loops itself.
fn builtin_comment_list(views: &[CommentView]) -> String {
    fn items(views: &[CommentView], out: &mut String) {
        for v in views {
            out.push_str("    <li id=\"comment-");
            out.push_str(&v.id.to_string());
            out.push_str("\" class=\"");
            out.push_str(v.kind.as_str());
            out.push_str(" depth-");
            out.push_str(&v.depth.to_string());
            if v.pending {
                out.push_str(" comment-pending");
            }
            out.push_str("\">\n      ");
            out.push_str(v.html.as_ref().and_then(|h| h.as_str()).unwrap_or_default());
            out.push('\n');
            if !v.children.is_empty() {
                out.push_str("<ol class=\"children\">");
                items(&v.children, out);
                out.push_str("</ol>");
            }
            out.push_str("    </li>\n");
        }
    }
    fn size(views: &[CommentView]) -> usize {
        views
            .iter()
            .map(|v| {
                160 + v.html.as_ref().and_then(|h| h.as_str()).map_or(0, str::len)
                    + size(&v.children)
            })
            .sum()
    }
    let mut out = String::with_capacity(size(views));
    items(views, &mut out);
    out
}

/// The words of the built-in comment markup in one language, looked up once a page.
struct Labels {
    reply: String,
    awaiting: String,
    /// "Reply to …" with [`Labels::NAME`] where the name goes.
    reply_to: String,
    /// A pingback's, trackback's, webmention's kind, in that order.
    kinds: [String; 3],
}

impl Labels {
    /// Stands for the commenter's name in `reply_to` (a private-use character no
    /// message has; the name is put in its place as Fluent would have put it, between
    /// the same isolation marks).
    const NAME: &'static str = "\u{F8FF}";

    fn new(i18n: &I18n, lang: &str) -> Labels {
        Labels {
            reply: i18n.tr(lang, "reply", &[]),
            awaiting: i18n.tr(lang, "awaiting-moderation", &[]),
            reply_to: i18n.tr(lang, "reply-to", &[("name", Labels::NAME.into())]),
            kinds: [
                CommentKind::Pingback,
                CommentKind::Trackback,
                CommentKind::Webmention,
            ]
            .map(|k| i18n.tr(lang, &format!("comment-type-{}", k.as_str()), &[])),
        }
    }

    fn kind(&self, kind: CommentKind) -> &str {
        match kind {
            CommentKind::Pingback => &self.kinds[0],
            CommentKind::Trackback => &self.kinds[1],
            _ => &self.kinds[2],
        }
    }
}

/// What the built-in `comment.html`'s `comment_body(c, comments_open)` draws, byte for
/// byte (its whitespace as `trim_blocks` and `lstrip_blocks` leave it), with the words
/// of one language. A theme that replaces `comment.html` is drawn with its own macro.
fn builtin_comment_body(c: &CommentView, open: bool, words: &Labels) -> String {
    use crate::render::templates::push_escaped as esc;
    let mut out = String::with_capacity(640 + c.body_html.len());
    let id = c.id.to_string();
    out.push_str("<article class=\"comment-body\" id=\"div-comment-");
    out.push_str(&id);
    out.push_str("\">\n  <footer class=\"comment-meta\">\n    <img class=\"avatar\" src=\"");
    esc(&mut out, &c.avatar);
    out.push_str(
        "\" alt=\"\" width=\"48\" height=\"48\" loading=\"lazy\" decoding=\"async\">\n    <b class=\"comment-author fn\"",
    );
    let plain = c.kind == CommentKind::Comment;
    if plain {
        out.push_str(" dir=\"auto\">");
    } else {
        out.push_str("><span class=\"comment-type\">");
        esc(&mut out, words.kind(c.kind));
        out.push_str("</span> <bdi>");
    }
    match c.author_url.as_deref().filter(|u| !u.is_empty()) {
        Some(url) => {
            out.push_str("<a href=\"");
            esc(&mut out, url);
            out.push_str("\" rel=\"external nofollow ugc\" class=\"url\">");
            esc(&mut out, &c.author_name);
            out.push_str("</a>");
        }
        None => esc(&mut out, &c.author_name),
    }
    if !plain {
        out.push_str("</bdi>");
    }
    out.push_str("</b>\n    <a class=\"comment-permalink\" href=\"#comment-");
    out.push_str(&id);
    out.push_str("\"><time datetime=\"");
    esc(&mut out, &c.iso);
    out.push_str("\">");
    esc(&mut out, &c.date);
    out.push_str("</time></a>\n");
    if c.pending {
        out.push_str("<p class=\"comment-awaiting-moderation\">");
        esc(&mut out, &words.awaiting);
        out.push_str("</p>");
    }
    out.push_str("  </footer>\n  <div class=\"comment-content\" dir=\"auto\">");
    out.push_str(&c.body_html);
    out.push_str("</div>\n");
    if c.can_reply && open && !c.pending {
        out.push_str(
            "  <a rel=\"nofollow\" class=\"comment-reply-link reply\" href=\"?replytocom=",
        );
        out.push_str(&id);
        out.push_str("#respond\" data-commentid=\"");
        out.push_str(&id);
        out.push_str("\" data-author=\"");
        esc(&mut out, &c.author_name);
        out.push_str("\" aria-label=\"");
        esc(
            &mut out,
            &words.reply_to.replace(Labels::NAME, &c.author_name),
        );
        out.push_str("\">");
        esc(&mut out, &words.reply);
        out.push_str("</a>\n");
    }
    out.push_str("</article>");
    out
}

/// The comments of one comment page, and where that page sits among the others
/// (`None`: the thread is one page).
struct PageOfComments {
    comments: Vec<Comment>,
    nav: Option<(usize, usize, usize)>,
    /// The reader's own held comment belongs on this page (where it will show once
    /// approved).
    pending_here: bool,
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
    let comments;
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
            .is_some_and(|p| held_shows_on(&pages, page, p));
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
    Ok(Some(PageOfComments {
        comments,
        nav,
        pending_here,
    }))
}

/// Whether the reader's held comment belongs on comment page `page`: where it will
/// show once approved (one that would start a new page, on the last page there is).
fn held_shows_on(
    pages: &crate::domain::comment_pages::CommentPages,
    page: usize,
    held: &Comment,
) -> bool {
    pages.page_for_new(held.parent_id).min(pages.count()) == page
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

/// The reader's own part of the post page (the form as they left it, what they were
/// told, whom they answer, their held comment) as `respond.html` sees it.
/// `comments_open`: whether the post takes comments now, as the thread was drawn with.
fn respond_context(
    state: &AppState,
    site: &crate::domain::settings::SiteSettings,
    comments_open: bool,
    ui_lang: &str,
    personal: Personal,
    reply_to: Option<(i64, String)>,
    held_here: bool,
) -> minijinja::Value {
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
    let providers: Vec<_> = state
        .auth()
        .all()
        .map(|p| context! { name => p.name, label => p.label, initial => p.label.chars().next().unwrap_or('?').to_string() })
        .collect();
    let commenter = personal.commenter.as_ref().map(|c| {
        let label = state.auth().get(&c.provider).map(|p| p.label.clone()).unwrap_or_else(|| c.provider.clone());
        context! {
            name => c.name,
            avatar => c.avatar_url.clone().unwrap_or_else(|| avatar_url(state, site, &format!("{}:{}", c.provider, c.subject))),
            provider => label,
            profile_url => c.profile_url,
        }
    });
    let own_pending = personal.pending.filter(|_| held_here).map(|c| {
        let node = ThreadNode {
            comment: c,
            depth: 1,
            can_reply: false,
            children: Vec::new(),
        };
        comment_views(state, ui_lang, vec![node]).remove(0)
    });
    context! {
        comments_open => comments_open,
        form => personal.form,
        errors => errors,
        field_errors => field_errors,
        notice => personal.notice,
        reply_to => reply_to.as_ref().map(|r| r.0),
        reply_to_name => reply_to.map(|r| r.1),
        max_comment_chars => site.max_comment_chars,
        providers => providers,
        commenter => commenter,
        own_pending => own_pending,
    }
}

/// Where `respond.html` sits in a drawn post page (`comments.html` marks it).
const RESPOND_MARKS: (&str, &str) = ("<!--tribune:respond-->", "<!--/tribune:respond-->");

/// Where the reader's part goes in a drawn post page: the byte range between the last
/// pair of respond marks (the last: a post's own HTML, above, cannot move it). `None`
/// when a theme's template has no marks. Found once, when the page is cached.
fn respond_marks(page: &str) -> Option<(usize, usize)> {
    let (open, close) = RESPOND_MARKS;
    let start = page.rfind(open)? + open.len();
    let end = start + page[start..].find(close)?;
    Some((start, end))
}

/// `page` with the range `at` replaced by `part`.
fn splice(page: &[u8], (start, end): (usize, usize), part: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(page.len() + part.len());
    out.extend_from_slice(&page[..start]);
    out.extend_from_slice(part.as_bytes());
    out.extend_from_slice(&page[end..]);
    out
}

/// The post page at comment page `page` (`None`: the one shown first) for a reader
/// with a part of their own (`personal`): the page every reader gets (`public`, from
/// the cache), with only their part drawn and put in its place. Drawn whole when a
/// theme's page has no place marked for it. `None` when that page does not exist.
pub async fn render_for(
    state: &AppState,
    post: &Post,
    page: Option<usize>,
    personal: Personal,
    public: &CachedPage,
) -> AppResult<Option<Vec<u8>>> {
    Ok(match draw_for(state, post, page, personal, public).await? {
        None => None,
        Some(Drawn::Whole(page)) => Some(page),
        Some(Drawn::Part(part, at)) => Some(splice(&public.body, at, &part)),
    })
}

/// What [`render_for`] puts together: the reader's part alone when the cached page has
/// its place marked.
async fn draw_for(
    state: &AppState,
    post: &Post,
    page: Option<usize>,
    personal: Personal,
    public: &CachedPage,
) -> AppResult<Option<Drawn>> {
    let Some(at) = public.respond_at else {
        let whole = render(state, post, page, personal).await?;
        return Ok(whole.map(|w| Drawn::Whole(w.into_bytes())));
    };
    let site = state.site();
    let lang = post_language(&site, post);
    let reply_to = match personal.reply_to {
        Some(id) => state
            .store
            .comment_by_id(id)
            .await?
            .filter(|c| c.post_id == post.id && c.status == CommentStatus::Approved)
            .map(|c| (c.id, c.author_name)),
        None => None,
    };
    let held_here = match &personal.pending {
        None => false,
        Some(held) => {
            let paging = super::comment_link::paging(&site);
            if paging.may_split(post.comment_count.max(0) as usize) {
                let pages = super::comment_link::pages(state, post, paging).await?;
                held_shows_on(&pages, page.unwrap_or_else(|| pages.default_page()), held)
            } else {
                page.unwrap_or(1) <= 1
            }
        }
    };
    let open = post.takes_comments(crate::store::now(), site.close_after_days);
    let ctx = respond_context(state, &site, open, lang.tag, personal, reply_to, held_here);
    let part = state.templates.render(
        "respond.html",
        context! {
            post => context! { id => post.id, url => post.permalink() },
            ..minijinja::value::merge_maps([ctx, page_context(&site, lang)])
        },
    )?;
    Ok(Some(Drawn::Part(part, at)))
}

/// A post page as drawn for one reader: whole, or their part for the cached page's
/// marked place.
pub enum Drawn {
    Whole(Vec<u8>),
    Part(String, (usize, usize)),
}

/// The post's first page for a reader with a part of their own (a refused form): the
/// cached page with their part in it, or, when no reader asked for the page lately,
/// drawn whole.
pub async fn render_personal(
    state: &AppState,
    post: &Post,
    personal: Personal,
) -> AppResult<Option<Vec<u8>>> {
    match state.cache.get(&post.permalink()) {
        Some(public) => {
            state.metrics.page_cache_hits.inc();
            render_for(state, post, None, personal, &public).await
        }
        None => {
            state.metrics.page_cache_misses.inc();
            let whole = render(state, post, None, personal).await?;
            Ok(whole.map(String::into_bytes))
        }
    }
}

/// Draws the whole post page at comment page `page` (`None`: the one shown first);
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
    let Some(PageOfComments {
        comments,
        nav,
        pending_here,
    }) = comments_of_page(state, &site, post, page, &personal).await?
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
    let mut views = comment_views(state, ui_lang, tree);
    let comments_open = post.takes_comments(crate::store::now(), site.close_after_days);
    draw_comments(state, ui_lang, comments_open, &mut views)?;
    // The thread as the built-in comments.html's loop writes it, put in the drawn page
    // at a mark (one copy; through the template it was copied into a value, then into
    // the page's growing buffer).
    let comment_list = (!state.templates.overridden("comments.html"))
        .then(|| builtin_comment_list(&views))
        .filter(|list| !list.is_empty());
    let view = PostView::new(state, ui_lang, post, true);
    let post_terms = state.store.post_terms(post.id).await?;
    let terms: Vec<_> = post_terms
        .iter()
        .map(|(kind, slug, name)| context! { kind => kind, slug => slug, name => name })
        .collect();
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
    let respond = respond_context(
        state,
        &site,
        comments_open,
        ui_lang,
        personal,
        reply_to,
        pending_here,
    );
    let ctx = page_context(&site, lang);
    let page = state.templates.render(
        "post.html",
        context! {
            comment_pages => nav.map(|n| page_links(post, n)),
            post => view,
            terms => terms,
            comments => CommentItem::values(views),
            comment_list => comment_list.as_ref().map(|_| minijinja::Value::from_safe_string(COMMENT_LIST_MARK.to_string())),
            comment_count => post.comment_count,
            alternates => alternates,
            also_in => also_in,
            x_default => x_default,
            featured => featured,
            preview => preview, ..minijinja::value::merge_maps([respond, ctx])
        },
    )?;
    Ok(Some(match comment_list {
        Some(list) => put_comment_list(page, &list),
        None => page,
    }))
}

/// Where [`builtin_comment_list`]'s thread goes in a drawn post page.
const COMMENT_LIST_MARK: &str = "<!--tribune:comment-list-->";

/// `page` with the thread in place of its mark: the last one, as with the respond marks
/// (a post's own HTML comes above the thread). A theme's post.html that leaves out
/// comments.html has no mark, and no thread.
fn put_comment_list(page: String, list: &str) -> String {
    match page.rfind(COMMENT_LIST_MARK) {
        Some(at) => {
            let mut out = String::with_capacity(page.len() + list.len());
            out.push_str(&page[..at]);
            out.push_str(list);
            out.push_str(&page[at + COMMENT_LIST_MARK.len()..]);
            out
        }
        None => page,
    }
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
    if let Some(hit) = state.cache.get(&key) {
        state.metrics.page_cache_hits.inc();
        match hit.post.clone() {
            Some(post) if personal_request => {
                // The page was drawn for this address, so the post was checked then.
                let personal =
                    personal_of(&state, &post, &query, &jar, has_personal_cookie).await?;
                return personal_page(&state, &post, page, personal, hit, &headers).await;
            }
            _ => return Ok(cached_response(hit, &headers)),
        }
    }
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
    // The page every reader gets, drawn and kept; a reader's own part is then drawn
    // alone and put in its place.
    state.metrics.page_cache_misses.inc();
    let Some(html) = render(&state, &post, page, Personal::default()).await? else {
        return Ok(not_found_page(&state));
    };
    let post = std::sync::Arc::new(post);
    let at = respond_marks(&html);
    let public = state
        .cache
        .insert_post_page(&key, html, generation, (post.clone(), at));
    if !personal_request {
        return Ok(cached_response(public, &headers));
    }
    let personal = personal_of(&state, &post, &query, &jar, has_personal_cookie).await?;
    personal_page(&state, &post, page, personal, public, &headers).await
}

/// What of the page is this reader's own: the comment they reply to, their held comment
/// (with the key its link carries), their sign-in and what they typed before it, a
/// sign-in's error.
async fn personal_of(
    state: &AppState,
    post: &Post,
    query: &PostQuery,
    jar: &CookieJar,
    has_personal_cookie: bool,
) -> AppResult<Personal> {
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
        personal.commenter = signin::commenter(state, jar).await;
        if let Some(draft) = signin::draft_for(state, jar, post.id).await {
            personal.form = draft.form;
            if draft.parent_id > 0 && personal.reply_to.is_none() {
                personal.reply_to = Some(draft.parent_id);
            }
        }
    }
    if let Some(code) = query.auth_error.as_deref() {
        let lang = post_language(&state.site(), post);
        personal.notice = signin::error_message(state, lang.tag, code);
    }
    Ok(personal)
}

/// The cached page `public` with this reader's part in it (`private, no-store`), or the
/// cached page itself when nothing of it is theirs after all (a cookie that signs in
/// no one).
async fn personal_page(
    state: &AppState,
    post: &Post,
    page: Option<usize>,
    personal: Personal,
    public: CachedPage,
    headers: &HeaderMap,
) -> AppResult<Response> {
    if personal.is_empty() {
        return Ok(cached_response(public, headers));
    }
    let html = match draw_for(state, post, page, personal, &public).await? {
        None => return Ok(not_found_page(state)),
        // A reader who takes zstd gets the page's kept frames around their part's.
        Some(Drawn::Part(part, at)) if Encoding::takes_zstd(headers) => {
            let body = public.forms.zstd_spliced(&public.body, at, &part);
            let mut response = personal_response(StatusCode::OK, body);
            encoding::mark(response.headers_mut(), Encoding::Zstd);
            return Ok(response);
        }
        Some(Drawn::Part(part, at)) => splice(&public.body, at, &part),
        Some(Drawn::Whole(page)) => page,
    };
    Ok(personal_response(StatusCode::OK, html))
}

#[cfg(test)]
mod tests {
    use super::{
        builtin_comment_body, builtin_comment_list, respond_marks, splice, CommentItem,
        CommentKind, CommentView, Labels,
    };

    fn view(n: u32) -> CommentView {
        let names = [
            "Ada",
            "Dr. O'Brien & \"Sons\" <script>",
            "سارا محمدی",
            "ژیلا (Jîla) ✓",
            "",
        ];
        let kinds = [
            CommentKind::Comment,
            CommentKind::Pingback,
            CommentKind::Trackback,
            CommentKind::Webmention,
        ];
        let urls = [
            None,
            Some(String::new()),
            Some("https://example.org/a?b=1&c=\"2\"".to_string()),
        ];
        CommentView {
            id: 1000 + i64::from(n),
            author_name: names[n as usize % names.len()].to_string(),
            author_url: urls[n as usize % urls.len()].clone(),
            avatar: format!("/avatar/{n}.svg?x=1&y='2'"),
            date: "6 December 2026 at 03:04".to_string(),
            iso: "2026-12-06T03:04:05Z".to_string(),
            body_html: format!("<p>Body {n} &amp; <em>more</em></p>\n<p>two</p>"),
            depth: n as usize % 3,
            kind: kinds[(n / 5) as usize % kinds.len()],
            can_reply: n % 7 != 3,
            pending: n % 4 == 1,
            children: Vec::new(),
            html: None,
        }
    }

    /// The shipped templates, with the languages they speak.
    fn builtin_templates() -> (std::sync::Arc<crate::i18n::I18n>, crate::render::Templates) {
        let i18n = std::sync::Arc::new(crate::i18n::I18n::new());
        let assets = crate::render::Assets::load(None).unwrap();
        let templates = crate::render::Templates::new(None, i18n.clone(), &assets).unwrap();
        (i18n, templates)
    }

    /// The Rust drawing of the built-in comment markup is the template's, byte for
    /// byte, for every kind, name, address, state and language.
    #[test]
    fn the_builtin_comment_markup_is_the_templates() {
        let (i18n, templates) = builtin_templates();
        assert!(!templates.overridden("comment.html"));
        for lang in ["en", "ar", "ckb", "fa", "kmr", "tr"] {
            templates
                .with_macro(
                    ("comment.html", "comment_body"),
                    minijinja::context! { ui_lang => lang },
                    |draw| {
                        let words = Labels::new(&i18n, lang);
                        for n in 0..60 {
                            let c = view(n);
                            for open in [true, false] {
                                let by_template = draw(&[
                                    minijinja::Value::from_serialize(&c),
                                    minijinja::Value::from(open),
                                ])?;
                                assert_eq!(
                                    builtin_comment_body(&c, open, &words),
                                    by_template,
                                    "{lang}, comment {n}, open {open}"
                                );
                            }
                        }
                        Ok(())
                    },
                )
                .unwrap();
        }
    }

    /// The Rust drawing of the built-in thread (`comment_list`) is the template loop's,
    /// byte for byte: replies nested three deep, held comments, kinds, no comments.
    #[test]
    fn the_builtin_comment_list_is_the_templates_loop() {
        let (_, templates) = builtin_templates();
        assert!(!templates.overridden("comments.html"));
        let drawn = |n: u32| {
            let mut v = view(n);
            v.html = Some(minijinja::Value::from_safe_string(format!(
                "<article id=\"{n}\">x &amp; y</article>"
            )));
            v
        };
        let threads: Vec<Vec<CommentView>> = vec![
            vec![],
            vec![drawn(1)],
            (0..12)
                .map(|n| {
                    let mut top = drawn(n);
                    if n % 3 == 0 {
                        let mut reply = drawn(100 + n);
                        reply.children = vec![drawn(200 + n), drawn(300 + n)];
                        top.children = vec![reply, drawn(400 + n)];
                    }
                    top
                })
                .collect(),
        ];
        for thread in threads {
            let page = |list: Option<minijinja::Value>, thread: &[CommentView]| {
                let again = thread.to_vec();
                templates
                    .render(
                        "comments.html",
                        minijinja::context! {
                            ui_lang => "en",
                            comment_count => thread.len(),
                            post => minijinja::context! { title => "T" },
                            comments => CommentItem::values(again),
                            comment_list => list,
                            form => minijinja::context! { body => "" },
                        },
                    )
                    .unwrap()
            };
            let by_loop = page(None, &thread);
            let list = builtin_comment_list(&thread);
            let by_rust = if list.is_empty() {
                page(None, &thread)
            } else {
                let marked = page(
                    Some(minijinja::Value::from_safe_string(
                        super::COMMENT_LIST_MARK.to_string(),
                    )),
                    &thread,
                );
                super::put_comment_list(marked, &list)
            };
            assert_eq!(by_rust, by_loop);
            if thread.iter().any(|c| !c.children.is_empty()) {
                assert!(by_loop.contains("<ol class=\"children\">"), "{by_loop}");
            }
        }
    }

    #[test]
    fn a_readers_part_takes_the_place_marked_for_it_and_only_that() {
        let page = "<article><!--tribune:respond-->in a post<!--/tribune:respond--></article>\
                    <ol>thread</ol><!--tribune:respond--><form>anyone</form><!--/tribune:respond--><footer>";
        let at = respond_marks(page).unwrap();
        assert_eq!(
            String::from_utf8(splice(page.as_bytes(), at, "<form>Ada's</form>")).unwrap(),
            "<article><!--tribune:respond-->in a post<!--/tribune:respond--></article>\
             <ol>thread</ol><!--tribune:respond--><form>Ada's</form><!--/tribune:respond--><footer>",
            "the last marks are the template's; a post's own text above stays"
        );
        assert_eq!(respond_marks("<form>a theme without marks</form>"), None);
        assert_eq!(respond_marks("<!--tribune:respond--> unclosed"), None);
    }
}
