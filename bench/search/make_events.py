#!/usr/bin/env python3
"""Writes N core/v1 Event objects (one JSON per line) shaped like a real
cluster's: pod scheduling, image pull and probe events with labels,
owner-like names and messages of realistic length. Deterministic for a
given N (seeded), each with its own uid and resourceVersion.

usage: make_events.py N OUT_FILE"""

import json
import random
import sys
import uuid

REASONS = [
    ("Warning", "FailedScheduling",
     "0/12 nodes are available: 3 Insufficient cpu, 9 node(s) didn't match Pod's node "
     "affinity/selector. preemption: 0/12 nodes are available: 12 No preemption victims found."),
    ("Normal", "Pulling", 'Pulling image "registry.example.com/team/web:1.24.3"'),
    ("Normal", "Pulled", 'Successfully pulled image "registry.example.com/team/web:1.24.3" in 1.2s'),
    ("Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503"),
    ("Warning", "BackOff", "Back-off restarting failed container web in pod web-7c9d6f5b8-x2k4q"),
    ("Normal", "ScalingReplicaSet", "Scaled up replica set web-7c9d6f5b8 to 5 from 4"),
]


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(42)
    with open(out, "w") as f:
        for i in range(n):
            type_, reason, message = REASONS[i % len(REASONS)]
            ns = f"team-{i % 17}"
            pod = f"web-7c9d6f5b8-{i:06x}"
            ts = f"2024-05-01T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}Z"
            ev = {
                "apiVersion": "v1", "kind": "Event",
                "metadata": {"name": f"{pod}.17c{i:08x}", "namespace": ns,
                             "uid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                             "resourceVersion": str(1_000_000 + i), "creationTimestamp": ts},
                "involvedObject": {"kind": "Pod", "namespace": ns, "name": pod,
                                   "uid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                                   "apiVersion": "v1", "resourceVersion": str(900_000 + i),
                                   "fieldPath": "spec.containers{web}"},
                "reason": reason, "message": message, "type": type_, "count": 1 + i % 5,
                "firstTimestamp": ts, "lastTimestamp": ts,
                "source": {"component": "kubelet", "host": f"ip-10-0-{i % 250}-{i % 200}.ec2.internal"},
                "reportingComponent": "kubelet", "reportingInstance": f"ip-10-0-{i % 250}-{i % 200}",
            }
            f.write(json.dumps(ev, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
