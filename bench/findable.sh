#!/usr/bin/env bash
# Readers find and follow it (issue 14, points 2 and 6): search on 100,000 posts, and
# feeds and sitemaps against a post page from the page cache, on SQLite and PostgreSQL.
#
# A WordPress export of BENCH_POSTS posts (default 100000; bench/gen_wxr.py --topics:
# each post has three of 10,000 made-up words, every tenth an Arabic sentence, all share
# a common vocabulary) is imported into an empty site on each database; `tribune serve`
# on loopback; wrk -t2 -c16 -d10s on each address. Search results are rendered for
# every request (results pages not kept), then as shipped (the kept results page);
# feeds, sitemaps and post pages come from the cache.
# Needs python3, curl, wrk, psql and PostgreSQL at 127.0.0.1:5432 (trust auth).
# Writes its section of docs/benchmarks.md.
#
#   bench/findable.sh
#   BENCH_POSTS=20000 bench/findable.sh    # a quicker look
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
for tool in wrk curl python3 psql; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install wrk curl postgresql-client)" >&2; exit 1; }
done
POSTS=${BENCH_POSTS:-100000}
PG_ADMIN=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=${BENCH_PORT:-18641}
cargo build --release --quiet
BIN=$PWD/target/release/tribune
OUT=$(mktemp -d /tmp/tribune-findable-bench.XXXXXX)
PG_DB=tribune_bench_findable_$$
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$OUT"
}
trap cleanup EXIT

python3 bench/gen_wxr.py --posts "$POSTS" --comments 0 --topics 10000 --out "$OUT/site.xml"
# A word in about 30 posts, one in all, an Arabic word (written without its hamza) in a
# tenth, a two-letter prefix of nearly every post, two words together.
RARE=$(python3 -c 'import sys; sys.path.insert(0, "bench"); import gen_wxr; print(gen_wxr.topics(4242, 10000)[0])')
ARABIC=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("الاحداث"))')
QUERIES=("$RARE" "water" "$ARABIC" "st" "water+$RARE")
LABELS=("one rare word (~30 posts)" "one word in every post" "Arabic, without hamza (10 % of posts)" "a two-letter prefix (every post)" "two words, one rare")

rate() { wrk -t2 -c16 -d10s --latency "$1" | awk '/Requests\/sec/ { r = $2 } $1 == "99%" { p = $2 } END { printf "%.0f | %s", r, p }'; }

ROWS=()
CACHED=()
for backend in sqlite postgres; do
  if [ "$backend" = sqlite ]; then
    DB="sqlite://$OUT/site.db?mode=rwc"
  else
    psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
    psql -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null
    DB="${PG_ADMIN%/*}/$PG_DB"
  fi
  "$BIN" --database-url "$DB" --create-site user list >/dev/null
  START=$(date +%s)
  LC_ALL=C.UTF-8 "$BIN" --database-url "$DB" import wordpress "$OUT/site.xml" | head -1
  echo "[$backend] imported in $(( $(date +%s) - START )) s"
  serve() {
    env "$@" "$BIN" --database-url "$DB" --data-dir "$OUT/data-$backend" serve --bind "127.0.0.1:$PORT" --comments-per-minute 0 >"$OUT/serve.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null || { cat "$OUT/serve.log"; exit 1; }
  }
  stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=; }
  B="http://127.0.0.1:$PORT"
  # First time: no results page kept, every request searches the index.
  serve TRIBUNE_CACHE_SEARCH_RESULTS_MB=0
  FIRST=()
  for i in "${!QUERIES[@]}"; do FIRST+=("$(rate "$B/?s=${QUERIES[$i]}")"); done
  stop
  # Asked again: the kept results page (as shipped).
  serve
  for i in "${!QUERIES[@]}"; do
    URL="$B/?s=${QUERIES[$i]}"
    FOUND=$(curl -fs "$URL" | grep -o 'class="search-count"[^<]*' | sed 's/.*>//; s/[⁨⁩]//g')
    ROWS+=("| ${LABELS[$i]} | $backend | $FOUND | ${FIRST[$i]} | $(rate "$URL") |")
  done
  POST=$(curl -fs "$B/" | grep -o 'href="/[0-9]\{4\}/[^"]*"' | head -1 | sed 's/href="//;s/"//')
  for path in "$POST" /feed/ /feed/atom/ /comments/feed/ /sitemap.xml /sitemaps/posts-1.xml; do
    curl -fs -o /dev/null "$B$path"   # rendered once, then served from the cache
    BYTES=$(curl -fs "$B$path" | wc -c)
    NAME=$path; [ "$path" = "$POST" ] && NAME="a post page"
    CACHED+=("| \`$NAME\` | $backend | $(awk -v b="$BYTES" 'BEGIN { printf "%.0f KB", b / 1024 }') | $(rate "$B$path") |")
  done
  stop
  [ "$backend" = postgres ] && psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
done

SECTION=$(
  echo "<!-- bench/findable.sh -->"
  echo "## Search, feeds and sitemaps — $(date -u +%Y-%m-%d)"
  echo
  echo "Written by \`bench/findable.sh\` (release build $(git rev-parse --short HEAD 2>/dev/null || echo '?')): $POSTS posts from"
  echo "\`bench/gen_wxr.py --topics 10000\` imported into an empty site on each database;"
  echo "\`tribune serve\` on loopback, \`wrk -t2 -c16 -d10s --latency\` per address, same machine (2 cores)."
  echo
  echo "Search (\`/?s=…\`, 10 results a page, snippets marked; per-address limits lifted with"
  echo "--comments-per-minute 0, which also lifts the 60 searches a minute). *First time*: the index is"
  echo "searched and the page rendered for every request (results pages not kept,"
  echo "\`TRIBUNE_CACHE_SEARCH_RESULTS_MB=0\`); *asked again*: the kept results page, as shipped. Up to 1,000 matches are counted and ranked (FTS5"
  echo "\`bm25\` on SQLite, \`ts_rank\` over a GIN-indexed \`tsvector\` on PostgreSQL); past that,"
  echo "\"More than 1,000\", newest first. PostgreSQL statistics as the import leaves them (it runs ANALYZE)."
  echo
  echo "| query | database | found | first time: requests/s | p99 | asked again: requests/s | p99 |"
  echo "|---|---|---|---:|---:|---:|---:|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Feeds and sitemaps beside a post page, each from the page cache:"
  echo
  echo "| address | database | size | requests/s | p99 |"
  echo "|---|---|---:|---:|---:|"
  printf '%s\n' "${CACHED[@]}"
)
python3 bench/write_section.py bench/findable.sh "$SECTION"
echo "$SECTION"
