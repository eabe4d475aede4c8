//! Site settings (administrators only).

use std::collections::HashMap;

use crate::web::input::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::{page, staff_context};
use crate::domain::settings::{
    AvatarSource, SiteSettings, MAX_CLOSE_DAYS, MAX_COMMENTS_PER_PAGE, MAX_EDIT_MINUTES,
    MAX_FEED_ITEMS, MAX_FORM_SECONDS, MAX_KEYS_CHARS, MAX_LINKS, MAX_SPAM_DAYS, MAX_THREAD_DEPTH,
};
use crate::domain::site_url::SiteUrl;
use crate::web::error::AppResult;
use crate::web::session::Staff;
use crate::web::AppState;

/// What the form shows: the saved settings, or — after a refusal — exactly what was
/// typed, so one bad field never quietly changes the others.
enum Shown<'a> {
    Saved(&'a SiteSettings),
    Typed(&'a HashMap<String, String>),
}

async fn settings_page(
    state: &AppState,
    staff: &Staff,
    shown: Shown<'_>,
    errors: Vec<String>,
    saved: bool,
) -> AppResult<Response> {
    let ctx = staff_context(state, staff).await?;
    let pairs = state.store.all_settings().await?;
    let stored = |k: String| {
        pairs
            .iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let presets: Vec<_> = crate::auth::PRESETS
        .iter()
        .map(|(name, label)| {
            context! {
                name => name,
                label => label,
                configured => state.settings.providers.iter().any(|p| p.name == *name),
                client_id => match &shown {
                    Shown::Typed(form) => form.get(&format!("auth_{name}_client_id")).cloned().unwrap_or_default(),
                    Shown::Saved(_) => stored(format!("auth.{name}.client_id")),
                },
                has_secret => !stored(format!("auth.{name}.client_secret")).is_empty(),
            }
        })
        .collect();
    let others: Vec<_> = state
        .settings
        .providers
        .iter()
        .filter(|p| !crate::auth::PRESETS.iter().any(|(n, _)| *n == p.name))
        .map(|p| context! { name => p.name, label => p.label })
        .collect();
    let callback_base = state.site.url();
    let (settings, site_url) = match &shown {
        Shown::Saved(values) => (
            minijinja::Value::from_serialize(values),
            state.site.url().to_string(),
        ),
        Shown::Typed(form) => {
            let get = |k: &str| form.get(k).cloned().unwrap_or_default();
            let typed = context! {
                title => get("title"),
                tagline => get("tagline"),
                language => get("language"),
                posts_per_page => get("posts_per_page"),
                feed_items => get("posts_per_rss"),
                feed_summary => get("rss_use_excerpt") == "true",
                thread_depth => get("thread_depth"),
                page_comments => form.contains_key("page_comments"),
                comments_per_page => get("comments_per_page"),
                newest_page_first => get("default_comments_page") != "oldest",
                newest_comments_first => get("comment_order") == "desc",
                edit_minutes => get("edit_minutes"),
                max_comment_chars => get("max_comment_chars"),
                avatars => get("avatars"),
                latin_digits => get("digits") == "latin",
                hold_new_comments => form.contains_key("hold_new_comments"),
                approve_returning_identities => form.contains_key("approve_returning_identities"),
                require_name_email => form.contains_key("require_name_email"),
                previously_approved => form.contains_key("previously_approved"),
                max_links => get("max_links"),
                moderation_keys => get("moderation_keys"),
                disallowed_keys => get("disallowed_keys"),
                close_after_days => get("close_after_days"),
                spam_threshold => get("spam_threshold"),
                hold_threshold => get("hold_threshold"),
                form_min_seconds => get("form_min_seconds"),
                spam_days => get("spam_days"),
                block_list => get("block_list"),
            };
            let site_url = if state.site.url_configured() {
                state.site.url().to_string()
            } else {
                get("site_url")
            };
            (typed, site_url)
        }
    };
    let learned = state.store.filter_documents().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = state.templates.render(
        "admin/settings.html",
        context! {
            settings => settings,
            errors => errors,
            saved => saved,
            max_depth => MAX_THREAD_DEPTH,
            presets => presets,
            other_providers => others,
            callback_base => callback_base,
            staff_provider => state.settings.staff_provider,
            site_url => site_url,
            site_url_from_config => state.site.url_configured(),
            fixed => state.site.fixed_by_config(),
            languages => crate::i18n::SHIPPED,
            filter => context! {
                spam => learned.spam,
                ham => learned.ham,
                min => crate::domain::spam_filter::MIN_TRAINED,
            },
            ..ctx
        },
    )?;
    Ok(page(status, html))
}

pub async fn form(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_manage_site())?;
    let site = state.site();
    settings_page(
        &state,
        &staff,
        Shown::Saved(&site),
        vec![],
        q.contains_key("saved"),
    )
    .await
}

pub async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    staff.require(staff.role.can_manage_site())?;
    staff.verify_form(&form)?;
    let get = |k: &str| {
        form.get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let current = state.site();
    let lang = staff.language(&current).tag.to_string();
    let mut errors = Vec::new();
    // The discussion rules came with the form (a page from before them, or a script,
    // leaves them as they are).
    let rules_sent = form.contains_key("discussion_rules") || form.contains_key("max_links");
    // Fields `[discussion]` in the configuration fixes keep its value.
    let fixed = state.site.fixed_by_config();
    let sent = |field: &str| rules_sent && !fixed.contains(&field);
    // A number or list the form did not carry keeps its value (a checkbox left out
    // is unticked, so those use `sent`).
    let given = |field: &str| sent(field) && form.contains_key(field);
    let mut number = |key: &str, min: usize, max: usize| -> usize {
        match get(key).parse::<usize>() {
            Ok(n) if (min..=max).contains(&n) => n,
            _ => {
                let field = state.i18n.t(&lang, &format!("field-{key}"), None);
                errors.push(state.i18n.tr(
                    &lang,
                    "error-number-range",
                    &[
                        ("field", field.into()),
                        ("min", (min as i64).into()),
                        ("max", (max as i64).into()),
                    ],
                ));
                min
            }
        }
    };
    let new = SiteSettings {
        title: get("title"),
        tagline: get("tagline"),
        language: get("language"),
        hold_new_comments: if fixed.contains(&"hold_new_comments") {
            current.hold_new_comments
        } else {
            form.contains_key("hold_new_comments")
        },
        approve_returning_identities: form.contains_key("approve_returning_identities"),
        thread_depth: number("thread_depth", 1, MAX_THREAD_DEPTH),
        // The comment display fields came later: a form without them keeps them.
        page_comments: if form.contains_key("comments_display") {
            form.contains_key("page_comments")
        } else {
            current.page_comments
        },
        comments_per_page: if form.contains_key("comments_per_page") {
            number("comments_per_page", 1, MAX_COMMENTS_PER_PAGE)
        } else {
            current.comments_per_page
        },
        newest_page_first: match form.get("default_comments_page").map(String::as_str) {
            Some(v) => v != "oldest",
            None => current.newest_page_first,
        },
        newest_comments_first: match form.get("comment_order").map(String::as_str) {
            Some(v) => v == "desc",
            None => current.newest_comments_first,
        },
        edit_minutes: if form.contains_key("edit_minutes") {
            number("edit_minutes", 0, MAX_EDIT_MINUTES as usize) as u32
        } else {
            current.edit_minutes
        },
        previously_approved: if sent("previously_approved") {
            form.contains_key("previously_approved")
        } else {
            current.previously_approved
        },
        require_name_email: if sent("require_name_email") {
            form.contains_key("require_name_email")
        } else {
            current.require_name_email
        },
        max_links: if given("max_links") {
            number("max_links", 0, MAX_LINKS)
        } else {
            current.max_links
        },
        close_after_days: if given("close_after_days") {
            number("close_after_days", 0, MAX_CLOSE_DAYS as usize) as u32
        } else {
            current.close_after_days
        },
        moderation_keys: if given("moderation_keys") {
            word_list(form.get("moderation_keys"))
        } else {
            current.moderation_keys.clone()
        },
        disallowed_keys: if given("disallowed_keys") {
            word_list(form.get("disallowed_keys"))
        } else {
            current.disallowed_keys.clone()
        },
        spam_threshold: if given("spam_threshold") {
            number("spam_threshold", 1, 100) as u32
        } else {
            current.spam_threshold
        },
        hold_threshold: if given("hold_threshold") {
            number("hold_threshold", 0, 100) as u32
        } else {
            current.hold_threshold
        },
        form_min_seconds: if given("form_min_seconds") {
            number("form_min_seconds", 0, MAX_FORM_SECONDS as usize) as u32
        } else {
            current.form_min_seconds
        },
        spam_days: if given("spam_days") {
            number("spam_days", 0, MAX_SPAM_DAYS as usize) as u32
        } else {
            current.spam_days
        },
        block_list: if given("block_list") {
            word_list(form.get("block_list"))
        } else {
            current.block_list.clone()
        },
        avatars: if get("avatars") == "gravatar" {
            AvatarSource::Gravatar
        } else {
            AvatarSource::Identicon
        },
        posts_per_page: number("posts_per_page", 1, 100),
        // Fields added later: a form without them keeps what is set.
        feed_items: if form.contains_key("posts_per_rss") {
            number("posts_per_rss", 1, MAX_FEED_ITEMS)
        } else {
            current.feed_items
        },
        feed_summary: match form.get("rss_use_excerpt").map(String::as_str) {
            Some(v) => v == "true",
            None => current.feed_summary,
        },
        max_comment_chars: number("max_comment_chars", 100, 100_000),
        latin_digits: get("digits") == "latin",
        // A form without the field (an older page, a script) leaves the address as
        // is, and so does one whose address comes from the configuration.
        site_url: match form.get("site_url") {
            Some(typed) if !state.site.url_configured() => match SiteUrl::parse(typed) {
                Ok(address) => Some(address),
                Err(_) => {
                    errors.push(state.i18n.t(&lang, "error-site-url-invalid", None));
                    current.site_url.clone()
                }
            },
            _ => current.site_url.clone(),
        },
        secret: current.secret.clone(),
    };
    if new.title.is_empty() {
        errors.push(state.i18n.t(&lang, "error-site-title-required", None));
    }
    if crate::i18n::SHIPPED.iter().all(|l| l.tag != new.language) {
        errors.push(state.i18n.t(&lang, "error-lang-invalid", None));
    }
    // Sign-in presets entered here (those set in the configuration are not editable).
    let stored = state.store.all_settings().await?;
    let mut provider_pairs: Vec<(&str, String)> = Vec::new();
    let mut keys: Vec<(String, String)> = Vec::new();
    for (name, label) in crate::auth::PRESETS {
        if state.settings.providers.iter().any(|p| p.name == *name) {
            continue;
        }
        let id = get(&format!("auth_{name}_client_id"));
        let secret = get(&format!("auth_{name}_client_secret"));
        let secret_key = format!("auth.{name}.client_secret");
        let had_secret = stored
            .iter()
            .any(|(k, v)| *k == secret_key && !v.is_empty());
        if id.is_empty() {
            keys.push((format!("auth.{name}.client_id"), String::new()));
            keys.push((secret_key, String::new()));
        } else if secret.is_empty() && !had_secret {
            errors.push(state.i18n.tr(
                &lang,
                "error-provider-secret",
                &[("provider", (*label).into())],
            ));
        } else {
            keys.push((format!("auth.{name}.client_id"), id));
            if !secret.is_empty() {
                keys.push((secret_key, secret));
            }
        }
    }
    if !errors.is_empty() {
        return settings_page(&state, &staff, Shown::Typed(&form), errors, false).await;
    }
    for (k, v) in &keys {
        provider_pairs.push((k.as_str(), v.clone()));
    }
    state.store.put_settings(&provider_pairs, true).await?;
    state.store.put_settings(&new.to_pairs(), true).await?;
    let changes = rule_changes(&current, &new);
    if !changes.is_empty() {
        state
            .store
            .record_activity(
                &staff.actor(),
                crate::domain::activity::Action::Settings,
                None,
                None,
                &changes.join("; "),
            )
            .await?;
    }
    state.content_changed().await;
    Ok(Redirect::to("/admin/settings?saved=1").into_response())
}

/// A word list as typed: one word or phrase per line, blank lines and spaces around
/// each dropped, at most [`MAX_KEYS_CHARS`] characters.
fn word_list(typed: Option<&String>) -> String {
    let typed = typed.map(String::as_str).unwrap_or_default();
    crate::domain::settings::word_list(typed.lines())
        .chars()
        .take(MAX_KEYS_CHARS)
        .collect()
}

/// The discussion and spam settings that changed, for the activity log: `name: old →
/// new` for a number or a switch, the name alone for a list. Read off the settings as
/// stored (`SiteSettings::to_pairs`), so a new rule needs only its name here.
fn rule_changes(old: &SiteSettings, new: &SiteSettings) -> Vec<String> {
    const RULES: [&str; 10] = [
        "hold_new_comments",
        "approve_returning_identities",
        "previously_approved",
        "require_name_email",
        "max_links",
        "close_after_days",
        "spam_threshold",
        "hold_threshold",
        "form_min_seconds",
        "spam_days",
    ];
    const LISTS: [&str; 3] = ["moderation_keys", "disallowed_keys", "block_list"];
    let before = old.to_pairs();
    new.to_pairs()
        .into_iter()
        .zip(before)
        .filter(|((_, b), (_, a))| a != b)
        .filter_map(|((name, b), (_, a))| {
            if RULES.contains(&name) {
                Some(format!("{name}: {a} → {b}"))
            } else {
                LISTS.contains(&name).then(|| name.to_string())
            }
        })
        .collect()
}
