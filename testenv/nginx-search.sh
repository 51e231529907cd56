#!/usr/bin/env bash
# nginx in front of a search node (testenv/opensearch.sh), for the search
# receivers' auth and TLS tests: what a managed OpenSearch's gateway does.
#
#   testenv/nginx-search.sh start STATE_DIR UPSTREAM_URL
#   testenv/nginx-search.sh stop STATE_DIR
#
# Three listeners on 127.0.0.1, free ports, each proxying to UPSTREAM_URL:
#   basic       TLS (server cert from a test CA), HTTP basic auth (htpasswd
#               made with `openssl passwd -apr1`)
#   clientcert  TLS, a client certificate signed by the test CA required
#   bearer      plain HTTP, "Authorization: Bearer <token>" or
#               "Authorization: ApiKey <api key>" (Elasticsearch's form) required
# Unauthenticated requests get 401.
#
# STATE_DIR/nginx.env (KEY=VALUE lines):
#   NGINX_BASIC_URL  NGINX_CLIENTCERT_URL  NGINX_BEARER_URL
#   NGINX_CA_FILE    NGINX_CLIENT_CERT     NGINX_CLIENT_KEY
#   NGINX_USER       NGINX_PASSWORD        NGINX_TOKEN    NGINX_API_KEY
#   NGINX_ACCESS_LOG (one line per request: the tests count 401s there)
# The PKI is made once per state dir (STATE_DIR/nginx-pki); logs in
# STATE_DIR/logs/nginx*.log. Needs the Debian nginx and openssl packages.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=testenv/lib.sh
. "$HERE/lib.sh"

NGINX_BIN="${NGINX_BIN:-$(command -v nginx || echo /usr/sbin/nginx)}"
# Not secrets worth hiding: a loopback test gateway's credentials.
USER_NAME=kube
PASSWORD=kube-test-password
TOKEN=kube-test-token-0123456789
# Elasticsearch's encoded API key form: base64("id:api_key").
API_KEY="$(printf '%s' "kv-key-id:kv-api-key-secret" | base64)"

make_pki() {
  local pki="$STATE/nginx-pki"
  [ -s "$pki/client.key" ] && return 0
  mkdir -p "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=kubevents-search-test-ca" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$pki/server.ext"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$pki/server.key" -out "$pki/server.csr" 2>/dev/null
  openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 3650 -extfile "$pki/server.ext" -out "$pki/server.crt" 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' >"$pki/client.ext"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kubevents" \
    -keyout "$pki/client.key" -out "$pki/client.csr" 2>/dev/null
  openssl x509 -req -in "$pki/client.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 3650 -extfile "$pki/client.ext" -out "$pki/client.crt" 2>/dev/null
  printf '%s:%s\n' "$USER_NAME" "$(openssl passwd -apr1 "$PASSWORD")" >"$pki/htpasswd"
  chmod 644 "$pki"/*.crt "$pki/htpasswd"
}

write_conf() {
  local upstream="$1" basic="$2" cc="$3" bearer="$4" pki="$STATE/nginx-pki"
  mkdir -p "$STATE/nginx-tmp" "$LOGS"
  chmod 1777 "$STATE/nginx-tmp"
  local common="
    client_max_body_size 100m;
    client_body_buffer_size 16m;
    location / {
      proxy_pass $upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header Authorization \"\";
      proxy_read_timeout 120s;
    }"
  cat >"$STATE/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $STATE/nginx.pid;
error_log $LOGS/nginx-error.log warn;
events { worker_connections 256; }
http {
  access_log $LOGS/nginx-access.log;
  client_body_temp_path $STATE/nginx-tmp/body;
  proxy_temp_path $STATE/nginx-tmp/proxy;
  fastcgi_temp_path $STATE/nginx-tmp/fastcgi;
  uwsgi_temp_path $STATE/nginx-tmp/uwsgi;
  scgi_temp_path $STATE/nginx-tmp/scgi;
  ssl_certificate $pki/server.crt;
  ssl_certificate_key $pki/server.key;
  server {
    listen 127.0.0.1:$basic ssl;
    auth_basic "kubevents-test";
    auth_basic_user_file $pki/htpasswd;
    $common
  }
  server {
    listen 127.0.0.1:$cc ssl;
    ssl_client_certificate $pki/ca.crt;
    ssl_verify_client on;
    $common
  }
  map \$http_authorization \$kv_token_ok {
    "Bearer $TOKEN" 1;
    "ApiKey $API_KEY" 1;
    default 0;
  }
  server {
    listen 127.0.0.1:$bearer;
    if (\$kv_token_ok = 0) { return 401; }
    $common
  }
}
CONF
}

listening_all() {
  local p
  for p in "$@"; do port_listening "$p" || return 1; done
}

start() {
  local upstream="${1:-}"
  [ -n "$upstream" ] || die "usage: $0 start STATE_DIR UPSTREAM_URL"
  [ -x "$NGINX_BIN" ] || die "nginx not found (apt-get install nginx)"
  kill_component nginx 10
  # nginx workers run as an unprivileged user: they read htpasswd and write temp files here.
  chmod 755 "$STATE"
  make_pki
  local basic cc bearer
  basic="$(pick_port)"
  cc="$(pick_port "" "$basic")"
  bearer="$(pick_port "" "$basic" "$cc")"
  write_conf "$upstream" "$basic" "$cc" "$bearer"
  "$NGINX_BIN" -t -c "$STATE/nginx.conf" >>"$LOGS/nginx.log" 2>&1 ||
    fail_with_log nginx "nginx rejected $STATE/nginx.conf"
  launch nginx "$NGINX_BIN" -c "$STATE/nginx.conf"
  wait_for nginx "nginx listeners" 30 listening_all "$basic" "$cc" "$bearer"
  local pki="$STATE/nginx-pki"
  {
    echo "NGINX_BASIC_URL=https://127.0.0.1:$basic"
    echo "NGINX_CLIENTCERT_URL=https://127.0.0.1:$cc"
    echo "NGINX_BEARER_URL=http://127.0.0.1:$bearer"
    echo "NGINX_CA_FILE=$pki/ca.crt"
    echo "NGINX_CLIENT_CERT=$pki/client.crt"
    echo "NGINX_CLIENT_KEY=$pki/client.key"
    echo "NGINX_USER=$USER_NAME"
    echo "NGINX_PASSWORD=$PASSWORD"
    echo "NGINX_TOKEN=$TOKEN"
    echo "NGINX_API_KEY=$API_KEY"
    echo "NGINX_ACCESS_LOG=$LOGS/nginx-access.log"
  } >"$STATE/nginx.env"
  cat "$STATE/nginx.env"
}

cmd="${1:-}"
set_state_dir "${2:-}"
case "$cmd" in
  start) start "${3:-}" ;;
  stop) kill_component nginx 10 ;;
  *) die "usage: $0 start STATE_DIR UPSTREAM_URL | stop STATE_DIR" ;;
esac
