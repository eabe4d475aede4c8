//! WordPress eXtended RSS (WXR 1.0, 1.1 and 1.2), read one record at a time.
//!
//! The shape (WordPress's `export_wp()`): `<rss><channel>` with the site's title and
//! URLs, then `<wp:author>`, `<wp:category>`, `<wp:tag>` and `<wp:term>` records, then one
//! `<item>` per post, page or attachment with its `<wp:comment>`s inside. Elements added
//! by plugins are read past and ignored.

use std::collections::VecDeque;
use std::path::Path;

use super::xml::{Node, Step, XmlStream};
use super::ImportError;
use crate::domain::term::TermKind;
use crate::i18n::Message;

#[derive(Debug, Default, Clone)]
pub struct Channel {
    pub title: String,
    pub link: String,
    pub base_site_url: String,
    pub language: String,
    pub wxr_version: String,
}

#[derive(Debug, Clone)]
pub struct Author {
    pub login: String,
    pub email: String,
    pub display_name: String,
}

#[derive(Debug, Clone)]
pub struct Term {
    pub kind: TermKind,
    pub slug: String,
    pub name: String,
    pub parent: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub line: u64,
    pub id: String,
    pub author: String,
    pub email: String,
    pub url: String,
    pub ip: String,
    pub agent: String,
    /// Unix seconds, UTC.
    pub date: Option<i64>,
    pub content: String,
    /// WordPress's `comment_approved`: "1", "0", "spam", "trash", "post-trashed".
    pub approved: String,
    /// "comment", "pingback", "trackback" (WordPress writes "" for comments).
    pub kind: String,
    /// The parent's original id, "0" for none.
    pub parent: String,
}

#[derive(Debug, Clone)]
pub struct Item {
    pub line: u64,
    pub id: String,
    pub title: String,
    pub link: String,
    /// What feeds called it (`<guid>`), kept as the post's feed id.
    pub guid: String,
    pub creator: String,
    pub content: String,
    pub excerpt: String,
    /// Unix seconds, UTC (`post_date_gmt`, else `post_date`, else `pubDate`).
    pub date: Option<i64>,
    pub comment_status: String,
    pub slug: String,
    pub status: String,
    pub post_type: String,
    pub password: String,
    pub terms: Vec<Term>,
    /// The post's language where a multilingual plugin (Polylang) recorded it.
    pub language: Option<String>,
    /// An attachment's file (`wp:attachment_url`).
    pub attachment_url: String,
    /// The attachment shown as the post's featured image (`_thumbnail_id`).
    pub thumbnail_id: Option<String>,
    /// An image attachment's alt text (`_wp_attachment_image_alt`).
    pub alt: String,
}

#[derive(Debug)]
pub enum Record {
    /// Once, before the first author, term or item.
    Channel(Channel),
    Author(Author),
    Term(Term),
    /// A post, page or attachment; its comments follow as `Comment`s.
    Item(Box<Item>),
    Comment(Box<Comment>),
    ItemEnd,
}

pub struct WxrReader {
    xml: XmlStream,
    channel: Option<Channel>,
    channel_sent: bool,
    in_channel: bool,
    finished: bool,
    /// Records ready to hand out, in order.
    pending: VecDeque<Record>,
    item: Option<OpenItem>,
}

impl WxrReader {
    pub fn open(path: &Path) -> Result<Self, ImportError> {
        let xml = XmlStream::open_root(
            path,
            "rss",
            "import-format-wordpress",
            &[("disqus", "import-hint-disqus")],
        )?;
        Ok(WxrReader {
            xml,
            channel: Some(Channel::default()),
            channel_sent: false,
            in_channel: false,
            finished: false,
            pending: VecDeque::new(),
            item: None,
        })
    }

    pub fn position(&self) -> u64 {
        self.xml.position()
    }

    pub fn size(&self) -> u64 {
        self.xml.size
    }

    fn send_channel(&mut self) -> Result<Option<Record>, ImportError> {
        if self.channel_sent {
            return Ok(None);
        }
        self.channel_sent = true;
        let channel = self.channel.take().unwrap_or_default();
        if channel.wxr_version.is_empty() {
            return Err(ImportError::Format(
                Message::new("import-not-wxr").arg("path", self.xml.path().display().to_string()),
            ));
        }
        if !matches!(channel.wxr_version.as_str(), "1.0" | "1.1" | "1.2") {
            return Err(ImportError::Format(
                Message::new("import-wxr-version").arg("version", channel.wxr_version.as_str()),
            ));
        }
        Ok(Some(Record::Channel(channel)))
    }

    /// Queues `record`, sending the channel first if it has not gone yet.
    fn emit(&mut self, record: Record) -> Result<(), ImportError> {
        if !self.channel_sent {
            if let Some(channel) = self.send_channel()? {
                self.pending.push_back(channel);
            }
        }
        self.pending.push_back(record);
        Ok(())
    }

    /// Sends the item being read (without its comments), once.
    fn emit_item(&mut self) -> Result<(), ImportError> {
        if let Some(node) = self.item.as_mut() {
            if !node.sent {
                node.sent = true;
                let record = Record::Item(Box::new(item(&node.fields)));
                self.emit(record)?;
            }
        }
        Ok(())
    }

    /// The next record, or `None` at the end of the file. An item comes as `Item` (its
    /// fields), then one `Comment` each, then `ItemEnd`: a post with a hundred thousand
    /// comments never sits in memory whole.
    pub fn next_record(&mut self) -> Result<Option<Record>, ImportError> {
        loop {
            if let Some(record) = self.pending.pop_front() {
                return Ok(Some(record));
            }
            if self.finished {
                if !self.channel_sent {
                    return self.send_channel();
                }
                return Ok(None);
            }
            match self.xml.step()? {
                Step::Open { depth: 2, node } if node.name == "channel" => {
                    self.in_channel = true;
                }
                Step::Open { depth: 3, node } if self.in_channel && node.name == "item" => {
                    self.item = Some(OpenItem {
                        fields: node,
                        sent: false,
                    });
                }
                Step::Open { depth: 4, node } if self.item.is_some() => {
                    let child = self.xml.read_rest(node)?;
                    if child.name == "wp:comment" {
                        self.emit_item()?;
                        self.emit(Record::Comment(Box::new(comment(&child))))?;
                    } else if let Some(open) = self.item.as_mut() {
                        // WordPress writes every field before the comments; a field
                        // after them would come too late to matter, and is ignored.
                        if !open.sent {
                            open.fields.children.push(child);
                        }
                    }
                }
                Step::Close { depth: 3 } if self.item.is_some() => {
                    self.emit_item()?;
                    self.item = None;
                    self.emit(Record::ItemEnd)?;
                }
                Step::Open { depth: 3, node } if self.in_channel => {
                    let name = node.name.clone();
                    let node = self.xml.read_rest(node)?;
                    match name.as_str() {
                        "title" | "link" | "language" | "wp:base_site_url" | "wp:wxr_version" => {
                            if let Some(c) = self.channel.as_mut() {
                                let v = node.text.trim().to_string();
                                match name.as_str() {
                                    "title" => c.title = v,
                                    "link" => c.link = v,
                                    "language" => c.language = v,
                                    "wp:base_site_url" => c.base_site_url = v,
                                    _ => c.wxr_version = v,
                                }
                            }
                        }
                        "wp:author" => {
                            if let Some(a) = author(&node) {
                                self.emit(Record::Author(a))?;
                            }
                        }
                        "wp:category" => {
                            if let Some(t) = category(&node) {
                                self.emit(Record::Term(t))?;
                            }
                        }
                        "wp:tag" => {
                            if let Some(t) = tag(&node) {
                                self.emit(Record::Term(t))?;
                            }
                        }
                        _ => {}
                    }
                }
                Step::Open { node, .. } => {
                    // Something we do not read (a plugin's element): skip it whole.
                    self.xml.read_rest(node)?;
                }
                Step::Close { depth: 2 } => self.in_channel = false,
                Step::Close { .. } | Step::Text { .. } => {}
                Step::End => self.finished = true,
            }
        }
    }
}

/// An `<item>` being read: its fields so far, and whether it has been sent.
struct OpenItem {
    fields: Node,
    sent: bool,
}

fn author(node: &Node) -> Option<Author> {
    let login = node.value("wp:author_login").to_string();
    if login.is_empty() {
        return None;
    }
    let display = node.value("wp:author_display_name");
    Some(Author {
        email: node.value("wp:author_email").to_string(),
        display_name: if display.is_empty() {
            login.clone()
        } else {
            crate::domain::html::decode_entities(display)
        },
        login,
    })
}

fn category(node: &Node) -> Option<Term> {
    let slug = node.value("wp:category_nicename").to_string();
    if slug.is_empty() {
        return None;
    }
    let parent = node.value("wp:category_parent");
    let name = crate::domain::html::decode_entities(node.value("wp:cat_name"));
    Some(Term {
        kind: TermKind::Category,
        slug: super::clean_slug(&slug, &name, &slug),
        name,
        parent: (!parent.is_empty()).then(|| super::clean_slug(parent, "", parent)),
    })
}

fn tag(node: &Node) -> Option<Term> {
    let slug = node.value("wp:tag_slug").to_string();
    if slug.is_empty() {
        return None;
    }
    let name = crate::domain::html::decode_entities(node.value("wp:tag_name"));
    Some(Term {
        kind: TermKind::Tag,
        slug: super::clean_slug(&slug, &name, &slug),
        name,
        parent: None,
    })
}

/// "2019-01-02 10:00:00" as UTC; WordPress writes zeros for "not set".
pub fn parse_wp_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || s.starts_with("0000") {
        return None;
    }
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(s, format)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

fn parse_rfc2822(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc2822)
        .ok()
        .map(time::OffsetDateTime::unix_timestamp)
}

fn item(node: &Node) -> Item {
    let date = parse_wp_date(node.value("wp:post_date_gmt"))
        .or_else(|| parse_wp_date(node.value("wp:post_date")))
        .or_else(|| parse_rfc2822(node.value("pubDate")));
    let mut terms = Vec::new();
    let mut language = None;
    for c in node.all("category") {
        let kind = match c.attr("domain") {
            Some("category") => TermKind::Category,
            Some("post_tag") => TermKind::Tag,
            Some("language") => {
                language = c.attr("nicename").map(str::to_string);
                continue;
            }
            _ => continue,
        };
        let name = crate::domain::html::decode_entities(c.text.trim());
        let slug = super::clean_slug(c.attr("nicename").unwrap_or(""), &name, "term");
        terms.push(Term {
            kind,
            slug,
            name,
            parent: None,
        });
    }
    Item {
        line: node.line,
        id: node.value("wp:post_id").to_string(),
        title: crate::domain::html::decode_entities(node.value("title")),
        link: node.value("link").to_string(),
        guid: node.value("guid").trim().to_string(),
        creator: node.value("dc:creator").to_string(),
        content: node.text_of("content:encoded").to_string(),
        excerpt: node.text_of("excerpt:encoded").trim().to_string(),
        date,
        comment_status: node.value("wp:comment_status").to_string(),
        slug: node.value("wp:post_name").to_string(),
        status: node.value("wp:status").to_string(),
        post_type: node.value("wp:post_type").to_string(),
        password: node.value("wp:post_password").to_string(),
        terms,
        language,
        attachment_url: node.value("wp:attachment_url").trim().to_string(),
        thumbnail_id: node
            .all("wp:postmeta")
            .find(|m| m.value("wp:meta_key") == "_thumbnail_id")
            .map(|m| m.value("wp:meta_value").trim().to_string())
            .filter(|v| !v.is_empty()),
        alt: node
            .all("wp:postmeta")
            .find(|m| m.value("wp:meta_key") == "_wp_attachment_image_alt")
            .map(|m| crate::domain::html::decode_entities(m.value("wp:meta_value").trim()))
            .unwrap_or_default(),
    }
}

fn comment(c: &Node) -> Comment {
    Comment {
        line: c.line,
        id: c.value("wp:comment_id").to_string(),
        author: crate::domain::html::decode_entities(c.value("wp:comment_author")),
        email: c.value("wp:comment_author_email").to_string(),
        url: c.value("wp:comment_author_url").to_string(),
        ip: c.value("wp:comment_author_IP").to_string(),
        agent: c.value("wp:comment_agent").to_string(),
        date: parse_wp_date(c.value("wp:comment_date_gmt"))
            .or_else(|| parse_wp_date(c.value("wp:comment_date"))),
        content: c.text_of("wp:comment_content").to_string(),
        approved: c.value("wp:comment_approved").to_string(),
        kind: match c.value("wp:comment_type") {
            "" => "comment".to_string(),
            other => other.to_string(),
        },
        parent: match c.value("wp:comment_parent") {
            "" => "0".to_string(),
            other => other.to_string(),
        },
    }
}
