#!/usr/bin/env bash
# Lighthouse mobile (issue 16, point 3): the performance category with Lighthouse's
# default mobile run (simulated slow 4G, a mid-range phone's CPU) in the machine's
# Chromium, on the home page, the first page of a post's 200-comment thread (paged at
# 50 top-level comments, the default) and an Arabic post. Needs Node.js and npm,
# Debian's chromium, sqlite3, python3. Writes its section of docs/benchmarks.md.
#
#   bench/lighthouse.sh
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
. bench/lib.sh
require_tools curl python3 sqlite3 npm chromium
PORT=${BENCH_PORT:-18656}
B="http://127.0.0.1:$PORT"
cargo build --release --quiet
BIN=$PWD/target/release/tribune
LABEL=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD 2>/dev/null || LABEL="$LABEL+changes"
[ -x bench/lighthouse/node_modules/.bin/lighthouse ] || npm ci --prefix bench/lighthouse --no-audit --no-fund
LH=$PWD/bench/lighthouse/node_modules/.bin/lighthouse
OUT=$(mktemp -d /tmp/tribune-lighthouse-bench.XXXXXX)
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  [ -n "${BENCH_KEEP:-}" ] || rm -rf "$OUT"
}
trap cleanup EXIT
export RUST_LOG=warn

python3 bench/gen_wxr.py --posts 20 --comments 5 --big-post-comments 200 --out "$OUT/site.xml"
DB="sqlite://$OUT/site.db?mode=rwc"
T() { "$BIN" --database-url "$DB" --data-dir "$OUT/data" "$@"; }
T --create-site user list >/dev/null
LC_ALL=C.UTF-8 T import wordpress "$OUT/site.xml" | head -1
sqlite3 "$OUT/site.db" "UPDATE comments SET status = 'approved' WHERE status = 'pending';
UPDATE posts SET comment_count = (SELECT count(*) FROM comments c WHERE c.post_id = posts.id AND c.status = 'approved');"
echo 'a long bench password' | T user add --admin --email bench@example.org --password-stdin >/dev/null
printf '%s\n\n%s\n' \
  'يدعو المجلس البلدي جميع السكان إلى المشاركة في الاجتماع العام حول المياه النظيفة والصحة العامة.' \
  'المياه حق للجميع، ونحن ملتزمون بحمايتها للأجيال القادمة.' >"$OUT/ar.md"
T post new --publish --lang ar --title 'بيان حول المياه النظيفة' --slug water-ar "$OUT/ar.md" >/dev/null
# Not through T: a function run in the background is a subshell, and killing it would
# leave the server running.
"$BIN" --database-url "$DB" --data-dir "$OUT/data" serve --bind "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
SERVER=$!
wait_healthy "$B" "$OUT/serve.log"
MAP=$(curl -fs "$B/sitemaps/posts-1.xml")
BIG=$(echo "$MAP" | grep -o '<loc>[^<]*statement-21/</loc>' | sed 's/<loc>[a-z]*:\/\/[^/]*//; s/<\/loc>//')
AR=$(echo "$MAP" | grep -o '<loc>[^<]*water-ar/</loc>' | sed 's/<loc>[a-z]*:\/\/[^/]*//; s/<\/loc>//')

ROWS=()
for page in "home|/" "200-comment post, first page|$BIG" "Arabic post|$AR"; do
  name=${page%%|*}; path=${page#*|}
  # A first run warms the page cache (and Chromium); the second is the one recorded.
  for run in warm measured; do
    "$LH" "$B$path" --chrome-path=/usr/bin/chromium --quiet \
      --chrome-flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run" \
      --only-categories=performance --output=json --output-path="$OUT/$run.json" \
      || "$LH" "$B$path" --chrome-path=/usr/bin/chromium --quiet \
      --chrome-flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run" \
      --only-categories=performance --output=json --output-path="$OUT/$run.json"
  done
  ROWS+=("$(python3 - "$OUT/measured.json" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); a = r["audits"]
blocking = a["render-blocking-resources"].get("details", {}).get("items", [])
print("| {} | **{:.0f}** | {} | {} | {} | {} | {:.0f} | {} |".format(
    sys.argv[2], r["categories"]["performance"]["score"] * 100,
    a["first-contentful-paint"]["displayValue"], a["largest-contentful-paint"]["displayValue"],
    a["total-blocking-time"]["displayValue"], a["cumulative-layout-shift"]["displayValue"],
    a["dom-size"]["numericValue"],
    ", ".join("{} ({} ms)".format(i["url"].rsplit("/", 1)[-1], round(i.get("wastedMs", 0))) for i in blocking) or "none"))
PY
)")
  echo "bench: ${ROWS[-1]}"
done

SECTION=$(
  echo "<!-- bench/lighthouse.sh -->"
  echo "## Lighthouse, mobile — $(date -u +%Y-%m-%d)"
  echo
  echo "Written by \`bench/lighthouse.sh\` (release build $LABEL; Lighthouse $(node -p "require('./bench/lighthouse/node_modules/lighthouse/package.json').version")"
  echo "from npm, Debian's Chromium $(chromium --version 2>/dev/null | awk '{ print $2 }'), default mobile run: simulated slow 4G"
  echo "and a 4× slower CPU): \`lighthouse URL --only-categories=performance\`, the second of two runs"
  echo "(the first fills the page cache). The site of \`bench/uncached.sh\` (its post with 200"
  echo "comments paged at 50 top-level comments, the default) and one Arabic post. Lighthouse"
  echo "warns past 800 elements in the DOM."
  echo
  echo "| page | performance | first contentful paint | largest contentful paint | total blocking time | layout shift | DOM elements | render-blocking (est. savings) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${ROWS[@]}"
)
python3 bench/write_section.py bench/lighthouse.sh "$SECTION"
echo "$SECTION"
