//! What operators look at: `/healthz`, `/metrics`, and the per-request metrics layer.

use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::metrics::{HttpLabels, RouteLabels};

/// What the last write probe found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteHealth {
    Ok,
    /// Writes wait behind something long (an import, a backup): slow, not broken.
    Busy,
    /// The database refuses writes (read-only or full disk, lost connection).
    Failing,
}

/// Probes at most once a second, however often the load balancer asks.
const PROBE_EVERY: Duration = Duration::from_secs(1);
/// A probe still waiting after this is reported as busy.
const PROBE_PATIENCE: Duration = Duration::from_secs(2);

async fn write_health(state: &AppState) -> WriteHealth {
    if let Some((at, health)) = *state.health.lock().expect("health lock") {
        if at.elapsed() < PROBE_EVERY {
            return health;
        }
    }
    let health = match tokio::time::timeout(PROBE_PATIENCE, state.store.probe_write()).await {
        Ok(Ok(())) => WriteHealth::Ok,
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "health check: the database refuses writes");
            WriteHealth::Failing
        }
        Err(_) => WriteHealth::Busy,
    };
    *state.health.lock().expect("health lock") = Some((Instant::now(), health));
    health
}

/// `/healthz`: 200 while the site can read and write (or writes are merely slow),
/// 503 when the database cannot be read or refuses writes, so a load balancer takes
/// the instance out.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let read_ok = match state.store.ping().await {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(error = %err, "health check: database unreachable");
            false
        }
    };
    let writes = if read_ok {
        write_health(&state).await
    } else {
        WriteHealth::Failing
    };
    let (status, overall) = match (read_ok, writes) {
        (true, WriteHealth::Ok) => (StatusCode::OK, "ok"),
        (true, WriteHealth::Busy) => (StatusCode::OK, "degraded"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "error"),
    };
    let writes = match writes {
        WriteHealth::Ok => "ok",
        WriteHealth::Busy => "busy",
        WriteHealth::Failing => "failing",
    };
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(serde_json::json!({
            "status": overall,
            "database": if read_ok { "ok" } else { "unreachable" },
            "writes": writes,
        })),
    )
        .into_response()
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
        .into_response()
}

/// Counts each request by route and status, and times it.
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().as_str().to_string();
    let res = next.run(req).await;
    state
        .metrics
        .http_duration
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(start.elapsed().as_secs_f64());
    state
        .metrics
        .http_requests
        .get_or_create(&HttpLabels {
            method,
            route,
            status: res.status().as_u16(),
        })
        .inc();
    res
}
