#!/usr/bin/env bash
# Runs the benchmarks and prints their figures. Records the input stream
# from the test control plane first if it is not there yet (cached in
# ~/.cache/kubevents-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh >/dev/null
scripts/build.sh >/dev/null
CACHE="${KUBEVENTS_BENCH_CACHE:-$HOME/.cache/kubevents-bench}"
STREAM="$CACHE/stream-100k.ndjson"
if [ ! -s "$STREAM" ]; then
  testenv/build.sh
  STATE=/tmp/kubevents-bench-testenv
  trap 'testenv/stop.sh "$STATE" >/dev/null 2>&1 || true' EXIT
  testenv/start.sh "$STATE" >/dev/null
  python3 bench/record_stream.py "$STATE" "$STREAM" 100000
fi
echo "== decode + route + encode + write, one core ($STREAM)"
taskset -c 0 build/bench/decode_write_bench "$STREAM" || build/bench/decode_write_bench "$STREAM"
echo
echo "== route (10 routes) + layout rendering, one core"
taskset -c 0 build/bench/route_layout_bench "$STREAM" || build/bench/route_layout_bench "$STREAM"
echo
echo "== spool append + ack (watcher thread -> worker thread), fsync interval"
build/bench/spool_bench 200000 interval
build/bench/spool_bench 200000 never
build/bench/spool_bench 2000 always
