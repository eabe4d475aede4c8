//! The page cache: a public page is the same bytes for every anonymous reader, so it is
//! rendered once and served from memory until its content changes.
//!
//! Invalidation: a write in this process clears the cache at once; a write elsewhere
//! (the CLI, another instance on the same PostgreSQL) raises `site_state.content_version`,
//! which a background task polls every second. A scheduled post coming due clears it too.
//! A render that raced with a change is not stored (generation check).

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::Duration;

use axum::http::HeaderValue;
use bytes::Bytes;

use super::AppState;

const MAX_PAGES: usize = 10_000;

#[derive(Clone)]
pub struct CachedPage {
    pub body: Bytes,
    pub etag: HeaderValue,
    /// `text/html; charset=utf-8` for a page; a feed's or sitemap's own type.
    pub content_type: HeaderValue,
    /// When what it shows last changed (feeds, sitemaps), for `If-Modified-Since`.
    pub last_modified: Option<std::time::SystemTime>,
}

const HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");

pub struct PageCache {
    pages: RwLock<HashMap<String, CachedPage>>,
    generation: AtomicU64,
    seen_version: AtomicI64,
    /// Unix time of the next scheduled post, or i64::MAX.
    next_due: AtomicI64,
}

impl PageCache {
    pub fn new(content_version: i64) -> Self {
        PageCache {
            pages: RwLock::new(HashMap::new()),
            generation: AtomicU64::new(0),
            seen_version: AtomicI64::new(content_version),
            next_due: AtomicI64::new(0),
        }
    }

    /// Take this before reading what a page shows; pass it to [`PageCache::insert`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub fn get(&self, key: &str) -> Option<CachedPage> {
        self.pages.read().expect("cache lock").get(key).cloned()
    }

    /// Stores a rendered page unless the content changed since `generation` was taken.
    pub fn insert(&self, key: &str, body: String, generation: u64) -> CachedPage {
        self.insert_typed(key, body, generation, HTML, None)
    }

    /// [`PageCache::insert`] for a document that is not a page: a feed, a sitemap.
    pub fn insert_typed(
        &self,
        key: &str,
        body: String,
        generation: u64,
        content_type: HeaderValue,
        last_modified: Option<std::time::SystemTime>,
    ) -> CachedPage {
        let digest = crate::token::sha256_hex(&body);
        let page = CachedPage {
            etag: HeaderValue::from_str(&format!("\"{}\"", &digest[..20]))
                .expect("hex is a valid header"),
            body: Bytes::from(body),
            content_type,
            last_modified,
        };
        let mut pages = self.pages.write().expect("cache lock");
        if self.generation.load(Ordering::Acquire) == generation && pages.len() < MAX_PAGES {
            pages.insert(key.to_string(), page.clone());
        }
        page
    }

    /// Forgets every page; the next request renders afresh.
    pub fn invalidate(&self) {
        let mut pages = self.pages.write().expect("cache lock");
        self.generation.fetch_add(1, Ordering::AcqRel);
        pages.clear();
        self.next_due.store(0, Ordering::Release);
    }

    pub fn len(&self) -> usize {
        self.pages.read().expect("cache lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl AppState {
    /// Call after any change readers can see.
    pub async fn content_changed(&self) {
        self.cache.invalidate();
        if let Err(err) = self.reload_settings().await {
            tracing::warn!(error = %err, "could not reload settings");
        }
    }
}

/// Polls the content version and the next scheduled post; clears the cache on change.
pub async fn watch_content_version(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = crate::store::now();
        match state.store.content_version().await {
            Ok(v) if v != state.cache.seen_version.swap(v, Ordering::AcqRel) => {
                tracing::debug!(
                    version = v,
                    "content changed elsewhere; clearing page cache"
                );
                state.content_changed().await;
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "could not read content version"),
        }
        // Decisions made by other instances or the CLI: one small query a second.
        state.refresh_filter().await;
        let due = state.cache.next_due.load(Ordering::Acquire);
        if due <= now {
            if due != 0 {
                state.cache.invalidate();
            }
            match state.store.next_scheduled_post(now).await {
                Ok(next) => state
                    .cache
                    .next_due
                    .store(next.unwrap_or(i64::MAX), Ordering::Release),
                Err(err) => tracing::warn!(error = %err, "could not read scheduled posts"),
            }
        }
    }
}
