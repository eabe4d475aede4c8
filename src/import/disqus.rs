//! Disqus's XML export, read one record at a time.
//!
//! The shape: `<disqus>` holding `<category>`s, then `<thread dsq:id>`s (one per page
//! that had comments: its `<link>`, `<title>`, `<id>` identifier), then `<post dsq:id>`s
//! (the comments: `<message>` HTML, `<createdAt>`, `<author>`, `<ipAddress>`,
//! `<isDeleted>`, `<isSpam>`, `<thread dsq:id>` and optionally `<parent dsq:id>`).

use std::path::Path;

use super::xml::{Node, Step, XmlStream};
use super::ImportError;

#[derive(Debug, Clone)]
pub struct Thread {
    pub id: String,
    pub forum: String,
    pub link: String,
    pub title: String,
    /// The identifier the site gave Disqus (WordPress's plugin: "123 https://…/?p=123").
    pub identifier: String,
}

#[derive(Debug, Clone)]
pub struct Post {
    pub line: u64,
    pub id: String,
    pub thread: String,
    pub parent: Option<String>,
    pub message: String,
    pub date: Option<i64>,
    pub name: String,
    pub email: String,
    pub username: String,
    pub ip: String,
    pub deleted: bool,
    pub spam: bool,
    /// `<isApproved>` where the export has it (false: held for moderation).
    pub approved: bool,
}

#[derive(Debug)]
pub enum Record {
    Thread(Thread),
    Post(Box<Post>),
}

pub struct DisqusReader {
    xml: XmlStream,
    finished: bool,
}

fn dsq_id(node: &Node) -> Option<String> {
    node.attr("dsq:id")
        .or_else(|| node.attr("id"))
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

fn flag(node: &Node, name: &str, default: bool) -> bool {
    match node.value(name) {
        "true" | "1" => true,
        "false" | "0" => false,
        _ => default,
    }
}

impl DisqusReader {
    pub fn open(path: &Path) -> Result<Self, ImportError> {
        let xml = XmlStream::open_root(
            path,
            "disqus",
            "import-format-disqus",
            &[("rss", "import-hint-wordpress")],
        )?;
        Ok(DisqusReader {
            xml,
            finished: false,
        })
    }

    pub fn position(&self) -> u64 {
        self.xml.position()
    }

    pub fn size(&self) -> u64 {
        self.xml.size
    }

    pub fn next_record(&mut self) -> Result<Option<Record>, ImportError> {
        while !self.finished {
            match self.xml.step()? {
                Step::Open { depth: 2, node } if node.name == "thread" || node.name == "post" => {
                    let node = self.xml.read_rest(node)?;
                    if node.name == "thread" {
                        if let Some(t) = thread(&node) {
                            return Ok(Some(Record::Thread(t)));
                        }
                    } else {
                        return Ok(Some(Record::Post(Box::new(post(&node)))));
                    }
                }
                Step::Open { node, .. } => {
                    self.xml.read_rest(node)?;
                }
                Step::Close { .. } | Step::Text { .. } => {}
                Step::End => self.finished = true,
            }
        }
        Ok(None)
    }
}

fn parse_date(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .ok()
        .map(time::OffsetDateTime::unix_timestamp)
}

fn thread(node: &Node) -> Option<Thread> {
    Some(Thread {
        id: dsq_id(node)?,
        forum: node.value("forum").to_string(),
        link: node.value("link").to_string(),
        title: crate::domain::html::decode_entities(node.value("title")),
        identifier: node.value("id").to_string(),
    })
}

fn post(node: &Node) -> Post {
    let author = node.child("author");
    let of_author = |name: &str| {
        author
            .map(|a| a.value(name).to_string())
            .unwrap_or_default()
    };
    Post {
        line: node.line,
        id: dsq_id(node).unwrap_or_default(),
        thread: node.child("thread").and_then(dsq_id).unwrap_or_default(),
        parent: node.child("parent").and_then(dsq_id),
        message: node.text_of("message").trim().to_string(),
        date: parse_date(node.value("createdAt")),
        name: crate::domain::html::decode_entities(&of_author("name")),
        email: of_author("email"),
        username: of_author("username"),
        ip: node.value("ipAddress").to_string(),
        deleted: flag(node, "isDeleted", false),
        spam: flag(node, "isSpam", false),
        approved: flag(node, "isApproved", true),
    }
}
