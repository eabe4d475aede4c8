//! Templates of pages and emails: the embedded default theme, overridable file by file from
//! `--theme DIR/templates/`. Printing an undefined variable is an error, not a blank
//! (semi-strict: `{% if x %}` may test for absence).
//! Templates call `t(key, arg=value…)` for every string people read.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use fluent_bundle::{FluentArgs, FluentValue};
use minijinja::value::{Kwargs, ValueKind};
use minijinja::{
    AutoEscape, Environment, Error, ErrorKind, Output, State, UndefinedBehavior, Value,
};

use super::assets::Assets;
use crate::i18n::I18n;

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

pub const EMBEDDED: &[(&str, &str)] = embedded!(
    "base.html",
    "home.html",
    "post.html",
    "preview.html",
    "robots.txt",
    "search.html",
    "comments.html",
    "comment.html",
    "respond.html",
    "not_found.html",
    "connecting.html",
    "moderate.html",
    "comment_edit.html",
    "email/held_comment.txt",
    "email/held_comment.html",
    "email/held_digest.txt",
    "email/held_digest.html",
    "email/new_comment.txt",
    "email/new_comment.html",
    "email/comment_digest.txt",
    "email/comment_digest.html",
    "email/new_post.txt",
    "email/new_post.html",
    "email/confirm.txt",
    "email/confirm.html",
    "email/account_link.txt",
    "email/account_link.html",
    "subscriptions.html",
    "admin/jobs.html",
    "admin/activity.html",
    "admin/privacy.html",
    "admin/base.html",
    "admin/setup.html",
    "admin/login.html",
    "admin/lost_password.html",
    "admin/password.html",
    "admin/users.html",
    "admin/staff_bar.html",
    "admin/staff_comment_tools.html",
    "admin/comment_edit.html",
    "admin/revisions.html",
    "admin/user_delete.html",
    "admin/dashboard.html",
    "admin/posts.html",
    "admin/media.html",
    "admin/media_item.html",
    "admin/post_edit.html",
    "admin/comments.html",
    "admin/settings.html",
    "admin/profile.html",
);

fn write_html_escaped(out: &mut Output<'_>, s: &str) -> Result<(), Error> {
    escaped(s, |part| out.write_str(part)).map_err(Error::from)
}

/// `s` with what HTML needs escaped (& < > " '), as the templates' formatter writes it.
pub fn push_escaped(out: &mut String, s: &str) {
    let _ = escaped(s, |part| {
        out.push_str(part);
        Ok(())
    });
}

/// `s` in parts, each what HTML needs escaped replaced (& < > " '), handed to `write`.
fn escaped(s: &str, mut write: impl FnMut(&str) -> std::fmt::Result) -> std::fmt::Result {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        write(&s[last..i])?;
        write(rep)?;
        last = i + 1;
    }
    write(&s[last..])
}

pub struct Templates {
    env: Environment<'static>,
    /// The templates the theme directory replaces (by name).
    overridden: std::collections::HashSet<&'static str>,
}

fn to_fluent(v: Value) -> FluentValue<'static> {
    match v.kind() {
        ValueKind::Number => match i64::try_from(v.clone()) {
            Ok(n) => FluentValue::from(n),
            Err(_) => FluentValue::from(f64::try_from(v).unwrap_or(0.0)),
        },
        _ => FluentValue::from(v.to_string()),
    }
}

impl Templates {
    pub fn new(
        theme_dir: Option<PathBuf>,
        i18n: Arc<I18n>,
        assets: &Assets,
    ) -> anyhow::Result<Self> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        // Escape only what HTML needs (& < > " '); minijinja's default also escapes `/`,
        // which bloats every URL on a page with hundreds of comments.
        env.set_formatter(|out, state, value| {
            if state.auto_escape() == AutoEscape::Html && !value.is_safe() {
                if let Some(s) = value.as_str() {
                    return write_html_escaped(out, s);
                }
            }
            minijinja::escape_formatter(out, state, value)
        });
        let theme = theme_dir.map(|d| d.join("templates"));
        let overridden = EMBEDDED
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| theme.as_ref().is_some_and(|dir| dir.join(name).is_file()))
            .collect();
        env.set_loader(move |name| {
            if let Some(dir) = &theme {
                let path = dir.join(name);
                if path.is_file() {
                    return std::fs::read_to_string(&path).map(Some).map_err(|e| {
                        Error::new(
                            ErrorKind::InvalidOperation,
                            format!("cannot read {}: {e}", path.display()),
                        )
                    });
                }
            }
            Ok(EMBEDDED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, src)| src.to_string()))
        });
        let translations = i18n.clone();
        env.add_function(
            "t",
            move |state: &State<'_, '_>, key: &str, kwargs: Kwargs| -> Result<String, Error> {
                let lang = state.lookup("ui_lang");
                let lang = lang
                    .as_ref()
                    .and_then(Value::as_str)
                    .unwrap_or(crate::i18n::FALLBACK);
                let mut args = FluentArgs::new();
                for name in kwargs.args() {
                    let value: Value = kwargs.get(name)?;
                    args.set(name.to_string(), to_fluent(value));
                }
                Ok(translations.t(lang, key, Some(&args)))
            },
        );
        // `…|plain`: a message without the isolation marks around its arguments, for
        // attributes a program reads (a feed's title in a feed reader's list).
        env.add_filter("plain", |s: String| crate::i18n::plain(&s));
        // `number(n)`: a count with the page language's digits and grouping.
        let numbers = i18n.clone();
        env.add_function(
            "number",
            move |state: &State<'_, '_>, n: Value| -> Result<String, Error> {
                let lang = state.lookup("ui_lang");
                let lang = lang
                    .as_ref()
                    .and_then(Value::as_str)
                    .unwrap_or(crate::i18n::FALLBACK);
                let n = i64::try_from(n.clone()).unwrap_or(0);
                Ok(numbers.number(lang, n))
            },
        );
        // `inline_style('style.css')`: the stylesheet in the page itself (no request
        // before the first paint); allowed by its hash in the Content-Security-Policy
        // (`web::security_headers`). A stylesheet that cannot go inline is linked.
        let styles: HashMap<String, Value> = assets
            .urls()
            .into_iter()
            .filter_map(|(name, url)| {
                let element = match assets.inline_style(&name) {
                    Some((css, _)) => format!("<style>{css}</style>"),
                    None if name.ends_with(".css") => {
                        format!("<link rel=\"stylesheet\" href=\"{url}\">")
                    }
                    None => return None,
                };
                Some((name, Value::from_safe_string(element)))
            })
            .collect();
        env.add_function("inline_style", move |name: &str| -> Result<Value, Error> {
            styles.get(name).cloned().ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    format!("no stylesheet named {name}"),
                )
            })
        });
        let urls = assets.urls();
        env.add_function("asset", move |name: &str| -> Result<String, Error> {
            urls.get(name).cloned().ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    format!("no asset named {name}"),
                )
            })
        });
        for (name, _) in EMBEDDED {
            env.get_template(name)
                .map_err(|e| anyhow::anyhow!("template {name} does not compile: {e:#}"))?;
        }
        Ok(Templates { env, overridden })
    }

    /// Whether the theme replaces the built-in template `name`.
    pub fn overridden(&self, name: &str) -> bool {
        self.overridden.contains(name)
    }

    pub fn render(&self, name: &str, ctx: Value) -> Result<String, Error> {
        self.env.get_template(name)?.render(ctx)
    }

    /// Calls macro `name` of template `template` (evaluated once, with `ctx`) through
    /// `draw`, which may call it any number of times with its arguments.
    pub fn with_macro<R>(
        &self,
        (template, name): (&str, &str),
        ctx: Value,
        draw: impl FnOnce(&dyn Fn(&[Value]) -> Result<String, Error>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let evaluated = self.env.get_template(template)?.render_captured(ctx)?;
        draw(&|args| evaluated.state().call_macro(name, args))
    }
}
