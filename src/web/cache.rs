//! The page cache: a public page is the same bytes for every anonymous reader, so it is
//! rendered once and served from memory until its content changes.
//!
//! Invalidation: a write in this process clears the cache at once; a write elsewhere
//! (the CLI, another instance on the same PostgreSQL) raises `site_state.content_version`,
//! which a background task polls every second. A scheduled post coming due clears it too.
//! A render that raced with a change is not stored (generation check).
//!
//! Search results pages (`/?s=`) have a store of their own beside it: strangers choose
//! those addresses, so they are bounded by bytes, the oldest forgotten first, and can
//! never crowd a post out of the page cache.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
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
    search: Mutex<Recent>,
    /// What the search results kept may weigh in all (`[cache] search_results_mb`; a
    /// page of results is ~20 KB).
    search_bytes: usize,
    /// Whether the search index holds every post (it is completed after start, beside
    /// the running site); until then no results page is kept.
    search_ready: AtomicBool,
}

/// Search results pages, newest last, within `PageCache::search_bytes`.
#[derive(Default)]
struct Recent {
    pages: HashMap<String, Bytes>,
    order: VecDeque<String>,
    bytes: usize,
}

impl Recent {
    fn insert(&mut self, key: &str, body: Bytes, limit: usize) {
        if body.len() > limit || self.pages.contains_key(key) {
            return;
        }
        while self.bytes + body.len() > limit {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(gone) = self.pages.remove(&oldest) {
                self.bytes -= gone.len();
            }
        }
        self.bytes += body.len();
        self.order.push_back(key.to_string());
        self.pages.insert(key.to_string(), body);
    }

    fn clear(&mut self) {
        *self = Recent::default();
    }
}

impl PageCache {
    pub fn new(content_version: i64, search_bytes: usize) -> Self {
        PageCache {
            pages: RwLock::new(HashMap::new()),
            generation: AtomicU64::new(0),
            seen_version: AtomicI64::new(content_version),
            next_due: AtomicI64::new(0),
            search: Mutex::new(Recent::default()),
            search_bytes,
            search_ready: AtomicBool::new(false),
        }
    }

    /// A search results page kept by [`PageCache::insert_search`].
    pub fn get_search(&self, key: &str) -> Option<Bytes> {
        self.search
            .lock()
            .expect("cache lock")
            .pages
            .get(key)
            .cloned()
    }

    /// Keeps a search results page unless the content changed since `generation` was
    /// taken; the oldest kept go first when they would weigh more than allowed.
    pub fn insert_search(&self, key: &str, body: Bytes, generation: u64) {
        let mut search = self.search.lock().expect("cache lock");
        if self.search_ready.load(Ordering::Acquire)
            && self.generation.load(Ordering::Acquire) == generation
        {
            search.insert(key, body, self.search_bytes);
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

    /// The search index holds every post now: results pages may be kept from here on.
    pub fn search_index_complete(&self) {
        let mut search = self.search.lock().expect("cache lock");
        search.clear();
        self.search_ready.store(true, Ordering::Release);
    }

    /// Forgets every page; the next request renders afresh.
    pub fn invalidate(&self) {
        let mut pages = self.pages.write().expect("cache lock");
        self.generation.fetch_add(1, Ordering::AcqRel);
        pages.clear();
        self.search.lock().expect("cache lock").clear();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_results_are_kept_within_their_bytes_oldest_forgotten_first() {
        let mut recent = Recent::default();
        recent.insert("a", Bytes::from(vec![b'a'; 40]), 100);
        recent.insert("b", Bytes::from(vec![b'b'; 40]), 100);
        recent.insert("c", Bytes::from(vec![b'c'; 40]), 100);
        assert!(!recent.pages.contains_key("a"), "the oldest goes first");
        assert!(recent.pages.contains_key("b") && recent.pages.contains_key("c"));
        assert_eq!(recent.bytes, 80);
        recent.insert("huge", Bytes::from(vec![b'h'; 101]), 100);
        assert!(
            !recent.pages.contains_key("huge"),
            "larger than the bound: not kept"
        );
        assert_eq!(recent.order.len(), 2);
    }

    #[test]
    fn a_change_forgets_search_results_and_a_racing_render_is_not_kept() {
        let cache = PageCache::new(0, 1024);
        let before = cache.generation();
        cache.insert_search("q", Bytes::from_static(b"partial"), before);
        assert!(
            cache.get_search("q").is_none(),
            "the index is not complete yet"
        );
        cache.search_index_complete();
        cache.insert_search("q", Bytes::from_static(b"old"), before);
        assert!(cache.get_search("q").is_some());
        cache.invalidate();
        assert!(cache.get_search("q").is_none());
        cache.insert_search("q", Bytes::from_static(b"raced"), before);
        assert!(
            cache.get_search("q").is_none(),
            "rendered before the change"
        );
    }
}
