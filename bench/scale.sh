#!/usr/bin/env bash
# Fast when it matters (issue 15, points 1 and 2), on SQLite and PostgreSQL:
#
# W1   GET the 200-comment post page, anonymous (from the page cache)
# W1s  the same page for a signed-in reader ("You are commenting using …")
# W1r  the same page with ?replytocom= (the form answers a comment)
# R0   GET random posts of 1,000 (20 comments each), no writes
# W3   R0 while 10 approved guest comments a second land on one post
#      (bench/comment_writer.py: each comment's delay until the post shows it)
#
# A WordPress export (bench/gen_wxr.py: 1,000 posts × 20 comments and one post with
# 200) is imported into an empty site; `tribune serve` on loopback with the comment rate
# limits lifted (--comments-per-minute 0, and per post and per email) and guests'
# comments approved at once ([discussion] in a tribune.toml), RUST_LOG=warn.
# wrk -t2 -c32 -d10s --latency per row. Writes its section of docs/benchmarks.md.
#
#   bench/scale.sh
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
. bench/lib.sh
require_tools wrk curl python3 psql sqlite3
PG_ADMIN=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=${BENCH_PORT:-18651}
DURATION=${BENCH_DURATION:-10s}
cargo build --release --quiet
BIN=$PWD/target/release/tribune
OUT=$(mktemp -d /tmp/tribune-scale-bench.XXXXXX)
PG_DB=tribune_bench_scale_$$
SERVER=
WRITER=
cleanup() {
  [ -n "$WRITER" ] && kill "$WRITER" 2>/dev/null || true
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  [ -n "${BENCH_KEEP:-}" ] || rm -rf "$OUT"
}
trap cleanup EXIT
export RUST_LOG=warn
export TRIBUNE_RATE_LIMIT_COMMENTS_PER_POST_PER_MINUTE=0 TRIBUNE_RATE_LIMIT_COMMENTS_PER_EMAIL_PER_HOUR=0
cat >"$OUT/tribune.toml" <<'TOML'
[discussion]
hold_new_comments = false
previously_approved = false
TOML

python3 bench/gen_wxr.py --posts 1000 --comments 20 --big-post-comments 200 --out "$OUT/site.xml"
# A signed-in reader: an identity and a session whose cookie wrk sends.
TOKEN=bench-signed-in-reader-token
HASH=$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
# The 200 comments on one page (WordPress pages threads at 50 top-level comments).
SESSION_SQL="DELETE FROM settings WHERE key = 'page_comments'; INSERT INTO settings (key, value) VALUES ('page_comments', 'false');
INSERT INTO identities (provider, subject, name, email, created_at, updated_at) VALUES ('oidc', 'bench', 'Signed Reader', 'reader@example.org', 0, 0);
INSERT INTO commenter_sessions (id_hash, identity_id, created_at, expires_at) SELECT '$HASH', id, 0, 4102444800 FROM identities WHERE subject = 'bench';"


ROWS=()
MIXED=()
MIXED_RSS=()
W1_RSS=()
for backend in sqlite postgres; do
  if [ "$backend" = sqlite ]; then
    DB="sqlite://$OUT/site.db?mode=rwc"
  else
    psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
    psql -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null
    DB="${PG_ADMIN%/*}/$PG_DB"
  fi
  T() { "$BIN" --config "$OUT/tribune.toml" --database-url "$DB" --data-dir "$OUT/data-$backend" "$@"; }
  T --create-site user list >/dev/null
  LC_ALL=C.UTF-8 T import wordpress "$OUT/site.xml" | head -1
  # The export holds every tenth comment for moderation: approve them all.
  T comments list --status pending --limit 1000000 | tail -n +2 | awk '{ print $1 }' | xargs -r -n 1000 "$BIN" --config "$OUT/tribune.toml" --database-url "$DB" --data-dir "$OUT/data-$backend" comments approve >/dev/null
  if [ "$backend" = sqlite ]; then sqlite3 "$OUT/site.db" "$SESSION_SQL"; else psql -q "$DB" -c "$SESSION_SQL" >/dev/null; fi
  "$BIN" --config "$OUT/tribune.toml" --database-url "$DB" --data-dir "$OUT/data-$backend" serve --bind "127.0.0.1:$PORT" --comments-per-minute 0 >"$OUT/serve.log" 2>&1 &
  SERVER=$!
  B="http://127.0.0.1:$PORT"
  wait_healthy "$B" "$OUT/serve.log"

  curl -fs "$B/sitemaps/posts-1.xml" | grep -o '<loc>[^<]*</loc>' | sed 's/<loc>[a-z]*:\/\/[^/]*//; s/<\/loc>//' >"$OUT/paths"
  BIG=$(grep 'statement-1001/$' "$OUT/paths")
  grep -v 'statement-1001/$' "$OUT/paths" >"$OUT/readers"
  [ "$(wc -l <"$OUT/readers")" -eq 1000 ] || { echo "bench: expected 1,000 posts, found $(wc -l <"$OUT/readers")" >&2; exit 1; }
  curl -fs "$B$BIG" -o "$OUT/big.html"
  SHOWN=$(grep -o '<li id="comment-' "$OUT/big.html" | wc -l)
  [ "$SHOWN" -eq 200 ] || { echo "bench: the big post shows $SHOWN comments, not 200" >&2; exit 1; }
  FIRST_COMMENT=$(grep -o '<li id="comment-[0-9]*' "$OUT/big.html" | sed -n '1s/.*-//p')
  curl -fs -H "Cookie: tribune_commenter=$TOKEN" "$B$BIG" | grep -q 'Signed Reader' \
    || { echo "bench: the signed-in reader's page does not name them" >&2; exit 1; }

  wrk -t2 -c32 -d"$DURATION" --latency "$B$BIG" >"$OUT/w1.txt"
  wrk -t2 -c32 -d"$DURATION" --latency -H "Cookie: tribune_commenter=$TOKEN" "$B$BIG" >"$OUT/w1s.txt"
  wrk -t2 -c32 -d"$DURATION" --latency "$B$BIG?replytocom=$FIRST_COMMENT" >"$OUT/w1r.txt"
  W1_RSS+=("$backend $(( $(ps -o rss= -p "$SERVER" | tr -d ' ') / 1024 )) MB")
  ROWS+=("| W1 | $backend | the 200-comment page, anonymous | $(rate "$OUT/w1.txt") | |")
  ROWS+=("| W1s | $backend | the same, signed in | $(rate "$OUT/w1s.txt") | $(awk -v a="$(rps "$OUT/w1s.txt")" -v b="$(rps "$OUT/w1.txt")" 'BEGIN { printf "%.0f %%", 100 * a / b }') of W1 |")
  ROWS+=("| W1r | $backend | the same, \`?replytocom=\` | $(rate "$OUT/w1r.txt") | $(awk -v a="$(rps "$OUT/w1r.txt")" -v b="$(rps "$OUT/w1.txt")" 'BEGIN { printf "%.0f %%", 100 * a / b }') of W1 |")

  # Readers spread over the 1,000 posts, each asked for in turn from a shuffled list.
  python3 - "$OUT/readers" "$OUT/readers.lua" <<'PY'
import random, sys
paths = open(sys.argv[1]).read().split()
random.seed(15)
random.shuffle(paths)
with open(sys.argv[2], "w") as f:
    f.write("local paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n")
    f.write("local i = 0\nfunction request()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")
PY
  while read -r p; do curl -fs -o /dev/null "$B$p"; done <"$OUT/readers"   # every page cached
  wrk -t2 -c32 -d"$DURATION" --latency -s "$OUT/readers.lua" "$B" >"$OUT/r0.txt"
  LIVELY=$(head -1 "$OUT/readers")
  curl -fs "$B$LIVELY" -o "$OUT/lively.html"
  LIVELY_ID=$(grep -o 'id="post-[0-9]*"' "$OUT/lively.html" | sed -n '1s/[^0-9]//gp')
  SECS=${DURATION%s}
  python3 bench/comment_writer.py "$B" "$LIVELY_ID" "$LIVELY" 10 "$((SECS + 1))" >"$OUT/writer.txt" &
  WRITER=$!
  sleep 3.5   # the writer waits out the form's minimum time first
  wrk -t2 -c32 -d"$DURATION" --latency -s "$OUT/readers.lua" "$B" >"$OUT/w3.txt"
  wait "$WRITER"; WRITER=
  read -r POSTED APPROVED HELD MEDIAN WORST <"$OUT/writer.txt"
  [ "$HELD" -eq 0 ] || echo "bench: $HELD of the writer's comments were held, not approved" >&2
  SHARE=$(awk -v a="$(rps "$OUT/w3.txt")" -v b="$(rps "$OUT/r0.txt")" 'BEGIN { printf "%.0f", 100 * a / b }')
  MIXED+=("| $backend | $(rate "$OUT/r0.txt") | $(rate "$OUT/w3.txt") | **$SHARE %** | $APPROVED of $POSTED | $MEDIAN ms | $WORST ms |")
  RSS_KB=$(ps -o rss= -p "$SERVER" | tr -d ' ')
  MIXED_RSS+=("$backend $((RSS_KB / 1024)) MB")
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  [ "$backend" = postgres ] && psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
done

SECTION=$(
  echo "<!-- bench/scale.sh -->"
  echo "## A live thread, signed-in readers — $(date -u +%Y-%m-%d)"
  echo
  echo "Written by \`bench/scale.sh\` (release build $(git rev-parse --short HEAD 2>/dev/null || echo '?')): \`bench/gen_wxr.py\` 1,000 posts"
  echo "with 20 comments each and one with 200, imported into an empty site on each database;"
  echo "\`tribune serve\` on loopback, \`RUST_LOG=warn\`, comment rate limits lifted (per address, per"
  echo "post, per email) and guests' comments approved at once for the writer;"
  echo "\`wrk -t2 -c32 -d$DURATION --latency\` per row, same machine (2 cores)."
  echo
  echo "| run | database | what | requests/s | p99 | share |"
  echo "|---|---|---|---:|---:|---:|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "W3: readers GET the 1,000 posts in a shuffled round (every page cached first), alone (R0)"
  echo "and while \`bench/comment_writer.py\` posts 10 approved comments a second to one of them"
  echo "and reads that post until each comment shows (its delay: from the answer to the POST to"
  echo "the first page that shows it)."
  echo
  echo "| database | R0 requests/s | p99 | W3 requests/s | p99 | W3 / R0 | approved | delay, median | delay, worst |"
  echo "|---|---:|---:|---:|---:|---:|---|---:|---:|"
  printf '%s\n' "${MIXED[@]}"
  echo
  echo "Tribune's RSS after the W1 runs (the 200-comment page): ${W1_RSS[*]}; after all runs"
  echo "(1,001 pages kept): ${MIXED_RSS[*]}."
)
python3 bench/write_section.py bench/scale.sh "$SECTION"
echo "$SECTION"
