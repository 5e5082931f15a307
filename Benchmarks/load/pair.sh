#!/usr/bin/env bash
# Two builds (or two settings) side by side under the same load, one command:
#   Benchmarks/load/pair.sh BIN_A BIN_B [ROUNDS]
#
# On a shared machine the speed of the processors drifts by 10 to 30 % from
# one minute to the next, more than most changes are worth: two runs one
# after the other compare the minutes as much as the code. Here both servers
# run at the same time on their own fresh copy of the loaded atlas, each
# under its own wrk (half the connections, one thread, the same mixed
# scenario and its writes): whatever the machine does, it does to both, and
# the one that serves more requests did less work per request. Each round
# runs twice, the sides swapped (the first side gains a few percent), and
# the figures of each build are summed over its sides.
#
# The p99 of these runs says nothing of the load target (each server has
# half the machine); `run.sh` measures that. Reuses what `run.sh` left in
# BENCH_DIR (the loaded atlas of N items and seed SEED, and the scenario
# built from it): run it once first.
#
# Environment: ENV_A / ENV_B (settings for each server, "VAR=value" separated
# by spaces, e.g. ENV_B="LABATLAS_VISITOR_LAG_MS=1000"), DURATION (20s),
# WARMUP (8s), CONNECTIONS (64 in all, half each), N (100000), SEED (42),
# BENCH_DIR (/tmp/labatlas-load), PORT (8296, and PORT+1).
set -euo pipefail
BIN_A=${1:?usage: pair.sh BIN_A BIN_B [ROUNDS]}
BIN_B=${2:?usage: pair.sh BIN_A BIN_B [ROUNDS]}
ROUNDS=${3:-2}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-8s}
HALF=$(( ${CONNECTIONS:-64} / 2 ))
WORK=${BENCH_DIR:-/tmp/labatlas-load}
BASE="$WORK/base-${N:-100000}-${SEED:-42}"
SCENARIO="$WORK/scenario/dynamic.tsv"
PORT=${PORT:-8296}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MIXED="$ROOT/Benchmarks/load/mixed.lua"
[ -f "$BASE.loaded" ] && [ -f "$SCENARIO" ] || { echo "no loaded atlas or scenario in $WORK: run Benchmarks/load/run.sh first" >&2; exit 1; }
cd "$ROOT"  # the servers find their templates from the working directory

pids=()
stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; pids=(); }
trap stop_all EXIT
trap 'exit 130' INT TERM

# start SIDE BIN PORT "ENV": a fresh copy of the atlas, a token, the server.
start() {
  local dir="$WORK/pair-$1"
  rm -rf "$dir"; cp -a "$BASE" "$dir"
  echo "bench-load-password" | "$2" user create --email load@bench.invalid --name "Banc de charge" --admin \
    --password-stdin --data-dir "$dir" --log warning >/dev/null
  "$2" token create --email load@bench.invalid --label "pair" --data-dir "$dir" --log warning | tail -1 >"$dir.token"
  env $4 "$2" serve --env production --hostname 127.0.0.1 --port "$3" --data-dir "$dir" --log notice >"$dir.log" 2>&1 &
  pids+=($!)
}

# load PORT SIDE DURATION RUN_ID OUT: one wrk on one server.
load() {
  wrk -t1 -c"$HALF" -d"$3" --timeout 10s -s "$MIXED" "http://127.0.0.1:$1" -- "$SCENARIO" "$(cat "$WORK/pair-$2.token")" "$4" >"$5"
}

declare -A total=([A]=0 [B]=0)
for round in $(seq 1 "$ROUNDS"); do
  for order in AB BA; do
    first=${order:0:1}; second=${order:1:1}
    declare -A bin=([A]=$BIN_A [B]=$BIN_B) envs=([A]="${ENV_A:-}" [B]="${ENV_B:-}")
    start 1 "${bin[$first]}" "$PORT" "${envs[$first]}"
    start 2 "${bin[$second]}" "$((PORT + 1))" "${envs[$second]}"
    sync  # the copies' pages written back now, not during the run
    for port in "$PORT" "$((PORT + 1))"; do
      for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
      curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "a server did not start: $WORK/pair-*.log" >&2; exit 1; }
    done
    load "$PORT" 1 "$WARMUP" "warm1-$round$order" /dev/null & w=$!
    load "$((PORT + 1))" 2 "$WARMUP" "warm2-$round$order" /dev/null; wait "$w"
    load "$PORT" 1 "$DURATION" "run1-$round$order" "$WORK/pair-1.wrk" & w=$!
    load "$((PORT + 1))" 2 "$DURATION" "run2-$round$order" "$WORK/pair-2.wrk"; wait "$w"
    stop_all
    line="round $round, $order:"
    for side in 1 2; do
      name=$([ "$side" = 1 ] && echo "$first" || echo "$second")
      rps=$(sed -n 's/^result_rps=//p' "$WORK/pair-$side.wrk")
      errors=$(sed -n 's/^result_errors=//p' "$WORK/pair-$side.wrk")
      total[$name]=$(python3 -c "print(${total[$name]} + $rps)")
      line="$line  $name $rps requests/s ($errors errors)"
    done
    echo "$line"
  done
done
python3 - "${total[A]}" "${total[B]}" "$BIN_A" "$BIN_B" <<'PY'
import sys
a, b = float(sys.argv[1]), float(sys.argv[2])
print(f"A ({sys.argv[3]}): {a:.1f}, B ({sys.argv[4]}): {b:.1f} requests/s summed over its sides; B/A = {b / a:.3f}")
PY
