#!/usr/bin/env bash
# Runs kubevents's main job with its embedded defaults: every event of the
# cluster, as JSON lines on stdout.
#
# The cluster is the one your kubeconfig ($KUBECONFIG or ~/.kube/config)
# points at. When none is reachable, a local control plane is started from
# testenv/ (built once, cached) with a small Deployment that makes real
# events, so there is something to watch. Ctrl-C stops kubevents; the local
# control plane is stopped with it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh >&2
scripts/build.sh >&2
BIN="$PWD/build/src/kubevents"

reachable() {
  local kc="${KUBECONFIG:-$HOME/.kube/config}"
  [ -f "${kc%%:*}" ] || return 1
  command -v kubectl >/dev/null 2>&1 || return 0  # let kubevents itself say
  kubectl version --request-timeout=5s >/dev/null 2>&1
}

if reachable; then
  echo "quickstart: using the cluster of your kubeconfig" >&2
  # Spools and the watch checkpoint: a per-user folder unless one is given.
  export KUBEVENTS_DATA_DIR="${KUBEVENTS_DATA_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/kubevents}"
  exec "$BIN" run "$@"
fi

echo "quickstart: no reachable cluster; starting the local control plane from testenv/" >&2
testenv/build.sh >&2
STATE="${KUBEVENTS_TESTENV_STATE:-/tmp/kubevents-quickstart}"
export KUBEVENTS_TESTENV_STATE="$STATE"
testenv/start.sh "$STATE" >/dev/null
# Its own spools and checkpoint, beside the control plane they belong to.
export KUBEVENTS_DATA_DIR="${KUBEVENTS_DATA_DIR:-$STATE/kubevents-data}"
set -a
# shellcheck disable=SC1091
. "$STATE/env"
set +a
trap 'kill "$KV_PID" 2>/dev/null || true; wait "$KV_PID" 2>/dev/null || true; testenv/stop.sh "$STATE" >/dev/null 2>&1 || true' EXIT INT TERM
"$BIN" run --kubeconfig "$KUBECONFIG" "$@" &
KV_PID=$!
sleep 2
# A small workload: its controllers and the scheduler make real events.
testenv/workload.sh quickstart 2 >/dev/null 2>&1 || true
wait "$KV_PID"
