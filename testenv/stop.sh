#!/usr/bin/env bash
# Stops the control plane started by start.sh: SIGTERM, then SIGKILL after a
# grace period, in reverse start order (scheduler and controller-manager
# first, etcd last, so the API server never loses its store while serving).
#
# Usage: testenv/stop.sh [--wipe] [STATE_DIR]
#   --wipe   also delete STATE_DIR (PKI, etcd data, logs): next start is fresh
# Safe to run when nothing is running.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=testenv/lib.sh
. "$HERE/lib.sh"

wipe=false
dir=""
for arg in "$@"; do
  case "$arg" in
    --wipe) wipe=true ;;
    -h | --help)
      sed -n '2,9p' "$0"
      exit 0
      ;;
    -*) die "unknown option $arg" ;;
    *) dir="$arg" ;;
  esac
done

d="${dir:-${KUBEVENTS_TESTENV_STATE:-/tmp/kubevents-testenv}}"
if [ ! -d "$d" ]; then
  log "nothing to stop: $d does not exist"
  exit 0
fi
set_state_dir "$d"

for ((i = ${#TESTENV_COMPONENTS[@]} - 1; i >= 0; i--)); do
  kill_component "${TESTENV_COMPONENTS[i]}"
done

if $wipe; then
  # Refuse to wipe something that does not look like a test-env state dir.
  if [ -d "$STATE/pki" ] || [ -d "$STATE/pids" ] || [ -f "$STATE/env" ]; then
    rm -rf "$STATE"
    log "wiped $STATE"
  else
    die "$STATE does not look like a testenv state dir; not wiping"
  fi
fi
