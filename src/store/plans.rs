//! The hot queries' plans: what a public page, a feed, a sitemap and the moderation queue
//! ask of the database, explained by the database itself, so a test can hold that none
//! of them reads a large table whole (a site of 100,000 posts and 1,000,000 comments
//! answers each from an index). The query texts are the ones the store runs, taken
//! from the same builders.

use sqlx::Row;

use super::comments::{approved_of_sql, moderation_queue_sql, APPROVED_SHAPE, QUEUE_COUNTS};
use super::posts::{post_by_slug_sql, published_posts_sql, Listing, PUBLISHED_LANGUAGES};
use super::syndication::{public_posts_page_sql, recent_comments_sql, COUNT_PUBLIC, PUBLIC_TERMS};
use super::{Backend, Store, StoreResult};

/// The tables that grow with a site (and their aliases in the query texts): a plan that
/// walks one of them whole is a full scan.
const LARGE: &[&str] = &["posts", "p", "comments", "c", "post_terms", "pt"];

/// The hot queries allowed to walk an index whole (never to read a table whole), each
/// for its reason:
/// - the sitemap index counts the public posts for its number of pages (100,000 read
///   from `posts_kind_listing_idx` in 7 ms on PostgreSQL; cached until a post changes);
/// - a category's or tag's page joins the term's posts with the listing's order: walked
///   newest first until the page is full (PostgreSQL, a common term), or the term's
///   posts found and sorted (a rare one) — proportional to the term, not the page (a
///   term's own order by date in `post_terms` would answer it; not done yet).
const WHOLE_INDEX_OK: &[&str] = &["sitemap index: posts counted", "a category's page"];

/// A value bound to a query being explained.
#[derive(Debug, Clone)]
pub enum Arg {
    Int(i64),
    Text(&'static str),
}

/// One query as the database plans it.
#[derive(Debug, Clone)]
pub struct Plan {
    pub name: String,
    /// The plan as the database printed it, a line a step.
    pub text: String,
    /// The steps that read a large table whole (empty when none does).
    pub full_scans: Vec<String>,
}

/// The steps of a plan that read a large table whole: SQLite's `SCAN t` (with or
/// without an index: both walk all of it); PostgreSQL's `Seq Scan on t`, and its index
/// scans of `t` with no `Index Cond` (the whole index walked) — unless a `Limit` above
/// it stops the walk with nothing between that must read all first (a sort, a hash, an
/// aggregate): "newest first until the page is full" is a walk that stops.
pub fn full_scans(backend: Backend, plan: &str) -> Vec<String> {
    let lines: Vec<&str> = plan.lines().collect();
    let large = |rest: &str| {
        rest.split_whitespace()
            .next()
            .is_some_and(|t| LARGE.contains(&t))
    };
    let mut found = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let step = line
            .trim_start_matches(|c: char| "|`-> ".contains(c))
            .trim();
        let scanned = match backend {
            Backend::Sqlite => step.strip_prefix("SCAN ").is_some_and(large),
            Backend::Postgres => {
                let seq = step
                    .find("Seq Scan on ")
                    .is_some_and(|i| large(&step[i + "Seq Scan on ".len()..]));
                // "Index Scan using x on t c", "Index Only Scan Backward using x on t"
                let index_walk = (step.starts_with("Index Scan")
                    || step.starts_with("Index Only Scan"))
                    && step.find(" on ").is_some_and(|i| large(&step[i + 4..]))
                    && !lines[at + 1..]
                        .iter()
                        .take_while(|l| !l.contains("->"))
                        .any(|l| l.contains("Index Cond:"));
                (seq || index_walk) && !stopped_by_limit(&lines, at)
            }
        };
        if scanned {
            found.push(line.trim().to_string());
        }
    }
    found
}

/// Whether the PostgreSQL plan node on line `at` streams into a `Limit`.
fn stopped_by_limit(lines: &[&str], at: usize) -> bool {
    const READS_ALL: &[&str] = &[
        "Sort",
        "Hash",
        "Aggregate",
        "HashAggregate",
        "GroupAggregate",
        "Materialize",
    ];
    let indent = |l: &str| l.find("->");
    let Some(mut depth) = indent(lines[at]) else {
        return false;
    };
    for line in lines[..at].iter().rev() {
        let (parent_depth, step) = match indent(line) {
            Some(d) => (d, line[d + 2..].trim()),
            // The root (the first line) has no arrow.
            None if !line.starts_with(' ') => (0, line.trim()),
            None => continue,
        };
        if parent_depth >= depth && !(parent_depth == 0 && depth == 0) {
            continue;
        }
        let kind = step.split("  (").next().unwrap_or(step);
        if kind.starts_with("Limit") {
            return true;
        }
        if READS_ALL.contains(&kind) || kind.starts_with("Sort") {
            return false;
        }
        if parent_depth == 0 {
            return false;
        }
        depth = parent_depth;
    }
    false
}

/// The hot queries, each with values like a page's.
fn hot_queries(backend: Backend) -> Vec<(String, String, Vec<Arg>)> {
    use Arg::{Int, Text};
    let now = Int(1_900_000_000);
    let (published, post, approved, pending) = (
        Text("published"),
        Text("post"),
        Text("approved"),
        Text("pending"),
    );
    let all = Listing::default();
    let term = Listing {
        term: Some(1),
        lang: None,
    };
    let lang = Listing {
        term: None,
        lang: Some("ar"),
    };
    let listing = |n: &str, l: &Listing<'_>, extra: Vec<Arg>| {
        let tags = usize::from(l.lang.is_some());
        let mut args = vec![
            now.clone(),
            Int(10),
            Int(90_000),
            published.clone(),
            post.clone(),
        ];
        args.extend(extra);
        (n.to_string(), published_posts_sql(l, tags), args)
    };
    vec![
        (
            "post by slug".into(),
            post_by_slug_sql(),
            vec![Text("statement-1")],
        ),
        (
            "a post's approved comments".into(),
            approved_of_sql(backend, 0),
            vec![Int(1), approved.clone()],
        ),
        (
            "a comment page's comments".into(),
            approved_of_sql(backend, 3),
            vec![Int(1), approved.clone(), Int(1), Int(2), Int(3)],
        ),
        (
            "a thread's shape".into(),
            APPROVED_SHAPE.into(),
            vec![Int(1), approved.clone()],
        ),
        listing("home page (a late page)", &all, vec![]),
        listing("a category's page", &term, vec![Int(1)]),
        listing("a language's page", &lang, vec![Text("ar")]),
        (
            "languages with posts".into(),
            PUBLISHED_LANGUAGES.into(),
            vec![now.clone(), published.clone(), post.clone()],
        ),
        (
            "moderation queue: held (a late page)".into(),
            moderation_queue_sql(51, true, false),
            vec![Int(99_950), pending.clone()],
        ),
        (
            "moderation queue: all".into(),
            moderation_queue_sql(51, false, false),
            vec![Int(0), pending.clone(), approved.clone()],
        ),
        (
            "moderation queue: one post".into(),
            moderation_queue_sql(51, true, true),
            vec![Int(0), pending.clone(), Int(1)],
        ),
        (
            "moderation queue counts".into(),
            QUEUE_COUNTS.into(),
            vec![
                pending.clone(),
                approved.clone(),
                Text("spam"),
                Text("trash"),
                Int(10_001),
            ],
        ),
        (
            "comments feed".into(),
            recent_comments_sql(false),
            vec![approved.clone(), published.clone(), now.clone(), Int(10)],
        ),
        (
            "a post's comments feed".into(),
            recent_comments_sql(true),
            vec![approved, published.clone(), now.clone(), Int(10), Int(1)],
        ),
        (
            "sitemap index: posts counted".into(),
            COUNT_PUBLIC.into(),
            vec![published.clone(), now.clone(), post.clone()],
        ),
        (
            "a sitemap's posts (a late page)".into(),
            public_posts_page_sql(),
            vec![
                published.clone(),
                now.clone(),
                post.clone(),
                Int(2000),
                Int(98_000),
            ],
        ),
        (
            "sitemap of terms".into(),
            PUBLIC_TERMS.into(),
            vec![published, now, post],
        ),
    ]
}

impl Store {
    /// Every hot query's plan, as the database's statistics make it (so ask on a
    /// database with some volume, analysed). On PostgreSQL each is planned twice, as a
    /// custom plan and as the generic plan a prepared statement may settle on. Runs on
    /// a connection of its own that is closed afterwards (its settings never reach the
    /// pool).
    pub async fn hot_query_plans(&self) -> StoreResult<Vec<Plan>> {
        let mut conn = self.read.acquire().await?.detach();
        let mut plans = Vec::new();
        let modes: &[&str] = match self.backend {
            Backend::Sqlite => &[""],
            // A table a test can fill is small enough that PostgreSQL reads it whole by
            // preference; with that priced out, what is left shows whether an index
            // answers. The check then asks that the index be searched, not walked.
            Backend::Postgres => {
                sqlx::query("SET enable_seqscan = off")
                    .execute(&mut conn)
                    .await?;
                &["auto", "force_generic_plan"]
            }
        };
        for mode in modes {
            if !mode.is_empty() {
                sqlx::query(&format!("SET plan_cache_mode = {mode}"))
                    .execute(&mut conn)
                    .await?;
            }
            for (name, sql, args) in hot_queries(self.backend) {
                let text = explain(self.backend, &mut conn, &sql, &args).await?;
                let mut scans = full_scans(self.backend, &text);
                if WHOLE_INDEX_OK.contains(&name.as_str()) {
                    scans.retain(|step| !step.contains("INDEX") && !step.contains("Index"));
                }
                plans.push(Plan {
                    name: if mode.is_empty() {
                        name
                    } else {
                        format!("{name} ({mode})")
                    },
                    full_scans: scans,
                    text,
                });
            }
        }
        Ok(plans)
    }

    /// One query's plan as the database prints it, a line a step.
    pub async fn explain(&self, sql: &str, args: &[Arg]) -> StoreResult<String> {
        let mut conn = self.read.acquire().await?;
        explain(self.backend, &mut conn, sql, args).await
    }
}

async fn explain(
    backend: Backend,
    conn: &mut sqlx::AnyConnection,
    sql: &str,
    args: &[Arg],
) -> StoreResult<String> {
    let text = match backend {
        Backend::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
        Backend::Postgres => format!("EXPLAIN {sql}"),
    };
    let mut query = sqlx::query(&text);
    for arg in args {
        query = match arg {
            Arg::Int(n) => query.bind(*n),
            Arg::Text(t) => query.bind(*t),
        };
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let lines: Vec<String> = rows
        .iter()
        .map(|row| match backend {
            Backend::Sqlite => row.try_get::<String, _>("detail"),
            Backend::Postgres => row.try_get::<String, _>(0),
        })
        .collect::<Result<_, _>>()?;
    Ok(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_of_a_large_table_is_a_full_scan_and_a_search_is_not() {
        let sqlite = "SEARCH p USING INDEX posts_kind_listing_idx (kind=? AND status=?)\n\
                      SCAN c USING INDEX comments_status_idx\n\
                      SCAN t USING COVERING INDEX terms_kind_slug_key\n\
                      SCAN comments";
        assert_eq!(
            full_scans(Backend::Sqlite, sqlite),
            ["SCAN c USING INDEX comments_status_idx", "SCAN comments"]
        );
        let joined = "Hash Join  (cost=1.00..2.00 rows=10 width=8)\n\
                      \x20 Hash Cond: (c.post_id = p.id)\n\
                      \x20 ->  Seq Scan on comments c  (cost=0.00..1.00 rows=1000000 width=8)\n\
                      \x20 ->  Hash  (cost=1.00..1.00 rows=100000 width=8)\n\
                      \x20       ->  Index Only Scan using posts_kind_listing_idx on posts p  (rows=100000)\n\
                      \x20             Heap Fetches: 0";
        assert_eq!(
            full_scans(Backend::Postgres, joined),
            [
                "->  Seq Scan on comments c  (cost=0.00..1.00 rows=1000000 width=8)",
                "->  Index Only Scan using posts_kind_listing_idx on posts p  (rows=100000)"
            ]
        );
        // Newest first until ten are found: a walk a Limit stops.
        let newest = "Limit  (cost=0.58..1.50 rows=10 width=121)\n\
                      \x20 ->  Nested Loop  (cost=0.58..4956.93 rows=53952 width=121)\n\
                      \x20       ->  Index Scan Backward using comments_pkey on comments c  (cost=0.29..2685.29 rows=53952 width=121)\n\
                      \x20             Filter: (status = 'approved'::text)\n\
                      \x20       ->  Index Scan using posts_pkey on posts p  (cost=0.28..0.31 rows=1 width=8)\n\
                      \x20             Index Cond: (id = c.post_id)";
        assert!(full_scans(Backend::Postgres, newest).is_empty());
        // …but not when everything is sorted first.
        let sorted = "Limit  (cost=0.58..1.50 rows=10 width=121)\n\
                      \x20 ->  Sort  (cost=0.58..4956.93 rows=53952 width=121)\n\
                      \x20       Sort Key: c.created_at DESC\n\
                      \x20       ->  Seq Scan on comments c  (cost=0.29..2685.29 rows=53952 width=121)";
        assert_eq!(full_scans(Backend::Postgres, sorted).len(), 1);
        assert!(full_scans(Backend::Postgres, "Seq Scan on terms t").is_empty());
    }
}
