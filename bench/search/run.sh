#!/usr/bin/env bash
# kubevents' opensearch receiver vs a plain `_bulk` loader, same machine,
# same run, same OpenSearch (testenv/opensearch.sh, a fresh node).
#
#   bench/search/run.sh [EVENTS] [BATCH]     (default 200000 and 500)
#
# Both ship the same EVENTS events in bulk requests of BATCH:
#   loader    one curl process POSTing pre-built NDJSON files one after the
#             other over one keep-alive connection (the files are the bodies
#             the receiver itself encodes, so both send the same bytes)
#   kubevents search_sink_tool: the receiver's sink as kubevents builds it
#             (encode, HTTP, per-item classification, resend of 429s),
#             batch after batch on one thread, as one receiver's worker does
# Each side writes to its own index (1 shard, 0 replicas, refresh 30 s) and
# runs twice, alternating; the best run of each is compared and the document
# counts are checked. This is a benchmark, not a test: it prints figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS="${1:-200000}"
BATCH="${2:-500}"
BUILD="${KUBEVENTS_BUILD_DIR:-build}"
TOOL="$BUILD/tests/search_sink_tool"
[ -x "$TOOL" ] || ninja -C "$BUILD" search_sink_tool >/dev/null
WORK="$(mktemp -d /tmp/kv-bench-search.XXXXXX)"
chmod 755 "$WORK"  # the node runs as an unprivileged user
STATE="$WORK/opensearch"
trap 'testenv/opensearch.sh stop "$STATE" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
KUBEVENTS_SEARCH_HEAP="${KUBEVENTS_SEARCH_HEAP:-1g}" testenv/opensearch.sh start "$STATE" >/dev/null
URL="$(sed -n 's/^OPENSEARCH_URL=//p' "$STATE/opensearch.env")"

python3 bench/search/make_events.py "$EVENTS" "$WORK/events.jsonl"
make_index() {
  curl -sS -o /dev/null -X DELETE "$URL/$1" || true
  curl -sS -o /dev/null --fail -X PUT "$URL/$1" -H 'Content-Type: application/json' -d \
    '{"settings":{"number_of_shards":1,"number_of_replicas":0,"refresh_interval":"30s"}}'
}
receiver() {
  printf 'name: bench\nopensearch:\n  hosts: [%s]\n  index: %s\n' "$URL" "$1" >"$WORK/$1.yaml"
  echo "$WORK/$1.yaml"
}

# The loader's input: the receiver's own bulk bodies, written once.
mkdir -p "$WORK/bodies"
SEARCH_SINK_TOOL_DUMP="$WORK/bodies" "$TOOL" "$(receiver bench-loader)" "$WORK/events.jsonl" 1 "$BATCH" >/dev/null
args=()
for f in "$WORK"/bodies/*.ndjson; do
  args+=(--next -sS -o /dev/null -H 'Expect:' -H 'Content-Type: application/x-ndjson' --data-binary "@$f"
    "$URL/_bulk?filter_path=errors%2Citems.%2A.status%2Citems.%2A.error")
done
args=("${args[@]:1}")  # no --next before the first URL

loader_run() {
  make_index bench-loader
  local t0 t1
  t0=$(date +%s.%N)
  curl "${args[@]}"
  t1=$(date +%s.%N)
  curl -sS -o /dev/null -X POST "$URL/bench-loader/_refresh"
  local n
  n=$(curl -sS "$URL/bench-loader/_count" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
  [ "$n" = "$EVENTS" ] || echo "loader: $n documents, expected $EVENTS" >&2
  python3 -c "print(f'{$EVENTS / ($t1 - $t0):.0f}')"
}

kubevents_run() {
  make_index bench-kubevents
  local out n
  out="$("$TOOL" "$(receiver bench-kubevents)" "$WORK/events.jsonl" 20 "$BATCH")"
  curl -sS -o /dev/null -X POST "$URL/bench-kubevents/_refresh"
  n=$(curl -sS "$URL/bench-kubevents/_count" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
  [ "$n" = "$EVENTS" ] || echo "kubevents: $n documents, expected $EVENTS ($out)" >&2
  python3 -c "import json; r = json.loads('$out'); print(f'{r[\"events\"] / r[\"seconds\"]:.0f}')"
}

echo "== $EVENTS events, batches of $BATCH, OpenSearch $(sed -n 's/^OPENSEARCH_VERSION=//p' "$STATE/opensearch.env") on 127.0.0.1"
best_loader=0
best_kv=0
for i in 1 2; do
  l=$(loader_run)
  k=$(kubevents_run)
  echo "run $i: loader $l events/s, kubevents $k events/s"
  [ "$l" -gt "$best_loader" ] && best_loader=$l
  [ "$k" -gt "$best_kv" ] && best_kv=$k
done
python3 -c "print(f'best: loader $best_loader events/s, kubevents $best_kv events/s = {100 * $best_kv / $best_loader:.1f}% of the loader')"
