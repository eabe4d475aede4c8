//! Content encodings: which one a reader's `Accept-Encoding` asks for (q-values, `*`,
//! `identity;q=0`), and the compressed forms of a body made once and kept beside it —
//! a cached page's on first request for each encoding (so a cache miss pays nothing for
//! encodings no one asks for), an asset's at its strongest levels.

use std::io::Write;
use std::sync::{Arc, OnceLock};

use axum::http::{header, HeaderMap, HeaderValue};
use bytes::Bytes;
use tower_http::compression::predicate::{And, SizeAbove};
use tower_http::compression::CompressionLayer;

/// How a body goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Brotli,
    Zstd,
    Gzip,
}

impl Encoding {
    /// The `Content-Encoding` token (none for identity).
    pub fn token(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Brotli => Some("br"),
            Encoding::Zstd => Some("zstd"),
            Encoding::Gzip => Some("gzip"),
        }
    }

    /// The reader's choice: the highest q-value among the encodings Tribune makes;
    /// between equals, brotli (smallest), then zstd, then gzip. A reader that names
    /// none (or refuses them all) gets the plain bytes.
    pub fn negotiate(headers: &HeaderMap) -> Encoding {
        let q = weights(headers);
        let mut best = (Encoding::Identity, 0.0f32);
        for (i, encoding) in [Encoding::Brotli, Encoding::Zstd, Encoding::Gzip]
            .into_iter()
            .enumerate()
        {
            if q[i] > best.1 {
                best = (encoding, q[i]);
            }
        }
        best.0
    }

    /// Whether the reader takes zstd at all (a page drawn for one reader is sent as
    /// zstd frames kept with the cached page around a small one made for them).
    pub fn takes_zstd(headers: &HeaderMap) -> bool {
        weights(headers)[1] > 0.0
    }

    /// A representation's ETag for this encoding: the plain one with `-br`, `-zstd` or
    /// `-gzip` before its closing quote (each form is different bytes).
    pub fn etag(self, plain: &HeaderValue) -> HeaderValue {
        let Some(token) = self.token() else {
            return plain.clone();
        };
        let tag = plain.to_str().unwrap_or("\"\"");
        let inner = tag.trim_end_matches('"');
        HeaderValue::from_str(&format!("{inner}-{token}\"")).unwrap_or_else(|_| plain.clone())
    }
}

/// The reader's weight for brotli, zstd and gzip (0 for those refused or not named; `*`
/// stands for those not named).
fn weights(headers: &HeaderMap) -> [f32; 3] {
    let Some(accept) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return [0.0; 3];
    };
    let mut q = [None::<f32>; 3]; // br, zstd, gzip
    let mut star = None::<f32>;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let weight = parts
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                (k.trim().eq_ignore_ascii_case("q")).then(|| v.trim().parse::<f32>().ok())?
            })
            .next()
            .unwrap_or(1.0)
            .clamp(0.0, 1.0);
        match name.as_str() {
            "br" => q[0] = Some(weight),
            "zstd" => q[1] = Some(weight),
            "gzip" | "x-gzip" => q[2] = Some(weight),
            "*" => star = Some(weight),
            _ => {}
        }
    }
    let named = |w: Option<f32>| w.or(star).unwrap_or(0.0);
    [named(q[0]), named(q[1]), named(q[2])]
}

/// How hard to compress: a page, once a render, on the request that first asks
/// (brotli 5, zstd 6, gzip 6: a 240 KB page in a few milliseconds); an asset once a
/// start (brotli 11, zstd 19, gzip 9).
#[derive(Debug, Clone, Copy)]
pub enum Effort {
    Page,
    Asset,
}

/// A body's compressed forms, each made the first time it is asked for and kept.
#[derive(Debug)]
pub struct Compressed {
    effort: Effort,
    br: OnceLock<Bytes>,
    zstd: OnceLock<Bytes>,
    gzip: OnceLock<Bytes>,
    /// zstd frames of what comes before and after a reader's own part (`around`).
    around: OnceLock<(Bytes, Bytes)>,
}

impl Compressed {
    pub fn new(effort: Effort) -> Arc<Compressed> {
        Arc::new(Compressed {
            effort,
            br: OnceLock::new(),
            zstd: OnceLock::new(),
            gzip: OnceLock::new(),
            around: OnceLock::new(),
        })
    }

    /// `plain` with `part` in place of the bytes `start..end`, as zstd: the frames before
    /// and after are made once and kept, only `part` is compressed for this request
    /// (zstd frames one after another decode as their contents one after another, RFC
    /// 8878 §3.1). A signed-in reader's page costs a few kilobytes of compression, not
    /// the whole page's.
    pub fn zstd_spliced(&self, plain: &Bytes, (start, end): (usize, usize), part: &str) -> Bytes {
        let (before, after) = self.around.get_or_init(|| {
            (
                compress(Encoding::Zstd, self.effort, &plain[..start]),
                compress(Encoding::Zstd, self.effort, &plain[end..]),
            )
        });
        let middle = zstd::bulk::compress(part.as_bytes(), 3).expect("writing to memory");
        let mut out = Vec::with_capacity(before.len() + middle.len() + after.len());
        out.extend_from_slice(before);
        out.extend_from_slice(&middle);
        out.extend_from_slice(after);
        Bytes::from(out)
    }

    /// `plain` as `encoding` sends it.
    pub fn get(&self, encoding: Encoding, plain: &Bytes) -> Bytes {
        let slot = match encoding {
            Encoding::Identity => return plain.clone(),
            Encoding::Brotli => &self.br,
            Encoding::Zstd => &self.zstd,
            Encoding::Gzip => &self.gzip,
        };
        slot.get_or_init(|| compress(encoding, self.effort, plain))
            .clone()
    }
}

/// `plain` compressed (never fails: writing to memory).
pub fn compress(encoding: Encoding, effort: Effort, plain: &[u8]) -> Bytes {
    let strong = matches!(effort, Effort::Asset);
    let out = match encoding {
        Encoding::Identity => plain.to_vec(),
        Encoding::Brotli => {
            let mut out = Vec::with_capacity(plain.len() / 5);
            let quality = if strong { 11 } else { 5 };
            let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, 22);
            writer.write_all(plain).expect("writing to memory");
            drop(writer);
            out
        }
        Encoding::Zstd => {
            zstd::bulk::compress(plain, if strong { 19 } else { 6 }).expect("writing to memory")
        }
        Encoding::Gzip => {
            let level = flate2::Compression::new(if strong { 9 } else { 6 });
            let mut writer =
                flate2::write::GzEncoder::new(Vec::with_capacity(plain.len() / 4), level);
            writer.write_all(plain).expect("writing to memory");
            writer.finish().expect("writing to memory")
        }
    };
    Bytes::from(out)
}

/// Sets `Content-Encoding` (unless identity) and `Vary: Accept-Encoding`.
pub fn mark(headers: &mut HeaderMap, encoding: Encoding) {
    if let Some(token) = encoding.token() {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(token));
    }
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
}

/// The per-request layer's test: text, and not a byte range.
type TextOnly =
    fn(axum::http::StatusCode, axum::http::Version, &HeaderMap, &axum::http::Extensions) -> bool;

/// Compression for what is drawn for one request (a signed-in reader's page, a refused
/// form, Admin, a 404): text of 1 KB or more, compressed as it is sent (brotli, zstd
/// and gzip at their fastest levels: cheap enough for every request; a reader who takes
/// zstd gets a post page from the cached page's kept frames instead). Cached pages and
/// assets come with their `Content-Encoding` already set and are left as they are; so
/// are byte ranges and anything not text (images, uploads).
pub fn per_request_layer() -> CompressionLayer<And<SizeAbove, TextOnly>> {
    use tower_http::compression::predicate::Predicate;
    use tower_http::compression::CompressionLevel;
    let text: TextOnly = |_, _, headers, _| {
        !headers.contains_key(header::CONTENT_RANGE)
            && headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(is_text)
    };
    CompressionLayer::new()
        .quality(CompressionLevel::Fastest)
        .no_deflate()
        .compress_when(SizeAbove::new(1024).and(text))
}

/// Whether a content type is text that compresses (pages, feeds, sitemaps, CSS, JS,
/// JSON, SVG, the web app manifest).
pub fn is_text(content_type: &str) -> bool {
    let ty = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    ty.starts_with("text/")
        || ty.ends_with("+xml")
        || ty.ends_with("+json")
        || matches!(
            ty.as_str(),
            "application/xml" | "application/json" | "application/javascript"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asks(accept: &str) -> Encoding {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(accept).unwrap(),
        );
        Encoding::negotiate(&headers)
    }

    #[test]
    fn the_reader_s_weights_choose_and_ties_go_to_the_smallest() {
        assert_eq!(Encoding::negotiate(&HeaderMap::new()), Encoding::Identity);
        assert_eq!(asks("gzip, deflate, br, zstd"), Encoding::Brotli);
        assert_eq!(asks("gzip, zstd"), Encoding::Zstd);
        assert_eq!(asks("gzip"), Encoding::Gzip);
        assert_eq!(asks("br;q=0.5, gzip;q=0.8"), Encoding::Gzip);
        assert_eq!(asks("br;q=0, gzip;q=0"), Encoding::Identity);
        assert_eq!(asks("identity"), Encoding::Identity);
        assert_eq!(asks("deflate"), Encoding::Identity);
        assert_eq!(asks("*"), Encoding::Brotli);
        assert_eq!(asks("*;q=0.1, br;q=0"), Encoding::Zstd);
        assert_eq!(asks("GZIP;Q=1"), Encoding::Gzip);
        assert_eq!(asks("br;q=nonsense"), Encoding::Brotli);
    }

    #[test]
    fn a_readers_part_between_kept_frames_opens_to_the_spliced_page() {
        let plain = Bytes::from(format!(
            "{}<!--r-->anyone<!--/r-->{}",
            "a".repeat(5000),
            "z".repeat(5000)
        ));
        let start = plain.iter().position(|&b| b == b'<').unwrap() + "<!--r-->".len();
        let end = start + "anyone".len();
        let forms = Compressed::new(Effort::Page);
        for part in ["<form>Ada's</form>", "", "<p>سڵاو</p>"] {
            let sent = forms.zstd_spliced(&plain, (start, end), part);
            let expected = format!(
                "{}<!--r-->{part}<!--/r-->{}",
                "a".repeat(5000),
                "z".repeat(5000)
            );
            assert_eq!(zstd::decode_all(&sent[..]).unwrap(), expected.as_bytes());
        }
    }

    #[test]
    fn each_form_has_its_own_etag() {
        let plain = HeaderValue::from_static("\"0123abcd\"");
        assert_eq!(Encoding::Identity.etag(&plain), "\"0123abcd\"");
        assert_eq!(Encoding::Brotli.etag(&plain), "\"0123abcd-br\"");
        assert_eq!(Encoding::Gzip.etag(&plain), "\"0123abcd-gzip\"");
    }

    #[test]
    fn every_form_opens_to_the_plain_bytes() {
        use std::io::Read;
        let plain = Bytes::from("<p>سڵاو — hello</p>".repeat(2000));
        let forms = Compressed::new(Effort::Page);
        let br = forms.get(Encoding::Brotli, &plain);
        let mut out = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, plain);
        assert_eq!(
            zstd::decode_all(&forms.get(Encoding::Zstd, &plain)[..]).unwrap(),
            plain
        );
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&forms.get(Encoding::Gzip, &plain)[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, plain);
        assert!(
            br.len() < plain.len() / 10,
            "{} of {}",
            br.len(),
            plain.len()
        );
        // Made once: the second ask returns the same bytes, not a new compression.
        assert_eq!(forms.get(Encoding::Brotli, &plain).as_ptr(), br.as_ptr());
    }
}
