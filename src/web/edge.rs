//! The one layer every request passes on its way in and out: its address checked for
//! control characters (`input`), its reader identified (`client`), a request that
//! changes something run to the end on its own task (`detach`), and the security
//! headers and redirect check on the answer (`security_headers`). One layer, not
//! four: each layer costs time on every cached page view.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::{client, detach, error, input, security_headers, AppState};

pub async fn edge(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if input::address_has_controls(req.uri()) {
        return finish(&state, input::bad_address());
    }
    let reader = client::identify(&state.settings.trusted_proxies, &req);
    req.extensions_mut().insert(reader);
    let res = if detach::is_unsafe(req.method()) {
        detach::run_to_end(req, next).await
    } else {
        next.run(req).await
    };
    finish(&state, res)
}

/// Every answer on its way out: an error page written in the site's language, then
/// the security headers and the redirect check.
fn finish(state: &AppState, res: Response) -> Response {
    let res = if res.extensions().get::<error::ErrorPage>().is_some()
        || res.status() == axum::http::StatusCode::SERVICE_UNAVAILABLE
    {
        error::write_error_page(&state.i18n, &state.site().language, res)
    } else {
        res
    };
    security_headers::finish(state, res)
}
