#!/usr/bin/env bash
# Builds, once, the real control plane the tests run against: kube-apiserver,
# kube-controller-manager, kube-scheduler and kubectl from the Go module
# k8s.io/kubernetes, and etcd from go.etcd.io/etcd/server/v3. Binaries are
# cached outside the repository (KUBEVENTS_TESTENV_CACHE, default
# ~/.cache/kubevents-testenv) so a rerun costs nothing.
#
# Why build from modules: the machines reach the Go module proxy but no
# release download site, and a real API server is the only honest peer.
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.35.4}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
CACHE="${KUBEVENTS_TESTENV_CACHE:-$HOME/.cache/kubevents-testenv}"
BIN="$CACHE/bin"
mkdir -p "$BIN" "$CACHE/build"

log() { echo "testenv/build: $*" >&2; }

have_all() {
  for b in kube-apiserver kube-controller-manager kube-scheduler kubectl etcd; do
    [ -x "$BIN/$b" ] || return 1
  done
  [ "$(cat "$CACHE/versions" 2>/dev/null)" = "$KUBE_VERSION $ETCD_VERSION" ]
}

if have_all; then
  log "cached in $BIN ($KUBE_VERSION, etcd $ETCD_VERSION)"
  exit 0
fi

export GOFLAGS="-buildvcs=false -mod=mod"
export GOTOOLCHAIN=local
# Two cores: keep the compiler to two jobs so memory stays bounded.
GO_P="${GO_P:-2}"

build_kubernetes() {
  local dir="$CACHE/build/kubernetes-$KUBE_VERSION"
  mkdir -p "$dir"
  cd "$dir"
  log "resolving k8s.io/kubernetes@$KUBE_VERSION"
  go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" >/dev/null
  local modfile
  modfile="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$KUBE_VERSION.mod"
  # Staging modules are published as k8s.io/<name> v0.<minor>.<patch>.
  local staging_ver="v0.${KUBE_VERSION#v1.}"
  {
    echo "module kubevents.test/kubebuild"
    echo
    echo "go $(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')"
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    # Every staging module k8s.io/kubernetes replaces with ./staging/... is
    # pinned to its published version instead.
    grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$modfile" |
      awk -v v="$staging_ver" '{print "replace " $1 " => " $1 " " v}'
  } >go.mod
  cat >tools.go <<'EOF'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
EOF
  log "go mod tidy (downloads the module graph once)"
  go mod tidy -e >/dev/null 2>&1 || true
  local minor="${KUBE_VERSION#v1.}"
  minor="${minor%%.*}"
  local ld=""
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ld+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    log "building $cmd $KUBE_VERSION"
    go build -p "$GO_P" -trimpath -ldflags "-s -w $ld" -o "$BIN/$cmd.tmp" \
      "k8s.io/kubernetes/cmd/$cmd"
    mv "$BIN/$cmd.tmp" "$BIN/$cmd"
  done
}

build_etcd() {
  local dir="$CACHE/build/etcd-$ETCD_VERSION"
  mkdir -p "$dir"
  cd "$dir"
  cat >go.mod <<EOF
module kubevents.test/etcdbuild

go $(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
EOF
  cat >tools.go <<'EOF'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
EOF
  log "building etcd $ETCD_VERSION"
  go mod tidy -e >/dev/null 2>&1 || true
  go build -p "$GO_P" -trimpath -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3
  mv "$BIN/etcd.tmp" "$BIN/etcd"
}

if [ ! -x "$BIN/etcd" ] || [ "$(cat "$CACHE/etcd.version" 2>/dev/null)" != "$ETCD_VERSION" ]; then
  build_etcd
  echo "$ETCD_VERSION" >"$CACHE/etcd.version"
fi
if [ ! -x "$BIN/kube-apiserver" ] || [ ! -x "$BIN/kubectl" ] ||
  [ "$(cat "$CACHE/kube.version" 2>/dev/null)" != "$KUBE_VERSION" ]; then
  build_kubernetes
  echo "$KUBE_VERSION" >"$CACHE/kube.version"
fi
echo "$KUBE_VERSION $ETCD_VERSION" >"$CACHE/versions"
log "done: $(ls "$BIN" | tr '\n' ' ')"
