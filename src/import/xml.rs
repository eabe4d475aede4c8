//! A streaming XML reader for exports: the file is read once, front to back, and one
//! record (a post with its comments, a Disqus thread) at a time is held in memory as a
//! small tree. Errors carry the line and column where the file went wrong.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::ImportError;
use crate::i18n::Message;

/// One element with what it holds: its text (CDATA sections, entities and text runs
/// joined) and its child elements. Unknown elements are kept and simply not looked at.
#[derive(Debug, Default, Clone)]
pub struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
    /// The line the element starts on (1-based).
    pub line: u64,
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child called `name`, or "".
    pub fn text_of(&self, name: &str) -> &str {
        self.child(name).map(|c| c.text.as_str()).unwrap_or("")
    }

    /// The trimmed text of the first child called `name`, or "".
    pub fn value(&self, name: &str) -> &str {
        self.text_of(name).trim()
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Counts the bytes and lines the parser has consumed.
struct Counting<R> {
    inner: R,
    bytes: u64,
    lines: u64,
}

impl<R: Read> Read for Counting<BufReader<R>> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        self.lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        Ok(n)
    }
}

impl<R: Read> BufRead for Counting<BufReader<R>> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let amt = amt.min(buf.len());
            self.lines += buf[..amt].iter().filter(|b| **b == b'\n').count() as u64;
        }
        self.bytes += amt as u64;
        self.inner.consume(amt);
    }
}

/// What the reader met at the top of a record.
pub enum Step {
    /// An element opened at `depth` (the root is depth 1).
    Open {
        depth: usize,
        node: Node,
    },
    /// The element at `depth` closed.
    Close {
        depth: usize,
    },
    /// Text (a run, a CDATA section or an entity) inside the element we are in.
    Text {
        text: String,
    },
    End,
}

pub struct XmlStream {
    reader: Reader<Counting<BufReader<File>>>,
    path: PathBuf,
    buf: Vec<u8>,
    /// Names of the open elements, with the line each opened on.
    open: Vec<(String, u64)>,
    pub size: u64,
}

impl XmlStream {
    pub fn open(path: &Path) -> Result<Self, ImportError> {
        let file = File::open(path).map_err(|e| ImportError::Open {
            path: path.display().to_string(),
            reason: e,
        })?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let counting = Counting {
            inner: BufReader::with_capacity(256 * 1024, file),
            bytes: 0,
            lines: 0,
        };
        let mut reader = Reader::from_reader(counting);
        let config = reader.config_mut();
        config.trim_text(false);
        config.expand_empty_elements = true;
        config.check_end_names = true;
        Ok(XmlStream {
            reader,
            path: path.to_path_buf(),
            buf: Vec::with_capacity(64 * 1024),
            open: Vec::new(),
            size,
        })
    }

    /// Opens `path` and reads up to its root element, which must be `<root>`; `format`
    /// names the export for messages, `hints` says what other roots are instead.
    pub fn open_root(
        path: &Path,
        root: &str,
        format: &'static str,
        hints: &[(&str, &'static str)],
    ) -> Result<Self, ImportError> {
        let mut xml = XmlStream::open(path)?;
        loop {
            match xml.step()? {
                Step::Open { node, .. } if node.name == root => return Ok(xml),
                Step::Open { node, .. } => {
                    let message = Message::new("import-not-format")
                        .arg("path", path.display().to_string())
                        .arg_key("format", format)
                        .arg("found", node.name.as_str())
                        .arg("root", root)
                        .number("line", node.line);
                    let hint = hints.iter().find(|(name, _)| *name == node.name);
                    return Err(ImportError::Format(match hint {
                        Some((_, hint)) => Message::new("import-with-hint")
                            .message("message", message)
                            .arg_key("hint", *hint),
                        None => message,
                    }));
                }
                Step::Text { .. } => {}
                Step::Close { .. } | Step::End => {
                    return Err(ImportError::Format(
                        Message::new("import-empty-file")
                            .arg("path", path.display().to_string())
                            .arg_key("format", format)
                            .arg("root", root),
                    ))
                }
            }
        }
    }

    /// How far into the file the parser is, in bytes.
    pub fn position(&self) -> u64 {
        self.reader.get_ref().bytes
    }

    /// The line the parser is on (1-based).
    pub fn line(&self) -> u64 {
        self.reader.get_ref().lines + 1
    }

    /// An error at byte `offset`, with its line and column found by reading up to it.
    fn error_at(&self, offset: u64, message: Message) -> ImportError {
        let (line, column) = line_column(&self.path, offset);
        ImportError::Xml {
            line,
            column,
            message,
        }
    }

    fn start_node(&self, e: &BytesStart<'_>, line: u64) -> Result<Node, ImportError> {
        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        let mut attrs = Vec::new();
        for attr in e.attributes() {
            let attr = attr.map_err(|err| {
                self.error_at(
                    self.reader.buffer_position(),
                    Message::new("import-bad-attribute").arg("detail", err.to_string()),
                )
            })?;
            let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
            let value = attr
                .decoded_and_normalized_value_with(
                    quick_xml::XmlVersion::Implicit1_0,
                    self.reader.decoder(),
                    128,
                    |ent| {
                        quick_xml::escape::resolve_predefined_entity(ent)
                            .or_else(|| quick_xml::escape::resolve_html5_entity(ent))
                    },
                )
                .map_err(|err| {
                    self.error_at(
                        self.reader.buffer_position(),
                        Message::new("import-bad-attribute-named")
                            .arg("name", key.as_str())
                            .arg("detail", err.to_string()),
                    )
                })?
                .into_owned();
            attrs.push((key, value));
        }
        Ok(Node {
            name,
            attrs,
            line,
            ..Node::default()
        })
    }

    /// The next thing at the current level: an element opening, text, the end of the
    /// element we are in, or the end of the file.
    pub fn step(&mut self) -> Result<Step, ImportError> {
        /// An event copied out of the read buffer.
        enum Raw {
            Start(BytesStart<'static>),
            End,
            Text(Result<String, Message>),
            Ref(Result<Option<char>, Message>, String),
            Eof,
            Skip,
        }
        loop {
            let line = self.line();
            let before = self.reader.buffer_position();
            self.buf.clear();
            let raw =
                match self.reader.read_event_into(&mut self.buf) {
                    Ok(Event::Start(e)) => Raw::Start(e.into_owned()),
                    Ok(Event::End(_)) => Raw::End,
                    Ok(Event::Text(t)) => {
                        Raw::Text(t.xml10_content().map(std::borrow::Cow::into_owned).map_err(
                            |e| Message::new("import-text-not-utf8").arg("detail", e.to_string()),
                        ))
                    }
                    Ok(Event::CData(t)) => {
                        Raw::Text(t.decode().map(|c| c.replace("\r\n", "\n")).map_err(|e| {
                            Message::new("import-cdata-not-utf8").arg("detail", e.to_string())
                        }))
                    }
                    Ok(Event::GeneralRef(r)) => Raw::Ref(
                        r.resolve_char_ref().map_err(|e| {
                            Message::new("import-bad-reference").arg("detail", e.to_string())
                        }),
                        String::from_utf8_lossy(&r).into_owned(),
                    ),
                    Ok(Event::Eof) => Raw::Eof,
                    Ok(_) => Raw::Skip,
                    Err(err) => {
                        let at = self.reader.error_position();
                        return Err(self.error_at(at, describe(&err)));
                    }
                };
            let here = self.reader.buffer_position();
            match raw {
                Raw::Start(e) => {
                    let node = self.start_node(&e, line)?;
                    self.open.push((node.name.clone(), line));
                    return Ok(Step::Open {
                        depth: self.open.len(),
                        node,
                    });
                }
                Raw::End => {
                    let depth = self.open.len();
                    self.open.pop();
                    return Ok(Step::Close { depth });
                }
                Raw::Text(text) => {
                    let mut text = text.map_err(|m| self.error_at(here, m))?;
                    if text.contains('\0') {
                        // Never valid XML, yet found in old exports; PostgreSQL refuses it.
                        text.retain(|c| c != '\0');
                    }
                    if self.open.is_empty() && !text.trim().is_empty() {
                        let skipped = text.len() - text.trim_start().len();
                        return Err(self.error_at(
                            before + skipped as u64,
                            Message::new("import-text-outside"),
                        ));
                    }
                    return Ok(Step::Text { text });
                }
                Raw::Ref(resolved, name) => {
                    let text = match resolved.map_err(|m| self.error_at(here, m))? {
                        Some(c) => c.to_string(),
                        None => quick_xml::escape::resolve_predefined_entity(&name)
                            .or_else(|| quick_xml::escape::resolve_html5_entity(&name))
                            .map(str::to_string)
                            // An entity nobody defined: keep it as written, lose nothing.
                            .unwrap_or_else(|| format!("&{name};")),
                    };
                    return Ok(Step::Text { text });
                }
                Raw::Eof => {
                    if let Some((name, line)) = self.open.last() {
                        let (end_line, end_col) = line_column(&self.path, self.size);
                        return Err(ImportError::Xml {
                            line: end_line,
                            column: end_col,
                            message: Message::new("import-cut-short")
                                .arg("name", name.as_str())
                                .number("line", *line),
                        });
                    }
                    return Ok(Step::End);
                }
                Raw::Skip => {}
            }
        }
    }

    /// Reads the rest of the element `node` just opened, children and text.
    pub fn read_rest(&mut self, mut node: Node) -> Result<Node, ImportError> {
        let depth = self.open.len();
        // A stack of nodes being filled; the bottom is `node`.
        let mut stack: Vec<Node> = Vec::new();
        loop {
            match self.step()? {
                Step::Open { node: child, .. } => {
                    stack.push(std::mem::replace(&mut node, child));
                }
                Step::Text { text, .. } => node.text.push_str(&text),
                Step::Close { depth: closed } => {
                    if closed == depth {
                        return Ok(node);
                    }
                    let parent = stack.pop().expect("closing a child we opened");
                    let child = std::mem::replace(&mut node, parent);
                    node.children.push(child);
                }
                Step::End => unreachable!("end of file inside an element is an error"),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn describe(err: &quick_xml::Error) -> Message {
    use quick_xml::errors::IllFormedError;
    match err {
        quick_xml::Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            Message::new("import-mismatched-end")
                .arg("found", found.as_str())
                .arg("expected", expected.as_str())
        }
        quick_xml::Error::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
            Message::new("import-unmatched-end").arg("name", name.as_str())
        }
        other => Message::new("import-not-xml").arg("detail", other.to_string()),
    }
}

/// Line and column (1-based, in characters) of byte `offset` in the file at `path`.
pub fn line_column(path: &Path, offset: u64) -> (u64, u64) {
    let Ok(file) = File::open(path) else {
        return (0, 0);
    };
    let mut reader = BufReader::new(file.take(offset));
    let mut line = 1;
    let mut last = Vec::new();
    let mut chunk = Vec::new();
    loop {
        chunk.clear();
        match reader.read_until(b'\n', &mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                if chunk.last() == Some(&b'\n') {
                    line += 1;
                    last.clear();
                } else {
                    last.extend_from_slice(&chunk);
                }
            }
        }
    }
    let column = String::from_utf8_lossy(&last).chars().count() as u64 + 1;
    (line, column)
}
