#!/usr/bin/env bash
# W2 (guest comment POSTs) for two builds, alternating three times, a fresh site and
# 10 s of wrk per run, so both see the same machine. Needs wrk and curl; loopback only;
# the comment rate limit is lifted for the runs.
#
#   bench/compare_w2.sh OLD/target/release/tribune target/release/tribune
set -euo pipefail
BASE=${1:?usage: bench/compare_w2.sh OLD_BINARY NEW_BINARY}
HEAD=${2:?usage: bench/compare_w2.sh OLD_BINARY NEW_BINARY}
PORT=${BENCH_TRIBUNE_PORT:-18491}
LUA=$(mktemp /tmp/w2-lua.XXXXXX)
trap 'rm -f "$LUA"' EXIT
cat > "$LUA" <<'LUA'
local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
local n = 0
function request()
  n = n + 1
  local body = "comment_post_ID=1&comment_parent=0&author=Load+Tester&email=load%40example.org&url=" ..
    "&comment=Comment+" .. id .. "-" .. n .. "+posted+by+the+benchmark%2C+held+for+moderation."
  return wrk.format("POST", nil, { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
LUA
one() { # label binary
  local dir; dir=$(mktemp -d /tmp/w2.XXXXXX)
  echo "benchmark password" | "$2" --data-dir "$dir/data" --create-site user add --admin --email b@example.org --password-stdin >/dev/null
  echo "Body." > "$dir/p.md"
  "$2" --data-dir "$dir/data" post new --title "W2" "$dir/p.md" --publish >/dev/null
  RUST_LOG=warn "$2" --data-dir "$dir/data" serve --bind 127.0.0.1:$PORT --comments-per-minute 0 >"$dir/log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  local r; r=$(wrk -t2 -c32 -d10s --latency -s "$LUA" "http://127.0.0.1:$PORT/comments" |
    awk '$1=="99%" {p=$2} /^Requests\/sec:/ {r=$2} END {printf "%s req/s, p99 %s", r, p}')
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$dir"
  echo "$1 $r"
}
for _ in 1 2 3; do one old "$BASE"; one new "$HEAD"; done
