# Shared by the bench scripts: source it after `cd` to the checkout.

# require_tools TOOL… — fails, naming the Debian packages, when any is missing.
require_tools() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install wrk curl postgresql-client sqlite3)" >&2; exit 1; }
  done
}

# wait_healthy BASE_URL LOG — waits (60 s at most) for `tribune serve` to answer
# /healthz; prints its log and fails if it never does.
wait_healthy() {
  for _ in $(seq 300); do curl -fs "$1/healthz" >/dev/null && return 0; sleep 0.2; done
  cat "$2" >&2
  echo "bench: tribune did not answer $1/healthz" >&2
  return 1
}

# rate WRK_OUTPUT — "req/s | p99" of one wrk --latency run.
rate() {
  awk '/Requests\/sec/ { r = $2 } $1 == "99%" { p = $2 } END { printf "%.0f | %s", r, p }' "$1"
}

# rps WRK_OUTPUT — requests/s of one wrk run, a whole number.
rps() { awk '/Requests\/sec/ { printf "%.0f", $2 }' "$1"; }

# median_of FILE… — the wrk output among FILEs whose requests/s is the median (an odd
# number of runs: the middle one).
median_of() {
  for f in "$@"; do echo "$(rps "$f") $f"; done | sort -n | awk '{ a[NR] = $2 } END { print a[int((NR + 1) / 2)] }'
}
