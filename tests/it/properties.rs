//! Everything that reads untrusted bytes, fed mutated versions of real input: the WXR
//! and Disqus readers (seeds: `tests/fixtures/*.xml`), the comment sanitiser and
//! Markdown rendering (seeds: `tests/corpus/`). Each case takes a seed, applies random
//! edits (bytes changed, cut, repeated, and fragments that break parsers: `]]>`,
//! `<![CDATA[`, `&#`, `</`, `javascript:`), and checks what must always hold: no
//! panic, no hang, and nothing unsafe in HTML that reaches a page.
//!
//! The number of cases is `PROPTEST_CASES` (default 64 per property, about a
//! second each in a debug build); CI runs 256. A failing case is shrunk and saved by
//! proptest under `tests/it/properties.proptest-regressions`, which is kept in the
//! repository and replayed first on every run.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn seeds(dir: &str, ext: &str, starts: &str) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == ext)
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(starts))
        })
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

const FRAGMENTS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "&",
    "&#",
    "&#x",
    "&amp;",
    ";",
    "\"",
    "'",
    "]]>",
    "<![CDATA[",
    "<!--",
    "-->",
    "<?xml",
    "\u{0}",
    "\u{1b}",
    "\u{202e}",
    "ئە",
    "javascript:",
    "<script>",
    "<a href=\"",
    "<pre>",
    "<blockquote>",
    "</item>",
    "<wp:comment>",
    "</wp:comment>",
    "<item>",
    "<post>",
    "</post>",
    "<thread dsq:id=\"1\">",
    "\n",
    "\r\n",
    "  ",
    "*",
    "_",
    "[",
    "](",
    ")",
    "`",
    "```",
    "> ",
    "|",
    "#",
    "[^1]",
];

/// One edit to a byte string.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, u8),
    Insert(usize, usize),
    Cut(usize, usize),
    Repeat(usize, usize, usize),
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Replace(at, b)),
        (any::<usize>(), 0..FRAGMENTS.len()).prop_map(|(at, f)| Edit::Insert(at, f)),
        (any::<usize>(), 1usize..400).prop_map(|(at, n)| Edit::Cut(at, n)),
        (any::<usize>(), 1usize..200, 1usize..50).prop_map(|(at, n, k)| Edit::Repeat(at, n, k)),
    ]
}

fn apply(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for e in edits {
        let len = v.len().max(1);
        match *e {
            Edit::Replace(at, b) => {
                if !v.is_empty() {
                    let at = at % v.len();
                    v[at] = b;
                }
            }
            Edit::Insert(at, f) => {
                let at = at % (v.len() + 1);
                v.splice(at..at, FRAGMENTS[f].bytes());
            }
            Edit::Cut(at, n) => {
                let at = at % len;
                let end = (at + n).min(v.len());
                if at < end {
                    v.drain(at..end);
                }
            }
            Edit::Repeat(at, n, k) => {
                let at = at % len;
                let end = (at + n).min(v.len());
                if at < end && v.len() < 2_000_000 {
                    let chunk: Vec<u8> = v[at..end].to_vec();
                    for _ in 0..k {
                        v.splice(end..end, chunk.iter().copied());
                    }
                }
            }
        }
    }
    v
}

fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (
        0..seeds.len(),
        prop::collection::vec(edit_strategy(), 0..12),
    )
        .prop_map(move |(i, edits)| apply(&seeds[i], &edits))
}

fn write_temp(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut f, bytes).unwrap();
    f
}

/// Reads every record; the reader must end (with records or an error), never panic,
/// and never hand out more records than there are bytes.
fn read_all<R>(
    path: &Path,
    open: fn(&Path) -> Result<R, tribune::import::ImportError>,
    next: fn(&mut R) -> Result<Option<()>, tribune::import::ImportError>,
    len: usize,
) {
    let Ok(mut reader) = open(path) else { return };
    let mut records = 0usize;
    loop {
        match next(&mut reader) {
            Ok(Some(())) => {
                records += 1;
                assert!(records <= len + 1, "more records than bytes: a loop");
            }
            Ok(None) => break,
            Err(err) => {
                let msg = err.to_string();
                assert!(!msg.is_empty());
                break;
            }
        }
    }
}

/// The attributes of every element in serialised HTML (as html5ever writes it: text
/// `<` escaped, attribute values in double quotes).
fn elements(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let b = html.as_bytes();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        i += off + 1;
        if b.get(i) == Some(&b'/') || b.get(i) == Some(&b'!') {
            continue;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
            i += 1;
        }
        let name = html[start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                break;
            }
            let a = i;
            // A name may start with `=` (`<p =x="">`); it always advances.
            i += 1;
            while i < b.len() && b[i] != b'=' && b[i] != b'>' && !b[i].is_ascii_whitespace() {
                i += 1;
            }
            let attr = html[a..i].to_ascii_lowercase();
            let mut value = String::new();
            if b.get(i) == Some(&b'=') && b.get(i + 1) == Some(&b'"') {
                let v = i + 2;
                let end = html[v..].find('"').map_or(b.len(), |e| v + e);
                value = html[v..end].to_string();
                i = (end + 1).min(b.len());
            } else if b.get(i) == Some(&b'=') {
                i += 1;
            }
            attrs.push((attr, value));
        }
        // The content of these is text to a browser, whatever it looks like.
        if matches!(
            name.as_str(),
            "iframe" | "textarea" | "title" | "xmp" | "noembed" | "noframes" | "noscript"
        ) {
            // Its end is `</name` followed by a space, `/` or `>`, as a browser reads it.
            let close = format!("</{name}");
            let lower = html[i..].to_ascii_lowercase();
            let mut from = 0;
            i = loop {
                match lower[from..].find(&close) {
                    Some(e) => {
                        let after = lower.as_bytes().get(from + e + close.len());
                        if matches!(after, Some(b'\t' | b'\n' | b'\x0c' | b' ' | b'/' | b'>')) {
                            break i + from + e;
                        }
                        from += e + close.len();
                    }
                    None => break b.len(),
                }
            };
        }
        out.push((name, attrs));
    }
    out
}

/// What must never be in HTML that reaches a page: script-capable elements, event
/// handlers, and URLs that run code.
fn assert_safe(html: &str) {
    for (name, attrs) in elements(html) {
        assert!(
            !matches!(
                name.as_str(),
                "script"
                    | "style"
                    | "svg"
                    | "math"
                    | "object"
                    | "embed"
                    | "form"
                    | "base"
                    | "meta"
                    | "link"
            ),
            "<{name}> in {html}"
        );
        for (attr, value) in attrs {
            assert!(!attr.starts_with("on"), "{attr} on <{name}> in {html}");
            if !matches!(
                attr.as_str(),
                "href"
                    | "src"
                    | "cite"
                    | "action"
                    | "formaction"
                    | "poster"
                    | "srcset"
                    | "data"
                    | "xlink:href"
                    | "background"
                    | "longdesc"
                    | "ping"
                    | "manifest"
                    | "codebase"
                    | "usemap"
            ) {
                continue;
            }
            let url: String = value
                .replace("&amp;", "&")
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            let urls: Vec<String> = if attr == "srcset" {
                value
                    .replace("&amp;", "&")
                    .split(',')
                    .filter_map(|c| c.split_whitespace().next())
                    .map(str::to_ascii_lowercase)
                    .collect()
            } else {
                vec![url]
            };
            for url in urls {
                for scheme in ["javascript:", "vbscript:", "data:text"] {
                    assert!(
                        !url.starts_with(scheme),
                        "{attr}=\"{value}\" on <{name}> in {html}"
                    );
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_wxr_reader_never_panics_on_damaged_exports(bytes in mutated(seeds("tests/fixtures", "xml", "wxr"))) {
        let file = write_temp(&bytes);
        read_all(
            file.path(),
            tribune::import::wxr::WxrReader::open,
            |r| r.next_record().map(|o| o.map(|_| ())),
            bytes.len(),
        );
    }

    #[test]
    fn the_disqus_reader_never_panics_on_damaged_exports(bytes in mutated(seeds("tests/fixtures", "xml", "disqus"))) {
        let file = write_temp(&bytes);
        read_all(
            file.path(),
            tribune::import::disqus::DisqusReader::open,
            |r| r.next_record().map(|o| o.map(|_| ())),
            bytes.len(),
        );
    }

    #[test]
    fn comments_are_always_safe_html(bytes in mutated(seeds("tests/corpus/html", "html", ""))) {
        let text = String::from_utf8_lossy(&bytes);
        let rendered = tribune::domain::text::render_comment(&text);
        assert_safe(&rendered);
        let imported = tribune::domain::html::render_imported_comment(&text);
        assert_safe(&imported);
        // Cleaning what is already clean changes nothing that matters.
        assert_safe(&tribune::domain::text::sanitise_comment_html(&imported));
    }

    #[test]
    fn imported_posts_are_always_safe_html(bytes in mutated(seeds("tests/corpus/html", "html", ""))) {
        let text = String::from_utf8_lossy(&bytes);
        let out = tribune::domain::html::render_trusted(&text);
        assert_safe(&out);
    }

    #[test]
    fn markdown_posts_are_always_safe_html(bytes in mutated(seeds("tests/corpus/markdown", "md", ""))) {
        let text = String::from_utf8_lossy(&bytes);
        let html = tribune::domain::text::render_post(&text);
        assert_safe(&html);
        let _ = tribune::domain::text::summary(&text, 55);
    }
}
