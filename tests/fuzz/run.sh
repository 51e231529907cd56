#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan+UBSan, coverage in every
# library) in build-fuzz/ and fuzzes each for SECONDS (default 60), starting
# from its seed corpus. New interesting inputs stay in build-fuzz/corpus/.
# Usage: run.sh [SECONDS] [TARGET...]   (no TARGET: every target in corpus/)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH="${1:-60}"
command -v clang++ >/dev/null || { sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo; $sudo apt-get install -y -qq clang >/dev/null; }
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DKUBEVENTS_FUZZ=ON -DKUBEVENTS_BENCH=OFF \
  -DKUBEVENTS_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
shift $(($# > 0 ? 1 : 0))
targets="${*:-$(ls tests/fuzz/corpus)}"
# shellcheck disable=SC2086
ninja -C build-fuzz -j "${KUBEVENTS_JOBS:-2}" $targets
for t in $targets; do
  mkdir -p "build-fuzz/corpus/$t"
  echo "== $t (${SECONDS_EACH}s)"
  "build-fuzz/tests/fuzz/$t" -max_total_time="$SECONDS_EACH" -max_len=65536 \
    "build-fuzz/corpus/$t" "tests/fuzz/corpus/$t" 2>&1 | tail -n 2
done
