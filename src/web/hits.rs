//! Cached pages answered before routing.
//!
//! A `GET` for an address the page cache holds, from a reader with nothing of their own
//! on the page (no query, no commenter or sign-in cookie), is answered straight from the
//! cache: the same bytes and headers the page's handler sends for a hit (its kept
//! compressed form, ETag, `304`), the security headers, a request id, the metrics and
//! the log line, without the router, the extractors and the layers a drawn page needs —
//! on a cached page those cost more than the page (bench/compress.sh). Everything else
//! goes on to the router.

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::Request;
use axum::http::{header, HeaderMap, Method};
use axum::response::Response;
use futures_util::future::Either;
use tower::{Layer, Service};

use super::encoding::Encoding;
use super::{input, public, request_id, security_headers, signin, AppState};

/// Puts [`Hits`] in front of a service (the router).
#[derive(Clone)]
pub struct HitsLayer(pub AppState);

impl<S> Layer<S> for HitsLayer {
    type Service = Hits<S>;
    fn layer(&self, inner: S) -> Hits<S> {
        Hits {
            state: self.0.clone(),
            inner,
        }
    }
}

/// Answers cache hits itself; hands every other request to `inner`.
#[derive(Clone)]
pub struct Hits<S> {
    state: AppState,
    inner: S,
}

impl<S> Service<Request> for Hits<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        match answer(&self.state, &req) {
            Some(res) => Either::Left(ready(Ok(res))),
            None => Either::Right(self.inner.call(req)),
        }
    }
}

/// The cached answer to `req`, when the router's would be that too.
fn answer(state: &AppState, req: &Request) -> Option<Response> {
    let start = Instant::now();
    let headers = req.headers();
    if !plain_reader(req.method(), req.uri(), headers) {
        return None;
    }
    let page = state.cache.get(req.uri().path())?;
    state.metrics.page_cache_hits.inc();
    let mut res = security_headers::finish(state, public::cached_response(page, headers));
    let id = request_id::new_id();
    if let Ok(v) = axum::http::HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    state
        .metrics
        .cached_answer(res.status().as_u16(), start.elapsed());
    log(&id, req, &res, start);
    Some(res)
}

/// A request whose answer is the page every reader gets: a `GET` without a query, a
/// commenter's or browser sign-in cookie, or control characters in its address, from a
/// reader who takes one of the kept forms (one who names another encoding goes through
/// the per-request compression like any other answer).
fn plain_reader(method: &Method, uri: &axum::http::Uri, headers: &HeaderMap) -> bool {
    if method != Method::GET || uri.query().is_some() || input::address_has_controls(uri) {
        return false;
    }
    if headers
        .get_all(header::COOKIE)
        .iter()
        .any(|v| has_own_cookie(v.as_bytes()))
    {
        return false;
    }
    Encoding::negotiate(headers) != Encoding::Identity
        || !headers.contains_key(header::ACCEPT_ENCODING)
}

/// Whether a `Cookie` header names a cookie that makes the page the reader's own.
fn has_own_cookie(cookie: &[u8]) -> bool {
    cookie.split(|b| *b == b';').any(|pair| {
        let name = pair.split(|b| *b == b'=').next().unwrap_or_default();
        let name = name.trim_ascii();
        name == signin::COMMENTER_COOKIE.as_bytes() || name == signin::BROWSER_COOKIE.as_bytes()
    })
}

/// The line the router's trace layer writes for every answer, when it is wanted.
fn log(id: &str, req: &Request, res: &Response, start: Instant) {
    if tracing::enabled!(target: "tower_http::trace::on_response", tracing::Level::INFO) {
        let span = request_id::span(id, req.method(), req.uri().path());
        let _entered = span.enter();
        tracing::info!(
            target: "tower_http::trace::on_response",
            latency = %format_args!("{} µs", start.elapsed().as_micros()),
            status = res.status().as_u16(),
            "finished processing request (page cache)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    header::HeaderName::from_static(k),
                    axum::http::HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    #[test]
    fn only_a_reader_with_nothing_of_their_own_is_answered_from_the_cache() {
        let get = Method::GET;
        let post: axum::http::Uri = "/2026/12/06/a-post/".parse().unwrap();
        let br = headers(&[("accept-encoding", "br, gzip")]);
        assert!(plain_reader(&get, &post, &br));
        assert!(plain_reader(&get, &post, &HeaderMap::new()));
        assert!(plain_reader(
            &get,
            &post,
            &headers(&[
                ("accept-encoding", "gzip"),
                ("cookie", "theme=dark; lang=ar")
            ])
        ));
        // Not: another method, a query, their own cookie, an encoding not kept.
        assert!(!plain_reader(&Method::HEAD, &post, &br));
        assert!(!plain_reader(&Method::POST, &post, &br));
        let reply: axum::http::Uri = "/2026/12/06/a-post/?replytocom=4".parse().unwrap();
        assert!(!plain_reader(&get, &reply, &br));
        for cookie in [
            "tribune_commenter=abc",
            "a=1; tribune_auth=xyz",
            "a=1;tribune_commenter=",
        ] {
            let mut h = br.clone();
            h.insert(
                header::COOKIE,
                axum::http::HeaderValue::from_str(cookie).unwrap(),
            );
            assert!(!plain_reader(&get, &post, &h), "{cookie}");
        }
        assert!(!plain_reader(
            &get,
            &post,
            &headers(&[("accept-encoding", "deflate")])
        ));
        let controls: axum::http::Uri = "/a%0Ab/".parse().unwrap();
        assert!(!plain_reader(&get, &controls, &br));
    }
}
