#!/usr/bin/env bash
# Makes the control plane emit real events: creates namespace NAMESPACE (if
# missing) and in it a Deployment `web` of N replicas (default 2) whose image
# is never pulled. With no nodes the controllers react with
#   ScalingReplicaSet  (deployment-controller)
#   SuccessfulCreate   (replicaset-controller)
#   FailedScheduling   (default-scheduler)
# Waits (max 60 s, KUBEVENTS_WORKLOAD_TIMEOUT) until all three are listed by
# `kubectl get events -n NAMESPACE`, then prints the events.
# Rerunning with another N scales the Deployment (more events).
#
# Usage: testenv/workload.sh NAMESPACE [N]
#   The state dir is $KUBEVENTS_TESTENV_STATE or /tmp/kubevents-testenv.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=testenv/lib.sh
. "$HERE/lib.sh"

if [ $# -lt 1 ] || [ $# -gt 2 ]; then die "usage: $0 NAMESPACE [REPLICAS]"; fi
NS="$1"
REPLICAS="${2:-2}"
[[ "$REPLICAS" =~ ^[0-9]+$ ]] || die "REPLICAS must be a number, got '$REPLICAS'"
TIMEOUT="${KUBEVENTS_WORKLOAD_TIMEOUT:-60}"

set_state_dir ""
[ -f "$STATE/admin.kubeconfig" ] || die "no control plane in $STATE: run testenv/start.sh first"
require_bin kubectl

kubectl_admin get namespace "$NS" >/dev/null 2>&1 || kubectl_admin create namespace "$NS" >&2

# The ServiceAccount admission plugin rejects pods until the namespace's
# `default` ServiceAccount exists; waiting here keeps FailedCreate events
# (and the replicaset controller's back-off) out of the picture.
deadline=$((SECONDS + TIMEOUT))
until kubectl_admin get serviceaccount default -n "$NS" >/dev/null 2>&1; do
  ((SECONDS < deadline)) || die "ServiceAccount $NS/default not created within ${TIMEOUT}s (is kube-controller-manager running?)"
  sleep 0.25
done

kubectl_admin apply -n "$NS" -f - >&2 <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: $REPLICAS
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: registry.invalid/nginx:1
EOF

want=(ScalingReplicaSet SuccessfulCreate FailedScheduling)
while :; do
  reasons="$(kubectl_admin get events -n "$NS" \
    -o jsonpath='{range .items[*]}{.reason}{"\n"}{end}' 2>/dev/null || true)"
  missing=()
  for r in "${want[@]}"; do
    grep -qx "$r" <<<"$reasons" || missing+=("$r")
  done
  [ ${#missing[@]} -eq 0 ] && break
  if ((SECONDS >= deadline)); then
    kubectl_admin get events -n "$NS" >&2 || true
    die "events ${missing[*]} not seen in namespace $NS within ${TIMEOUT}s"
  fi
  sleep 0.5
done

kubectl_admin get events -n "$NS" --sort-by=.metadata.creationTimestamp
