//! What an import says: its errors and its summary, as catalogue messages, so the
//! command line writes them in the terminal's language (`Display` is English).

use std::collections::BTreeMap;
use std::fmt;

use crate::i18n::terminal;
use crate::i18n::Message;
use crate::store::StoreError;

/// Why an import stopped. Nothing was written when it does.
#[derive(Debug)]
pub enum ImportError {
    Open {
        path: String,
        reason: std::io::Error,
    },
    /// The file is not well-formed XML at this place.
    Xml {
        line: u64,
        column: u64,
        message: Message,
    },
    /// Well-formed, but not the export it should be.
    Format(Message),
    Store(StoreError),
}

impl ImportError {
    /// What to tell the person who ran the import.
    pub fn message(&self) -> Message {
        match self {
            ImportError::Open { path, reason } => Message::new("import-cannot-open")
                .arg("path", path.as_str())
                .arg("reason", reason.to_string()),
            ImportError::Xml {
                line,
                column,
                message,
            } => Message::new("import-at-line")
                .number("line", *line)
                .number("column", *column)
                .message("message", message.clone()),
            ImportError::Format(message) => {
                Message::new("import-nothing").message("message", message.clone())
            }
            ImportError::Store(err) => {
                Message::new("import-database").arg("reason", err.to_string())
            }
        }
    }

    /// [`ImportError::message`] in the terminal's language.
    pub fn in_terminal_language(&self) -> String {
        terminal::tell(&self.message())
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&terminal::english(&self.message()))
    }
}

impl std::error::Error for ImportError {}

// Not a source: the one-line message says the store's error already.
impl From<StoreError> for ImportError {
    fn from(err: StoreError) -> Self {
        ImportError::Store(err)
    }
}

/// Things skipped (or changed) with the same reason, with a few examples.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub count: u64,
    pub examples: Vec<Message>,
}

const EXAMPLES: usize = 5;

/// What an import did, for the summary at the end.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub posts: u64,
    pub pages: u64,
    pub comments: u64,
    pub users: u64,
    pub terms: u64,
    /// Files fetched into the media library (`--fetch-media`).
    pub media: u64,
    /// Posts and comments found from an earlier run of the same file, left as they are.
    pub already_imported: u64,
    pub skipped: BTreeMap<Message, Tally>,
    pub notes: BTreeMap<Message, Tally>,
}

impl Report {
    fn tally(map: &mut BTreeMap<Message, Tally>, reason: Message, count: u64, example: Message) {
        let t = map.entry(reason).or_default();
        t.count += count;
        if t.examples.len() < EXAMPLES {
            t.examples.push(example);
        }
    }

    pub fn skip(&mut self, reason: Message, example: Message) {
        Self::tally(&mut self.skipped, reason, 1, example);
    }

    /// `count` things skipped for one reason, shown by one example.
    pub fn skip_many(&mut self, reason: Message, count: u64, example: Message) {
        Self::tally(&mut self.skipped, reason, count, example);
    }

    pub fn note(&mut self, reason: Message, example: Message) {
        Self::tally(&mut self.notes, reason, 1, example);
    }

    /// The summary, one line per entry, each message written by `say`; `dry_run` says
    /// "Would import" instead of "Imported".
    pub fn describe(&self, dry_run: bool, say: &dyn Fn(&Message) -> String) -> String {
        let count = |key: &'static str, n: u64| Message::new(key).number("count", n);
        let headline = Message::new(if dry_run {
            "import-summary-dry"
        } else {
            "import-summary"
        })
        .message("posts", count("import-posts", self.posts))
        .message("pages", count("import-pages", self.pages))
        .message("comments", count("import-comments", self.comments))
        .message("users", count("import-users", self.users))
        .message("terms", count("import-terms", self.terms));
        let mut out = say(&headline);
        out.push('\n');
        if self.media > 0 {
            out.push_str(&say(&count("import-media", self.media)));
            out.push('\n');
        }
        if self.already_imported > 0 {
            out.push_str(&say(&count("import-already", self.already_imported)));
            out.push('\n');
        }
        let sections = [
            ("import-skipped-heading", &self.skipped),
            ("import-changed-heading", &self.notes),
        ];
        for (heading, map) in sections {
            if map.is_empty() {
                continue;
            }
            let total: u64 = map.values().map(|t| t.count).sum();
            out.push_str(&say(&count(heading, total)));
            out.push('\n');
            for (reason, tally) in map {
                let line = Message::new("import-tally")
                    .number("count", tally.count)
                    .message("reason", reason.clone());
                out.push_str(&format!("  {}\n", say(&line)));
                for e in &tally.examples {
                    out.push_str(&format!("      {}\n", say(e)));
                }
                if tally.count as usize > tally.examples.len() {
                    out.push_str("      …\n");
                }
            }
        }
        out
    }
}

/// The summary in English.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(false, &terminal::english))
    }
}
