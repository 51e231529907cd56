#!/usr/bin/env python3
"""Records a watch stream of real events from the test control plane and
expands it to a benchmark input of N events.

The controllers and the scheduler of testenv/ produce the events (a few
Deployments whose pods can never be scheduled); the raw watch frames are
kept as the API server wrote them. Expansion gives each copy its own uid,
name and resourceVersion so that every frame is a distinct event, as in an
event storm.

usage: record_stream.py STATE_DIR OUT_FILE [N]"""

import json
import pathlib
import ssl
import subprocess
import sys
import time
import urllib.request


def main():
    state = pathlib.Path(sys.argv[1])
    out = pathlib.Path(sys.argv[2])
    total = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    env = dict(l.split("=", 1) for l in (state / "env").read_text().splitlines() if "=" in l)
    ctx = ssl.create_default_context(cafile=env["KUBEVENTS_CA_FILE"])
    ctx.load_cert_chain(env["KUBEVENTS_ADMIN_CERT"], env["KUBEVENTS_ADMIN_KEY"])
    base = env["KUBEVENTS_APISERVER_URL"]
    kubectl = [env["KUBEVENTS_KUBECTL"], "--kubeconfig", env["KUBEVENTS_ADMIN_KUBECONFIG"]]

    with urllib.request.urlopen(base + "/api/v1/events?limit=1", context=ctx) as r:
        start_rv = json.loads(r.read())["metadata"]["resourceVersion"]

    ns = f"bench-{int(time.time())}"
    subprocess.run(kubectl + ["create", "namespace", ns], check=True, capture_output=True)
    for i in range(4):
        subprocess.run(kubectl + ["-n", ns, "create", "deployment", f"app{i}", "--image=registry.invalid/app:1",
                                  "--replicas=25"], check=True, capture_output=True)
    time.sleep(20)  # controllers create pods; the scheduler fails them

    frames = []
    url = f"{base}/api/v1/events?watch=1&resourceVersion={start_rv}&timeoutSeconds=5"
    with urllib.request.urlopen(url, context=ctx, timeout=30) as r:
        for line in r:
            line = line.strip()
            if line:
                frames.append(line.decode())
    subprocess.run(kubectl + ["delete", "namespace", ns, "--wait=false"], capture_output=True)
    frames = [f for f in frames if json.loads(f)["type"] in ("ADDED", "MODIFIED")]
    if not frames:
        sys.exit("no events recorded")
    print(f"recorded {len(frames)} real frames; expanding to {total}", file=sys.stderr)

    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w") as f:
        for i in range(total):
            frame = json.loads(frames[i % len(frames)])
            meta = frame["object"]["metadata"]
            copy = i // len(frames)
            meta["uid"] = f"{meta['uid'][:-8]}{copy:08x}"
            meta["name"] = f"{meta['name']}-{copy}"
            meta["resourceVersion"] = str(1_000_000 + i)
            f.write(json.dumps(frame, separators=(",", ":")) + "\n")
    (out.parent / (out.name + ".sample")).write_text("\n".join(frames) + "\n")


if __name__ == "__main__":
    main()
