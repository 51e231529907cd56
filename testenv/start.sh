#!/usr/bin/env bash
# Starts a real Kubernetes control plane on loopback for the tests: etcd,
# kube-apiserver, kube-controller-manager and kube-scheduler (no nodes, no
# kubelet). Binaries come from testenv/build.sh.
#
# Usage: testenv/start.sh [STATE_DIR]
#   STATE_DIR defaults to $KUBEVENTS_TESTENV_STATE or /tmp/kubevents-testenv.
#
# Idempotent: if the control plane of STATE_DIR is already up and healthy it
# only prints the env. Otherwise whatever is left of it is stopped and it is
# started again, keeping the PKI and the etcd data (stop.sh --wipe for a clean
# slate). Prints the env file's lines on stdout; everything else on stderr.
#
# Environment:
#   KUBEVENTS_ETCD_PORT, KUBEVENTS_ETCD_PEER_PORT, KUBEVENTS_APISERVER_PORT
#       fixed ports (default: the previous run's if still free, else random)
#   KUBEVENTS_APISERVER_FLAGS   extra kube-apiserver flags, split on spaces
#   KUBEVENTS_TESTENV_TIMEOUT   seconds to wait for each step (default 120)
#   KUBEVENTS_TESTENV_CACHE     where build.sh put bin/
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=testenv/lib.sh
. "$HERE/lib.sh"

set_state_dir "${1:-}"
START_SECONDS=$SECONDS

print_env() { cat "$ENV_FILE"; }

# ---------------------------------------------------------------- fast path
all_running() {
  local c
  for c in "${TESTENV_COMPONENTS[@]}"; do pid_of "$c" >/dev/null || return 1; done
}
if [ -f "$ENV_FILE" ] && all_running; then
  # Up but not ready may be an API server in the middle of a restart
  # (apiserver.sh): give it the usual time before starting over.
  port="$(env_get KUBEVENTS_APISERVER_PORT)"
  deadline=$((SECONDS + TESTENV_TIMEOUT))
  while all_running && ((SECONDS < deadline)); do
    if readyz_ok "$port"; then
      log "already running in $STATE"
      print_env
      exit 0
    fi
    sleep 0.5
  done
  log "running but not healthy; starting over"
fi

require_bin etcd kube-apiserver kube-controller-manager kube-scheduler kubectl
command -v openssl >/dev/null || die "openssl not found"
command -v curl >/dev/null || die "curl not found"

# Something of this state dir may be half up (a crash, a reboot of one
# component): stop it all so every component starts from the same config.
for c in "${TESTENV_COMPONENTS[@]}"; do
  if pid_of "$c" >/dev/null; then
    log "restarting: stopping leftovers of $STATE"
    "$HERE/stop.sh" "$STATE" >&2
    break
  fi
done

mkdir -p "$PKI" "$LOGS" "$PIDS" "$STATE/etcd"
chmod 700 "$PKI" "$STATE/etcd"

# -------------------------------------------------------------------- ports
# Prefer the previous run's ports so kubeconfigs held by running tests stay
# valid; then drop the old env file: it reappears only after a full start.
ETCD_PORT="$(pick_port "${KUBEVENTS_ETCD_PORT:-$(env_get KUBEVENTS_ETCD_PORT)}")"
ETCD_PEER_PORT="$(pick_port "${KUBEVENTS_ETCD_PEER_PORT:-$(env_get KUBEVENTS_ETCD_PEER_PORT)}" "$ETCD_PORT")"
APISERVER_PORT="$(pick_port "${KUBEVENTS_APISERVER_PORT:-$(env_get KUBEVENTS_APISERVER_PORT)}" "$ETCD_PORT" "$ETCD_PEER_PORT")"
rm -f "$ENV_FILE"
for v in KUBEVENTS_ETCD_PORT:ETCD_PORT KUBEVENTS_ETCD_PEER_PORT:ETCD_PEER_PORT KUBEVENTS_APISERVER_PORT:APISERVER_PORT; do
  want="${v%%:*}" got="${v##*:}"
  if [ -n "${!want:-}" ] && [ "${!want}" != "${!got}" ]; then
    die "$want=${!want} is not free"
  fi
done
URL="$(apiserver_url "$APISERVER_PORT")"

# ---------------------------------------------------------------------- PKI
# Generated once per state dir; $PKI/.complete marks a finished set, so an
# interrupted generation is redone whole rather than reused half-made.
DAYS=3650

# sign NAME SUBJECT EXTENSIONS: key + certificate signed by the test CA.
sign() {
  local name="$1" subj="$2" ext="$3"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" \
    -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
    -CAserial "$PKI/ca.srl" -CAcreateserial -days "$DAYS" -sha256 \
    -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

CLIENT_EXT='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth'

gen_pki() {
  log "generating PKI in $PKI"
  rm -f "$PKI"/*
  # A config file rather than -addext: `req -x509` already adds the default
  # config's v3_ca extensions and OpenSSL 3.0 rejects duplicates.
  cat >"$PKI/ca.cnf" <<'EOF'
[req]
distinguished_name = dn
x509_extensions = v3_ca
prompt = no
[dn]
CN = kubevents-testenv-ca
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
EOF
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$DAYS" \
    -config "$PKI/ca.cnf" -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
  rm -f "$PKI/ca.cnf"

  # 10.0.0.1 is the first IP of --service-cluster-ip-range, the address of
  # the `kubernetes` Service; it is only a name in the certificate here.
  sign apiserver "/CN=kube-apiserver" 'basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:::1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local'
  sign admin "/O=system:masters/CN=kubevents-admin" "$CLIENT_EXT"
  sign controller-manager "/CN=system:kube-controller-manager" "$CLIENT_EXT"
  sign scheduler "/CN=system:kube-scheduler" "$CLIENT_EXT"

  # Service-account token signing pair (controller-manager signs, API
  # server signs and verifies).
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null

  # Static bearer tokens. CSV: token,user,uid[,"group1,group2"].
  openssl rand -hex 32 >"$PKI/static-token"
  openssl rand -hex 32 >"$PKI/nobody-token"
  {
    echo "$(cat "$PKI/static-token"),kubevents-token-user,kubevents-token-user,\"system:masters\""
    echo "$(cat "$PKI/nobody-token"),kubevents-nobody,kubevents-nobody"
  } >"$PKI/tokens.csv"

  chmod 600 "$PKI"/*.key "$PKI/tokens.csv" "$PKI/static-token" "$PKI/nobody-token"
  touch "$PKI/.complete"
}
[ -f "$PKI/.complete" ] || gen_pki

# -------------------------------------------------------------- kubeconfigs
b64() { base64 -w0 <"$1"; }

# kubeconfig_files FILE USER CERT KEY: client-cert kubeconfig with file paths.
kubeconfig_files() {
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kubevents-testenv
  cluster:
    server: $URL
    certificate-authority: $PKI/ca.crt
users:
- name: $2
  user:
    client-certificate: $3
    client-key: $4
contexts:
- name: $2@kubevents-testenv
  context:
    cluster: kubevents-testenv
    user: $2
    namespace: default
current-context: $2@kubevents-testenv
EOF
  chmod 600 "$1"
}

# admin.kubeconfig embeds its credentials (the usual form of a kubeconfig);
# admin-files.kubeconfig is the same identity with file paths, so both ways
# of reading a kubeconfig can be tested.
cat >"$STATE/admin.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kubevents-testenv
  cluster:
    server: $URL
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: kubevents-admin
  user:
    client-certificate-data: $(b64 "$PKI/admin.crt")
    client-key-data: $(b64 "$PKI/admin.key")
contexts:
- name: kubevents-admin@kubevents-testenv
  context:
    cluster: kubevents-testenv
    user: kubevents-admin
    namespace: default
current-context: kubevents-admin@kubevents-testenv
EOF
chmod 600 "$STATE/admin.kubeconfig"
kubeconfig_files "$STATE/admin-files.kubeconfig" kubevents-admin "$PKI/admin.crt" "$PKI/admin.key"
kubeconfig_files "$STATE/controller-manager.kubeconfig" system:kube-controller-manager \
  "$PKI/controller-manager.crt" "$PKI/controller-manager.key"
kubeconfig_files "$STATE/scheduler.kubeconfig" system:kube-scheduler \
  "$PKI/scheduler.crt" "$PKI/scheduler.key"

cat >"$STATE/token.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kubevents-testenv
  cluster:
    server: $URL
    certificate-authority: $PKI/ca.crt
users:
- name: kubevents-token-user
  user:
    token: $(cat "$PKI/static-token")
contexts:
- name: kubevents-token-user@kubevents-testenv
  context:
    cluster: kubevents-testenv
    user: kubevents-token-user
    namespace: default
current-context: kubevents-token-user@kubevents-testenv
EOF
chmod 600 "$STATE/token.kubeconfig"

# ------------------------------------------------------------------- launch
# On any failure from here on, stop what this run started (logs are kept).
cleanup_on_error() {
  local rc=$?
  if [ "$rc" != 0 ]; then
    log "start failed; stopping what was started (logs stay in $LOGS)"
    "$HERE/stop.sh" "$STATE" >&2 || true
  fi
}
trap cleanup_on_error EXIT

ETCD_URL="http://127.0.0.1:$ETCD_PORT"
ETCD_PEER_URL="http://127.0.0.1:$ETCD_PEER_PORT"
# --unsafe-no-fsync: the data is throwaway and fsync dominates etcd latency.
launch etcd "$TESTENV_BIN/etcd" \
  --name kubevents-testenv \
  --data-dir "$STATE/etcd" \
  --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
  --listen-peer-urls "$ETCD_PEER_URL" --initial-advertise-peer-urls "$ETCD_PEER_URL" \
  --initial-cluster "kubevents-testenv=$ETCD_PEER_URL" \
  --unsafe-no-fsync --log-level warn
etcd_healthy() { curl -fsS --max-time 2 "$ETCD_URL/health" | grep -q '"health":"true"'; }
wait_for etcd "etcd health on port $ETCD_PORT" "$TESTENV_TIMEOUT" etcd_healthy
log "etcd up on 127.0.0.1:$ETCD_PORT (peer $ETCD_PEER_PORT)"

extra=()
if [ -n "${KUBEVENTS_APISERVER_FLAGS:-}" ]; then
  read -r -a extra <<<"$KUBEVENTS_APISERVER_FLAGS"
fi
# shellcheck disable=SC2054 # the commas belong to flag values
APISERVER_CMD=(
  "$TESTENV_BIN/kube-apiserver"
  --advertise-address=127.0.0.1
  --bind-address=127.0.0.1
  --secure-port="$APISERVER_PORT"
  --tls-cert-file="$PKI/apiserver.crt"
  --tls-private-key-file="$PKI/apiserver.key"
  --client-ca-file="$PKI/ca.crt"
  --token-auth-file="$PKI/tokens.csv"
  --authorization-mode=Node,RBAC
  --service-account-issuer=https://kubernetes.default.svc.cluster.local
  --service-account-key-file="$PKI/sa.pub"
  --service-account-signing-key-file="$PKI/sa.key"
  --service-cluster-ip-range=10.0.0.0/24
  --etcd-servers="$ETCD_URL"
  --event-ttl=1h
  # On SIGTERM, end open watches at once (clients see a clean end of stream
  # and reconnect) instead of holding them until the 60 s shutdown timeout:
  # without this a graceful stop takes a minute.
  --shutdown-watch-termination-grace-period=5s
  # Never written to (a serving cert is given), but keeps the default
  # /var/run/kubernetes out of the picture.
  --cert-dir="$STATE/apiserver-certs"
  "${extra[@]}"
)
# The exact command line, NUL-separated so apiserver.sh can replay it
# verbatim; the .txt copy is for people.
printf '%s\0' "${APISERVER_CMD[@]}" >"$STATE/apiserver.cmd"
printf '%q ' "${APISERVER_CMD[@]}" >"$STATE/apiserver.cmd.txt"
echo >>"$STATE/apiserver.cmd.txt"

launch kube-apiserver "${APISERVER_CMD[@]}"
wait_apiserver_ready "$APISERVER_PORT"
log "kube-apiserver ready on $URL ($((SECONDS - START_SECONDS))s)"

# --flex-volume-plugin-dir: its default is a system directory, which the
# controller-manager would create.
# --secure-port=0: neither needs to serve (health is judged from the API
# side), so they take no ports and need no delegated authn/authz config.
launch kube-controller-manager "$TESTENV_BIN/kube-controller-manager" \
  --kubeconfig="$STATE/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port=0 \
  --leader-elect=false \
  --service-account-private-key-file="$PKI/sa.key" \
  --root-ca-file="$PKI/ca.crt" \
  --use-service-account-credentials=true \
  --service-cluster-ip-range=10.0.0.0/24 \
  --flex-volume-plugin-dir="$STATE/flexvolume"
launch kube-scheduler "$TESTENV_BIN/kube-scheduler" \
  --kubeconfig="$STATE/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port=0 \
  --leader-elect=false

# The default ServiceAccount of `default` is made by the serviceaccount
# controller: its existence shows the controller-manager is working.
default_sa() { kubectl_admin get serviceaccount default -n default -o name; }
wait_for kube-controller-manager "ServiceAccount default/default" "$TESTENV_TIMEOUT" default_sa
pid_of kube-scheduler >/dev/null || fail_with_log kube-scheduler "kube-scheduler exited"

# Written last: the env file existing means a complete start.
cat >"$ENV_FILE.tmp" <<EOF
KUBECONFIG=$STATE/admin.kubeconfig
KUBEVENTS_APISERVER_URL=$URL
KUBEVENTS_TESTENV_STATE=$STATE
KUBEVENTS_APISERVER_PORT=$APISERVER_PORT
KUBEVENTS_ETCD_PORT=$ETCD_PORT
KUBEVENTS_ETCD_PEER_PORT=$ETCD_PEER_PORT
KUBEVENTS_ADMIN_KUBECONFIG=$STATE/admin.kubeconfig
KUBEVENTS_ADMIN_FILES_KUBECONFIG=$STATE/admin-files.kubeconfig
KUBEVENTS_TOKEN_KUBECONFIG=$STATE/token.kubeconfig
KUBEVENTS_CA_FILE=$PKI/ca.crt
KUBEVENTS_ADMIN_CERT=$PKI/admin.crt
KUBEVENTS_ADMIN_KEY=$PKI/admin.key
KUBEVENTS_STATIC_TOKEN_FILE=$PKI/static-token
KUBEVENTS_NOBODY_TOKEN_FILE=$PKI/nobody-token
KUBEVENTS_KUBECTL=$TESTENV_BIN/kubectl
EOF
mv "$ENV_FILE.tmp" "$ENV_FILE"
trap - EXIT
log "control plane ready in $((SECONDS - START_SECONDS))s; state in $STATE"
print_env
