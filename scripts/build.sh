#!/usr/bin/env bash
# Configures and builds kubevents (and its tests and benchmarks) into
# build/ (or $KUBEVENTS_BUILD_DIR). Pass extra CMake options as arguments,
# e.g. scripts/build.sh -DKUBEVENTS_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${KUBEVENTS_BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
# Two cores and big translation units: two jobs at most.
ninja -C "$BUILD_DIR" -j "${KUBEVENTS_JOBS:-2}"
