//! clap's complaints about a command line, in the terminal's language. clap writes
//! English; on a terminal in another shipped language the common mistakes (a command
//! or option that does not exist, a value that is not one of the choices, a missing
//! argument) are said from the catalogue instead, with clap's suggestion. `--help`
//! and anything rarer stay clap's own.

use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::i18n::{terminal, Message};
use crate::say;

/// Parses the process's arguments, or exits with the reason (status 2, as clap does).
/// On a terminal in another language than English, `--help` speaks it too.
pub fn parse<P: clap::Parser>() -> P {
    let lang = terminal::language();
    let parsed = if lang == "en" {
        P::try_parse()
    } else {
        localize(P::command(), lang)
            .try_get_matches()
            .and_then(|m| P::from_arg_matches(&m))
    };
    match parsed {
        Ok(parsed) => parsed,
        Err(err) => {
            if terminal::language() != "en" {
                if let Some(text) = explain(&err) {
                    eprintln!("{text}");
                    std::process::exit(2);
                }
            }
            err.exit()
        }
    }
}

/// The catalogue key of the help of the command at `path` (`["tribune", "user",
/// "add"]` → `help-tribune-user-add`), or of its argument `arg`
/// (`help-tribune-user-add--email`).
pub fn help_key(path: &[&str], arg: Option<&str>) -> String {
    let mut key = format!("help-{}", path.join("-"));
    if let Some(arg) = arg {
        key.push_str("--");
        key.push_str(&arg.replace('_', "-"));
    }
    key
}

/// Every command and argument of `cmd` with its help, by catalogue key, as clap
/// shows it in English (the doc comments).
#[cfg(test)]
pub fn english_help(cmd: &clap::Command) -> Vec<(String, String)> {
    fn walk(cmd: &clap::Command, path: &mut Vec<String>, out: &mut Vec<(String, String)>) {
        path.push(cmd.get_name().to_string());
        let names: Vec<&str> = path.iter().map(String::as_str).collect();
        if let Some(about) = cmd.get_about() {
            out.push((help_key(&names, None), about.to_string()));
        }
        for arg in cmd.get_arguments() {
            if let Some(help) = arg.get_help() {
                out.push((
                    help_key(&names, Some(arg.get_id().as_str())),
                    help.to_string(),
                ));
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, path, out);
        }
        path.pop();
    }
    let mut out = Vec::new();
    walk(cmd, &mut Vec::new(), &mut out);
    out
}

/// `cmd` with its help, headings and built-in flags in `lang`. The command is built
/// first, so clap's own `--help`, `--version` and `help` are there to translate, and
/// global options, copied into every subcommand, are found by their root's key.
pub fn localize(mut cmd: clap::Command, lang: &str) -> clap::Command {
    fn walk(mut cmd: clap::Command, path: &mut Vec<String>, lang: &str) -> clap::Command {
        let say = |key: &str| terminal::say_in(lang, key);
        path.push(cmd.get_name().to_string());
        let names: Vec<String> = path.clone();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        if cmd.get_about().is_some() {
            let about = match names.as_slice() {
                [.., "help"] => say("cli-help-subcommand"),
                _ => say(&help_key(&names, None)),
            };
            cmd = cmd.about(about);
        }
        struct Found {
            id: String,
            help: Option<String>,
            positional: bool,
            defaults: Vec<String>,
            env: Option<String>,
        }
        let found: Vec<Found> = cmd
            .get_arguments()
            .map(|a| {
                let id = a.get_id().to_string();
                let key = match id.as_str() {
                    "help" => Some("cli-help-help".to_string()),
                    "version" => Some("cli-help-version".to_string()),
                    _ if a.get_help().is_none() => None,
                    _ if a.is_global_set() => Some(help_key(&names[..1], Some(&id))),
                    _ => Some(help_key(&names, Some(&id))),
                };
                Found {
                    help: key.map(|k| say(&k)),
                    positional: a.is_positional(),
                    defaults: if a.is_hide_default_value_set()
                        || a.get_num_args()
                            .is_some_and(|n| n.takes_values() && n.max_values() == 0)
                    {
                        Vec::new()
                    } else {
                        a.get_default_values()
                            .iter()
                            .map(|v| v.to_string_lossy().into_owned())
                            .filter(|v| !v.is_empty() && v != "false")
                            .collect()
                    },
                    env: a.get_env().map(|e| e.to_string_lossy().into_owned()),
                    id,
                }
            })
            .collect();
        for f in found {
            let heading = say(if f.positional {
                "cli-help-arguments"
            } else {
                "cli-help-options"
            });
            let mut help = f.help.unwrap_or_default();
            if !f.defaults.is_empty() {
                help.push_str(&format!(
                    " [{}: {}]",
                    say("cli-help-default"),
                    f.defaults.join(", ")
                ));
            }
            if let Some(env) = &f.env {
                help.push_str(&format!(" [{}: {env}]", say("cli-help-env")));
            }
            cmd = cmd.mut_arg(f.id, |a| {
                a.help_heading(heading)
                    .help(help)
                    .hide_default_value(true)
                    .hide_env(true)
            });
        }
        cmd = cmd
            .subcommand_help_heading(say("cli-help-commands"))
            .help_template(format!(
                "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
                say("cli-help-usage")
            ));
        let subs: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        for name in subs {
            let mut sub = None;
            cmd = cmd.mut_subcommand(&name, |s| {
                sub = Some(s.clone());
                s
            });
            if let Some(s) = sub {
                let localized = walk(s, path, lang);
                cmd = cmd.mut_subcommand(&name, |_| localized);
            }
        }
        path.pop();
        cmd
    }
    cmd.build();
    walk(cmd, &mut Vec::new(), lang)
}

/// The reason `err` gives, from the catalogue; `None` for what clap says best itself.
pub fn explain(err: &clap::Error) -> Option<String> {
    let text = |kind| match err.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) if !v.is_empty() => Some(v.join(", ")),
        _ => None,
    };
    let message = match err.kind() {
        ErrorKind::InvalidSubcommand => Message::new("cli-arg-unknown-command")
            .arg("command", text(ContextKind::InvalidSubcommand)?),
        ErrorKind::UnknownArgument => {
            Message::new("cli-arg-unknown-option").arg("option", text(ContextKind::InvalidArg)?)
        }
        ErrorKind::MissingRequiredArgument => {
            Message::new("cli-arg-missing").arg("options", text(ContextKind::InvalidArg)?)
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return None
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let base = Message::new("cli-arg-invalid-value")
                .arg("value", text(ContextKind::InvalidValue).unwrap_or_default())
                .arg("option", text(ContextKind::InvalidArg)?);
            match text(ContextKind::ValidValue) {
                Some(choices) => Message::new("cli-arg-choices")
                    .message("message", base)
                    .arg("choices", choices),
                None => base,
            }
        }
        ErrorKind::ArgumentConflict => Message::new("cli-arg-conflict")
            .arg("option", text(ContextKind::InvalidArg)?)
            .arg("other", text(ContextKind::PriorArg)?),
        _ => return None,
    };
    let suggestion = match err.get(ContextKind::SuggestedSubcommand) {
        Some(ContextValue::Strings(v)) if !v.is_empty() => Some(v.clone()),
        _ => text(ContextKind::SuggestedArg).map(|s| vec![s]),
    }
    .map(|names| {
        let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        quoted.join(", ")
    });
    let message = match suggestion {
        Some(s) => Message::new("cli-arg-did-you-mean")
            .message("message", message)
            .arg("suggestion", s),
        None => message,
    };
    Some(format!(
        "{}\n\n{}",
        say!("cli-error", message = terminal::tell(&message)),
        say!("cli-arg-more")
    ))
}

#[cfg(test)]
mod tests {
    use super::explain;
    use clap::Parser;

    #[test]
    fn the_common_mistakes_are_explained_and_the_rest_left_to_clap() {
        let err = |args: &[&str]| crate::cli::Cli::try_parse_from(args).unwrap_err();
        let unknown = explain(&err(&["tribune", "comment", "list"])).unwrap();
        assert!(unknown.contains("`comment`"), "{unknown}");
        assert!(unknown.contains("comments"), "clap's suggestion: {unknown}");
        let option = explain(&err(&["tribune", "user", "list", "--nope"])).unwrap();
        assert!(option.contains("--nope"), "{option}");
        assert!(explain(&err(&["tribune", "--help"])).is_none());
    }

    /// The English catalogue holds the doc comments word for word, so a changed help
    /// line fails here until every language says it again; the value of each
    /// `[default: …]` that is a literal stays as it is in every language.
    #[test]
    fn every_help_line_is_in_the_catalogues() {
        use clap::CommandFactory;
        let help = super::english_help(&crate::cli::Cli::command());
        assert!(help.len() > 50, "{} help lines", help.len());
        let mut problems = Vec::new();
        for (key, english) in &help {
            let catalogue = super::terminal::say_in("en", key);
            if &catalogue != english {
                problems.push(format!(
                    "en: {key} = {catalogue:?}, the code says {english:?}"
                ));
            }
            let literal = english
                .split("[default: ")
                .nth(1)
                .and_then(|d| d.strip_suffix(']'))
                // A value, not a phrase: `127.0.0.1:8080`, `10`, or a choice named
                // before it (`text or json [default: text]`).
                .filter(|d| {
                    !d.contains(' ')
                        && (d.chars().any(|c| !c.is_alphabetic())
                            || english
                                .split("[default: ")
                                .next()
                                .unwrap_or("")
                                .contains(*d))
                });
            for lang in crate::i18n::SHIPPED.iter().map(|l| l.tag) {
                let text = super::terminal::say_in(lang, key);
                if let Some(value) = literal {
                    if !text.contains(value) {
                        problems.push(format!("{lang}: {key} lost its default `{value}`"));
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn the_help_speaks_the_terminals_language() {
        use clap::CommandFactory;
        let mut cmd = super::localize(crate::cli::Cli::command(), "ar");
        let help = cmd.render_help().to_string();
        assert!(
            help.starts_with("Tribune: انشر البيانات والمقالات"),
            "{help}"
        );
        assert!(help.contains("الاستخدام: tribune"), "{help}");
        assert!(help.contains("الأوامر:"), "{help}");
        assert!(help.contains("اطبع المساعدة"), "{help}");
        let user = cmd.find_subcommand_mut("user").unwrap();
        let add = user.find_subcommand_mut("add").unwrap();
        let help = add.render_help().to_string();
        assert!(help.contains("عنوان البريد الذي يُدخل به"), "{help}");
        assert!(help.contains("الخيارات:"), "{help}");
        // What is parsed is the same command line.
        let m = super::localize(crate::cli::Cli::command(), "ar")
            .try_get_matches_from(["tribune", "user", "add", "--email", "a@example.org"])
            .unwrap();
        let cli = <crate::cli::Cli as clap::FromArgMatches>::from_arg_matches(&m);
        assert!(cli.is_ok());
    }
}
