//! WordPress's comment pages: a thread is split by its top-level comments, a page
//! holding `per_page` of them with all their replies; pages are numbered from the
//! oldest (`/comment-page-1/`), so a page's address keeps its comments as new ones
//! arrive, and the post shows the newest page first unless the site says otherwise.
//! A reply whose parent is not shown counts as top-level, as `thread::build` shows it.

use std::collections::{HashMap, HashSet};

/// How a site pages its threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// Top-level comments per page; 0: one page, however long.
    pub per_page: usize,
    /// The post's own address shows the last page (the newest comments).
    pub newest_first: bool,
}

impl Paging {
    /// Whether a thread of `approved` comments in all can need a second page (if not,
    /// no shape needs reading: every comment could be top-level and still fit).
    pub fn may_split(self, approved: usize) -> bool {
        self.per_page > 0 && approved > self.per_page
    }
}

/// Where each comment of one thread falls.
#[derive(Debug, Clone)]
pub struct CommentPages {
    paging: Paging,
    /// Top-level comments, oldest first.
    roots: Vec<i64>,
    /// Each comment's top-level comment.
    root_of: HashMap<i64, i64>,
}

impl CommentPages {
    /// `shape`: every shown comment's id and parent, in the order written.
    pub fn new(shape: &[(i64, Option<i64>)], paging: Paging) -> CommentPages {
        let parent_of: HashMap<i64, Option<i64>> = shape.iter().copied().collect();
        let mut root_of: HashMap<i64, i64> = HashMap::with_capacity(shape.len());
        let mut roots = Vec::new();
        for &(id, _) in shape {
            // Up the chain of shown parents to the top (a cycle, which only bad
            // imported data could hold, stops where it closes).
            let mut chain = vec![id];
            let mut at = id;
            let root = loop {
                if let Some(r) = root_of.get(&at) {
                    break *r;
                }
                match parent_of.get(&at).copied().flatten() {
                    Some(p) if parent_of.contains_key(&p) && !chain.contains(&p) => {
                        chain.push(p);
                        at = p;
                    }
                    _ => break at,
                }
            };
            for c in chain {
                root_of.insert(c, root);
            }
        }
        for &(id, _) in shape {
            if root_of.get(&id) == Some(&id) {
                roots.push(id);
            }
        }
        CommentPages {
            paging,
            roots,
            root_of,
        }
    }

    fn per_page(&self) -> usize {
        match self.paging.per_page {
            0 => self.roots.len().max(1),
            n => n,
        }
    }

    /// How many pages there are (at least one, even for no comments).
    pub fn count(&self) -> usize {
        self.roots.len().div_ceil(self.per_page()).max(1)
    }

    /// The page the post's own address shows.
    pub fn default_page(&self) -> usize {
        if self.paging.newest_first {
            self.count()
        } else {
            1
        }
    }

    /// The page that holds comment `id`, if it is shown.
    pub fn page_of(&self, id: i64) -> Option<usize> {
        let root = self.root_of.get(&id)?;
        let at = self.roots.binary_search(root).ok()?;
        Some(at / self.per_page() + 1)
    }

    /// The page a comment not shown yet (its author's, held) would sit on: its
    /// parent's, or — a new top-level comment — the one after every other.
    pub fn page_for_new(&self, parent: Option<i64>) -> usize {
        parent
            .and_then(|p| self.page_of(p))
            .unwrap_or_else(|| self.roots.len() / self.per_page() + 1)
    }

    /// Every comment on page `page` (1-based), or `None` past the last page.
    pub fn on_page(&self, page: usize) -> Option<HashSet<i64>> {
        if page == 0 || page > self.count() {
            return None;
        }
        let per = self.per_page();
        let first = (page - 1) * per;
        let roots: HashSet<i64> = self.roots.iter().skip(first).take(per).copied().collect();
        Some(
            self.root_of
                .iter()
                .filter(|(_, r)| roots.contains(r))
                .map(|(id, _)| *id)
                .collect(),
        )
    }
}

/// `comment-page-N` (a path segment) as its number.
pub fn parse_segment(segment: &str) -> Option<usize> {
    segment
        .strip_prefix("comment-page-")?
        .parse()
        .ok()
        .filter(|n| *n >= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEWEST: Paging = Paging {
        per_page: 2,
        newest_first: true,
    };

    fn shape() -> Vec<(i64, Option<i64>)> {
        // 1, 2, 3 top-level; 4 replies to 1, 5 to 4, 6 to a comment not shown (9).
        vec![
            (1, None),
            (2, None),
            (3, None),
            (4, Some(1)),
            (5, Some(4)),
            (6, Some(9)),
        ]
    }

    #[test]
    fn pages_are_counted_by_top_level_comments_from_the_oldest() {
        let p = CommentPages::new(&shape(), NEWEST);
        // Top level: 1, 2, 3, 6 → two pages.
        assert_eq!(p.count(), 2);
        assert_eq!(p.default_page(), 2);
        let mut first: Vec<i64> = p.on_page(1).unwrap().into_iter().collect();
        first.sort();
        assert_eq!(
            first,
            vec![1, 2, 4, 5],
            "replies go with their top-level comment"
        );
        let mut second: Vec<i64> = p.on_page(2).unwrap().into_iter().collect();
        second.sort();
        assert_eq!(second, vec![3, 6]);
        assert!(p.on_page(3).is_none() && p.on_page(0).is_none());
        assert_eq!(p.page_of(5), Some(1));
        assert_eq!(p.page_of(6), Some(2));
        assert_eq!(p.page_of(42), None);
    }

    #[test]
    fn a_new_comment_lands_with_its_parent_or_after_everything() {
        let p = CommentPages::new(&shape(), NEWEST);
        assert_eq!(p.page_for_new(Some(4)), 1);
        // Four top-level comments fill two pages: a fifth starts a third.
        assert_eq!(p.page_for_new(None), 3);
        assert_eq!(p.page_for_new(Some(99)), 3);
        let three = CommentPages::new(&shape()[..3], NEWEST);
        assert_eq!(three.page_for_new(None), 2);
    }

    #[test]
    fn oldest_first_and_no_paging() {
        let oldest = CommentPages::new(
            &shape(),
            Paging {
                per_page: 2,
                newest_first: false,
            },
        );
        assert_eq!(oldest.default_page(), 1);
        let off = CommentPages::new(
            &shape(),
            Paging {
                per_page: 0,
                newest_first: true,
            },
        );
        assert_eq!(off.count(), 1);
        assert_eq!(off.on_page(1).unwrap().len(), 6);
        let empty = CommentPages::new(&[], NEWEST);
        assert_eq!((empty.count(), empty.default_page()), (1, 1));
        assert!(empty.on_page(1).unwrap().is_empty());
        assert!(!NEWEST.may_split(2) && NEWEST.may_split(3));
    }

    #[test]
    fn page_segments_read_as_numbers() {
        assert_eq!(parse_segment("comment-page-3"), Some(3));
        assert_eq!(parse_segment("comment-page-0"), None);
        assert_eq!(parse_segment("comment-page-x"), None);
        assert_eq!(parse_segment("feed"), None);
    }
}
