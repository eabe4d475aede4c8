#!/usr/bin/env bash
# A 30,000-comment thread in comment pages (issue 13, point 5): a generated WordPress
# export with one post of BENCH_THREAD_COMMENTS comments (every third a reply) is
# imported into an empty SQLite site; then the bytes of its pages and how fast they are
# served, cached (the post's address) and drawn for one reader (`?replytocom=`, never
# cached: every request renders the page from the database). Needs python3, curl, wrk.
# Rate limits are lifted (comments_per_minute = 0). Writes its section of
# docs/benchmarks.md.
#
#   bench/comment_pages.sh
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
N=${BENCH_THREAD_COMMENTS:-30000}
PORT=${BENCH_PORT:-18650}
cargo build --release --quiet
BIN=$PWD/target/release/tribune
OUT=$(mktemp -d /tmp/tribune-pages-bench.XXXXXX)
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  rm -rf "$OUT"
}
trap cleanup EXIT
python3 bench/gen_wxr.py --posts 1 --comments 0 --big-post-comments "$N" --out "$OUT/thread.xml"
"$BIN" --data-dir "$OUT/data" --create-site import wordpress "$OUT/thread.xml" >/dev/null
TRIBUNE_RATE_LIMIT_COMMENTS_PER_MINUTE=0 "$BIN" --data-dir "$OUT/data" serve --bind "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
# The post with the long thread: the one the export's big post became.
LINK=$(sqlite3 "$OUT/data/tribune.db" "SELECT slug, published_at, comment_count FROM posts ORDER BY comment_count DESC LIMIT 1")
SLUG=${LINK%%|*}; REST=${LINK#*|}; PUBLISHED=${REST%%|*}; COUNT=${REST#*|}
DATE=$(date -u -d "@$PUBLISHED" +%Y/%m/%d)
URL="http://127.0.0.1:$PORT/$DATE/$SLUG/"
FIRST_ID=$(sqlite3 "$OUT/data/tribune.db" "SELECT MIN(id) FROM comments WHERE status = 'approved'")
size() { curl -fs -o /dev/null -w '%{size_download}' "$1"; }
NEWEST=$(size "$URL"); OLDEST=$(size "${URL}comment-page-1/"); MIDDLE=$(size "${URL}comment-page-100/")
rate() { wrk -t2 -c16 -d10s "$1" | awk '/Requests\/sec/ { printf "%.0f", $2 }'; }
lat() { wrk -t2 -c16 -d10s --latency "$1" | awk '$1 == "99%" { print $2 }'; }
CACHED=$(rate "$URL")
DRAWN=$(rate "${URL}comment-page-1/?replytocom=$FIRST_ID")
DRAWN_P99=$(lat "${URL}comment-page-1/?replytocom=$FIRST_ID")
kb() { awk -v b="$1" 'BEGIN { printf "%.0f KB", b / 1024 }'; }
SECTION=$(cat <<MD
<!-- bench/comment_pages.sh -->
## A $COUNT-comment thread in comment pages — $(date -u +%Y-%m-%d)

\`bench/comment_pages.sh\`: one post of $COUNT approved comments (every third a reply),
imported from a generated WordPress export into SQLite; 50 top-level comments a page
(the default), the newest page at the post's address. wrk -t2 -c16 -d10s on loopback,
rate limits lifted.

| page | bytes |
|---|---|
| the post's address (newest page) | $(kb "$NEWEST") |
| /comment-page-1/ (oldest) | $(kb "$OLDEST") |
| /comment-page-100/ | $(kb "$MIDDLE") |

| request | requests/s | p99 |
|---|---|---|
| the post's address, cached | **$CACHED** | — |
| /comment-page-1/?replytocom=ID, drawn for one reader every time | **$DRAWN** | $DRAWN_P99 |

Before comment pages this thread was one page of about 25 MB. Pages are cut from the
thread's shape (ids and parents of every approved comment, read from a covering index)
once per content change and kept in memory (\`web::public::comment_link::ThreadPages\`);
a page then reads only its own comments. Reading the shape on every render gave 20
requests/s drawn for one reader (p99 994 ms); with the covering index alone, 30.
MD
)
python3 bench/write_section.py bench/comment_pages.sh "$SECTION"
sed -n '/^<!-- bench\/comment_pages.sh -->/,/^<!-- bench\/[a-z_]*.sh -->$/p' docs/benchmarks.md
