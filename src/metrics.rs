//! Prometheus metrics, served as text at `/metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: &'static str,
}

/// How a submitted comment ended, as `/metrics` counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentOutcome {
    Approved,
    Held,
    /// Kept in spam by the block list, a rule, a trap or the filter.
    Spam,
    /// Refused for its content or its parent.
    Rejected,
    RateLimited,
    Duplicate,
    /// The database could not write; nothing was stored.
    Unavailable,
    /// Anything else went wrong storing it.
    Failed,
}

impl CommentOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentOutcome::Approved => "approved",
            CommentOutcome::Held => "held",
            CommentOutcome::Spam => "spam",
            CommentOutcome::Rejected => "rejected",
            CommentOutcome::RateLimited => "rate_limited",
            CommentOutcome::Duplicate => "duplicate",
            CommentOutcome::Unavailable => "unavailable",
            CommentOutcome::Failed => "failed",
        }
    }
}

/// The route label of pages answered from the cache before routing.
pub const CACHED_ROUTE: &str = "(page cache)";

pub struct Metrics {
    registry: Registry,
    pub http_requests: Family<HttpLabels, Counter>,
    pub http_duration: Family<RouteLabels, Histogram>,
    pub comments: Family<OutcomeLabels, Counter>,
    pub page_cache_hits: Counter,
    pub page_cache_misses: Counter,
    /// Comments drawn with `comment.html` (not taken as drawn before).
    pub comments_drawn: Counter,
    pub jobs: Family<OutcomeLabels, Counter>,
    /// Time to score a new comment: its features and the combination (the counts are
    /// held in memory, `crate::filter`).
    pub spam_scoring: Histogram,
    /// The series of [`CACHED_ROUTE`], looked up once (they share their counts with
    /// the families).
    cached: CachedSeries,
}

struct CachedSeries {
    ok: Counter,
    not_modified: Counter,
    duration: Histogram,
}

fn duration_histogram() -> Histogram {
    Histogram::new([
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    ])
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("tribune");
        let http_requests = Family::<HttpLabels, Counter>::default();
        let http_duration = Family::<RouteLabels, Histogram>::new_with_constructor(
            duration_histogram as fn() -> Histogram,
        );
        let comments = Family::<OutcomeLabels, Counter>::default();
        let page_cache_hits = Counter::default();
        let page_cache_misses = Counter::default();
        let comments_drawn = Counter::default();
        let jobs = Family::<OutcomeLabels, Counter>::default();
        let spam_scoring = Histogram::new([
            0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
        ]);
        registry.register(
            "spam_filter_seconds",
            "Time to score a new comment with the spam filter (features and score)",
            spam_scoring.clone(),
        );
        registry.register(
            "jobs_run",
            "Queued jobs run, by outcome (done, failed)",
            jobs.clone(),
        );
        registry.register(
            "http_requests",
            "HTTP requests answered",
            http_requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer HTTP requests",
            http_duration.clone(),
        );
        registry.register(
            "comments_submitted",
            "Comments submitted, by outcome (held, approved, spam, rejected, rate_limited, …)",
            comments.clone(),
        );
        registry.register(
            "page_cache_hits",
            "Public pages served from the page cache",
            page_cache_hits.clone(),
        );
        registry.register(
            "page_cache_misses",
            "Public pages rendered afresh",
            page_cache_misses.clone(),
        );
        registry.register(
            "comments_drawn",
            "Comments drawn for a page (the others were taken as drawn before)",
            comments_drawn.clone(),
        );
        let series = |status| {
            http_requests
                .get_or_create(&HttpLabels {
                    method: "GET".to_string(),
                    route: CACHED_ROUTE.to_string(),
                    status,
                })
                .clone()
        };
        let cached = CachedSeries {
            ok: series(200),
            not_modified: series(304),
            duration: http_duration
                .get_or_create(&RouteLabels {
                    route: CACHED_ROUTE.to_string(),
                })
                .clone(),
        };
        Metrics {
            cached,
            comments_drawn,
            registry,
            http_requests,
            http_duration,
            comments,
            page_cache_hits,
            page_cache_misses,
            jobs,
            spam_scoring,
        }
    }

    /// A page answered from the cache before routing (`web::hits`): counted under the
    /// route `(page cache)`.
    pub fn cached_answer(&self, status: u16, took: std::time::Duration) {
        self.cached.duration.observe(took.as_secs_f64());
        match status {
            200 => self.cached.ok.inc(),
            304 => self.cached.not_modified.inc(),
            _ => self
                .http_requests
                .get_or_create(&HttpLabels {
                    method: "GET".to_string(),
                    route: CACHED_ROUTE.to_string(),
                    status,
                })
                .inc(),
        };
    }

    pub fn comment(&self, outcome: CommentOutcome) {
        self.comments
            .get_or_create(&OutcomeLabels {
                outcome: outcome.as_str(),
            })
            .inc();
    }

    /// A job run to its end (`done`) or not (`failed`), as the job statuses say.
    pub fn job(&self, succeeded: bool) {
        let outcome = if succeeded { "done" } else { "failed" };
        self.jobs.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
