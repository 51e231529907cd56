#!/usr/bin/env bash
# Builds, once, the Helm CLI the deploy tests lint and render the chart with
# (deploy/helm/kubevents), from its Go module, into the same cache as the
# control plane (KUBEVENTS_TESTENV_CACHE, default ~/.cache/kubevents-testenv).
# A rerun with the binary cached costs one `helm version`; prints nothing on
# stdout but the binary's path.
#
# Why from the module: the machines reach the Go module proxy but no release
# download site.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
CACHE="${KUBEVENTS_TESTENV_CACHE:-$HOME/.cache/kubevents-testenv}"
BIN="$CACHE/bin"
mkdir -p "$BIN"

log() { echo "testenv/build-helm: $*" >&2; }

if [ -x "$BIN/helm" ] && [ "$(cat "$CACHE/helm.version" 2>/dev/null)" = "$HELM_VERSION" ]; then
  log "cached: $BIN/helm ($HELM_VERSION)"
  echo "$BIN/helm"
  exit 0
fi

export GOTOOLCHAIN=local
unset GOFLAGS
# Helm reads its own version from these variables; without them `helm
# version` says v3.x-dev, which Chart.yaml's kubeVersion checks do not mind
# but people do.
ld="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
ld+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
log "building helm $HELM_VERSION (go install, a few minutes on two cores)"
GOBIN="$BIN.helm-tmp" go install -p "${GO_P:-2}" -trimpath -ldflags "$ld" \
  "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
mv "$BIN.helm-tmp/helm" "$BIN/helm"
rmdir "$BIN.helm-tmp" 2>/dev/null || true
echo "$HELM_VERSION" >"$CACHE/helm.version"
"$BIN/helm" version --short >&2
echo "$BIN/helm"
