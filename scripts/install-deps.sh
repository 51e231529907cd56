#!/usr/bin/env bash
# Installs everything kubevents needs to build and test, from Debian 12
# packages only. The README, .ci/run and the test environment all call this
# one script. Safe to rerun: apt skips what is already there.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang-format git ca-certificates ccache
  # libraries the product links
  libcurl4-openssl-dev libssl-dev libsimdjson-dev libyaml-cpp-dev libre2-dev
  libsqlite3-dev librdkafka-dev libspdlog-dev libfmt-dev libcli11-dev
  libcpp-httplib-dev libexpected-dev zlib1g-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # test environment: the control plane is built with Go; openssl makes its PKI
  golang-go openssl curl procps psmisc prometheus
  # search receivers' tests: OpenSearch is Java from Maven Central; nginx in front of it
  maven openjdk-17-jre-headless unzip nginx
)

missing=()
for p in "${PACKAGES[@]}"; do
  # golang-go is satisfied by any go on PATH (the machines ship a newer one).
  if [ "$p" = golang-go ] && command -v go >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "install-deps: done"
fi

# The integration tests are driven by pytest (PyPI).
if ! python3 -m pytest --version >/dev/null 2>&1; then
  python3 -m pip install -q pytest || $SUDO apt-get install -y -qq python3-pytest >/dev/null
fi
# The deploy tests read rendered manifests with PyYAML.
if ! python3 -c 'import yaml' >/dev/null 2>&1; then
  python3 -m pip install -q pyyaml || $SUDO apt-get install -y -qq python3-yaml >/dev/null
fi
# The metrics endpoint test parses /metrics with the official Prometheus client.
if ! python3 -c 'import prometheus_client' >/dev/null 2>&1; then
  python3 -m pip install -q prometheus_client || $SUDO apt-get install -y -qq python3-prometheus-client >/dev/null
fi
