#!/usr/bin/env bash
# Tribune's import benchmark (issue: move in and out, points 2 and 8): generated
# WordPress exports imported into an empty site on SQLite and PostgreSQL, timed, with
# the importer's peak memory. Needs python3 and, for PostgreSQL, psql and a server at
# 127.0.0.1:5432 (trust auth, user postgres). Writes its section of docs/benchmarks.md.
#
#   bench/import.sh                 # a ~60 MB and a ~1 GB file (BENCH_IMPORT_SIZES to choose)
#   BENCH_IMPORT_SIZES="60mb" bench/import.sh
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
ROOT=$PWD
SIZES=${BENCH_IMPORT_SIZES:-"60mb 1gb"}
PG_ADMIN=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
cargo build --release --quiet
BIN=$ROOT/target/release/tribune
OUT=$(mktemp -d /tmp/tribune-import-bench.XXXXXX)
PG_DB=tribune_bench_import_$$
cleanup() {
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$OUT"
}
trap cleanup EXIT

gen() { # size → file
  case $1 in
    60mb) python3 bench/gen_wxr.py --posts 2000 --comments 20 --big-post-comments 5000 --out "$2" ;;
    1gb)  python3 bench/gen_wxr.py --posts 16000 --comments 45 --big-post-comments 20000 --out "$2" ;;
    *) echo "bench: unknown size $1 (60mb, 1gb)" >&2; exit 1 ;;
  esac
}

ROWS=()
for size in $SIZES; do
  FILE=$OUT/$size.xml
  gen "$size" "$FILE"
  BYTES=$(stat -c %s "$FILE")
  for backend in sqlite postgres; do
    if [ "$backend" = sqlite ]; then
      DB="sqlite://$OUT/$size.db?mode=rwc"
    else
      psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
      psql -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null
      DB="${PG_ADMIN%/*}/$PG_DB"
    fi
    "$BIN" --database-url "$DB" --create-site user list >/dev/null   # migrations first, outside the timing
    START=$(date +%s.%N)
    # English summary (LANG=C), read without its thousands separators.
    SUMMARY=$(LC_ALL=C.UTF-8 "$BIN" --database-url "$DB" import wordpress "$FILE")
    END=$(date +%s.%N)
    echo "$SUMMARY" | sed "s/^/[$size $backend] /"
    PLAIN=$(echo "$SUMMARY" | sed 's/\([0-9]\),\([0-9]\)/\1\2/g')
    COMMENTS=$(echo "$PLAIN" | sed -n 's/^Imported .* pages\?, \([0-9]*\) comments\?.*/\1/p')
    POSTS=$(echo "$PLAIN" | sed -n 's/^Imported \([0-9]*\) posts\?.*/\1/p')
    PEAK=$(echo "$PLAIN" | sed -n 's/.*peak memory \([0-9]*\) MB.*/\1/p')
    SECS=$(awk -v a="$START" -v b="$END" 'BEGIN { printf "%.1f", b - a }')
    RATE=$(awk -v c="$COMMENTS" -v s="$SECS" 'BEGIN { printf "%.0f", c / s }')
    ROWS+=("| $(awk -v b="$BYTES" 'BEGIN { printf "%.0f MB", b / 1e6 }') | $backend | $POSTS | $COMMENTS | $SECS s | **$RATE** | **$PEAK MB** |")
    # A second run of the same file adds nothing (and shows what a re-run costs).
    AGAIN=$("$BIN" --database-url "$DB" import wordpress "$FILE"); AGAIN=${AGAIN%%$'\n'*}
    echo "[$size $backend] again: $AGAIN"
    [ "$backend" = postgres ] && psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
  done
  rm -f "$FILE" "$OUT/$size.db"*
done

SECTION=$(
  echo "<!-- bench/import.sh -->"
  echo "## Import of a WordPress export — $(date -u +%Y-%m-%d)"
  echo
  echo "Written by \`bench/import.sh\`. Files from \`bench/gen_wxr.py\` (every post with its"
  echo "comments, every third comment a reply, one post with thousands of comments; Latin,"
  echo "Kurdish and emoji text, CDATA terminators); each imported into an empty database with"
  echo "\`tribune import wordpress FILE\` (release build $(git rev-parse --short HEAD 2>/dev/null || echo '?'), one transaction per file)."
  echo "Peak memory is the importer's own peak RSS (VmHWM), printed in its summary."
  echo
  echo "| file | database | posts | comments | time | comments/s | peak memory |"
  echo "|---:|---|---:|---:|---:|---:|---:|"
  printf '%s\n' "${ROWS[@]}"
)
touch docs/benchmarks.md
HEAD_PART=$(sed '/^<!-- bench\/import.sh -->/,$d' docs/benchmarks.md)
# Sections written by other scripts after this one stay.
TAIL_PART=$(sed -n '/^<!-- bench\/spam.sh -->/,$p' docs/benchmarks.md)
{ printf '%s\n\n' "$HEAD_PART"; printf '%s\n' "$SECTION"; [ -n "$TAIL_PART" ] && printf '\n%s\n' "$TAIL_PART"; } > docs/benchmarks.md
sed -n '/^<!-- bench\/import.sh -->/,$p' docs/benchmarks.md
