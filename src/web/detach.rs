//! Requests that change something run to the end, whether or not their client waits.
//!
//! Hyper drops a request's future when its connection closes, at whatever `.await`
//! the handler had reached: between storing a comment and queueing the moderators'
//! email, or halfway through a transaction. For `POST` and the other unsafe methods
//! the handler therefore runs on a task of its own; the connection only waits for it.
//! Reads (`GET`, `HEAD`) stay on the connection's task, so an abandoned page view
//! costs nothing more. (The store makes its own writes uncancellable as well; this
//! layer keeps a handler's *sequence* of steps whole.)

use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

/// Whether a request changes something (and so runs on its own task).
pub fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Runs the rest of the stack for `req` on a task of its own and waits for it.
pub async fn run_to_end(req: Request, next: Next) -> Response {
    let id = super::request_id::current().unwrap_or_default();
    let span = tracing::Span::current();
    let task = tokio::spawn(super::request_id::scope(id, next.run(req)).instrument(span));
    match task.await {
        Ok(res) => res,
        // Let the panic layer outside answer it as it answers any other.
        Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
        Err(err) => {
            tracing::error!(error = %err, "request task ended without an answer");
            super::error::AppError::Unavailable.into_response()
        }
    }
}
