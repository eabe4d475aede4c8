//! What Tribune says on a terminal — the command line's output, its errors and the
//! settings' complaints — in the terminal's language: `LC_ALL`, else `LC_MESSAGES`,
//! else `LANG` (`ar_IQ.UTF-8` is Arabic; `C`, `POSIX` and a language Tribune does not
//! ship are English). Logs stay English, for the people who read them with grep.

use std::sync::LazyLock;

use fluent_bundle::FluentValue;

use super::message::Message;
use super::{plain, I18n};

struct Terminal {
    i18n: I18n,
    lang: &'static str,
}

static TERMINAL: LazyLock<Terminal> = LazyLock::new(|| {
    let lang = language_of(|name| std::env::var(name).ok());
    Terminal {
        i18n: I18n::only(lang),
        lang,
    }
});

/// Every language, for the rare caller that asks for another (the tests).
static EVERY: LazyLock<I18n> = LazyLock::new(I18n::new);

fn speaker(lang: &str) -> &'static I18n {
    if lang == TERMINAL.lang || lang == super::FALLBACK {
        &TERMINAL.i18n
    } else {
        &EVERY
    }
}

/// The shipped language the locale variables `var` reads ask for.
pub fn language_of(var: impl Fn(&str) -> Option<String>) -> &'static str {
    for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        let Some(value) = var(name).filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        // `ar_IQ.UTF-8@euro` → `ar-IQ`
        let tag = value
            .split(['.', '@'])
            .next()
            .unwrap_or_default()
            .replace('_', "-");
        return match tag.as_str() {
            "C" | "POSIX" => "en",
            _ => super::speak(&tag).tag,
        };
    }
    "en"
}

/// The terminal's language.
pub fn language() -> &'static str {
    TERMINAL.lang
}

/// Message `key` in the terminal's language, without Fluent's isolation marks.
pub fn say(key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    plain(&TERMINAL.i18n.tr(TERMINAL.lang, key, args))
}

/// Message `key` (without arguments) in `lang`.
pub fn say_in(lang: &str, key: &str) -> String {
    plain(&speaker(lang).tr(lang, key, &[]))
}

/// `message` in the terminal's language.
pub fn tell(message: &Message) -> String {
    plain(&message.in_language(&TERMINAL.i18n, TERMINAL.lang))
}

/// `message` in English, for logs and `Display`.
pub fn english(message: &Message) -> String {
    plain(&message.in_language(&TERMINAL.i18n, super::FALLBACK))
}

/// `say!("cli-user-added", role = role, id = id.to_string())`: [`say`] with named
/// arguments.
#[macro_export]
macro_rules! say {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::terminal::say(
            $key,
            &[$((stringify!($name), ::fluent_bundle::FluentValue::from($value))),*],
        )
    };
}

#[cfg(test)]
mod tests {
    use super::language_of;

    #[test]
    fn the_terminal_language_comes_from_the_locale() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(language_of(env(&[("LANG", "ar_IQ.UTF-8")])), "ar");
        assert_eq!(
            language_of(env(&[("LANG", "ckb_IQ.UTF-8"), ("LC_ALL", "tr_TR.UTF-8")])),
            "tr"
        );
        assert_eq!(language_of(env(&[("LANG", "C.UTF-8")])), "en");
        assert_eq!(language_of(env(&[("LANG", "fr_FR.UTF-8")])), "en");
        assert_eq!(
            language_of(env(&[("LC_MESSAGES", "fa_IR"), ("LANG", "en_US")])),
            "fa"
        );
        assert_eq!(language_of(env(&[])), "en");
    }
}
