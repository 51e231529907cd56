#!/usr/bin/env bash
# A real OpenSearch (or Elasticsearch) node on loopback for the search
# receivers' integration tests and bench.
#
#   testenv/opensearch.sh install           fetch the integ-test zip from Maven Central (once)
#   testenv/opensearch.sh start STATE_DIR   start a single node; prints and writes STATE_DIR/opensearch.env
#   testenv/opensearch.sh stop STATE_DIR    SIGTERM, SIGKILL after 20 s
#   testenv/opensearch.sh status STATE_DIR  exit 0 when the node answers
#
# Which engine: KUBEVENTS_SEARCH_ENGINE=opensearch (default, version
# KUBEVENTS_OPENSEARCH_VERSION, default 2.19.6) or elasticsearch
# (KUBEVENTS_ELASTICSEARCH_VERSION, default 8.17.0; runs with its security
# module on: the env file names a superuser and its password). `stop` and
# `status` need the same KUBEVENTS_SEARCH_ENGINE as `start`. The
# Elasticsearch integ-test zip has no analysis-common or data-streams
# module: API keys cannot be created on it and data streams do not exist.
#
# The zip comes from Maven Central with `mvn dependency:copy`
# (org.opensearch.distribution.integ-test-zip:opensearch:VERSION:zip, or
# org.elasticsearch.distribution.integ-test-zip:elasticsearch:VERSION:zip)
# and is cached in ${KUBEVENTS_TESTENV_CACHE:-~/.cache/kubevents-testenv}/search/.
# It is unpacked into STATE_DIR/dist once per state dir: the node refuses to
# run as root, so it runs as the system user `kvsearch` (created here with
# useradd), which cannot read root's home.
#
# Settings: single node, disk thresholds off, heap
# ${KUBEVENTS_SEARCH_HEAP:-512m}, HTTP on 127.0.0.1 at a free port. Extra
# opensearch.yml lines come from KUBEVENTS_SEARCH_SETTINGS (newline-separated
# `key: value`), e.g. "node.processors: 1\nthread_pool.write.queue_size: 1"
# for a node that answers 429 under load.
#
# STATE_DIR/opensearch.env (KEY=VALUE lines):
#   OPENSEARCH_URL=http://127.0.0.1:PORT   OPENSEARCH_PORT=PORT
#   OPENSEARCH_ENGINE=opensearch|elasticsearch   OPENSEARCH_VERSION=VERSION
#   OPENSEARCH_USER / OPENSEARCH_PASSWORD (elasticsearch only: a superuser)
#   OPENSEARCH_STATE=STATE_DIR   OPENSEARCH_LOG=path of the node's stdout log
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=testenv/lib.sh
. "$HERE/lib.sh"

ENGINE="${KUBEVENTS_SEARCH_ENGINE:-opensearch}"
case "$ENGINE" in
  opensearch)
    VERSION="${KUBEVENTS_OPENSEARCH_VERSION:-2.19.6}"
    ARTIFACT="org.opensearch.distribution.integ-test-zip:opensearch:$VERSION:zip"
    ;;
  elasticsearch)
    VERSION="${KUBEVENTS_ELASTICSEARCH_VERSION:-8.17.0}"
    ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$VERSION:zip"
    ;;
  *) die "KUBEVENTS_SEARCH_ENGINE must be opensearch or elasticsearch, not '$ENGINE'" ;;
esac
SEARCH_CACHE="$TESTENV_CACHE/search"
ZIP="$SEARCH_CACHE/$ENGINE-$VERSION.zip"
RUN_USER=kvsearch
COMPONENT="$ENGINE"

install() {
  [ -s "$ZIP" ] && return 0
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  command -v java >/dev/null || die "java not found (apt-get install openjdk-17-jre-headless)"
  mkdir -p "$SEARCH_CACHE"
  log "fetching $ARTIFACT from Maven Central"
  mvn -q -B dependency:copy -Dartifact="$ARTIFACT" -DoutputDirectory="$SEARCH_CACHE" \
    -Dmdep.stripVersion=false >&2 || die "mvn could not fetch $ARTIFACT"
  [ -s "$ZIP" ] || die "mvn finished but $ZIP is missing"
}

ensure_user() {
  id "$RUN_USER" >/dev/null 2>&1 && return 0
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$RUN_USER" ||
    id "$RUN_USER" >/dev/null 2>&1 || die "could not create user $RUN_USER"
}

# as_user CMD...: runs CMD as $RUN_USER (setpriv execs, keeping the pid).
as_user() { setpriv --reuid="$RUN_USER" --regid="$RUN_USER" --init-groups "$@"; }

env_value() { [ -f "$SEARCH_ENV" ] && sed -n "s/^$1=//p" "$SEARCH_ENV" | tail -n 1; }

# healthy: the node answers and its cluster is at least yellow.
healthy() {
  local auth=() port="$1"
  [ "$ENGINE" = elasticsearch ] && auth=(-u "kvadmin:$ES_PASSWORD")
  curl -sS --max-time 5 "${auth[@]}" \
    "http://127.0.0.1:$port/_cluster/health?wait_for_status=yellow&timeout=4s" 2>/dev/null |
    grep -q '"status":"\(green\|yellow\)"'
}

write_config() {
  local port="$1" tport="$2" conf="$STATE/config"
  mkdir -p "$conf" "$STATE/data" "$STATE/logs" "$STATE/tmp"
  cp -r "$DIST/config/." "$conf/"
  # Keep the distribution's options, but a small heap.
  sed -i -e 's/^-Xms.*/-Xms'"${KUBEVENTS_SEARCH_HEAP:-512m}"'/' \
    -e 's/^-Xmx.*/-Xmx'"${KUBEVENTS_SEARCH_HEAP:-512m}"'/' "$conf/jvm.options"
  local yml="$conf/$ENGINE.yml"
  {
    echo "cluster.name: kubevents-test"
    echo "node.name: node-1"
    echo "path.data: $STATE/data"
    echo "path.logs: $STATE/logs"
    echo "network.host: 127.0.0.1"
    echo "http.port: $port"
    echo "transport.port: $tport"
    echo "discovery.type: single-node"
    echo "cluster.routing.allocation.disk.threshold_enabled: false"
    echo "action.auto_create_index: true"
    if [ "$ENGINE" = elasticsearch ]; then
      echo "xpack.security.enabled: true"
      echo "xpack.security.http.ssl.enabled: false"
      echo "xpack.security.transport.ssl.enabled: false"
      echo "xpack.security.authc.api_key.enabled: true"
    fi
    if [ -n "${KUBEVENTS_SEARCH_SETTINGS:-}" ]; then printf '%b\n' "$KUBEVENTS_SEARCH_SETTINGS"; fi
  } >"$yml"
}

start() {
  install
  ensure_user
  if pid_of "$COMPONENT" >/dev/null && [ -f "$SEARCH_ENV" ] && healthy "$(env_value OPENSEARCH_PORT)"; then
    cat "$SEARCH_ENV"
    return 0
  fi
  kill_component "$COMPONENT" 20
  if [ ! -d "$DIST" ]; then
    rm -rf "$STATE/dist.tmp"
    mkdir -p "$STATE/dist.tmp"
    (cd "$STATE/dist.tmp" && unzip -q "$ZIP")
    mv "$STATE/dist.tmp/$ENGINE-$VERSION" "$DIST"
    rm -rf "$STATE/dist.tmp"
  fi
  local port tport
  port="$(pick_port "$(env_value OPENSEARCH_PORT)")"
  tport="$(pick_port "$(env_value OPENSEARCH_TRANSPORT_PORT)" "$port")"
  write_config "$port" "$tport"
  chown -R "$RUN_USER:$RUN_USER" "$STATE"
  chmod 755 "$STATE"
  as_user test -x "$DIST/bin/$ENGINE" ||
    die "user $RUN_USER cannot reach $STATE: every parent folder must be world-searchable (chmod o+x)"
  local home_var=OPENSEARCH_PATH_CONF tmp_var=OPENSEARCH_TMPDIR bin="$DIST/bin/opensearch"
  # The integ-test zips bundle no JDK: use the system one (Java 17).
  local java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
  export JAVA_HOME="$java_home" ES_JAVA_HOME="$java_home" OPENSEARCH_JAVA_HOME="$java_home"
  if [ "$ENGINE" = elasticsearch ]; then
    home_var=ES_PATH_CONF tmp_var=ES_TMPDIR bin="$DIST/bin/elasticsearch"
    # A file-realm superuser (written into the config dir before start).
    ES_PATH_CONF="$STATE/config" as_user "$DIST/bin/elasticsearch-users" userdel kvadmin \
      >/dev/null 2>&1 || true
    ES_PATH_CONF="$STATE/config" as_user "$DIST/bin/elasticsearch-users" useradd kvadmin \
      -p "$ES_PASSWORD" -r superuser >/dev/null
  fi
  launch "$COMPONENT" env "$home_var=$STATE/config" "$tmp_var=$STATE/tmp" \
    setpriv --reuid="$RUN_USER" --regid="$RUN_USER" --init-groups "$bin" \
    -Epath.data="$STATE/data"
  wait_for "$COMPONENT" "$ENGINE on port $port" "${KUBEVENTS_SEARCH_TIMEOUT:-180}" healthy "$port"
  {
    echo "OPENSEARCH_URL=http://127.0.0.1:$port"
    echo "OPENSEARCH_PORT=$port"
    echo "OPENSEARCH_TRANSPORT_PORT=$tport"
    echo "OPENSEARCH_ENGINE=$ENGINE"
    echo "OPENSEARCH_VERSION=$VERSION"
    echo "OPENSEARCH_STATE=$STATE"
    echo "OPENSEARCH_LOG=$LOGS/$COMPONENT.log"
    if [ "$ENGINE" = elasticsearch ]; then
      echo "OPENSEARCH_USER=kvadmin"
      echo "OPENSEARCH_PASSWORD=$ES_PASSWORD"
    fi
  } >"$SEARCH_ENV.tmp"
  mv "$SEARCH_ENV.tmp" "$SEARCH_ENV"
  log "$ENGINE $VERSION up at http://127.0.0.1:$port"
  cat "$SEARCH_ENV"
}

cmd="${1:-}"
[ -n "$cmd" ] || die "usage: $0 install|start STATE|stop STATE|status STATE"
if [ "$cmd" = install ]; then
  install
  exit 0
fi
set_state_dir "${2:-}"
DIST="$STATE/dist"
SEARCH_ENV="$STATE/opensearch.env"
# Not a secret worth hiding: a loopback test node's superuser.
ES_PASSWORD="kvtest-password"
case "$cmd" in
  start) start ;;
  stop) kill_component "$COMPONENT" 20 ;;
  status) pid_of "$COMPONENT" >/dev/null && healthy "$(env_value OPENSEARCH_PORT)" ;;
  *) die "unknown command '$cmd'" ;;
esac
