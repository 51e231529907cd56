#!/usr/bin/env bash
# Stops or restarts only the kube-apiserver of a running test environment,
# for tests of reconnect behaviour. etcd, the controller-manager and the
# scheduler keep running (the latter two retry until it is back).
#
# Usage: testenv/apiserver.sh stop|start|restart|status [STATE_DIR]
#   stop     SIGTERM (SIGKILL after 15 s); returns once the process is gone
#   start    replays the exact command line start.sh used (same flags, same
#            port, from STATE_DIR/apiserver.cmd); returns once /readyz is ok
#   restart  stop, then start
#   status   exit 0 if running and ready, 1 otherwise
# Set KUBEVENTS_APISERVER_KILL=1 to stop with SIGKILL at once (a crash
# rather than a graceful shutdown).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=testenv/lib.sh
. "$HERE/lib.sh"

[ $# -ge 1 ] || die "usage: $0 stop|start|restart|status [STATE_DIR]"
action="$1"
set_state_dir "${2:-}"

[ -f "$STATE/apiserver.cmd" ] || die "no $STATE/apiserver.cmd: run testenv/start.sh first"
PORT="$(env_get KUBEVENTS_APISERVER_PORT)"
if [ -z "$PORT" ]; then
  # The env file is written only after a full start; fall back on the
  # recorded command line.
  PORT="$(tr '\0' '\n' <"$STATE/apiserver.cmd" | sed -n 's/^--secure-port=//p')"
fi

do_stop() {
  if [ "${KUBEVENTS_APISERVER_KILL:-0}" = 1 ]; then
    kill_component kube-apiserver 0
  else
    kill_component kube-apiserver 15
  fi
}

do_start() {
  if pid_of kube-apiserver >/dev/null; then
    if readyz_ok "$PORT"; then
      log "kube-apiserver already running and ready on port $PORT"
      return 0
    fi
    log "kube-apiserver running but not ready; waiting"
  else
    local cmd=()
    mapfile -d '' -t cmd <"$STATE/apiserver.cmd"
    # A listener still on the port would make the new server fail to bind;
    # give a just-stopped one a moment to let go.
    local i
    for ((i = 0; i < 50; i++)); do
      port_listening "$PORT" || break
      sleep 0.1
    done
    launch kube-apiserver "${cmd[@]}"
  fi
  local t0=$SECONDS
  wait_apiserver_ready "$PORT"
  log "kube-apiserver ready on port $PORT ($((SECONDS - t0))s)"
}

case "$action" in
  stop) do_stop ;;
  start) do_start ;;
  restart)
    do_stop
    do_start
    ;;
  status)
    pid_of kube-apiserver >/dev/null && readyz_ok "$PORT"
    ;;
  *) die "unknown action '$action' (stop|start|restart|status)" ;;
esac
