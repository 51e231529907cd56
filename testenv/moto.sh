#!/usr/bin/env bash
# moto: a local AWS (STS, IAM, SNS, SQS, Kinesis, Firehose, ...) for the
# integration tests, plus botocore, the official Python SDK, to check
# kubevents' requests against.
#
# moto_server is started through testenv/moto_server.py (a faster clock for
# moto's SQS; see there).
#
# Usage:
#   testenv/moto.sh install            create or reuse the venv, print its python
#   testenv/moto.sh start STATE_DIR    start moto_server on 127.0.0.1, free port;
#                                      waits until it answers, writes STATE_DIR/moto.env,
#                                      prints that file's lines on stdout
#   testenv/moto.sh stop STATE_DIR     stop it (SIGTERM, SIGKILL after 10 s)
#   testenv/moto.sh status STATE_DIR   exit 0 if it is up and answering
#
# The venv lives at ${KUBEVENTS_TESTENV_CACHE:-~/.cache/kubevents-testenv}/venv-aws
# and holds the pinned versions below (reused when they match; rebuilt when
# this file's pins change). Only PyPI is needed.
#
# STATE_DIR/moto.env, one KEY=VALUE a line, unquoted (source it, or split on
# the first '='):
#   MOTO_URL=http://127.0.0.1:PORT     the endpoint for every service
#   MOTO_PORT=PORT
#   MOTO_PID=PID
#   KUBEVENTS_AWS_PYTHON=/…/venv-aws/bin/python   has botocore and boto3
#   AWS_ACCESS_KEY_ID=testing, AWS_SECRET_ACCESS_KEY=testing,
#   AWS_DEFAULT_REGION=us-east-1       what moto accepts while auth is off
# Logs: STATE_DIR/logs/moto.log.
#
# `start` is idempotent: if the moto of STATE_DIR answers, it only prints the
# env file. Each start begins with empty state (moto keeps it in memory);
# tests can also wipe it with `POST $MOTO_URL/moto-api/reset`.
#
# Signature enforcement (how a test proves requests are really signed):
#   moto accepts any credentials until auth is switched on. Switched on, every
#   request must carry a valid SigV4 signature by an access key that exists in
#   moto's IAM (an IAM user's AKIA… key, or STS credentials moto issued), and
#   the caller's IAM policies must allow the action (sts:GetCallerIdentity is
#   always allowed). So a test:
#     1. with auth off, creates an IAM user, an access key and a policy
#        (e.g. iam CreateUser, CreateAccessKey, PutUserPolicy with
#        {"Effect":"Allow","Action":"sns:*","Resource":"*"}); for AssumeRole,
#        also a role whose policy allows the action, and sts:AssumeRole for the user;
#     2. switches enforcement on:
#          curl -H 'Content-Type: text/plain' -d 0 $MOTO_URL/moto-api/reset-auth
#        (the body is the number of requests still let through unchecked; the
#        content type must not be a form's, or moto reads an empty body);
#     3. sends signed requests with the new key: a wrong signature is answered
#        403 SignatureDoesNotMatch, an unknown key 403 InvalidClientTokenId,
#        a missing permission 403 AccessDenied;
#     4. switches it off again: the same with `-d inf`.
#   The switch is global to the server: tests that use it must not run in
#   parallel with tests that expect auth off. Setting INITIAL_NO_AUTH_ACTION_COUNT
#   in the environment of `start` makes the server enforce from the start
#   (after that many requests).
#
# Environment: KUBEVENTS_TESTENV_CACHE (cache root), KUBEVENTS_MOTO_PORT (fixed
# port instead of a free one), KUBEVENTS_TESTENV_TIMEOUT (seconds, default 60).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd -P)"

MOTO_VERSION=5.2.5
BOTO3_VERSION=1.44.8
BOTOCORE_VERSION=1.44.8
PINS="moto[server]==$MOTO_VERSION boto3==$BOTO3_VERSION botocore==$BOTOCORE_VERSION"

CACHE="${KUBEVENTS_TESTENV_CACHE:-$HOME/.cache/kubevents-testenv}"
VENV="$CACHE/venv-aws"
PY="$VENV/bin/python"
TIMEOUT="${KUBEVENTS_TESTENV_TIMEOUT:-60}"

log() { echo "moto.sh: $*" >&2; }
die() {
  echo "moto.sh: ERROR: $*" >&2
  exit 1
}

# ------------------------------------------------------------------ venv
install_venv() {
  mkdir -p "$CACHE"
  if [ -x "$PY" ] && [ "$(cat "$VENV/.pins" 2>/dev/null)" = "$PINS" ] &&
    "$PY" -c 'import moto.server, botocore, boto3' 2>/dev/null; then
    return 0
  fi
  log "creating $VENV ($PINS)"
  local host_py
  host_py="$(command -v python3)" || die "python3 not found"
  rm -rf "$VENV"
  "$host_py" -m venv "$VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  # shellcheck disable=SC2086 # PINS is a list of requirement specifiers
  "$PY" -m pip install --quiet --disable-pip-version-check $PINS >&2 ||
    die "pip install $PINS failed"
  "$PY" -c 'import moto.server, botocore, boto3' || die "the venv does not import moto"
  echo "$PINS" >"$VENV/.pins"
}

# --------------------------------------------------------------- state dir
set_state() {
  [ -n "${1:-}" ] || die "usage: $0 start|stop|status STATE_DIR"
  case "$1" in
    *[[:space:]\'\"\\\$\`]*) die "state dir '$1' must not contain whitespace, quotes, \\, \$ or \`" ;;
  esac
  mkdir -p "$1/logs"
  STATE="$(cd "$1" && pwd -P)"
  ENV_FILE="$STATE/moto.env"
  PID_FILE="$STATE/moto.pid"
  LOG_FILE="$STATE/logs/moto.log"
}

# Prints the pid if the moto of this state dir runs (its command line names
# our venv's moto_server; guards against pid reuse).
running_pid() {
  local pid
  [ -s "$PID_FILE" ] || return 1
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "moto_server" || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
  echo "$pid"
}

answers() {
  # moto's own API answers without auth whatever the enforcement setting.
  "$PY" - "$1" <<'EOF' >/dev/null 2>&1
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/moto-api/data.json", timeout=2) as r:
    sys.exit(0 if r.status == 200 else 1)
EOF
}

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

env_port() { sed -n 's/^MOTO_PORT=//p' "$ENV_FILE" 2>/dev/null | tail -n 1; }

start() {
  set_state "${1:-}"
  install_venv
  local pid port
  if pid="$(running_pid)" && port="$(env_port)" && [ -n "$port" ] && answers "$port"; then
    cat "$ENV_FILE"
    return 0
  fi
  stop_server
  port="${KUBEVENTS_MOTO_PORT:-$(free_port)}"
  rm -f "$ENV_FILE"
  log "starting moto_server $MOTO_VERSION on 127.0.0.1:$port (log $LOG_FILE)"
  # setsid: its own process group, so stop can end it with every child.
  setsid "$PY" "$HERE/moto_server.py" -H 127.0.0.1 -p "$port" >"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  local deadline=$((SECONDS + TIMEOUT))
  until answers "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$LOG_FILE" >&2 || true
      die "moto_server exited during start-up (port $port taken?)"
    fi
    if [ $SECONDS -ge $deadline ]; then
      tail -n 20 "$LOG_FILE" >&2 || true
      stop_server
      die "moto_server did not answer within ${TIMEOUT}s"
    fi
    sleep 0.2
  done
  cat >"$ENV_FILE.tmp" <<EOF
MOTO_URL=http://127.0.0.1:$port
MOTO_PORT=$port
MOTO_PID=$pid
KUBEVENTS_AWS_PYTHON=$PY
AWS_ACCESS_KEY_ID=testing
AWS_SECRET_ACCESS_KEY=testing
AWS_DEFAULT_REGION=us-east-1
EOF
  mv "$ENV_FILE.tmp" "$ENV_FILE"
  cat "$ENV_FILE"
}

stop_server() {
  local pid _
  pid="$(running_pid)" || {
    rm -f "$PID_FILE"
    return 0
  }
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "moto_server $pid did not stop; SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
}

case "${1:-}" in
  install)
    install_venv
    echo "$PY"
    ;;
  start) start "${2:-}" ;;
  stop)
    set_state "${2:-}"
    stop_server
    rm -f "$ENV_FILE"
    ;;
  status)
    set_state "${2:-}"
    [ -x "$PY" ] || exit 1
    running_pid >/dev/null && port="$(env_port)" && [ -n "$port" ] && answers "$port"
    ;;
  *) die "usage: $0 install | start STATE_DIR | stop STATE_DIR | status STATE_DIR" ;;
esac
