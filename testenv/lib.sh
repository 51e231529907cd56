# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables set here are used by the callers
# Shared helpers for the test-environment scripts (start.sh, stop.sh,
# apiserver.sh, workload.sh). Sourced, never run. Callers use
# `set -euo pipefail`; every helper here is written to be safe under it.

TESTENV_CACHE="${KUBEVENTS_TESTENV_CACHE:-$HOME/.cache/kubevents-testenv}"
TESTENV_BIN="$TESTENV_CACHE/bin"
# Start-up order; stop.sh walks it backwards.
TESTENV_COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler)
TESTENV_TIMEOUT="${KUBEVENTS_TESTENV_TIMEOUT:-120}"

log() { echo "testenv: $*" >&2; }
die() {
  echo "testenv: ERROR: $*" >&2
  exit 1
}

# set_state_dir [DIR]: sets STATE (absolute) and the paths derived from it.
# The env file is read by shell and by test code without a shell, so values
# are written unquoted: the directory may not contain whitespace or quotes.
set_state_dir() {
  local dir="${1:-${KUBEVENTS_TESTENV_STATE:-/tmp/kubevents-testenv}}"
  case "$dir" in
    *[[:space:]\'\"\\\$\`]*) die "state dir '$dir' must not contain whitespace, quotes, \\, \$ or \`" ;;
  esac
  mkdir -p "$dir"
  STATE="$(cd "$dir" && pwd -P)"
  PKI="$STATE/pki"
  LOGS="$STATE/logs"
  PIDS="$STATE/pids"
  ENV_FILE="$STATE/env"
}

require_bin() {
  local b
  for b in "$@"; do
    [ -x "$TESTENV_BIN/$b" ] || die "$TESTENV_BIN/$b missing: run testenv/build.sh first"
  done
}

kubectl_admin() { "$TESTENV_BIN/kubectl" --kubeconfig "$STATE/admin.kubeconfig" "$@"; }

# env_get KEY: value of KEY in the env file, empty if absent.
env_get() {
  [ -f "$ENV_FILE" ] || return 0
  sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1
}

# pid_of NAME: prints the pid of component NAME if it is running and really
# belongs to this state dir (guards against pid reuse: every component's
# command line names a file under $STATE). Returns 1 otherwise.
pid_of() {
  local f="$PIDS/$1.pid" pid state
  [ -s "$f" ] || return 1
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  # A zombie still answers kill -0; treat it as dead.
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
  [ "$state" != Z ] || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qF "$STATE/" || return 1
  echo "$pid"
}

# launch NAME CMD...: starts CMD in its own session (setsid) so it outlives
# the calling shell and any process group a test runner kills, stdin from
# /dev/null, output appended to $LOGS/NAME.log, pid in $PIDS/NAME.pid.
# The child writes its own pid before exec'ing: with `setsid -f` the pid of
# the background job would be that of the short-lived setsid wrapper.
launch() {
  local name="$1"
  shift
  local log="$LOGS/$name.log" pidf="$PIDS/$name.pid"
  mkdir -p "$LOGS" "$PIDS"
  rm -f "$pidf"
  printf '\n===== %s starting %s =====\n' "$(date -u +%FT%TZ)" "$name" >>"$log"
  # shellcheck disable=SC2016 # $$ and $@ are expanded by the child shell.
  setsid -f bash -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' \
    "$pidf" "$@" </dev/null >>"$log" 2>&1
  local i
  for ((i = 0; i < 100; i++)); do
    [ -s "$pidf" ] && return 0
    sleep 0.05
  done
  die "$name did not start (no pid file); see $log"
}

# kill_component NAME [GRACE_SECONDS]: SIGTERM, wait, then SIGKILL.
kill_component() {
  local name="$1" grace="${2:-15}" pid i
  if ! pid="$(pid_of "$name")"; then
    rm -f "$PIDS/$name.pid"
    return 0
  fi
  # Grace 0 means SIGKILL at once: a crash rather than a shutdown.
  [ "$grace" = 0 ] || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    pid_of "$name" >/dev/null || break
    sleep 0.1
  done
  if pid_of "$name" >/dev/null; then
    [ "$grace" = 0 ] || log "$name (pid $pid) ignored SIGTERM for ${grace}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      pid_of "$name" >/dev/null || break
      sleep 0.1
    done
  fi
  rm -f "$PIDS/$name.pid"
  log "stopped $name (pid $pid)"
}

# port_free PORT: true if nothing listens on 127.0.0.1:PORT (or the wildcard).
port_free() {
  local p="$1"
  if command -v ss >/dev/null 2>&1; then
    # Any socket but TIME_WAIT on the port counts as taken: listeners, and
    # client sockets that happen to use it as their ephemeral port.
    [ -z "$(ss -Htan exclude time-wait "sport = :$p" 2>/dev/null)" ]
  else
    ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
  fi
}

# port_listening PORT: true if some socket listens on PORT. Go listeners set
# SO_REUSEADDR, so only a listener (not a closing connection) blocks a bind.
port_listening() {
  if command -v ss >/dev/null 2>&1; then
    [ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# pick_port [PREFERRED] [EXCLUDED...]: PREFERRED if free, else a random free
# port in 20000-59999 not in EXCLUDED. There is a window between picking and
# binding; start.sh checks the processes came up, which covers that race.
pick_port() {
  local pref="${1:-}" p i
  shift || true
  if [ -n "$pref" ] && port_free "$pref" && [[ " $* " != *" $pref "* ]]; then
    echo "$pref"
    return 0
  fi
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + RANDOM % 40000))
    [[ " $* " == *" $p "* ]] && continue
    if port_free "$p"; then
      echo "$p"
      return 0
    fi
  done
  die "no free TCP port found"
}

apiserver_url() { echo "https://127.0.0.1:$1"; }

# readyz_ok PORT: true if the API server on PORT answers /readyz with "ok".
readyz_ok() {
  local out
  out="$(curl -sS --max-time 5 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" \
    --key "$PKI/admin.key" "$(apiserver_url "$1")/readyz" 2>/dev/null)" || return 1
  [ "$out" = ok ]
}

# fail_with_log NAME MESSAGE: dies, showing the last lines of NAME's log.
fail_with_log() {
  local name="$1"
  shift
  {
    echo "testenv: ERROR: $*"
    echo "----- last 40 lines of $LOGS/$name.log -----"
    tail -n 40 "$LOGS/$name.log" 2>/dev/null || echo "(no log)"
    echo "-----"
  } >&2
  exit 1
}

# wait_for NAME DESCRIPTION TIMEOUT CMD...: polls CMD every 0.25 s until it
# succeeds; fails early if component NAME dies, or after TIMEOUT seconds.
wait_for() {
  local name="$1" what="$2" timeout="$3"
  shift 3
  local deadline=$((SECONDS + timeout))
  while ! "$@" >/dev/null 2>&1; do
    pid_of "$name" >/dev/null || fail_with_log "$name" "$name exited while waiting for $what"
    ((SECONDS < deadline)) || fail_with_log "$name" "timed out after ${timeout}s waiting for $what"
    sleep 0.25
  done
}

# wait_apiserver_ready PORT [TIMEOUT]
wait_apiserver_ready() {
  wait_for kube-apiserver "/readyz on port $1" "${2:-$TESTENV_TIMEOUT}" readyz_ok "$1"
}
