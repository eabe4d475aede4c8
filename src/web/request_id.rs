//! Gives every request an id: in its log lines, in the `x-request-id` response header,
//! and on the error page, so a reader's report can be matched to the log.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Span;

tokio::task_local! {
    static REQUEST_ID: String;
}

#[derive(Clone, Debug)]
pub struct RequestId(pub String);

pub async fn assign(mut req: Request, next: Next) -> Response {
    let id = new_id();
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut res = REQUEST_ID.scope(id.clone(), next.run(req)).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

pub fn make_span(req: &Request) -> Span {
    let id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.as_str())
        .unwrap_or("-");
    span(id, req.method(), req.uri().path())
}

/// The span a request's log lines are written in.
pub fn span(id: &str, method: &axum::http::Method, path: &str) -> Span {
    tracing::info_span!("request", id = %id, method = %method, path = %path)
}

/// A new request id: 16 hex digits, different for every request of this process and
/// unlikely to meet another process's (a random start, then a counter mixed by
/// SplitMix64, a bijection). Not a secret: it only matches a report to the log, so it
/// costs no call to the operating system's random source.
pub fn new_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static START: OnceLock<u64> = OnceLock::new();
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let start = *START.get_or_init(|| {
        let mut bytes = [0u8; 8];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
        u64::from_le_bytes(bytes)
    });
    let mut z = start.wrapping_add(
        COUNT
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15),
    );
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    format!("{:016x}", z ^ (z >> 31))
}

/// Runs `fut` as part of the request `id` (for work moved to another task).
pub async fn scope<F: std::future::Future>(id: String, fut: F) -> F::Output {
    REQUEST_ID.scope(id, fut).await
}

/// The id of the request being answered, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}
