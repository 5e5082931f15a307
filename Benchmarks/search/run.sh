#!/usr/bin/env bash
# Search benchmark, one command: Benchmarks/search/run.sh [N]
#
# Generates N synthetic French documents (seeded, see SyntheticCorpus.swift),
# loads them into SQLite and into PostgreSQL 15, starts `labatlas serve` on
# each and runs a fixed mix of 1,000 queries: against the bare engine (the
# ranked top 20 alone) and end to end over HTTP (JSON API and HTML page).
# Prints load time, index size, latency percentiles and the server's peak RSS.
#
# Environment: SEED (corpus, default 42), ENGINES ("sqlite postgres"),
# BENCH_DIR (work directory, default /tmp/labatlas-bench; data is reused when
# it is already loaded with the same N and seed), PORT (default 8190), PAGES=1
# to time the HTML page /search as well as the JSON API, LABATLAS_BIN to use
# a binary already built.
set -euo pipefail
N=${1:-500000}
SEED=${SEED:-42}
ENGINES=${ENGINES:-"sqlite postgres"}
WORK=${BENCH_DIR:-/tmp/labatlas-bench}
PORT=${PORT:-8190}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
VOCAB="$ROOT/Benchmarks/search/vocabulary.txt"
mkdir -p "$WORK"

if [ -n "${LABATLAS_BIN:-}" ]; then
  BIN=$LABATLAS_BIN
else
  echo "== building (release)"
  swift build -c release --scratch-path "$ROOT/.build-release" --product labatlas 2>&1 | tail -1
  BIN="$(swift build -c release --scratch-path "$ROOT/.build-release" --show-bin-path)/labatlas"
fi

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "corpus: N=$N seed=$SEED"

run_engine() {
  local engine=$1; shift
  local stamp="$WORK/$engine-$N-$SEED.loaded"
  local args=("$@")
  if [ ! -f "$stamp" ]; then
    echo "== $engine: loading $N documents"
    LABATLAS_SQLITE_CACHE_MB=1024 "$BIN" bench-load "${args[@]}" --count "$N" --seed "$SEED" --vocabulary "$VOCAB" --log warning | tail -1
    touch "$stamp"
  fi
  echo "== $engine: index size"
  if [ "$engine" = sqlite ]; then
    python3 - "$WORK/sqlite-$N-$SEED/labatlas.sqlite" <<'PY'
import os, sqlite3, sys
path = sys.argv[1]
db = sqlite3.connect(path)
try:
    size = db.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search%'").fetchone()[0]
    print(f"index_bytes={size} ({size/1048576:.0f} MB: search_docs, search_fts, search_terms)")
except sqlite3.Error as error:
    print(f"index size unavailable ({error})")
print(f"database_file_bytes={os.path.getsize(path)} ({os.path.getsize(path)/1048576:.0f} MB)")
PY
  else
    psql "$DATABASE_URL" -Atc "SELECT 'index_bytes=' || s || ' (' || pg_size_pretty(s) || ': search_docs, search_terms, search_bitmaps ' || pg_size_pretty(b) || ')' FROM (SELECT pg_total_relation_size('search_docs') + pg_total_relation_size('search_terms') + pg_total_relation_size('search_bitmaps') AS s, pg_total_relation_size('search_bitmaps') AS b) AS sizes"
  fi
  echo "== $engine: serving"
  "$BIN" serve "${args[@]}" --hostname 127.0.0.1 --port "$PORT" --log warning &
  local pid=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done
  "$BIN" bench-search "${args[@]}" --url "http://127.0.0.1:$PORT" --queries 1000 --vocabulary "$VOCAB" --log warning ${PAGES:+--pages}
  echo "server_peak_rss_kb=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

for engine in $ENGINES; do
  case $engine in
    sqlite)
      unset DATABASE_URL
      run_engine sqlite --data-dir "$WORK/sqlite-$N-$SEED"
      ;;
    postgres)
      # Sized for its data, as a production server would be: the index and the
      # documents' heap stay in shared buffers, and bitmaps stay exact.
      export DATABASE_URL=$(PG_OPTIONS="-c shared_buffers=${PG_SHARED_BUFFERS:-2GB} -c work_mem=64MB -c effective_cache_size=8GB" \
        "$ROOT/scripts/postgres-test-server.sh" start "$WORK/pg" 54340)
      if [ ! -f "$WORK/postgres-$N-$SEED.loaded" ]; then
        psql "${DATABASE_URL%%\?*}" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
      fi
      run_engine postgres
      "$ROOT/scripts/postgres-test-server.sh" stop "$WORK/pg" 54340
      ;;
  esac
done
