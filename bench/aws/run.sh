#!/usr/bin/env bash
# AWS receiver benchmarks: SigV4 signing cost per request (Google
# Benchmark) and events/s through the kinesis receiver to moto (a local
# peer, so the figure is moto-bound; it is not AWS's throughput).
# Usage: bench/aws/run.sh [EVENTS]   (default 20000)
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS="${1:-20000}"
BUILD="${KUBEVENTS_BUILD_DIR:-build}"
cmake -S . -B "$BUILD" -G Ninja -DKUBEVENTS_BENCH=ON >/dev/null
ninja -C "$BUILD" aws_sign_bench aws_kinesis_moto_bench >/dev/null

echo "== SigV4 signing and PutRecords encoding, one core"
taskset -c 0 "$BUILD/bench/aws/aws_sign_bench" --benchmark_min_time=0.5 ||
  "$BUILD/bench/aws/aws_sign_bench" --benchmark_min_time=0.5

echo
echo "== kinesis receiver -> moto, $EVENTS events in batches of 500"
STATE="$(mktemp -d /tmp/kv-bench-moto.XXXXXX)"
trap 'testenv/moto.sh stop "$STATE" >/dev/null 2>&1 || true; rm -rf "$STATE"' EXIT
testenv/moto.sh start "$STATE" >/dev/null
# shellcheck disable=SC1091
. "$STATE/moto.env"
"$KUBEVENTS_AWS_PYTHON" - "$MOTO_URL" <<'PY'
import sys, boto3
k = boto3.client("kinesis", endpoint_url=sys.argv[1], region_name="us-east-1",
                 aws_access_key_id="testing", aws_secret_access_key="testing")
k.create_stream(StreamName="bench", ShardCount=4)
k.get_waiter("stream_exists").wait(StreamName="bench", WaiterConfig={"Delay": 1})
PY
"$BUILD/bench/aws/aws_kinesis_moto_bench" "$MOTO_URL" bench "$EVENTS"
