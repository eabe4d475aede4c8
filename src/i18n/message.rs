//! A message for a person, kept as a catalogue key and its arguments until it is known
//! who reads it: an error page is written in the site's language, an import's complaint
//! in the terminal's.

use fluent_bundle::FluentValue;

use super::I18n;

/// A catalogue key and its arguments.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Message {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

/// An argument of a [`Message`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Arg {
    /// Text as it is (a name, a path).
    Text(String),
    /// A catalogue key of its own (a role's name), translated with the message.
    Key(String),
    /// A number: written in the reader's digits, and it picks plural forms.
    Number(i64),
    /// A message of its own, translated with the message.
    Message(Box<Message>),
}

impl Message {
    pub fn new(key: &'static str) -> Message {
        Message {
            key,
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Message {
        self.args.push((name, Arg::Text(value.into())));
        self
    }

    /// An argument that is itself a message, e.g. `role-admin`.
    pub fn arg_key(mut self, name: &'static str, key: impl Into<String>) -> Message {
        self.args.push((name, Arg::Key(key.into())));
        self
    }

    pub fn number(mut self, name: &'static str, n: impl TryInto<i64>) -> Message {
        self.args
            .push((name, Arg::Number(n.try_into().unwrap_or(i64::MAX))));
        self
    }

    pub fn message(mut self, name: &'static str, inner: Message) -> Message {
        self.args.push((name, Arg::Message(Box::new(inner))));
        self
    }

    /// The message in `lang`.
    pub fn in_language(&self, i18n: &I18n, lang: &str) -> String {
        let args: Vec<(&str, FluentValue<'_>)> = self
            .args
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    Arg::Text(t) => FluentValue::from(t.clone()),
                    Arg::Key(key) => FluentValue::from(super::plain(&i18n.t(lang, key, None))),
                    Arg::Number(n) => FluentValue::from(*n),
                    Arg::Message(m) => FluentValue::from(super::plain(&m.in_language(i18n, lang))),
                };
                (*k, value)
            })
            .collect();
        i18n.tr(lang, self.key, &args)
    }
}

/// The key, for logs.
impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key)
    }
}
