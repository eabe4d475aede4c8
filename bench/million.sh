#!/usr/bin/env bash
# A million comments (issue 15, points 4 and 6), on SQLite and PostgreSQL:
# bench/gen_wxr.py writes 100,000 posts with 10 comments each (every tenth held:
# 100,000 waiting for a moderator), imported into an empty site on each database.
#
#   M1   a random post's page drawn anew for each request (TRIBUNE_BENCH_NO_PAGE_CACHE=all),
#        wrk -t2 -c4 --latency: p99 the target (< 20 ms)
#   M1c  the same addresses with the page cache on (64 MB: most of 100,000 pages miss)
#   Q1   Admin → Comments, held, first page; Q2 a random page of the 2,000; Q3 "All"
#        (each wrk -t1 -c1: one moderator; < 50 ms the target)
#   and the importer's peak memory, the server's RSS after the runs.
#
#   bench/million.sh              # writes its section of docs/benchmarks.md
#   BENCH_KEEP=1 bench/million.sh # keeps the file and databases in the printed folder
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
. bench/lib.sh
require_tools wrk curl python3 psql
PG_ADMIN=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=${BENCH_PORT:-18653}
DURATION=${BENCH_DURATION:-10s}
BASE=http://127.0.0.1:$PORT
cargo build --release --quiet
BIN=$PWD/target/release/tribune
LABEL=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD 2>/dev/null || LABEL="$LABEL+changes"
OUT=$(mktemp -d /tmp/tribune-million-bench.XXXXXX)
PG_DB=tribune_bench_million_$$
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  if [ -z "${BENCH_KEEP:-}" ]; then
    psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$OUT"
  fi
}
trap cleanup EXIT
export RUST_LOG=warn

python3 bench/gen_wxr.py --posts 100000 --comments 10 --out "$OUT/site.xml"
echo "bench: $(du -m "$OUT/site.xml" | cut -f1) MB export in $OUT"

# wrk scripts: a random post of the 100,000 (its permalink from its id, as gen_wxr.py
# dates it), a random page of the held comments.
cat > "$OUT/post.lua" <<'LUA'
local seeded = false
request = function()
  if not seeded then math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000); seeded = true end
  local pid = math.random(1, 100000)
  return wrk.format("GET", string.format("/%04d/%02d/%02d/statement-%d/",
    2010 + pid % 15, 1 + pid % 12, 1 + pid % 28, pid))
end
LUA
cat > "$OUT/queue.lua" <<'LUA'
local seeded = false
request = function()
  if not seeded then math.randomseed(os.time()); seeded = true end
  return wrk.format("GET", "/admin/comments?status=pending&page=" .. math.random(1, 2000))
end
LUA

start() { # database-url, then env assignments
  local db=$1; shift
  env "$@" "$BIN" --database-url "$db" serve --bind "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
  SERVER=$!
  wait_healthy "$BASE" "$OUT/serve.log"
}
stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=; }
rss() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER/status"; }
cells() { # WRK_OUTPUT → "req/s | p50 | p99"
  awk '/Requests\/sec/ { r = $2 } $1 == "50%" { m = $2 } $1 == "99%" { p = $2 }
       END { printf "%.0f | %s | %s", r, m, p }' "$1"
}

ROWS=()
for backend in sqlite postgres; do
  if [ "$backend" = sqlite ]; then
    DB="sqlite://$OUT/site.db?mode=rwc"
  else
    psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
    psql -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null
    DB="${PG_ADMIN%/*}/$PG_DB"
  fi
  echo 'a long bench password' | "$BIN" --database-url "$DB" --create-site user add --admin \
    --email bench@example.org --password-stdin >/dev/null
  START=$(date +%s.%N)
  SUMMARY=$(LC_ALL=C.UTF-8 "$BIN" --database-url "$DB" import wordpress "$OUT/site.xml")
  SECS=$(awk -v a="$START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
  echo "$SUMMARY" | sed "s/^/[$backend] /"
  PEAK=$(echo "$SUMMARY" | sed -n 's/.*peak memory \([0-9]*\) MB.*/\1/p')

  # Uncached: every request draws its page from the database.
  start "$DB" TRIBUNE_BENCH_NO_PAGE_CACHE=all
  wrk -t2 -c4 -d2s -s "$OUT/post.lua" "$BASE" >/dev/null   # warm the database's pages
  wrk -t2 -c4 -d"$DURATION" --latency -s "$OUT/post.lua" "$BASE" > "$OUT/m1-$backend.txt"
  M1=$(cells "$OUT/m1-$backend.txt")
  # A moderator signed in (the login form's token and cookie, then the session's).
  JAR=$OUT/jar-$backend
  CSRF=$(curl -fs -c "$JAR" "$BASE/admin/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -fs -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "csrf=$CSRF" \
    --data-urlencode "email=bench@example.org" --data-urlencode "password=a long bench password" \
    --data-urlencode "next=/admin/" "$BASE/admin/login"
  COOKIE=$(awk '$6 ~ /^tribune/ { printf "%s=%s; ", $6, $7 }' "$JAR")
  curl -fs -H "Cookie: $COOKIE" "$BASE/admin/comments?status=pending" | grep -q 'name="ids"' \
    || { echo "bench: the moderation queue did not show held comments" >&2; exit 1; }
  Q1=$(wrk -t1 -c1 -d5s --latency -H "Cookie: $COOKIE" "$BASE/admin/comments?status=pending" > "$OUT/q1.txt"; cells "$OUT/q1.txt")
  Q2=$(wrk -t1 -c1 -d5s --latency -H "Cookie: $COOKIE" -s "$OUT/queue.lua" "$BASE" > "$OUT/q2.txt"; cells "$OUT/q2.txt")
  Q3=$(wrk -t1 -c1 -d5s --latency -H "Cookie: $COOKIE" "$BASE/admin/comments?status=all" > "$OUT/q3.txt"; cells "$OUT/q3.txt")
  RSS_UNCACHED=$(rss)
  stop

  # Cached (the default 64 MB): the same random posts; what the process holds after.
  start "$DB"
  M1C=$(wrk -t2 -c32 -d"$DURATION" --latency -s "$OUT/post.lua" "$BASE" > "$OUT/m1c.txt"; cells "$OUT/m1c.txt")
  RSS_CACHED=$(rss)
  stop
  ROWS+=("| $backend | $SECS s, peak $PEAK MB | $M1 | $M1C | $Q1 | $Q2 | $Q3 | $RSS_UNCACHED MB / $RSS_CACHED MB |")
  echo "bench: ${ROWS[-1]}"
  if [ "$backend" = postgres ] && [ -z "${BENCH_KEEP:-}" ]; then
    psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
  fi
done

SECTION=$(
  echo "<!-- bench/million.sh -->"
  echo "## A million comments — $(date -u +%Y-%m-%d)"
  echo
  echo "Written by \`bench/million.sh\` (release build $LABEL): \`bench/gen_wxr.py --posts 100000"
  echo "--comments 10\` (every tenth comment held: 100,000 waiting), imported into an empty"
  echo "site on each database with \`tribune import wordpress\`."
  echo "M1: a random post of the 100,000, its page drawn anew for every request"
  echo "(\`TRIBUNE_BENCH_NO_PAGE_CACHE=all\`), \`wrk -t2 -c4 -d$DURATION\` (target: p99 < 20 ms)."
  echo "M1c: the same with the page cache on (64 MB, \`wrk -t2 -c32\`: most of 100,000 pages"
  echo "are not kept). Q1–Q3: Admin → Comments signed in, one moderator (\`wrk -t1 -c1 -d5s\`,"
  echo "uncached server; target < 50 ms): Q1 held, first page; Q2 held, a random page of 2,000;"
  echo "Q3 All. RSS: the server's after the uncached runs / after the cached run."
  echo
  echo "| database | import (time, importer's peak) | M1 req/s | p50 | p99 | M1c req/s | p50 | p99 | Q1 req/s | p50 | p99 | Q2 req/s | p50 | p99 | Q3 req/s | p50 | p99 | RSS |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${ROWS[@]}"
)
python3 bench/write_section.py bench/million.sh "$SECTION"
echo "$SECTION"
