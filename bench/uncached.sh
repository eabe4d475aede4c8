#!/usr/bin/env bash
# The uncached render (issue 15, point 3), on SQLite and PostgreSQL: the 200-comment
# post page drawn anew for every request from the database.
#
#   U1   the page, anonymous, drawn whole (`TRIBUNE_BENCH_NO_PAGE_CACHE=all`: no page
#        kept, no comment kept as drawn): a post no one has read since the start
#   U1s  the same for a signed-in reader (the page, then their own part)
#   U1c  the page drawn again with its comments as drawn before
#        (`TRIBUNE_BENCH_NO_PAGE_CACHE=1`): what a post with one new comment costs
#
# A WordPress export (bench/gen_wxr.py: 20 posts × 5 comments and one post with 200,
# a third of them replies) is imported into an empty site on each database; its thread
# is shown on one page (`page_comments = false`). wrk -t2 -c32 -d10s --latency per row.
#
#   bench/uncached.sh          # this checkout's release build; writes docs/benchmarks.md
#   BENCH_BASELINE=/tmp/old/tribune BENCH_BASELINE_LABEL=9c366de bench/uncached.sh
#
# With a baseline build, it runs first on the same sites: one from before
# TRIBUNE_BENCH_NO_PAGE_CACHE kept the anonymous page, but drew a signed-in reader's
# page whole every time, so its U1s row is its uncached render.
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
. bench/lib.sh
require_tools wrk curl python3 psql sqlite3
PG_ADMIN=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=${BENCH_PORT:-18652}
DURATION=${BENCH_DURATION:-10s}
cargo build --release --quiet
BINS=()
LABELS=()
if [ -n "${BENCH_BASELINE:-}" ]; then
  BINS+=("$BENCH_BASELINE")
  LABELS+=("${BENCH_BASELINE_LABEL:-baseline}")
fi
BINS+=("$PWD/target/release/tribune")
HEAD_LABEL=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD 2>/dev/null || HEAD_LABEL="$HEAD_LABEL+changes"
LABELS+=("$HEAD_LABEL")
OUT=$(mktemp -d /tmp/tribune-uncached-bench.XXXXXX)
PG_DB=tribune_bench_uncached_$$
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  [ -n "${BENCH_KEEP:-}" ] || rm -rf "$OUT"
}
trap cleanup EXIT
export RUST_LOG=warn

python3 bench/gen_wxr.py --posts 20 --comments 5 --big-post-comments 200 --out "$OUT/site.xml"
TOKEN=bench-signed-in-reader-token
HASH=$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
SETUP_SQL="DELETE FROM settings WHERE key = 'page_comments'; INSERT INTO settings (key, value) VALUES ('page_comments', 'false');
UPDATE comments SET status = 'approved' WHERE status = 'pending';
UPDATE posts SET comment_count = (SELECT count(*) FROM comments c WHERE c.post_id = posts.id AND c.status = 'approved');
INSERT INTO identities (provider, subject, name, email, created_at, updated_at) VALUES ('oidc', 'bench', 'Signed Reader', 'reader@example.org', 0, 0);
INSERT INTO commenter_sessions (id_hash, identity_id, created_at, expires_at) SELECT '$HASH', id, 0, 4102444800 FROM identities WHERE subject = 'bench';"

ROWS=()
for n in "${!BINS[@]}"; do
BIN=${BINS[$n]}
LABEL=${LABELS[$n]}
for backend in sqlite postgres; do
  if [ "$backend" = sqlite ]; then
    DB="sqlite://$OUT/site.db?mode=rwc"
  else
    psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
    psql -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null
    DB="${PG_ADMIN%/*}/$PG_DB"
  fi
  T() { "$BIN" --database-url "$DB" --data-dir "$OUT/data-$backend" "$@"; }
  T --create-site user list >/dev/null
  LC_ALL=C.UTF-8 T import wordpress "$OUT/site.xml" | head -1
  if [ "$backend" = sqlite ]; then sqlite3 "$OUT/site.db" "$SETUP_SQL"; else psql -q "$DB" -c "$SETUP_SQL" >/dev/null; fi
  TRIBUNE_BENCH_NO_PAGE_CACHE=all "$BIN" --database-url "$DB" --data-dir "$OUT/data-$backend" serve --bind "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
  SERVER=$!
  B="http://127.0.0.1:$PORT"
  wait_healthy "$B" "$OUT/serve.log"
  BIG=$(curl -fs "$B/sitemaps/posts-1.xml" | grep -o '<loc>[^<]*statement-21/</loc>' | sed 's/<loc>[a-z]*:\/\/[^/]*//; s/<\/loc>//')
  curl -fs "$B$BIG" -o "$OUT/big.html"
  SHOWN=$(grep -o '<li id="comment-' "$OUT/big.html" | wc -l)
  [ "$SHOWN" -eq 200 ] || { echo "bench: the big post shows $SHOWN comments, not 200" >&2; exit 1; }
  curl -fs -H "Cookie: tribune_commenter=$TOKEN" "$B$BIG" -o "$OUT/signed.html"
  grep -q 'Signed Reader' "$OUT/signed.html" || { echo "bench: the signed-in reader's page does not name them" >&2; exit 1; }
  wrk -t2 -c32 -d"$DURATION" --latency "$B$BIG" >"$OUT/u1.txt"
  wrk -t2 -c32 -d"$DURATION" --latency -H "Cookie: tribune_commenter=$TOKEN" "$B$BIG" >"$OUT/u1s.txt"
  ROWS+=("| U1 | $backend | $LABEL | $(rate "$OUT/u1.txt") | $(wc -c <"$OUT/big.html") |")
  ROWS+=("| U1s | $backend | $LABEL | $(rate "$OUT/u1s.txt") | $(wc -c <"$OUT/signed.html") |")
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  TRIBUNE_BENCH_NO_PAGE_CACHE=1 "$BIN" --database-url "$DB" --data-dir "$OUT/data-$backend" serve --bind "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
  SERVER=$!
  wait_healthy "$B" "$OUT/serve.log"
  curl -fs "$B$BIG" -o "$OUT/again.html"
  cmp -s "$OUT/big.html" "$OUT/again.html" || { echo "bench: the page drawn from kept comments differs" >&2; exit 1; }
  wrk -t2 -c32 -d"$DURATION" --latency "$B$BIG" >"$OUT/u1c.txt"
  ROWS+=("| U1c | $backend | $LABEL | $(rate "$OUT/u1c.txt") | $(wc -c <"$OUT/again.html") |")
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
done
rm -rf "$OUT"/site.db* "$OUT"/data-*
done

SECTION=$(
  echo "<!-- bench/uncached.sh -->"
  echo "## The 200-comment page drawn for every request — $(date -u +%Y-%m-%d)"
  echo
  echo "Written by \`bench/uncached.sh\`: \`bench/gen_wxr.py\` 20 posts with 5 comments and one with 200"
  echo "(a third of them replies, shown on one page), imported into an empty site on each"
  echo "database; \`tribune serve\` on loopback, \`RUST_LOG=warn\`; \`wrk -t2 -c32 -d$DURATION --latency\` per row,"
  echo "same machine (2 cores). U1: drawn whole for every request"
  echo "(\`TRIBUNE_BENCH_NO_PAGE_CACHE=all\`); U1s: the same for a signed-in reader; U1c: drawn for"
  echo "every request with its comments as drawn before (\`=1\`), what a post costs after one new"
  echo "comment. A build from before the switch kept its anonymous page: only its U1s row is an"
  echo "uncached render."
  echo
  echo "| run | database | build | requests/s | p99 | bytes |"
  echo "|---|---|---|---:|---:|---:|"
  printf '%s\n' "${ROWS[@]}"
)
python3 bench/write_section.py bench/uncached.sh "$SECTION"
echo "$SECTION"
