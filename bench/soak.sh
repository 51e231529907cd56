#!/usr/bin/env bash
# A soak run under faults (issue #12), not a CI test: kubevents against the
# test control plane (testenv/), a recording webhook peer, a file receiver
# and OpenSearch when testenv can start one, with events created at a steady
# rate while kubevents is SIGKILLed, kube-apiserver restarted, the webhook
# stopped and the data dir filled, at random moments. Prints created,
# delivered per receiver, lost, duplicated and peak RSS at the end.
#
#   bench/soak.sh --minutes 30            # see bench/soak.py --help
#
# Builds nothing: uses $KUBEVENTS_BIN or build/src/kubevents. Run as root
# for a tmpfs data dir (and the data-dir-full fault).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 "$HERE/soak.py" "$@"
