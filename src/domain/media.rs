//! What an uploaded file may be and what is made of it, with plain bytes: the kind read
//! from the file's first bytes (never from its name or the browser's word), the limits,
//! the original kept without its metadata (EXIF with GPS, XMP, IPTC, comments), smaller
//! copies of an image for `srcset`, the content hash that names them all, and the
//! `<img>` a post shows for a file of the library. No I/O here: the store and the file
//! store keep what this returns.

use std::collections::HashMap;
use std::io::Cursor;

use bytes::Bytes;
use image::{DynamicImage, ImageDecoder, ImageFormat};
use sha2::{Digest, Sha256};

use crate::domain::names::named;

named! {
    /// What a library file is.
    pub enum MediaKind: "media kind" {
        Image = "image",
        Pdf = "pdf",
    }
}

/// The widths of the smaller copies made of an image wider than them, in pixels.
pub const WIDTHS: [u32; 5] = [320, 640, 960, 1280, 1920];

/// The `sizes` attribute of a picture in a post: the column is 42rem (672 px) at most.
pub const SIZES: &str = "(max-width: 720px) 100vw, 672px";

/// Bytes an upload may have unless the site says otherwise (`max_upload_mb`).
pub const DEFAULT_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// Pixels an image may have: a 60-megapixel photo, not a decompression bomb.
pub const MAX_PIXELS: u64 = 60_000_000;

/// Why a file is not taken, each with the words the uploader reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaProblem {
    #[error("the file is empty")]
    Empty,
    #[error("the file has {bytes} bytes; the limit is {max}")]
    TooLarge { bytes: u64, max: u64 },
    /// SVG can carry scripts that run on this site's address.
    #[error("SVG images are not accepted")]
    Svg,
    #[error("only JPEG, PNG, WebP and GIF images and PDF files are accepted")]
    NotAllowed,
    #[error("the image is {width}×{height} pixels; the limit is {max} pixels")]
    TooManyPixels { width: u32, height: u32, max: u64 },
    #[error("the file says it is {0} but cannot be read as one")]
    Unreadable(&'static str),
}

impl MediaProblem {
    /// The catalogue key of the message an uploader reads.
    pub fn key(&self) -> &'static str {
        match self {
            MediaProblem::Empty => "media-error-empty",
            MediaProblem::TooLarge { .. } => "media-error-too-large",
            MediaProblem::Svg => "media-error-svg",
            MediaProblem::NotAllowed => "media-error-type",
            MediaProblem::TooManyPixels { .. } => "media-error-pixels",
            MediaProblem::Unreadable(_) => "media-error-unreadable",
        }
    }

    /// The message an uploader reads, with its numbers (sizes in MB, rounded up).
    pub fn message(&self) -> crate::i18n::Message {
        let mb = |b: u64| b.div_ceil(1024 * 1024);
        let m = crate::i18n::Message::new(self.key());
        match self {
            MediaProblem::TooLarge { bytes, max } => {
                m.number("size", mb(*bytes)).number("max", mb(*max))
            }
            MediaProblem::TooManyPixels { width, height, max } => m
                .number("width", *width)
                .number("height", *height)
                .number("max", *max / 1_000_000),
            MediaProblem::Unreadable(kind) => m.arg("kind", *kind),
            _ => m,
        }
    }
}

/// The file formats taken, as read from their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
    Pdf,
}

impl Format {
    /// The extension the stored file and its address carry.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
            Format::Pdf => "pdf",
        }
    }

    pub fn from_ext(ext: &str) -> Option<Format> {
        Some(match ext {
            "jpg" => Format::Jpeg,
            "png" => Format::Png,
            "webp" => Format::Webp,
            "gif" => Format::Gif,
            "pdf" => Format::Pdf,
            _ => return None,
        })
    }

    /// The `Content-Type` a file of this format is served with.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
            Format::Pdf => "application/pdf",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Webp => "WebP",
            Format::Gif => "GIF",
            Format::Pdf => "PDF",
        }
    }

    fn image_format(self) -> Option<ImageFormat> {
        Some(match self {
            Format::Jpeg => ImageFormat::Jpeg,
            Format::Png => ImageFormat::Png,
            Format::Webp => ImageFormat::WebP,
            Format::Gif => ImageFormat::Gif,
            Format::Pdf => return None,
        })
    }
}

/// The format of `bytes`, from their first bytes.
pub fn sniff(bytes: &[u8]) -> Result<Format, MediaProblem> {
    if bytes.is_empty() {
        return Err(MediaProblem::Empty);
    }
    let format = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Format::Jpeg
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Format::Png
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Format::Webp
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Format::Gif
    } else if bytes.starts_with(b"%PDF-") {
        Format::Pdf
    } else if looks_like_svg(bytes) {
        return Err(MediaProblem::Svg);
    } else {
        return Err(MediaProblem::NotAllowed);
    };
    Ok(format)
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    (text.starts_with('<') || text.starts_with("<?xml")) && text.contains("<svg")
}

/// What is kept of an upload: the original without metadata and the smaller copies.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub kind: MediaKind,
    pub format: Format,
    /// SHA-256 of `original`, hex: the name of every file made of it.
    pub hash: String,
    pub original: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The format of the smaller copies (an image with transparency keeps it).
    pub variant_format: Format,
    /// `(width, bytes)`, narrowest first.
    pub variants: Vec<(u32, Vec<u8>)>,
}

/// Checks `bytes` against the limits and makes what the library keeps of them.
/// CPU-bound (an image is decoded, maybe rotated, resized): run it off the async threads.
pub fn prepare(bytes: &[u8], max_bytes: u64) -> Result<Prepared, MediaProblem> {
    let len = bytes.len() as u64;
    if len > max_bytes {
        return Err(MediaProblem::TooLarge {
            bytes: len,
            max: max_bytes,
        });
    }
    let format = sniff(bytes)?;
    let Some(image_format) = format.image_format() else {
        if bytes.len() < 16 {
            return Err(MediaProblem::Unreadable(format.name()));
        }
        return Ok(Prepared {
            kind: MediaKind::Pdf,
            format,
            hash: hash_of(bytes),
            original: bytes.to_vec(),
            width: 0,
            height: 0,
            variant_format: format,
            variants: Vec::new(),
        });
    };
    let unreadable = |_| MediaProblem::Unreadable(format.name());
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), image_format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4 + 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(MediaProblem::TooManyPixels {
            width,
            height,
            max: MAX_PIXELS,
        });
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    let animated = format == Format::Gif && gif_is_animated(bytes);
    let turned = orientation != image::metadata::Orientation::NoTransforms;
    let original = if turned {
        // The turn lived in the EXIF being dropped: draw it into the pixels instead.
        picture.apply_orientation(orientation);
        encode(&picture, format, 90).map_err(unreadable)?
    } else {
        strip_metadata(bytes, format).map_err(|()| MediaProblem::Unreadable(format.name()))?
    };
    let (width, height) = (picture.width(), picture.height());
    let variant_format = match format {
        Format::Jpeg => Format::Jpeg,
        Format::Png | Format::Gif => Format::Png,
        Format::Webp if picture.color().has_alpha() => Format::Png,
        _ => Format::Jpeg,
    };
    let mut variants = Vec::new();
    if !animated {
        // Widest first, each made from the one before: cheaper than from the original.
        let mut source = picture;
        for &w in WIDTHS.iter().rev().filter(|&&w| w < width) {
            let h = ((u64::from(height) * u64::from(w) + u64::from(width) / 2) / u64::from(width))
                .max(1) as u32;
            source = source.resize_exact(w, h, image::imageops::FilterType::CatmullRom);
            variants.push((w, encode(&source, variant_format, 82).map_err(unreadable)?));
        }
        variants.reverse();
    }
    Ok(Prepared {
        kind: MediaKind::Image,
        format,
        hash: hash_of(&original),
        original,
        width,
        height,
        variant_format,
        variants,
    })
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn hash_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn gif_is_animated(bytes: &[u8]) -> bool {
    use image::AnimationDecoder;
    image::codecs::gif::GifDecoder::new(Cursor::new(bytes))
        .map(|d| d.into_frames().take(2).count() > 1)
        .unwrap_or(false)
}

fn encode(picture: &DynamicImage, format: Format, quality: u8) -> image::ImageResult<Vec<u8>> {
    let mut out = Vec::new();
    match format {
        Format::Jpeg => {
            let rgb = DynamicImage::ImageRgb8(picture.to_rgb8());
            let encoder =
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.min(100));
            rgb.write_with_encoder(encoder)?;
        }
        Format::Webp => {
            let encoder = image::codecs::webp::WebPEncoder::new_lossless(&mut out);
            DynamicImage::ImageRgba8(picture.to_rgba8()).write_with_encoder(encoder)?;
        }
        Format::Gif => picture.write_to(&mut Cursor::new(&mut out), ImageFormat::Gif)?,
        Format::Png | Format::Pdf => {
            picture.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)?;
        }
    }
    Ok(out)
}

/// The same picture without what a camera or an editor wrote beside it: JPEG's APP1
/// (EXIF, XMP), APP13 (IPTC) and comments; PNG's text chunks, `eXIf` and `tIME`;
/// WebP's `EXIF` and `XMP ` chunks. Colour profiles stay. GIF has no such field.
fn strip_metadata(bytes: &[u8], format: Format) -> Result<Vec<u8>, ()> {
    use img_parts::ImageEXIF;
    let bytes = Bytes::copy_from_slice(bytes);
    Ok(match format {
        Format::Jpeg => {
            let mut jpeg = img_parts::jpeg::Jpeg::from_bytes(bytes).map_err(|_| ())?;
            // APP0 (JFIF), APP2 (ICC) and APP14 (Adobe's colour transform) are kept.
            jpeg.segments_mut().retain(|s| {
                let m = s.marker();
                !((0xE1..=0xEF).contains(&m) && m != 0xE2 && m != 0xEE) && m != 0xFE
            });
            jpeg.encoder().bytes().to_vec()
        }
        Format::Png => {
            let mut png = img_parts::png::Png::from_bytes(bytes).map_err(|_| ())?;
            for kind in [*b"eXIf", *b"tEXt", *b"zTXt", *b"iTXt", *b"tIME"] {
                png.remove_chunks_by_type(kind);
            }
            png.encoder().bytes().to_vec()
        }
        Format::Webp => {
            let mut webp = img_parts::webp::WebP::from_bytes(bytes).map_err(|_| ())?;
            webp.remove_chunks_by_id(*b"XMP ");
            webp.set_exif(None);
            webp.encoder().bytes().to_vec()
        }
        Format::Gif | Format::Pdf => bytes.to_vec(),
    })
}

/// A library file as a post shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub hash: String,
    pub format: Format,
    pub variant_format: Format,
    pub width: u32,
    pub height: u32,
    pub widths: Vec<u32>,
    pub alt: String,
}

impl Picture {
    /// The address of the original.
    pub fn src(&self) -> String {
        original_path(&self.hash, self.format)
    }

    /// The address of the copy `width` pixels wide.
    pub fn variant(&self, width: u32) -> String {
        variant_path(&self.hash, width, self.variant_format)
    }

    /// The copy a browser that reads no `srcset` shows: the widest up to 1280 pixels.
    pub fn fallback(&self) -> String {
        match self.widths.iter().rev().find(|&&w| w <= 1280) {
            Some(&w) => self.variant(w),
            None => self.src(),
        }
    }

    /// The smallest copy, for the library's grid.
    pub fn thumbnail(&self) -> String {
        match self.widths.first() {
            Some(&w) => self.variant(w),
            None => self.src(),
        }
    }

    /// `srcset`: every copy and the original, each with its width.
    pub fn srcset(&self) -> String {
        let mut parts: Vec<String> = self
            .widths
            .iter()
            .map(|&w| format!("{} {w}w", self.variant(w)))
            .collect();
        if self.width > 0 {
            parts.push(format!("{} {}w", self.src(), self.width));
        }
        parts.join(", ")
    }

    /// The whole `<img>` element, attributes escaped; `alt` wins over the library's.
    pub fn img(&self, alt: Option<&str>, extra: &str) -> String {
        let alt = alt.filter(|a| !a.is_empty()).unwrap_or(&self.alt);
        let mut out = format!(
            "<img src=\"{}\" alt=\"{}\"",
            self.fallback(),
            escape_attr(alt)
        );
        if self.width > 0 && self.height > 0 {
            out.push_str(&format!(
                " width=\"{}\" height=\"{}\"",
                self.width, self.height
            ));
        }
        if !self.widths.is_empty() {
            out.push_str(&format!(
                " srcset=\"{}\" sizes=\"{SIZES}\"",
                escape_attr(&self.srcset())
            ));
        }
        out.push_str(extra);
        out.push('>');
        out
    }
}

/// `/media/HASH.EXT`
pub fn original_path(hash: &str, format: Format) -> String {
    format!("/media/{hash}.{}", format.ext())
}

/// `/media/HASH-WIDTH.EXT`
pub fn variant_path(hash: &str, width: u32, format: Format) -> String {
    format!("/media/{hash}-{width}.{}", format.ext())
}

/// A stored file's name read back: its hash, the copy's width (none: the original) and
/// its format. Anything else — another length, upper case, a dot more — is `None`, so a
/// name can never lead outside the media folder.
pub fn parse_file_name(name: &str) -> Option<(String, Option<u32>, Format)> {
    let (stem, ext) = name.split_once('.')?;
    let format = Format::from_ext(ext)?;
    let (hash, width) = match stem.split_once('-') {
        Some((hash, w)) => {
            if w.is_empty() || w.len() > 5 || !w.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (hash, Some(w.parse().ok()?))
        }
        None => (stem, None),
    };
    if !is_hash(hash) {
        return None;
    }
    Some((hash.to_owned(), width, format))
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The hashes of library files that `html` points at (`/media/HASH…`), in order, once
/// each.
pub fn hashes_in(html: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for (at, _) in html.match_indices("/media/") {
        let rest = &html[at + 7..];
        if let Some(hash) = rest.get(..64) {
            if is_hash(hash) && !found.iter().any(|h| h == hash) {
                found.push(hash.to_owned());
            }
        }
    }
    found
}

/// `html` with every `<img>` that shows a library file given its copies (`srcset`,
/// `sizes`), its size (no layout shift), lazy loading and, when it has none, the
/// library's alt text. `html` is sanitised output: attributes are double-quoted.
pub fn responsive_images(html: &str, library: &HashMap<String, Picture>) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    while let Some(start) = rest.find("<img ") {
        out.push_str(&rest[..start]);
        let tag_and_after = &rest[start..];
        let Some(end) = tag_and_after.find('>') else {
            break;
        };
        let tag = &tag_and_after[..=end];
        let attrs = attributes(&tag[5..tag.len() - 1]);
        let picture = attrs
            .iter()
            .find(|(k, _)| k == "src")
            .and_then(|(_, src)| src.strip_prefix("/media/"))
            .and_then(parse_file_name)
            .and_then(|(hash, _, _)| library.get(&hash));
        match picture {
            Some(picture) => {
                let alt = attrs.iter().find(|(k, _)| k == "alt").map(|(_, v)| v);
                let mut extra = String::from(" loading=\"lazy\" decoding=\"async\"");
                for (k, v) in &attrs {
                    if k == "title" || k == "class" {
                        extra.push_str(&format!(" {k}=\"{}\"", escape_attr(v)));
                    }
                }
                out.push_str(&picture.img(alt.map(String::as_str), &extra));
            }
            None => out.push_str(tag),
        }
        rest = &tag_and_after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The attributes of a sanitiser-written tag (`name="value"` or bare `name`), values
/// with their entities decoded.
fn attributes(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c == '=' || c.is_whitespace() || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = &rest[name_end..];
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix("=\"") {
            let close = after.find('"').unwrap_or(after.len());
            value = crate::domain::html::decode_entities(&after[..close]);
            rest = after.get(close + 1..).unwrap_or("");
        } else if !rest.is_empty() {
            rest = &rest[1..];
        }
        if !name.is_empty() {
            out.push((name, value));
        }
        rest = rest.trim_start();
    }
    out
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A file name as the library shows it: the path dropped, control characters and
/// quotes out, at most 200 characters; `upload` when nothing is left.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>'))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() {
        "upload".into()
    } else {
        cleaned
    }
}

/// `html` with every address of a fetched attachment — as WordPress wrote it: `http:`,
/// `https:` or scheme-relative, a resized copy (`photo-300x200.jpg`), a query
/// (`photo.jpg?w=1024`) — pointing at its file here instead. `moved` is (the
/// attachment's address, its address here).
pub fn rewrite_attachment_urls(html: &str, moved: &[(String, String)]) -> String {
    let mut out = html.to_string();
    for (from, to) in moved {
        let Some((stem, ext)) = attachment_parts(from) else {
            continue;
        };
        // A Tribune export names its copies `HASH-640.jpg`.
        let tribune = stem.rsplit('/').next().is_some_and(is_hash);
        let mut result = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(&stem) {
            // Back over the scheme written before `//host/…`, if any.
            let before = &rest[..at];
            let start = ["https:", "http:"]
                .iter()
                .find(|s| before.ends_with(*s))
                .map_or(at, |s| at - s.len());
            let after = &rest[at + stem.len()..];
            let size = match resized_suffix(after) {
                0 if tribune => width_suffix(after),
                n => n,
            };
            let tail = &after[size..];
            if let Some(tail) = tail.strip_prefix(&format!(".{ext}")) {
                if tail.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                    // `photo.jpgx`: another file whose name starts the same.
                    result.push_str(&rest[..at + stem.len()]);
                    rest = after;
                    continue;
                }
                let query = if tail.starts_with('?') {
                    tail.find(|c: char| {
                        c == '"' || c == '\'' || c.is_whitespace() || c == '<' || c == ')'
                    })
                    .unwrap_or(tail.len())
                } else {
                    0
                };
                result.push_str(&rest[..start]);
                result.push_str(to);
                rest = &tail[query..];
            } else {
                result.push_str(&rest[..at + stem.len()]);
                rest = after;
            }
        }
        result.push_str(rest);
        out = result;
    }
    out
}

/// `//host/path/photo` and `jpg` of `https://host/path/photo.jpg`.
fn attachment_parts(url: &str) -> Option<(String, String)> {
    let no_query = url.split(['?', '#']).next()?;
    let no_scheme = no_query
        .strip_prefix("https:")
        .or_else(|| no_query.strip_prefix("http:"))
        .unwrap_or(no_query);
    if !no_scheme.starts_with("//") {
        return None;
    }
    let (stem, ext) = no_scheme.rsplit_once('.')?;
    if ext.is_empty() || ext.contains('/') || stem.ends_with('/') {
        return None;
    }
    Some((stem.to_string(), ext.to_string()))
}

/// The length of a WordPress size suffix (`-300x200`) at the start of `s`, or 0.
fn resized_suffix(s: &str) -> usize {
    let Some(rest) = s.strip_prefix('-') else {
        return 0;
    };
    let w = rest.bytes().take_while(u8::is_ascii_digit).count();
    if w == 0 || rest.as_bytes().get(w) != Some(&b'x') {
        return 0;
    }
    let h = rest[w + 1..].bytes().take_while(u8::is_ascii_digit).count();
    if h == 0 {
        return 0;
    }
    1 + w + 1 + h
}

/// The length of a Tribune copy's suffix (`-640`) at the start of `s`, or 0.
fn width_suffix(s: &str) -> usize {
    let Some(rest) = s.strip_prefix('-') else {
        return 0;
    };
    match rest.bytes().take_while(u8::is_ascii_digit).count() {
        0 => 0,
        n => 1 + n,
    }
}

/// The widths column read back ("320,640").
pub fn parse_widths(s: &str) -> Vec<u32> {
    s.split(',').filter_map(|w| w.trim().parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let picture = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        }));
        encode(&picture, Format::Jpeg, 90).unwrap()
    }

    /// An EXIF block (APP1) with a GPS latitude tag and an orientation, as a camera
    /// writes it.
    fn exif_app1(orientation: u16) -> Vec<u8> {
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        // IFD0: 2 entries: Orientation, GPS IFD pointer.
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&0x0112u16.to_le_bytes());
        tiff.extend_from_slice(&3u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&u32::from(orientation).to_le_bytes());
        tiff.extend_from_slice(&0x8825u16.to_le_bytes());
        tiff.extend_from_slice(&4u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&38u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        // GPS IFD: 1 entry, GPSLatitudeRef "N".
        tiff.extend_from_slice(&1u16.to_le_bytes());
        tiff.extend_from_slice(&1u16.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&2u32.to_le_bytes());
        tiff.extend_from_slice(b"N\0\0\0");
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(b"GPSMARK");
        let mut seg = vec![0xFF, 0xE1];
        let len = (tiff.len() + 6 + 2) as u16;
        seg.extend_from_slice(&len.to_be_bytes());
        seg.extend_from_slice(b"Exif\0\0");
        seg.extend_from_slice(&tiff);
        seg
    }

    fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&exif_app1(orientation));
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn the_kind_comes_from_the_bytes_and_svg_is_refused() {
        assert_eq!(sniff(&jpeg(4, 4)), Ok(Format::Jpeg));
        assert_eq!(sniff(b"%PDF-1.7\n"), Ok(Format::Pdf));
        assert_eq!(
            sniff(b"\xef\xbb\xbf <?xml version=\"1.0\"?><svg onload=alert(1)>"),
            Err(MediaProblem::Svg)
        );
        assert_eq!(
            sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Err(MediaProblem::Svg)
        );
        assert_eq!(sniff(b"<html><script>"), Err(MediaProblem::NotAllowed));
        assert_eq!(sniff(b"MZ\x90\0"), Err(MediaProblem::NotAllowed));
        assert_eq!(sniff(b""), Err(MediaProblem::Empty));
    }

    #[test]
    fn gps_and_the_rest_of_exif_are_gone_from_every_file_kept() {
        let with = with_exif(&jpeg(1000, 500), 1);
        assert!(with.windows(7).any(|w| w == b"GPSMARK"));
        let p = prepare(&with, DEFAULT_MAX_BYTES).unwrap();
        assert!(!p.original.windows(7).any(|w| w == b"GPSMARK"));
        assert!(!p.original.windows(4).any(|w| w == b"Exif"));
        for (_, v) in &p.variants {
            assert!(!v.windows(4).any(|w| w == b"Exif"));
        }
        assert_eq!((p.width, p.height), (1000, 500));
        let widths: Vec<u32> = p.variants.iter().map(|v| v.0).collect();
        assert_eq!(widths, vec![320, 640, 960]);
        let small = image::load_from_memory(&p.variants[0].1).unwrap();
        assert_eq!((small.width(), small.height()), (320, 160));
        assert_eq!(p.hash, hash_of(&p.original));
    }

    #[test]
    fn a_turned_photo_is_turned_in_its_pixels_when_its_exif_goes() {
        // Orientation 6: shown turned 90° clockwise.
        let p = prepare(&with_exif(&jpeg(400, 200), 6), DEFAULT_MAX_BYTES).unwrap();
        assert_eq!((p.width, p.height), (200, 400));
        assert!(!p.original.windows(4).any(|w| w == b"Exif"));
        let back = image::load_from_memory(&p.original).unwrap();
        assert_eq!((back.width(), back.height()), (200, 400));
    }

    #[test]
    fn limits_and_broken_files_are_told_apart() {
        assert_eq!(
            prepare(&jpeg(10, 10), 100).unwrap_err().key(),
            "media-error-too-large"
        );
        let mut broken = jpeg(50, 50);
        broken.truncate(40);
        assert_eq!(
            prepare(&broken, DEFAULT_MAX_BYTES).unwrap_err(),
            MediaProblem::Unreadable("JPEG")
        );
        assert_eq!(
            prepare(b"\x89PNG\r\n\x1a\nnot really", DEFAULT_MAX_BYTES).unwrap_err(),
            MediaProblem::Unreadable("PNG")
        );
    }

    #[test]
    fn a_transparent_webp_keeps_its_transparency_in_its_copies() {
        let picture = DynamicImage::ImageRgba8(image::RgbaImage::from_fn(700, 100, |x, _| {
            image::Rgba([200, 10, 10, (x % 256) as u8])
        }));
        let webp = encode(&picture, Format::Webp, 0).unwrap();
        let p = prepare(&webp, DEFAULT_MAX_BYTES).unwrap();
        assert_eq!(p.variant_format, Format::Png);
        assert_eq!(p.variants.len(), 2);
    }

    #[test]
    fn file_names_parse_only_when_they_are_exactly_ours() {
        let h = "a".repeat(64);
        assert_eq!(
            parse_file_name(&format!("{h}.jpg")),
            Some((h.clone(), None, Format::Jpeg))
        );
        assert_eq!(
            parse_file_name(&format!("{h}-640.png")),
            Some((h.clone(), Some(640), Format::Png))
        );
        for bad in [
            format!("{h}.svg"),
            format!("{h}.jpg.html"),
            format!("../{h}.jpg"),
            format!("{}.jpg", "A".repeat(64)),
            format!("{h}-.jpg"),
            format!("{h}-1x.jpg"),
            "x.jpg".into(),
        ] {
            assert_eq!(parse_file_name(&bad), None, "{bad}");
        }
    }

    #[test]
    fn images_of_the_library_get_their_copies_and_others_are_left_alone() {
        let h = "b".repeat(64);
        let mut library = HashMap::new();
        library.insert(
            h.clone(),
            Picture {
                hash: h.clone(),
                format: Format::Jpeg,
                variant_format: Format::Jpeg,
                width: 1000,
                height: 500,
                widths: vec![320, 640, 960],
                alt: "The minister & the press".into(),
            },
        );
        let html = format!(
            "<p>a<img src=\"/media/{h}.jpg\" alt=\"\"> b <img src=\"https://x.test/a.png\" alt=\"x\"></p>"
        );
        let out = responsive_images(&html, &library);
        assert!(
            out.contains(&format!("src=\"/media/{h}-960.jpg\"")),
            "{out}"
        );
        assert!(
            out.contains("alt=\"The minister &amp; the press\""),
            "{out}"
        );
        assert!(out.contains(&format!("/media/{h}-320.jpg 320w")), "{out}");
        assert!(out.contains(&format!("/media/{h}.jpg 1000w")), "{out}");
        assert!(out.contains("width=\"1000\" height=\"500\""), "{out}");
        assert!(out.contains("loading=\"lazy\""), "{out}");
        assert!(
            out.contains("<img src=\"https://x.test/a.png\" alt=\"x\">"),
            "{out}"
        );
        assert_eq!(hashes_in(&out), vec![h]);
    }

    #[test]
    fn every_form_of_an_attachment_address_moves_here() {
        let moved = vec![(
            "https://example.files.wordpress.com/2024/05/photo.jpg".to_string(),
            "/media/abc.jpg".to_string(),
        )];
        let html = "<img src=\"http://example.files.wordpress.com/2024/05/photo-300x200.jpg\" \
             srcset=\"https://example.files.wordpress.com/2024/05/photo.jpg?w=1024 1024w\"> \
             <a href=\"//example.files.wordpress.com/2024/05/photo.jpg\">big</a> \
             <img src=\"https://example.files.wordpress.com/2024/05/photo.jpgx\"> \
             <img src=\"https://example.files.wordpress.com/2024/05/photo-2.jpg\">";
        let out = rewrite_attachment_urls(html, &moved);
        assert_eq!(
            out,
            "<img src=\"/media/abc.jpg\" srcset=\"/media/abc.jpg 1024w\"> \
             <a href=\"/media/abc.jpg\">big</a> \
             <img src=\"https://example.files.wordpress.com/2024/05/photo.jpgx\"> \
             <img src=\"https://example.files.wordpress.com/2024/05/photo-2.jpg\">"
        );
    }

    #[test]
    fn a_tribune_exports_copies_move_too() {
        let h = "c".repeat(64);
        let moved = vec![(
            format!("https://old.example/media/{h}.jpg"),
            "/media/new.jpg".to_string(),
        )];
        let html = format!(
            "<img src=\"https://old.example/media/{h}-960.jpg\" srcset=\"https://old.example/media/{h}-320.jpg 320w\">"
        );
        assert_eq!(
            rewrite_attachment_urls(&html, &moved),
            "<img src=\"/media/new.jpg\" srcset=\"/media/new.jpg 320w\">"
        );
    }

    #[test]
    fn names_from_browsers_lose_their_path_and_quotes() {
        assert_eq!(
            clean_file_name("C:\\Users\\a\\Photo \"1\".jpg"),
            "Photo 1.jpg"
        );
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("\u{7}"), "upload");
    }
}
