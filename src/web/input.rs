//! What arrives from outside is cleaned before any handler reads it.
//!
//! Control characters have no place in a form field or an address: a NUL byte makes
//! PostgreSQL refuse the whole statement (SQLite stores it), an escape sequence stored
//! in a name would repaint a moderator's terminal in `tribune comments list`. So:
//! - [`Form`] (used by every handler instead of `axum::Form`) drops C0 and C1 control
//!   characters and DEL from every field; tab, line feed and carriage return stay, so
//!   a comment's paragraphs survive. Both databases then see the same text.
//! - [`address_has_controls`] finds a path or query string that carries one once
//!   percent-decoded (`/a%00b/`); `web::edge` answers it with [`bad_address`], a 400:
//!   no link a person follows has them.

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// Whether `c` is a control character that never belongs in text people type.
pub fn is_unwanted_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// `s` without unwanted control characters (borrowed when there are none).
pub fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(is_unwanted_control) {
        s.chars().filter(|c| !is_unwanted_control(*c)).collect()
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Whether a urlencoded body could decode to a control character: a raw byte below
/// 0x20 or DEL, or an escape `%00`–`%1F`, `%7F`, `%C2%80`–`%C2%9F`. Most forms have
/// none and are passed on untouched.
fn may_hold_controls(body: &[u8]) -> bool {
    body.iter().any(|&b| b < 0x20 || b == 0x7f)
        || body.windows(3).any(|w| {
            w[0] == b'%'
                && (matches!(w[1], b'0' | b'1') || (w[1] == b'7' && matches!(w[2], b'f' | b'F')))
        })
        || contains_c1_escape(body)
}

/// `%C2%80`–`%C2%9F` in any case: a C1 control character, UTF-8 encoded.
fn contains_c1_escape(body: &[u8]) -> bool {
    body.windows(6).any(|w| {
        w[0] == b'%'
            && w[1].eq_ignore_ascii_case(&b'c')
            && w[2] == b'2'
            && w[3] == b'%'
            && matches!(w[4], b'8' | b'9')
    })
}

/// An `application/x-www-form-urlencoded` body with control characters removed from
/// every name and value, then read like `axum::Form`.
pub struct Form<T>(pub T);

impl<S, T> FromRequest<S> for Form<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        // Read through `Bytes` so the router's body size limit applies.
        let bytes =
            axum::body::Bytes::from_request(Request::from_parts(parts.clone(), body), state)
                .await
                .map_err(IntoResponse::into_response)?;
        let body = if may_hold_controls(&bytes) {
            let mut out = form_urlencoded::Serializer::new(String::with_capacity(bytes.len()));
            for (k, v) in form_urlencoded::parse(&bytes) {
                out.append_pair(&clean(&k), &clean(&v));
            }
            Body::from(out.finish())
        } else {
            Body::from(bytes)
        };
        let mut rebuilt = Request::from_parts(parts, body);
        // What was read was a form whatever the client called it (as axum::Form needs).
        rebuilt.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        let axum::Form(value) = axum::Form::<T>::from_request(rebuilt, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Form(value))
    }
}

/// Whether a request's decoded path or query holds a control character (`/a%00b/`).
/// Hyper refuses raw control bytes, so only percent-escapes need decoding.
pub fn address_has_controls(uri: &axum::http::Uri) -> bool {
    let path = uri.path();
    let in_path = path.contains('%')
        && percent_encoding::percent_decode_str(path)
            .decode_utf8_lossy()
            .chars()
            .any(char::is_control);
    let in_query = uri.query().is_some_and(|q| {
        q.contains('%')
            && form_urlencoded::parse(q.as_bytes())
                .any(|(k, v)| k.chars().chain(v.chars()).any(char::is_control))
    });
    in_path || in_query
}

/// The answer to such an address: a clear 400.
pub fn bad_address() -> Response {
    super::error::plain_page(
        StatusCode::BAD_REQUEST,
        "error-bad-address-title",
        super::error::Message::new("error-bad-address-text"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bodies_that_may_hold_controls_are_rewritten() {
        assert!(!may_hold_controls(
            b"author=Ann&comment=Hello+world%21+%D9%85"
        ));
        for body in [
            &b"a=%00"[..],
            b"a=%1b",
            b"a=%7F",
            b"a=%c2%85",
            b"a=%C2%9f",
            b"a=\x01",
        ] {
            assert!(may_hold_controls(body), "{body:?}");
        }
    }

    #[test]
    fn control_characters_go_and_line_breaks_stay() {
        assert_eq!(
            clean("a\u{0}b\u{1b}[31mc\u{7f}\u{85}d\te\r\nf"),
            "ab[31mcd\te\r\nf"
        );
        assert!(matches!(
            clean("plain كوردی"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
