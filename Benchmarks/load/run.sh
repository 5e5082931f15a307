#!/usr/bin/env bash
# Load benchmark, one command: Benchmarks/load/run.sh [N]
#
# Loads N synthetic items (default 100,000; `labatlas bench-load`, as the
# search benchmark), starts `labatlas serve` on SQLite and runs wrk on
# loopback with a mixed scenario built from the served data (home, lists with
# facets, detail pages, search, JSON API, and 10 % writes through the API),
# then serves the same responses saved as static files with nginx and runs
# the same reads against it. Prints requests per second, p50/p99 latency,
# errors, the server's peak RSS and the ratio dynamic/static, against the
# targets (0 errors, p99 <= 100 ms, RSS <= 400 MB).
#
# Environment: DURATION (default 60s), CONNECTIONS (64), THREADS (wrk
# threads, 2), TIMEOUT (wrk's per-request timeout, 10s), SEED (42), BENCH_DIR
# (default /tmp/labatlas-load; the loaded atlas is kept there and reused when
# it was loaded with the same N and seed, and every run works on a fresh copy
# of it so writes never pile up), PORT (labatlas, default 8290), STATIC_PORT
# (nginx, default PORT+1), LABATLAS_BIN to use a binary already built,
# WRITES (default 1; 0 sends the same reads without the writes: what the
# writes cost, by difference with a run that has them).
# The server runs with `--env production` (templates cached), as deployed.
set -euo pipefail
N=${1:-100000}
SEED=${SEED:-42}
DURATION=${DURATION:-60s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
TIMEOUT=${TIMEOUT:-10s}
WORK=${BENCH_DIR:-/tmp/labatlas-load}
PORT=${PORT:-8290}
STATIC_PORT=${STATIC_PORT:-$((PORT + 1))}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/Benchmarks/load"
VOCAB="$ROOT/Benchmarks/search/vocabulary.txt"
# The server finds its templates and public files from the working directory.
cd "$ROOT"
mkdir -p "$WORK"

server_pid=""
nginx_pid=""
stop_all() {
  for pid in $server_pid $nginx_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  server_pid=""; nginx_pid=""
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# --- tools ---------------------------------------------------------------
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  echo "== installing wrk and nginx (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx >/dev/null
fi
for tool in curl python3 wrk nginx; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

if [ -n "${LABATLAS_BIN:-}" ]; then
  BIN=$LABATLAS_BIN
else
  echo "== building (release)"
  swift build -c release --scratch-path "$ROOT/.build-release" --product labatlas 2>&1 | tail -1
  BIN="$(swift build -c release --scratch-path "$ROOT/.build-release" --show-bin-path)/labatlas"
fi

for port in "$PORT" "$STATIC_PORT"; do
  if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
    echo "port $port already answers on 127.0.0.1: choose PORT / STATIC_PORT" >&2; exit 1
  fi
done

MACHINE="$(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "machine: $MACHINE"
echo "atlas: N=$N seed=$SEED; wrk: $DURATION, $CONNECTIONS connections, $THREADS threads$([ "${WRITES:-1}" = 0 ] && echo ", no writes")"

# --- data: loaded once, a fresh copy per run ---------------------------------
BASE="$WORK/base-$N-$SEED"
if [ ! -f "$BASE.loaded" ]; then
  echo "== loading $N items"
  rm -rf "$BASE"
  LABATLAS_SQLITE_CACHE_MB=1024 "$BIN" bench-load --count "$N" --seed "$SEED" --vocabulary "$VOCAB" \
    --data-dir "$BASE" --log warning | tail -1 | tee "$BASE.summary"
  touch "$BASE.loaded"
fi
LOADED=$(cat "$BASE.summary" 2>/dev/null || echo "")
RUN="$WORK/run"
rm -rf "$RUN" "$WORK/scenario" "$WORK/nginx"
cp -a "$BASE" "$RUN"
# The copy's 650 MB would otherwise be written back by the kernel some 30 s
# later, in the middle of the measured minute.
sync
echo "bench-load-password" | "$BIN" user create --email load@bench.invalid --name "Banc de charge" --admin \
  --password-stdin --data-dir "$RUN" --log warning >/dev/null
TOKEN=$("$BIN" token create --email load@bench.invalid --label "load benchmark" --data-dir "$RUN" --log warning | tail -1)

# --- dynamic: labatlas ----------------------------------------------------
echo "== serving (labatlas on 127.0.0.1:$PORT)"
# The server says, as it stops, how long each kind of request took (`RequestTimes`).
LABATLAS_REQUEST_TIMES=1 "$BIN" serve --env production --hostname 127.0.0.1 --port "$PORT" --data-dir "$RUN" --log notice \
  >"$WORK/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || { echo "server did not start, see $WORK/server.log" >&2; exit 1; }

echo "== scenario (from the served data)"
mkdir -p "$WORK/scenario"
python3 "$HERE/scenario.py" "http://127.0.0.1:$PORT" "$WORK/scenario" "$SEED" | tee "$WORK/scenario/summary.txt" || {
  echo "building the scenario failed; server log:" >&2
  grep -m1 -E 'Swift runtime failure|Fatal error' "$WORK/server.log" >&2 || tail -5 "$WORK/server.log" >&2
  exit 1
}
RSS_BEFORE=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")

# mixed.lua sends no write without a token ("-").
WRITE_TOKEN=$TOKEN
[ "${WRITES:-1}" = 0 ] && WRITE_TOKEN="-"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime
CPU_BEFORE=$(cpu_ticks "$server_pid")
echo "== wrk: labatlas, $DURATION"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" --latency -s "$HERE/mixed.lua" \
  "http://127.0.0.1:$PORT" -- "$WORK/scenario/dynamic.tsv" "$WRITE_TOKEN" "$(date +%s)" | tee "$WORK/wrk-dynamic.txt"
server_crashed() {  # the Swift backtracer keeps a crashed process alive while it writes
  ! kill -0 "$server_pid" 2>/dev/null || grep -q -E 'Swift runtime failure|Fatal error| crashed:' "$WORK/server.log"
}
if server_crashed; then
  echo "the server crashed during the run:" >&2
  grep -m1 -E 'Swift runtime failure|Fatal error' "$WORK/server.log" >&2 || tail -5 "$WORK/server.log" >&2
  exit 1
fi
CPU_AFTER=$(cpu_ticks "$server_pid")
PEAK_RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
RSS_AFTER=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
# Counted before the server stops, which lets the requests still queued finish first.
SERVER_ERRORS=$(grep -c '\[ ERROR \]' "$WORK/server.log" || true)
SERVER_ERROR_KINDS=$(grep '\[ ERROR \]' "$WORK/server.log" | sed 's/ *\[request-id: [^]]*\]//; s/^\[ ERROR \] //' \
  | sort | uniq -c | sort -rn | head -5 | sed 's/^ */    /' || true)
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
STOPPING="cleanly"
if grep -q -E 'Swift runtime failure|Fatal error| crashed:' "$WORK/server.log"; then
  STOPPING="CRASHED while stopping ($WORK/server.log)"
fi

# --- static: nginx serving the same responses ------------------------------
echo "== serving the same pages as static files (nginx on 127.0.0.1:$STATIC_PORT)"
NGINX="$WORK/nginx"
mkdir -p "$NGINX/conf" "$NGINX/logs" "$NGINX/tmp"
chmod -R a+rX "$WORK/scenario/static"
cat >"$NGINX/conf/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $NGINX/nginx.pid;
error_log $NGINX/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  client_body_temp_path $NGINX/tmp/body;
  proxy_temp_path $NGINX/tmp/proxy;
  fastcgi_temp_path $NGINX/tmp/fastcgi;
  uwsgi_temp_path $NGINX/tmp/uwsgi;
  scgi_temp_path $NGINX/tmp/scgi;
  types { text/html html; application/json json; text/calendar ics; application/atom+xml xml; }
  server {
    listen 127.0.0.1:$STATIC_PORT;
    root $WORK/scenario/static;
  }
}
EOF
nginx -p "$NGINX" -c "$NGINX/conf/nginx.conf" -e "$NGINX/logs/error.log" &
nginx_pid=$!
for _ in $(seq 1 40); do curl -s -o /dev/null "http://127.0.0.1:$STATIC_PORT/" && break; sleep 0.25; done

echo "== wrk: nginx, $DURATION"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" --latency -s "$HERE/mixed.lua" \
  "http://127.0.0.1:$STATIC_PORT" -- "$WORK/scenario/static.tsv" | tee "$WORK/wrk-static.txt"
kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; nginx_pid=""

# --- summary ----------------------------------------------------------------
result() { sed -n "s/^result_$2=//p" "$WORK/wrk-$1.txt"; }
D_RPS=$(result dynamic rps); S_RPS=$(result static rps)
D_P99=$(result dynamic p99_ms); D_ERR=$(result dynamic errors)
PEAK_RSS_MB=$(awk -v kb="$PEAK_RSS_KB" 'BEGIN {printf "%.0f", kb / 1024}')
verdict() { if [ "$1" = 1 ]; then echo "met"; else echo "MISSED"; fi; }
echo
echo "================ LabAtlas load benchmark ================"
echo "date:        $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine:     $MACHINE"
echo "atlas:       N=$N seed=$SEED (${LOADED:-loaded earlier}); SQLite, data copied fresh for this run"
echo "wrk:         $DURATION, $CONNECTIONS connections, $THREADS threads, loopback, client on the same cores"
echo "scenario:    $(sed -n 's/^scenario_urls=//p' "$WORK/scenario/summary.txt")"
echo "mix:         $(result dynamic mix)"
echo "-- labatlas (dynamic)"
echo "  requests/s:  $D_RPS   ($(result dynamic requests) requests)"
echo "  latency:     p50 $(result dynamic p50_ms) ms, p90 $(result dynamic p90_ms) ms, p99 $D_P99 ms, max $(result dynamic max_ms) ms"
echo "  errors:      $D_ERR   (socket $(result dynamic socket_errors); non-2xx $(result dynamic non2xx))"
echo "  server log:  $SERVER_ERRORS [ ERROR ] lines during the run ($WORK/server.log)"
echo "  stopping:    $STOPPING"
[ -n "$SERVER_ERROR_KINDS" ] && echo "$SERVER_ERROR_KINDS"
# The server's own count as it stopped (scenario fetches included): what was served again, by section.
KEPT=$(sed -n 's/^\[ NOTICE \] Pages kept for visitors: //p' "$WORK/server.log" | tail -1)
[ -n "$KEPT" ] && echo "  kept pages:  $KEPT" | fold -s -w 100 | sed '2,$s/^/               /'
# By kind, scenario fetches included: in all, then once their turn in the read queue came.
TIMES=$(sed -n 's/^\[ NOTICE \] Request times by kind (count: p50 \/ p90 \/ p99): //p' "$WORK/server.log" | tail -1)
[ -n "$TIMES" ] && echo "  by kind:     (count: p50 / p90 / p99, in the server)" && echo "$TIMES" | tr ';' '\n' | sed 's/^ *//; s/^/               /'
echo "  server CPU:  $(awk -v a="$CPU_BEFORE" -v b="$CPU_AFTER" -v t="$(getconf CLK_TCK)" -v r="$(result dynamic requests)" \
  'BEGIN {printf "%.1f ms a request (user + system, %.0f s in all)", (b - a) * 1000 / t / r, (b - a) / t}')"
echo "  peak RSS:    $PEAK_RSS_MB MB (VmHWM; RSS $((RSS_BEFORE / 1024)) MB before the load, $((RSS_AFTER / 1024)) MB after)"
echo "-- nginx (the same GET responses as static files, no writes)"
echo "  requests/s:  $S_RPS   ($(result static requests) requests)"
echo "  latency:     p50 $(result static p50_ms) ms, p99 $(result static p99_ms) ms"
echo "  errors:      $(result static errors)"
echo "-- ratio dynamic/static requests/s: $(awk -v d="$D_RPS" -v s="$S_RPS" 'BEGIN {printf "%.3f (1 : %.1f)", d / s, s / d}')"
echo "-- targets"
echo "  errors = 0:       $D_ERR  $(verdict "$([ "$D_ERR" = 0 ] && echo 1)")"
echo "  p99 <= 100 ms:    $D_P99 ms  $(verdict "$(awk -v p="$D_P99" 'BEGIN {print (p <= 100)}')")"
echo "  RSS <= 400 MB:    $PEAK_RSS_MB MB  $(verdict "$(awk -v r="$PEAK_RSS_MB" 'BEGIN {print (r <= 400)}')")"
echo "========================================================="
