//! Writing posts: the list, the editor with preview, saving.

use std::collections::HashMap;

use crate::web::input::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::{page, problem_messages, staff_context};
use crate::domain::comment::Problem;
use crate::domain::post::{format_datetime_local, BodyFormat, Post, PostInput, PostStatus};
use crate::domain::term::TermKind;
use crate::i18n::{shipped, SHIPPED};
use crate::publish::{self, SaveError};
use crate::store::PostFilter;
use crate::web::error::{AppError, AppResult};
use crate::web::public::iso;
use crate::web::session::Staff;
use crate::web::AppState;

const POSTS_PER_PAGE: i64 = 20;

/// Admin → Posts: searched (`s`), filtered by status (`status`, or the trash),
/// language, category and author, twenty to a page; each row with Edit, View and
/// Trash (in the trash: Restore, Delete permanently).
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_write_posts())?;
    let get = |k: &str| {
        q.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let only_own = (!staff.role.can_edit_others_posts()).then_some(staff.user.id);
    let tab = get("status").unwrap_or_else(|| "all".into());
    let filter = PostFilter {
        search: get("s").map(|s| s.chars().take(200).collect()),
        status: tab.parse::<PostStatus>().ok(),
        trash: tab == "trash",
        lang: get("lang"),
        category: get("category"),
        author: only_own.or_else(|| get("author").and_then(|a| a.parse().ok())),
    };
    let page_no = super::page_number(&q);
    let total = state.store.count_posts(&filter).await?;
    let posts = state
        .store
        .list_posts(
            &filter,
            POSTS_PER_PAGE,
            (page_no - 1).saturating_mul(POSTS_PER_PAGE),
        )
        .await?;
    // The tabs' counts, for what this staff member may see.
    let mut counts = Vec::new();
    for name in ["all", "published", "draft", "private", "trash"] {
        let f = PostFilter {
            status: name.parse::<PostStatus>().ok(),
            trash: name == "trash",
            author: only_own,
            ..PostFilter::default()
        };
        counts.push((name, state.store.count_posts(&f).await?));
    }
    let site = state.site();
    let lang = staff.language(&site).tag.to_string();
    let now = crate::store::now();
    let rows: Vec<_> = posts
        .iter()
        .map(|p| {
            let when = p.published_at.unwrap_or(p.updated_at);
            let scheduled =
                p.status == PostStatus::Published && p.published_at.is_some_and(|t| t > now);
            context! {
                id => p.id,
                title => p.title,
                status => if scheduled { "scheduled" } else { p.status.as_str() },
                author => p.author_name,
                date => state.i18n.datetime(&lang, when),
                iso => iso(when),
                comment_count => p.comment_count,
                lang => p.lang,
                lang_dir => shipped(&p.lang).map_or("auto", |l| l.dir),
                language => shipped(&p.lang).map_or(p.lang.as_str(), |l| l.name),
                url => p.is_public(now).then(|| p.permalink()),
            }
        })
        .collect();
    let categories: Vec<_> = state
        .store
        .export_terms()
        .await?
        .into_iter()
        .filter(|t| t.kind == crate::domain::term::TermKind::Category)
        .map(|t| context! { slug => t.slug, name => t.name })
        .collect();
    let authors: Vec<_> = if only_own.is_none() {
        state
            .store
            .list_users()
            .await?
            .into_iter()
            .filter(|u| u.role.can_write_posts())
            .map(|u| context! { id => u.id, name => u.display_name })
            .collect()
    } else {
        Vec::new()
    };
    // The address of this list with one parameter changed (paging keeps the filters).
    let keep: Vec<(String, String)> = ["s", "status", "lang", "category", "author"]
        .iter()
        .filter_map(|k| get(k).map(|v| (k.to_string(), v)))
        .collect();
    let page_url = |n: i64| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &keep {
            query.append_pair(k, v);
        }
        query.append_pair("page", &n.to_string());
        format!("/admin/posts?{}", query.finish())
    };
    let pages = (total + POSTS_PER_PAGE - 1) / POSTS_PER_PAGE;
    let ctx = staff_context(&state, &staff).await?;
    let html = state.templates.render(
        "admin/posts.html",
        context! {
            posts => rows,
            total => total,
            counts => counts.iter().map(|(n, c)| context! { name => n, count => c }).collect::<Vec<_>>(),
            tab => tab,
            search => get("s").unwrap_or_default(),
            lang_filter => get("lang").unwrap_or_default(),
            category_filter => get("category").unwrap_or_default(),
            author_filter => get("author").unwrap_or_default(),
            languages => SHIPPED,
            categories => categories,
            authors => authors,
            page => page_no,
            pages => pages,
            older => (page_no < pages).then(|| page_url(page_no + 1)),
            newer => (page_no > 1).then(|| page_url(page_no - 1)),
            done => q.get("done").filter(|d| ["trashed", "restored", "deleted"].contains(&d.as_str())),
            ..ctx
        },
    )?;
    Ok(page(StatusCode::OK, html))
}

/// `POST /admin/posts/act`: `do=trash:ID`, `restore:ID` or `delete:ID` (only from the
/// trash), for a post this staff member may edit.
pub async fn act(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_write_posts())?;
    staff.verify_form(&form)?;
    let (action, id) = form
        .get("do")
        .and_then(|d| d.split_once(':'))
        .and_then(|(a, id)| Some((a.to_string(), id.parse::<i64>().ok()?)))
        .ok_or_else(|| AppError::bad_request("error-unknown-action"))?;
    let post = state
        .store
        .post_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    staff.require(staff.role.can_edit_others_posts() || post.author_id == staff.user.id)?;
    let (done, back) = match action.as_str() {
        "trash" => (state.store.trash_post(id, true).await?, ("trashed", "all")),
        "restore" => (
            state.store.trash_post(id, false).await?,
            ("restored", "trash"),
        ),
        "delete" => (
            state.store.delete_trashed_post(id).await?,
            ("deleted", "trash"),
        ),
        _ => return Err(AppError::bad_request("error-unknown-action")),
    };
    if done {
        state.content_changed().await;
        tracing::info!(user = staff.user.id, post = id, action, "post moved");
    }
    Ok(Redirect::to(&format!("/admin/posts?status={}&done={}", back.1, back.0)).into_response())
}

pub(super) fn input_from_post(p: &Post) -> PostInput {
    PostInput {
        title: p.title.clone(),
        slug: p.slug.clone(),
        excerpt: p.excerpt.clone(),
        body: p.body_md.clone(),
        lang: p.lang.clone(),
        status: p.status.as_str().to_string(),
        published_at: p
            .published_at
            .map(format_datetime_local)
            .unwrap_or_default(),
        translation_group: p.translation_group.clone().unwrap_or_default(),
        comments_open: p.comments_open,
        featured_media_id: p.featured_media_id,
    }
}

fn input_from_form(form: &HashMap<String, String>) -> PostInput {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    // "Not a translation of these": the post leaves its group.
    let group = if form.contains_key("unlink_translations") {
        String::new()
    } else {
        get("translation_group")
    };
    PostInput {
        title: get("title"),
        slug: get("slug"),
        excerpt: get("excerpt"),
        body: get("body"),
        lang: get("lang"),
        status: get("status"),
        published_at: get("published_at"),
        translation_group: group,
        comments_open: form.contains_key("comments_open"),
        featured_media_id: form
            .get("featured_media")
            .and_then(|v| v.trim().parse().ok())
            .filter(|id: &i64| *id > 0),
    }
}

/// The editor's language list: every shipped language, and the post's own if it is
/// another (an imported post in French keeps French).
fn language_choices(current: &str) -> Vec<minijinja::Value> {
    let mut out: Vec<_> = SHIPPED
        .iter()
        .map(|l| context! { tag => l.tag, name => l.name, dir => l.dir })
        .collect();
    if !current.is_empty() && !SHIPPED.iter().any(|l| l.tag == current) {
        out.push(context! { tag => current, name => current, dir => "auto" });
    }
    out
}

/// The post's translations (its group but itself), and the posts it could be linked
/// to, for the editor.
async fn translation_choices(
    state: &AppState,
    id: Option<i64>,
    group: &str,
) -> AppResult<(Vec<minijinja::Value>, Vec<minijinja::Value>)> {
    let name = |tag: &str| shipped(tag).map_or(tag.to_string(), |l| l.name.to_string());
    let linked: Vec<Post> = if group.is_empty() {
        Vec::new()
    } else {
        state.store.translations(group).await?
    };
    let view = |p: &Post| {
        context! {
            id => p.id,
            title => p.title,
            lang => p.lang,
            dir => shipped(&p.lang).map_or("auto", |l| l.dir),
            language => name(&p.lang),
        }
    };
    let translations = linked
        .iter()
        .filter(|p| Some(p.id) != id)
        .map(view)
        .collect();
    let candidates = state
        .store
        .all_posts(None)
        .await?
        .iter()
        .filter(|p| Some(p.id) != id && !linked.iter().any(|l| l.id == p.id))
        .take(500)
        .map(view)
        .collect();
    Ok((translations, candidates))
}

/// The editor as it is drawn: a new post (`id` is `None`) or post `id`, with what
/// was typed, and whatever there is to say about it.
struct Editor<'a> {
    id: Option<i64>,
    input: PostInput,
    problems: Vec<Problem>,
    preview: Option<String>,
    saved: bool,
    /// How it was saved, for the notice: "published", "scheduled" or plain.
    saved_as: Option<&'static str>,
    view_url: Option<String>,
    /// The categories it is filed under and its tags, by name.
    terms: (Vec<String>, String),
    staff: &'a Staff,
}

impl<'a> Editor<'a> {
    fn new(staff: &'a Staff, id: Option<i64>, input: PostInput) -> Self {
        Editor {
            id,
            input,
            problems: Vec::new(),
            preview: None,
            saved: false,
            saved_as: None,
            view_url: None,
            terms: (Vec::new(), String::new()),
            staff,
        }
    }

    async fn page(self, state: &AppState) -> AppResult<Response> {
        let ctx = staff_context(state, self.staff).await?;
        let (translations, candidates) =
            translation_choices(state, self.id, &self.input.translation_group).await?;
        let status = if self.problems.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let (checked, tags) = &self.terms;
        // (slug, name) of every category, then those typed in a refused form but not
        // created yet; each ticked when the post is filed under it.
        let mut known: Vec<(String, String)> = state
            .store
            .all_terms()
            .await?
            .into_iter()
            .filter(|(kind, _, _)| *kind == TermKind::Category)
            .map(|(_, slug, name)| (slug, name))
            .collect();
        for name in checked {
            if !known.iter().any(|(_, n)| n == name) {
                known.push((crate::domain::post::slugify(name), name.clone()));
            }
        }
        let categories: Vec<_> = known
            .into_iter()
            .map(|(slug, name)| {
                let on = checked.contains(&name);
                context! { field => format!("cat_{slug}"), name => name, checked => on }
            })
            .collect();
        let now = crate::store::now();
        let scheduled = crate::domain::post::parse_datetime_local(&self.input.published_at)
            .is_some_and(|t| t > now);
        // Featured image: the one chosen, then the library's newest images.
        let (recent, _) = state
            .store
            .list_media(
                &crate::store::MediaFilter {
                    kind: Some(crate::domain::media::MediaKind::Image),
                    ..Default::default()
                },
                100,
                0,
            )
            .await?;
        let chosen = match self.input.featured_media_id {
            Some(id) if !recent.iter().any(|m| m.id == id) => state.store.media_by_id(id).await?,
            _ => None,
        };
        let featured_choices: Vec<_> = chosen
            .iter()
            .chain(recent.iter())
            .filter_map(|m| {
                m.picture().map(|p| {
                    context! {
                        id => m.id,
                        name => m.file_name,
                        thumb => p.thumbnail(),
                        alt => m.alt,
                        selected => self.input.featured_media_id == Some(m.id),
                    }
                })
            })
            .collect();
        let html = state.templates.render(
            "admin/post_edit.html",
            context! {
                featured_choices => featured_choices,
                categories => categories,
                tags => tags,
                scheduled => scheduled,
                revision_count => match self.id {
                    Some(id) => state.store.count_revisions(id).await?,
                    None => 0,
                },
                saved_as => self.saved_as,
                post_id => self.id,
                form => self.input,
                field_errors => problem_messages(
                    state,
                    self.staff.language(&state.site()).tag,
                    &self.problems,
                ),
                preview => self.preview,
                saved => self.saved,
                view_url => self.view_url,
                statuses => PostStatus::NAMES,
                languages => language_choices(&self.input.lang),
                // The text boxes take the post's direction, so Arabic Markdown reads
                // right to left while it is written; another language decides by
                // its first letter.
                form_dir => shipped(&self.input.lang).map_or("auto", |l| l.dir),
                translations => translations,
                candidates => candidates, ..ctx
            },
        )?;
        Ok(page(status, html))
    }
}

pub async fn new_form(State(state): State<AppState>, staff: Staff) -> AppResult<Response> {
    staff.require(staff.role.can_write_posts())?;
    let site = state.site();
    let input = PostInput {
        lang: site.language.clone(),
        status: PostStatus::Draft.as_str().into(),
        comments_open: true,
        ..PostInput::default()
    };
    Editor::new(&staff, None, input).page(&state).await
}

pub(super) async fn load_editable(state: &AppState, staff: &Staff, id: &str) -> AppResult<Post> {
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
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let post = load_editable(&state, &staff, &id).await?;
    // "Post saved. View post" after a save (the editor redirects here with ?saved=1);
    // the link only where readers can see the post.
    let (mut categories, mut tags) = (Vec::new(), Vec::new());
    for (kind, _, name) in state.store.post_terms(post.id).await? {
        match kind {
            TermKind::Category => categories.push(name),
            TermKind::Tag => tags.push(name),
        }
    }
    Editor {
        saved: q.contains_key("saved"),
        saved_as: match q.get("saved").map(String::as_str) {
            Some("published") => Some("published"),
            Some("scheduled") => Some("scheduled"),
            Some("restored") => Some("restored"),
            _ => None,
        },
        view_url: post
            .is_public(crate::store::now())
            .then(|| post.permalink()),
        terms: (categories, tags.join(", ")),
        ..Editor::new(&staff, Some(post.id), input_from_post(&post))
    }
    .page(&state)
    .await
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_write_posts())?;
    save(&state, &staff, None, form).await
}

pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let post = load_editable(&state, &staff, &id).await?;
    save(&state, &staff, Some(&post), form).await
}

/// The categories ticked (`cat_SLUG`) or typed (`new_category`), and the tags typed
/// (`tags`), separated by commas (Latin or Arabic), at most 50 of each.
fn terms_from_form(form: &HashMap<String, String>) -> Vec<(TermKind, String)> {
    let split = |text: &str| -> Vec<String> {
        text.split([',', '،'])
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty())
            .map(|t| t.chars().take(100).collect())
            .take(50)
            .collect()
    };
    let mut out: Vec<(TermKind, String)> = Vec::new();
    let mut add = |kind: TermKind, name: String| {
        let slug = crate::domain::post::slugify(&name);
        if !slug.is_empty()
            && !out
                .iter()
                .any(|(k, n)| *k == kind && crate::domain::post::slugify(n) == slug)
        {
            out.push((kind, name));
        }
    };
    let mut ticked: Vec<(&String, &String)> =
        form.iter().filter(|(k, _)| k.starts_with("cat_")).collect();
    ticked.sort();
    for (_, name) in ticked {
        add(TermKind::Category, name.trim().to_string());
    }
    for name in split(form.get("new_category").map(String::as_str).unwrap_or("")) {
        add(TermKind::Category, name);
    }
    for name in split(form.get("tags").map(String::as_str).unwrap_or("")) {
        add(TermKind::Tag, name);
    }
    out
}

/// Terms as the editor shows them again: categories ticked, tags in their box.
fn typed_terms(terms: &[(TermKind, String)]) -> (Vec<String>, String) {
    let pick = |kind: TermKind| {
        terms
            .iter()
            .filter(move |(k, _)| *k == kind)
            .map(|(_, n)| n.clone())
    };
    (
        pick(TermKind::Category).collect(),
        pick(TermKind::Tag).collect::<Vec<_>>().join(", "),
    )
}

/// The post the editor asked to link this one to as its translation.
fn translation_of(form: &HashMap<String, String>, id: i64) -> Option<i64> {
    form.get("translation_of")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|to| *to != id && *to > 0)
}

/// Saves (or previews) what the editor sent: a new post when `existing` is `None`.
async fn save(
    state: &AppState,
    staff: &Staff,
    existing: Option<&Post>,
    form: HashMap<String, String>,
) -> AppResult<Response> {
    staff.verify_form(&form)?;
    let mut input = input_from_form(&form);
    // "Publish" / "Schedule": published, now or at the date given.
    let publishing = form.get("action").map(String::as_str) == Some("publish");
    if publishing {
        input.status = PostStatus::Published.as_str().into();
    }
    let terms = terms_from_form(&form);
    let id = existing.map(|p| p.id);
    // Posts brought from WordPress stay HTML; posts written here are Markdown.
    let format = existing.map_or(BodyFormat::Markdown, |p| p.body_format);
    let author_id = existing.map_or(staff.user.id, |p| p.author_id);
    let prepared = publish::prepare(&input, format, author_id, crate::store::now());
    let preview_only = form.get("action").map(String::as_str) == Some("preview");
    let result = match prepared {
        Ok(write) if preview_only => {
            return Editor {
                preview: Some(write.body_html),
                terms: typed_terms(&terms),
                ..Editor::new(staff, id, input)
            }
            .page(state)
            .await;
        }
        Ok(write) => match publish::save(&state.store, id, &write).await {
            Ok(id) => match translation_of(&form, id) {
                Some(to) => publish::link_translation(&state.store, id, to)
                    .await
                    .map(|_| (id, write.status)),
                None => Ok((id, write.status)),
            },
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok((id, status)) => {
            state.store.set_post_terms(id, terms).await?;
            state
                .store
                .add_revision(id, Some(staff.user.id), None)
                .await?;
            state.content_changed().await;
            tracing::info!(post = id, %status, "post saved");
            let post = state.store.post_by_id(id).await?;
            let how = match post {
                Some(p) if p.status == PostStatus::Published => {
                    if p.published_at.is_some_and(|t| t > crate::store::now()) {
                        "scheduled"
                    } else if publishing
                        || existing.is_none_or(|e| e.status != PostStatus::Published)
                    {
                        "published"
                    } else {
                        "1"
                    }
                }
                _ => "1",
            };
            Ok(Redirect::to(&format!("/admin/posts/{id}?saved={how}")).into_response())
        }
        Err(SaveError::Store(e)) => Err(e.into()),
        Err(refused) => {
            Editor {
                problems: refused.problems().unwrap_or_default(),
                terms: typed_terms(&terms),
                ..Editor::new(staff, id, input)
            }
            .page(state)
            .await
        }
    }
}
