//! clap's complaints about a command line, in the terminal's language. clap writes
//! English; on a terminal in another shipped language the common mistakes (a command
//! or option that does not exist, a value that is not one of the choices, a missing
//! argument) are said from the catalogue instead, with clap's suggestion. `--help`
//! and anything rarer stay clap's own.

use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::i18n::{terminal, Message};
use crate::say;

/// Parses the process's arguments, or exits with the reason (status 2, as clap does).
pub fn parse<P: clap::Parser>() -> P {
    match P::try_parse() {
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
}
