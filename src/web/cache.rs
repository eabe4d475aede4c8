//! The page cache: a public page is the same bytes for every anonymous reader, so it is
//! rendered once and served from memory until its content changes.
//!
//! Each page says what it shows ([`Shows`]): one post's discussion, listings that count
//! comments, or posts alone. A comment approved, edited or removed forgets only its
//! post's pages and the listings; anything else (a post saved, the settings) forgets
//! every page.
//!
//! Every visible write raises `site_state.content_version` and records what it touched
//! (`content_changes`, `Store::changes_since`). This process reads that record right
//! after its own comment writes; a background task reads it four times a second for
//! writes elsewhere (the CLI, another instance on the same PostgreSQL). A change this
//! process made to anything but comments clears the cache at once. A scheduled post
//! coming due clears it too. A render that raced with any change is not stored
//! (generation check).
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

/// What a cached page shows, so a change forgets only the pages it touched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shows {
    /// One post's own pages: its permalink, comment pages, comment feed.
    Discussion(i64),
    /// Several posts with their comment counts or comments: listings, feeds.
    Listing,
    /// Posts without their comments: sitemaps.
    Posts,
}

#[derive(Clone)]
pub struct CachedPage {
    pub body: Bytes,
    pub etag: HeaderValue,
    /// `text/html; charset=utf-8` for a page; a feed's or sitemap's own type.
    pub content_type: HeaderValue,
    /// When what it shows last changed (feeds, sitemaps), for `If-Modified-Since`.
    pub last_modified: Option<std::time::SystemTime>,
    pub shows: Shows,
    /// A post page's post as it was drawn: a reader with a part of their own is served
    /// from this page without reading the post again.
    pub post: Option<std::sync::Arc<crate::domain::post::Post>>,
    /// Where a post page's reader's own part goes (the byte range between its respond
    /// marks).
    pub respond_at: Option<(usize, usize)>,
    /// The body's compressed forms, each made once, on the first request that asks
    /// for it; a new render is a new page, so all forms are replaced together.
    pub forms: std::sync::Arc<super::encoding::Compressed>,
}

const HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");

impl CachedPage {
    fn new(
        body: String,
        (content_type, last_modified): (HeaderValue, Option<std::time::SystemTime>),
        shows: Shows,
    ) -> Self {
        let digest = xxhash_rust::xxh3::xxh3_128(body.as_bytes());
        CachedPage {
            etag: HeaderValue::from_str(&format!("\"{:020x}\"", digest >> 48))
                .expect("hex is a valid header"),
            body: Bytes::from(body),
            content_type,
            last_modified,
            shows,
            post: None,
            respond_at: None,
            forms: super::encoding::Compressed::new(super::encoding::Effort::Page),
        }
    }
}

pub struct PageCache {
    pages: RwLock<Pages>,
    /// What the kept pages may weigh in all (`[cache] pages_mb`).
    page_bytes: usize,
    generation: AtomicU64,
    seen_version: AtomicI64,
    /// Unix time of the next scheduled post, or i64::MAX.
    next_due: AtomicI64,
    search: Mutex<Recent>,
    /// Comments as drawn (`comment.html`), within a quarter of `page_bytes`: a page
    /// drawn again after one new comment draws only that one. Forgotten with every
    /// page on a change to anything but comments (a setting may change how any
    /// comment looks); a comment's own change makes it a different key.
    drawn: Mutex<Recent<DrawnKey, Weighed>>,
    /// Raised when every page is forgotten (not for comments alone): a comment drawn
    /// before it is not kept.
    cleared: AtomicU64,
    /// Each commenter's avatar address by the avatar source and their email (an HMAC
    /// under the site secret, or Gravatar's hash: forgotten with every page).
    avatars: Mutex<HashMap<String, String>>,
    /// What the search results kept may weigh in all (`[cache] search_results_mb`; a
    /// page of results is ~20 KB).
    search_bytes: usize,
    /// Whether the search index holds every post (it is completed after start, beside
    /// the running site); until then no results page is kept.
    search_ready: AtomicBool,
    /// One reading of the change record at a time (the poller, a handler after a write).
    catching_up: tokio::sync::Mutex<()>,
    /// Comments as drawn are kept (off only for a benchmark of pages drawn whole).
    keep_drawn: bool,
    /// Off only for a benchmark of pages drawn for every request.
    keep_pages: bool,
}

/// The kept pages, within `PageCache::page_bytes`: past it, those kept longest make
/// room (a page read often is kept again at its next render).
#[derive(Default)]
struct Pages {
    map: HashMap<String, (u64, CachedPage)>,
    /// Keys in the order kept, each with the number it was kept under (a key kept
    /// again later has a newer one; its older place is skipped).
    order: VecDeque<(u64, String)>,
    kept: u64,
    bytes: usize,
}

impl Pages {
    fn get(&self, key: &str) -> Option<&CachedPage> {
        self.map.get(key).map(|(_, page)| page)
    }

    fn insert(&mut self, key: &str, page: CachedPage, limit: usize) {
        let size = page.body.len() + key.len();
        if size > limit {
            return;
        }
        self.remove(key);
        while self.bytes + size > limit {
            let Some((n, oldest)) = self.order.pop_front() else {
                break;
            };
            if self.map.get(&oldest).is_some_and(|(kept, _)| *kept == n) {
                self.remove(&oldest);
            }
        }
        self.kept += 1;
        self.bytes += size;
        self.order.push_back((self.kept, key.to_string()));
        self.map.insert(key.to_string(), (self.kept, page));
    }

    fn remove(&mut self, key: &str) {
        if let Some((_, page)) = self.map.remove(key) {
            self.bytes -= page.body.len() + key.len();
        }
    }

    /// Keeps the pages `keep` says yes to.
    fn retain(&mut self, keep: impl Fn(&CachedPage) -> bool) {
        let mut bytes = self.bytes;
        self.map.retain(|key, (_, page)| {
            let stays = keep(page);
            if !stays {
                bytes -= page.body.len() + key.len();
            }
            stays
        });
        self.bytes = bytes;
        // Places of pages no longer kept are dropped once they outnumber the pages.
        if self.order.len() > 2 * self.map.len() + 64 {
            let map = &self.map;
            self.order
                .retain(|(n, key)| map.get(key).is_some_and(|(kept, _)| kept == n));
        }
    }
}

/// Values kept newest last within a number of bytes, the oldest forgotten first:
/// search results pages by their address, comments as drawn by what they were drawn
/// from.
struct Recent<K = String, V = Bytes> {
    pages: HashMap<K, V>,
    order: VecDeque<K>,
    bytes: usize,
}

impl<K, V> Default for Recent<K, V> {
    fn default() -> Self {
        Recent {
            pages: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone, V: AsRef<[u8]>> Recent<K, V> {
    fn insert(&mut self, key: K, body: V, limit: usize) {
        let size = body.as_ref().len();
        if size > limit || self.pages.contains_key(&key) {
            return;
        }
        while self.bytes + size > limit {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(gone) = self.pages.remove(&oldest) {
                self.bytes -= gone.as_ref().len();
            }
        }
        self.bytes += size;
        self.order.push_back(key.clone());
        self.pages.insert(key, body);
    }

    fn clear(&mut self) {
        *self = Recent::default();
    }
}

/// A comment as a thread draws it (a safe string, shared, not copied), kept by a hash
/// of everything it was drawn from.
pub type Drawn = minijinja::Value;

/// What one comment's markup is drawn from, hashed: the same key is the same markup
/// (`post_page` hashes the comment as the template sees it, the language, whether
/// replies are open).
pub type DrawnKey = u128;

/// A drawn comment weighed by its bytes.
struct Weighed(Drawn);

impl AsRef<[u8]> for Weighed {
    fn as_ref(&self) -> &[u8] {
        self.0.as_str().unwrap_or_default().as_bytes()
    }
}

impl PageCache {
    pub fn new(
        content_version: i64,
        (page_bytes, search_bytes): (usize, usize),
        keeps: crate::config::PageCaching,
    ) -> Self {
        use crate::config::PageCaching;
        PageCache {
            pages: RwLock::new(Pages::default()),
            page_bytes,
            generation: AtomicU64::new(0),
            seen_version: AtomicI64::new(content_version),
            next_due: AtomicI64::new(0),
            search: Mutex::new(Recent::default()),
            drawn: Mutex::new(Recent::default()),
            cleared: AtomicU64::new(0),
            avatars: Mutex::new(HashMap::new()),
            search_bytes,
            search_ready: AtomicBool::new(false),
            catching_up: tokio::sync::Mutex::new(()),
            keep_pages: keeps == PageCaching::All,
            keep_drawn: keeps != PageCaching::Nothing,
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
            search.insert(key.to_string(), body, self.search_bytes);
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
    pub fn insert(&self, key: &str, body: String, generation: u64, shows: Shows) -> CachedPage {
        self.insert_typed(key, body, generation, (HTML, None), shows)
    }

    /// [`PageCache::insert`] for a document that is not a page: a feed, a sitemap, with
    /// its content type and when what it shows last changed.
    pub fn insert_typed(
        &self,
        key: &str,
        body: String,
        generation: u64,
        (content_type, last_modified): (HeaderValue, Option<std::time::SystemTime>),
        shows: Shows,
    ) -> CachedPage {
        let page = CachedPage::new(body, (content_type, last_modified), shows);
        self.keep(key, page, generation)
    }

    /// [`PageCache::insert`] for a post page, kept with the post it shows and where a
    /// reader's own part goes in it.
    pub fn insert_post_page(
        &self,
        key: &str,
        body: String,
        generation: u64,
        (post, respond_at): (
            std::sync::Arc<crate::domain::post::Post>,
            Option<(usize, usize)>,
        ),
    ) -> CachedPage {
        let mut page = CachedPage::new(body, (HTML, None), Shows::Discussion(post.id));
        page.post = Some(post);
        page.respond_at = respond_at;
        self.keep(key, page, generation)
    }

    fn keep(&self, key: &str, page: CachedPage, generation: u64) -> CachedPage {
        let mut pages = self.pages.write().expect("cache lock");
        if self.keep_pages && self.generation.load(Ordering::Acquire) == generation {
            pages.insert(key, page.clone(), self.page_bytes);
        }
        page
    }

    /// The comments already drawn among `keys`, in their order.
    pub fn drawn(&self, keys: &[DrawnKey]) -> Vec<Option<Drawn>> {
        let drawn = self.drawn.lock().expect("cache lock");
        keys.iter()
            .map(|k| drawn.pages.get(k).map(|w| w.0.clone()))
            .collect()
    }

    /// The avatar address kept under `key`, else `make`'s, kept unless every page was
    /// forgotten meanwhile (at most 10,000 are kept; past that they start again).
    pub fn avatar(&self, key: &str, make: impl FnOnce() -> String) -> String {
        if let Some(url) = self.avatars.lock().expect("cache lock").get(key) {
            return url.clone();
        }
        let generation = self.drawn_generation();
        let url = make();
        let mut avatars = self.avatars.lock().expect("cache lock");
        if self.cleared.load(Ordering::Acquire) == generation {
            if avatars.len() >= 10_000 {
                avatars.clear();
            }
            avatars.insert(key.to_string(), url.clone());
        }
        url
    }

    /// Take this before drawing comments; pass it to [`PageCache::keep_drawn`].
    pub fn drawn_generation(&self) -> u64 {
        self.cleared.load(Ordering::Acquire)
    }

    /// Keeps comments just drawn, unless everything was forgotten since `generation`
    /// was taken (they may have been drawn with settings that are gone).
    pub fn keep_drawn(&self, fresh: Vec<(DrawnKey, Drawn)>, generation: u64) {
        if !self.keep_drawn || fresh.is_empty() {
            return;
        }
        let mut drawn = self.drawn.lock().expect("cache lock");
        if self.cleared.load(Ordering::Acquire) != generation {
            return;
        }
        for (key, html) in fresh {
            drawn.insert(key, Weighed(html), self.page_bytes / 4);
        }
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
        *pages = Pages::default();
        self.search.lock().expect("cache lock").clear();
        let mut drawn = self.drawn.lock().expect("cache lock");
        self.cleared.fetch_add(1, Ordering::AcqRel);
        drawn.clear();
        self.avatars.lock().expect("cache lock").clear();
        self.next_due.store(0, Ordering::Release);
    }

    /// Forgets the pages that show the discussion of any of `posts`, and the listings;
    /// pages of other posts stay.
    pub fn forget_discussions(&self, posts: &[i64]) {
        let mut pages = self.pages.write().expect("cache lock");
        self.generation.fetch_add(1, Ordering::AcqRel);
        pages.retain(|page| match page.shows {
            Shows::Discussion(post) => !posts.contains(&post),
            Shows::Listing => false,
            Shows::Posts => true,
        });
    }

    pub fn len(&self) -> usize {
        self.pages.read().expect("cache lock").map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl AppState {
    /// Call after any change readers can see: every page is forgotten.
    pub async fn content_changed(&self) {
        let _one = self.cache.catching_up.lock().await;
        // Read before forgetting: every change up to it is then covered, and the
        // poller does not forget everything a second time for this one.
        let version = self.store.content_version().await;
        self.forget_everything().await;
        if let Ok(version) = version {
            self.cache.seen_version.fetch_max(version, Ordering::AcqRel);
        }
    }

    async fn forget_everything(&self) {
        self.cache.invalidate();
        self.known_sessions.forget_all();
        if let Err(err) = self.reload_settings().await {
            tracing::warn!(error = %err, "could not reload settings");
        }
    }

    /// Call after a change to comments readers can see: the pages it touched are
    /// forgotten, as the store recorded them (every page, if the record cannot be read:
    /// the change is committed, and its post must not stay as it was).
    pub async fn comments_changed(&self) {
        self.catch_up(true).await;
    }

    /// Reads what changed since this process last looked and forgets what it touched.
    /// When the record cannot be read, everything is forgotten if `forget_on_error`
    /// (after this process's own write); the poller keeps the pages instead, so a
    /// database that stops answering does not also take the cached pages away, and
    /// its next reading covers what it missed.
    async fn catch_up(&self, forget_on_error: bool) {
        let _one = self.cache.catching_up.lock().await;
        let seen = self.cache.seen_version.load(Ordering::Acquire);
        match self.store.changes_since(seen).await {
            Ok((_, crate::store::Changes::Discussions(posts))) if posts.is_empty() => {}
            Ok((version, crate::store::Changes::Discussions(posts))) => {
                tracing::debug!(version, ?posts, "comments changed; forgetting their pages");
                self.cache.forget_discussions(&posts);
                self.cache.seen_version.store(version, Ordering::Release);
            }
            Ok((version, crate::store::Changes::Everything)) => {
                tracing::debug!(version, "content changed; clearing page cache");
                self.forget_everything().await;
                self.cache.seen_version.store(version, Ordering::Release);
            }
            Err(err) if forget_on_error => {
                tracing::warn!(error = %err, "could not read what changed; clearing page cache");
                self.forget_everything().await;
            }
            Err(err) => tracing::warn!(error = %err, "could not read what changed"),
        }
    }
}

/// Reads what changed four times a second (one small query when nothing did), and the
/// spam filter's decisions and the next scheduled post once a second.
pub async fn watch_content_version(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut ticks: u64 = 0;
    loop {
        tick.tick().await;
        state.catch_up(false).await;
        ticks += 1;
        if ticks % 4 != 1 {
            continue;
        }
        let now = crate::store::now();
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
        let mut recent: Recent = Recent::default();
        recent.insert("a".into(), Bytes::from(vec![b'a'; 40]), 100);
        recent.insert("b".into(), Bytes::from(vec![b'b'; 40]), 100);
        recent.insert("c".into(), Bytes::from(vec![b'c'; 40]), 100);
        assert!(!recent.pages.contains_key("a"), "the oldest goes first");
        assert!(recent.pages.contains_key("b") && recent.pages.contains_key("c"));
        assert_eq!(recent.bytes, 80);
        recent.insert("huge".into(), Bytes::from(vec![b'h'; 101]), 100);
        assert!(
            !recent.pages.contains_key("huge"),
            "larger than the bound: not kept"
        );
        assert_eq!(recent.order.len(), 2);
    }

    fn page(bytes: usize, shows: Shows) -> CachedPage {
        CachedPage::new("x".repeat(bytes), (HTML, None), shows)
    }

    #[test]
    fn pages_are_kept_within_their_bytes_the_longest_kept_go_first() {
        let mut pages = Pages::default();
        pages.insert("/a", page(40, Shows::Posts), 150);
        pages.insert("/b", page(40, Shows::Listing), 150);
        pages.insert("/a", page(40, Shows::Posts), 150);
        assert_eq!(pages.bytes, 84, "a page kept again counts once");
        pages.insert("/c", page(40, Shows::Discussion(1)), 150);
        pages.insert("/d", page(40, Shows::Discussion(2)), 150);
        assert!(pages.get("/b").is_none(), "kept longest, so gone first");
        assert!(pages.get("/a").is_some(), "kept again after /b: stays");
        assert!(pages.get("/c").is_some() && pages.get("/d").is_some());
        assert_eq!(pages.bytes, 126);
        pages.retain(|p| p.shows != Shows::Discussion(1));
        assert!(pages.get("/c").is_none());
        assert_eq!(pages.bytes, 84);
        pages.insert("/huge", page(151, Shows::Posts), 150);
        assert!(pages.get("/huge").is_none(), "larger than the bound");
        assert_eq!(pages.map.len(), 2);
    }

    #[test]
    fn a_change_forgets_search_results_and_a_racing_render_is_not_kept() {
        let cache = PageCache::new(0, (1 << 20, 1024), crate::config::PageCaching::All);
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
