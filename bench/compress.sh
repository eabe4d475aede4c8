#!/usr/bin/env bash
# Compressed pages (issue 16, point 2): the 200-comment post page with
# `Accept-Encoding: br, gzip`, from Tribune's page cache (its brotli form, made once)
# and from nginx serving the same page precompressed (`gzip_static`, gzip -9) — same
# run, same two cores; the bytes on the wire; and what compressing costs on a cache miss
# (the page drawn for every request, with and without an Accept-Encoding).
#
# The site is bench/uncached.sh's: bench/gen_wxr.py 20 posts × 5 comments and one with
# 200 (shown on one page), imported into an empty SQLite site (the bytes do not depend on
# the database). wrk -t2 -c32 -d10s --latency per row. Needs wrk, curl, nginx, sqlite3,
# python3, gzip. Writes its section of docs/benchmarks.md.
#
#   bench/compress.sh
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
. bench/lib.sh
require_tools wrk curl python3 sqlite3 nginx gzip
PORT=${BENCH_PORT:-18654}
NGINX_PORT=${BENCH_NGINX_PORT:-18655}
DURATION=${BENCH_DURATION:-10s}
cargo build --release --quiet
BIN=$PWD/target/release/tribune
LABEL=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD 2>/dev/null || LABEL="$LABEL+changes"
OUT=$(mktemp -d /tmp/tribune-compress-bench.XXXXXX)
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  [ -f "$OUT/nginx.pid" ] && nginx -c "$OUT/nginx.conf" -p "$OUT" -s stop 2>/dev/null || true
  [ -n "${BENCH_KEEP:-}" ] || rm -rf "$OUT"
}
trap cleanup EXIT
export RUST_LOG=warn

python3 bench/gen_wxr.py --posts 20 --comments 5 --big-post-comments 200 --out "$OUT/site.xml"
DB="sqlite://$OUT/site.db?mode=rwc"
"$BIN" --database-url "$DB" --data-dir "$OUT/data" --create-site user list >/dev/null
LC_ALL=C.UTF-8 "$BIN" --database-url "$DB" --data-dir "$OUT/data" import wordpress "$OUT/site.xml" | head -1
sqlite3 "$OUT/site.db" "DELETE FROM settings WHERE key = 'page_comments';
INSERT INTO settings (key, value) VALUES ('page_comments', 'false');
UPDATE comments SET status = 'approved' WHERE status = 'pending';
UPDATE posts SET comment_count = (SELECT count(*) FROM comments c WHERE c.post_id = posts.id AND c.status = 'approved');"
B="http://127.0.0.1:$PORT"
start() { # env assignments
  env "$@" "$BIN" --database-url "$DB" --data-dir "$OUT/data" serve --bind "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
  SERVER=$!
  wait_healthy "$B" "$OUT/serve.log"
}
stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=; }
AE='Accept-Encoding: br, gzip'

start
BIG=$(curl -fs "$B/sitemaps/posts-1.xml" | grep -o '<loc>[^<]*statement-21/</loc>' | sed 's/<loc>[a-z]*:\/\/[^/]*//; s/<\/loc>//')
curl -fs "$B$BIG" -o "$OUT/page.html"
SHOWN=$(grep -o '<li id="comment-' "$OUT/page.html" | wc -l)
[ "$SHOWN" -eq 200 ] || { echo "bench: the big post shows $SHOWN comments, not 200" >&2; exit 1; }
PLAIN=$(stat -c %s "$OUT/page.html")
BR=$(curl -fs -H "$AE" "$B$BIG" -o "$OUT/page.br" -w '%{size_download}')
GZ=$(curl -fs -H 'Accept-Encoding: gzip' "$B$BIG" -o "$OUT/page.gz" -w '%{size_download}')
ZS=$(curl -fs -H 'Accept-Encoding: zstd' "$B$BIG" -o "$OUT/page.zst" -w '%{size_download}')
[ "$(curl -fs -D - -o /dev/null -H "$AE" "$B$BIG" | tr -d '\r' | awk -F': ' 'tolower($1) == "content-encoding" { print $2 }')" = br ] \
  || { echo "bench: Tribune did not answer br" >&2; exit 1; }
# nginx: the same page, precompressed as nginx's own docs suggest (gzip -9 -k).
mkdir -p "$OUT/www"
cp "$OUT/page.html" "$OUT/www/page.html"
gzip -9 -k "$OUT/www/page.html"
chmod a+rx "$OUT"; chmod -R a+rX "$OUT/www"   # nginx's workers read it as www-data
NGINX_GZ=$(stat -c %s "$OUT/www/page.html.gz")
cat >"$OUT/nginx.conf" <<NGINX
worker_processes 2;
pid $OUT/nginx.pid;
error_log $OUT/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  types { text/html html; }
  gzip_static on;
  server { listen 127.0.0.1:$NGINX_PORT; root $OUT/www; etag on; }
}
NGINX
nginx -c "$OUT/nginx.conf" -p "$OUT"
sleep 0.5
[ "$(curl -fs -D - -o /dev/null -H "$AE" "http://127.0.0.1:$NGINX_PORT/page.html" | tr -d '\r' | awk -F': ' 'tolower($1) == "content-encoding" { print $2 }')" = gzip ] \
  || { echo "bench: nginx did not answer gzip" >&2; exit 1; }
# Tribune and nginx taken in turn, three times each (this machine's runs vary by a
# third from one minute to the next); the median run of each is reported.
for round in 1 2 3; do
  wrk -t2 -c32 -d"$DURATION" --latency -H "$AE" "$B$BIG" >"$OUT/w1br-$round.txt"
  wrk -t2 -c32 -d"$DURATION" --latency -H "$AE" "http://127.0.0.1:$NGINX_PORT/page.html" >"$OUT/nginx-$round.txt"
done
cp "$(median_of "$OUT"/w1br-?.txt)" "$OUT/w1br.txt"
cp "$(median_of "$OUT"/nginx-?.txt)" "$OUT/nginx.txt"
ROUNDS_T=$(for r in 1 2 3; do rps "$OUT/w1br-$r.txt"; echo; done | paste -sd/ | sed 's|/| / |g')
ROUNDS_N=$(for r in 1 2 3; do rps "$OUT/nginx-$r.txt"; echo; done | paste -sd/ | sed 's|/| / |g')
wrk -t2 -c32 -d"$DURATION" --latency "$B$BIG" >"$OUT/w1.txt"
stop
# A cache miss on every request: the page drawn, then (with an Accept-Encoding) its
# brotli form made for that one request.
start TRIBUNE_BENCH_NO_PAGE_CACHE=all
wrk -t2 -c32 -d"$DURATION" --latency "$B$BIG" >"$OUT/u1.txt"
wrk -t2 -c32 -d"$DURATION" --latency -H "$AE" "$B$BIG" >"$OUT/u1br.txt"
stop
nginx -c "$OUT/nginx.conf" -p "$OUT" -s stop

pct() { awk -v a="$1" -v b="$PLAIN" 'BEGIN { printf "%.1f %%", 100 * a / b }'; }
SECTION=$(
  echo "<!-- bench/compress.sh -->"
  echo "## Compressed pages — $(date -u +%Y-%m-%d)"
  echo
  echo "Written by \`bench/compress.sh\` (release build $LABEL): the 200-comment post page of"
  echo "\`bench/uncached.sh\`'s site (SQLite), \`wrk -t2 -c32 -d$DURATION --latency\` per row, Tribune"
  echo "and nginx 1.22 on the same two cores, same run."
  echo
  echo "| the page as sent | bytes | of the plain page |"
  echo "|---|---:|---:|"
  echo "| plain | $PLAIN | 100 % |"
  echo "| Tribune, brotli (level 5, made once a render) | $BR | **$(pct "$BR")** |"
  echo "| Tribune, zstd (level 6) | $ZS | $(pct "$ZS") |"
  echo "| Tribune, gzip (level 6) | $GZ | $(pct "$GZ") |"
  echo "| nginx \`gzip_static\` (gzip -9) | $NGINX_GZ | $(pct "$NGINX_GZ") |"
  echo
  echo "| run | requests/s | p99 |"
  echo "|---|---:|---:|"
  echo "| W1br: Tribune, \`$AE\` (cached, brotli; median of $ROUNDS_T) | $(rate "$OUT/w1br.txt") |"
  echo "| nginx, the same page precompressed, \`$AE\` (gzip; median of $ROUNDS_N) | $(rate "$OUT/nginx.txt") |"
  echo "| W1: Tribune, no Accept-Encoding (cached, plain) | $(rate "$OUT/w1.txt") |"
  echo "| U1: drawn for every request, plain | $(rate "$OUT/u1.txt") |"
  echo "| U1br: drawn for every request, and compressed (brotli 5) | $(rate "$OUT/u1br.txt") |"
  echo
  echo "A cached page is answered before routing (\`src/web/hits.rs\`): no router, extractors or"
  echo "layers for it. The page carries its stylesheet inline (about 4 KB of the brotli form)."
)
python3 bench/write_section.py bench/compress.sh "$SECTION"
echo "$SECTION"
