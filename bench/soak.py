#!/usr/bin/env python3
"""Soak run under faults (issue #12): does kubevents lose or double events
when everything around it fails now and then? Not a CI test; run it through
bench/soak.sh.

It starts, each in a state dir of its own (--state):
  - the test control plane (testenv/start.sh STATE/testenv),
  - a webhook peer that records every event it accepts
    (tests/integration/peers/webhook_peer.py, restartable on its port),
  - OpenSearch (testenv/opensearch.sh, when it starts; --no-opensearch
    skips it),
  - kubevents ($KUBEVENTS_BIN or build/src/kubevents; builds nothing) with
    three receivers: the webhook, a file (STATE/out/) and OpenSearch, its
    data dir on a small tmpfs when run as root (else a plain folder, and no
    disk-full fault).

For --minutes it creates events at --rate per second (unique names, one
namespace) and, at random moments (--fault-every seconds on average):
  kill       SIGKILL kubevents and start it again
  apiserver  restart kube-apiserver (testenv/apiserver.sh restart; every
             other time with SIGKILL)
  webhook    stop the webhook peer for 5-40 s
  fill       fill the data dir's tmpfs to the last byte for 5-40 s
Then it undoes every fault, waits for the receivers to drain (--drain-minutes
at most), stops kubevents with SIGTERM and prints: events created, delivered
per receiver (unique), lost (created, never delivered), duplicated (the same
idempotency key delivered more than once; OpenSearch: re-indexings of the
same document id, from _version) and kubevents's peak RSS (VmHWM/VmRSS
sampled from /proc across restarts). STATE/summary.json has the same.
"""

import argparse
import collections
import http.client
import json
import os
import pathlib
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

from harness import Cluster, Kubevents, now_rfc3339, read_lines  # noqa: E402
from peer_clients import WebhookPeer, read_env_file  # noqa: E402

OPENSEARCH_SH = REPO / "testenv" / "opensearch.sh"
INDEX = "kv-soak"


def log(msg):
    print(f"{time.strftime('%H:%M:%S')} {msg}", flush=True)


def key_of(event):
    return event["metadata"]["uid"] + "/" + event["metadata"]["resourceVersion"]


# ------------------------------------------------------------ the peers

def start_testenv(state):
    """testenv/start.sh into `state`; returns a harness Cluster."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("KUBEVENTS_APISERVER_PORT", "KUBEVENTS_ETCD_PORT", "KUBEVENTS_ETCD_PEER_PORT",
                        "KUBECONFIG", "KUBEVENTS_TESTENV_STATE")}
    # A port start.sh picked as free may be taken before etcd binds it
    # (other test runs on the machine): try again, with new ports.
    for attempt in range(3):
        r = subprocess.run([str(REPO / "testenv/start.sh"), str(state)], stdout=subprocess.DEVNULL, env=env)
        if r.returncode == 0:
            return Cluster(read_env_file(state / "env"))
        subprocess.run([str(REPO / "testenv/stop.sh"), str(state)], capture_output=True)
    sys.exit(f"testenv/start.sh {state} failed three times")


def start_opensearch(state):
    """The env of a node started by testenv/opensearch.sh, or None (and why)."""
    try:
        r = subprocess.run([str(OPENSEARCH_SH), "start", str(state)], capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        return None, "testenv/opensearch.sh start timed out"
    if r.returncode != 0:
        return None, f"testenv/opensearch.sh start failed: {r.stderr.strip()[-500:]}"
    return read_env_file(state / "opensearch.env"), ""


class Search:
    def __init__(self, url):
        self.url = url

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return json.loads(e.read() or b"null")

    def documents(self):
        """(event name, _version) of every document in INDEX."""
        self.call("POST", f"/{INDEX}/_refresh")
        out = []
        ans = self.call("POST", f"/{INDEX}/_search?scroll=2m",
                        {"size": 5000, "version": True, "_source": ["metadata.name"], "query": {"match_all": {}}})
        while ans and ans.get("hits", {}).get("hits"):
            for h in ans["hits"]["hits"]:
                out.append((h["_source"]["metadata"]["name"], h.get("_version", 1)))
            ans = self.call("POST", "/_search/scroll", {"scroll": "2m", "scroll_id": ans["_scroll_id"]})
        if ans and ans.get("_scroll_id"):
            self.call("DELETE", "/_search/scroll", {"scroll_id": ans["_scroll_id"]})
        return out


# ------------------------------------------------------------ the data dir

def mount_tmpfs(path, size):
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False, "not root: the data dir is a plain folder and the disk-full fault is off"
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return False, f"mount -t tmpfs failed ({r.stderr.strip()}): plain folder, no disk-full fault"
    return True, ""


def unmount(path):
    if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(path):
    """Writes STATE/.../filler until the filesystem is full."""
    filler = path / "soak-filler"
    chunk = b"\0" * (64 << 10)
    try:
        with open(filler, "wb") as f:
            while True:
                f.write(chunk)
                f.flush()
    except OSError:
        pass
    try:
        with open(filler, "ab") as f:  # the last partial block
            while True:
                f.write(b"\0" * 512)
                f.flush()
    except OSError:
        pass
    return filler


# ------------------------------------------------------------ the workload

class Creator(threading.Thread):
    """Creates core/v1 Events in `namespace` at `rate` per second over one
    persistent HTTPS connection, retrying through API server restarts (409:
    an earlier try got through). `created` holds every name the API server
    confirmed."""

    def __init__(self, cluster, namespace, rate, message_bytes):
        super().__init__(daemon=True)
        self.cluster, self.namespace, self.rate = cluster, namespace, rate
        self.message = "s" * message_bytes
        self.created = []
        self.retries = 0
        self.stopping = threading.Event()

    def body(self, name):
        ts = now_rfc3339()
        return json.dumps({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name, "namespace": self.namespace},
            "involvedObject": {"kind": "Pod", "namespace": self.namespace, "name": "soak-pod", "apiVersion": "v1"},
            "reason": "Soak", "message": f"{self.message} {name}", "type": "Normal", "count": 1,
            "firstTimestamp": ts, "lastTimestamp": ts, "source": {"component": "kubevents-soak"},
        })

    def run(self):
        url = urllib.parse.urlparse(self.cluster.url)
        ctx = self.cluster.ssl_context()
        conn = None
        start = time.monotonic()
        i = 0
        while not self.stopping.is_set():
            if i >= (time.monotonic() - start) * self.rate:
                time.sleep(0.005)
                continue
            name = f"soak-{i:07d}"
            # Once a name is tried it is retried until the server says yes:
            # an unanswered POST may have created it.
            while True:
                try:
                    if conn is None:
                        conn = http.client.HTTPSConnection(url.hostname, url.port, context=ctx, timeout=15)
                    conn.request("POST", f"/api/v1/namespaces/{self.namespace}/events", self.body(name),
                                 {"Content-Type": "application/json"})
                    resp = conn.getresponse()
                    resp.read()
                    if resp.status in (201, 409):
                        break
                    if resp.status not in (429,) and resp.status < 500:
                        raise RuntimeError(f"creating {name}: HTTP {resp.status}")
                except (OSError, http.client.HTTPException):
                    conn = None
                self.retries += 1
                time.sleep(0.2)
            self.created.append(name)
            i += 1
        if conn is not None:
            conn.close()


class RssSampler(threading.Thread):
    """Peak VmHWM and VmRSS of whatever kubevents process is current."""

    def __init__(self, kv):
        super().__init__(daemon=True)
        self.kv = kv
        self.peak_hwm_kib = 0
        self.peak_rss_kib = 0
        self.stopping = threading.Event()

    def sample(self):
        proc = self.kv.proc
        if proc is None or proc.poll() is not None:
            return
        try:
            text = pathlib.Path(f"/proc/{proc.pid}/status").read_text()
        except OSError:
            return
        for line in text.splitlines():
            if line.startswith("VmHWM:"):
                self.peak_hwm_kib = max(self.peak_hwm_kib, int(line.split()[1]))
            elif line.startswith("VmRSS:"):
                self.peak_rss_kib = max(self.peak_rss_kib, int(line.split()[1]))

    def run(self):
        while not self.stopping.is_set():
            self.sample()
            time.sleep(0.25)


# ------------------------------------------------------------ counting

def webhook_deliveries(peer, namespace):
    """(name, key) per accepted event; the key from the body (a batched
    request's header names only its first event)."""
    out = []
    for rec in peer.received():
        ev = rec.get("event")
        if isinstance(ev, dict) and ev.get("metadata", {}).get("namespace") == namespace:
            out.append((ev["metadata"]["name"], key_of(ev)))
    return out


def file_deliveries(folder, namespace):
    out = []
    for path in sorted(folder.glob("events*.json")):  # the file and its rotated backups
        for ev in read_lines(path):
            if ev.get("metadata", {}).get("namespace") == namespace:
                out.append((ev["metadata"]["name"], key_of(ev)))
    return out


def figures(created, deliveries):
    """deliveries: (name, key) pairs, or for OpenSearch (name, _version)."""
    names = {n for n, _ in deliveries}
    if deliveries and isinstance(deliveries[0][1], int):
        duplicated = sum(v - 1 for _, v in deliveries)
    else:
        duplicated = sum(c - 1 for c in collections.Counter(k for _, k in deliveries).values() if c > 1)
    lost = sorted(set(created) - names)
    return {"delivered": len(names & set(created)), "lost": len(lost), "duplicated": duplicated,
            "lost_sample": lost[:10]}


# ------------------------------------------------------------ the run

def kubevents_config(namespace, webhook_url, out_dir, search_url, budget):
    routes = [f'    - match: [{{namespace: "^{namespace}$", receiver: {r}}}]'
              for r in ["hook", "dump"] + (["search"] if search_url else [])]
    receivers = f"""
  - name: hook
    delivery: {{batchMaxEvents: 100}}
    webhook:
      endpoint: {webhook_url}
      batch: {{format: array, maxEvents: 100}}
  - name: dump
    file:
      path: {out_dir}/events.json
"""
    if search_url:
        receivers += f"""
  - name: search
    opensearch:
      hosts: [{search_url}]
      index: {INDEX}
"""
    return f"""
logLevel: info
maxEventAgeSeconds: 3600
{f"dataDirMaxBytes: {budget}" if budget else ""}
delivery: {{fsync: interval, segmentBytes: 1048576, retryInitialBackoffMilliseconds: 200,
            retryMaxBackoffMilliseconds: 5000}}
route:
  routes:
{chr(10).join(routes)}
receivers:{receivers}"""


def knows_data_dir_max_bytes(folder):
    """Whether this kubevents takes the dataDirMaxBytes key (check-config)."""
    path = folder / "probe-config.yaml"
    path.write_text("dataDirMaxBytes: 1048576\nroute: {routes: [{match: [{receiver: s}]}]}\n"
                    "receivers: [{name: s, stdout: {}}]\n")
    r = subprocess.run([Kubevents.binary(), "check-config", str(path)], capture_output=True, text=True)
    return r.returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=30, help="how long faults and events go on (default 30)")
    ap.add_argument("--rate", type=float, default=20, help="events created per second (default 20)")
    ap.add_argument("--fault-every", type=float, default=30, help="mean seconds between faults (default 30)")
    ap.add_argument("--drain-minutes", type=float, default=10, help="longest wait for the receivers at the end")
    ap.add_argument("--message-bytes", type=int, default=512, help="size of each event's message")
    ap.add_argument("--tmpfs-mb", type=int, default=64, help="size of the data dir's tmpfs (root only)")
    ap.add_argument("--state", help="state dir (default /tmp/kv-soak-<time>)")
    ap.add_argument("--seed", type=int, default=None, help="seed of the fault schedule")
    ap.add_argument("--no-opensearch", action="store_true", help="webhook and file receivers only")
    ap.add_argument("--keep-testenv", action="store_true", help="leave the control plane running")
    args = ap.parse_args()

    binary = Kubevents.binary()
    if not os.access(binary, os.X_OK):
        sys.exit(f"no kubevents binary at {binary}: build it or set KUBEVENTS_BIN")
    state = pathlib.Path(args.state or f"/tmp/kv-soak-{time.strftime('%Y%m%d-%H%M%S')}").resolve()
    state.mkdir(parents=True, exist_ok=True)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    log(f"soak: {args.minutes} min, {args.rate} events/s, a fault every ~{args.fault_every} s (seed {seed}); "
        f"kubevents {binary}; state {state}")

    kv = peer = sampler = creator = None
    search_env = None
    data = state / "kv" / "data"
    mounted = False
    notes = []
    try:
        cluster = start_testenv(state / "testenv")
        log(f"control plane up: {cluster.url}")
        namespace = f"soak-{seed % 100000:05d}"
        cluster.kubectl("create", "namespace", namespace, check=False)

        peer = WebhookPeer(state / "webhook")
        peer.start()
        search = None
        if not args.no_opensearch:
            log("starting OpenSearch (testenv/opensearch.sh)...")
            search_env, why = start_opensearch(state / "opensearch")
            if search_env:
                search = Search(search_env["OPENSEARCH_URL"])
                log(f"OpenSearch up: {search.url}")
            else:
                notes.append(f"no OpenSearch receiver: {why}")
                log(notes[-1])
        else:
            notes.append("no OpenSearch receiver: --no-opensearch")

        mounted, why = mount_tmpfs(data, args.tmpfs_mb << 20)
        if why:
            notes.append(why)
            log(why)
        budget = None
        if mounted and knows_data_dir_max_bytes(state):
            budget = int((args.tmpfs_mb << 20) * 0.9)
        elif mounted:
            notes.append("this kubevents does not know dataDirMaxBytes: its default budget applies")
        out_dir = state / "out"
        out_dir.mkdir(exist_ok=True)
        kv = Kubevents(cluster, state / "kv", kubevents_config(namespace, peer.url, out_dir,
                                                               search.url if search else None, budget))
        kv.start()
        kv.wait_watching(timeout=120)
        sampler = RssSampler(kv)
        sampler.start()
        creator = Creator(cluster, namespace, args.rate, args.message_bytes)
        creator.start()

        faults = ["kill", "apiserver", "webhook"] + (["fill"] if mounted else [])
        counts = collections.Counter()
        unexpected_exits = []
        restore = {}  # fault -> monotonic time to undo it
        deck = []
        filler = None
        end = time.monotonic() + args.minutes * 60
        next_fault = time.monotonic() + rng.expovariate(1 / args.fault_every)
        next_report = time.monotonic() + 30

        def ensure_running():
            if kv.proc.poll() is not None:
                unexpected_exits.append(kv.proc.returncode)
                log(f"kubevents exited by itself with {kv.proc.returncode}; starting it again")
                kv.stop()
                kv.start()

        def undo(fault):
            nonlocal filler
            if fault == "webhook":
                peer.start()
                log("webhook peer back")
            elif fault == "fill":
                filler.unlink(missing_ok=True)
                filler = None
                log("data dir freed")

        while time.monotonic() < end:
            now = time.monotonic()
            for fault, at in list(restore.items()):
                if now >= at:
                    del restore[fault]
                    undo(fault)
            ensure_running()
            if now >= next_report:
                next_report = now + 30
                log(f"created {len(creator.created)}, webhook {len({n for n, _ in webhook_deliveries(peer, namespace)})}"
                    f", file {len({n for n, _ in file_deliveries(out_dir, namespace)})}; faults {dict(counts)}")
            if now < next_fault:
                time.sleep(0.2)
                continue
            next_fault = now + min(max(3.0, rng.expovariate(1 / args.fault_every)), 4 * args.fault_every)
            # Each kind in turn, in a shuffled order, so that a short run
            # still sees every one.
            if not deck:
                deck = rng.sample(faults, len(faults))
            choice = next((f for f in deck if f not in restore), None)
            if choice is None:
                continue
            deck.remove(choice)
            counts[choice] += 1
            if choice == "kill":
                sampler.sample()
                log("SIGKILL kubevents, start again")
                kv.stop(sig=signal.SIGKILL)
                kv.start()
            elif choice == "apiserver":
                kill = counts[choice] % 2 == 0
                log(f"restarting kube-apiserver{' (SIGKILL)' if kill else ''}")
                if kill:
                    cluster.apiserver("stop", kill=True)
                    cluster.apiserver("start")
                else:
                    cluster.apiserver("restart")
            elif choice == "webhook":
                peer.stop()
                restore["webhook"] = now + rng.uniform(5, 40)
                log("webhook peer down")
            elif choice == "fill":
                filler = fill(data)
                restore["fill"] = now + rng.uniform(5, 40)
                log("data dir filled")

        # ---------------------------------------------------- drain
        creator.stopping.set()
        creator.join()
        for fault in list(restore):
            undo(fault)
        restore.clear()
        created = list(creator.created)
        log(f"stopped creating after {len(created)} events; draining (at most {args.drain_minutes} min)")
        deadline = time.monotonic() + args.drain_minutes * 60

        def missing():
            out = {"webhook": set(created) - {n for n, _ in webhook_deliveries(peer, namespace)},
                   "file": set(created) - {n for n, _ in file_deliveries(out_dir, namespace)}}
            if search:
                out["opensearch"] = set(created) - {n for n, _ in search.documents()}
            return {k: len(v) for k, v in out.items()}

        last_report = 0
        while time.monotonic() < deadline:
            ensure_running()
            m = missing()
            if not any(m.values()):
                break
            if time.monotonic() - last_report > 30:
                last_report = time.monotonic()
                log(f"draining: still missing {m}")
            time.sleep(2)
        sampler.sample()
        code = kv.stop(timeout=60)
        sampler.stopping.set()

        # ---------------------------------------------------- figures
        receivers = {"webhook": figures(created, webhook_deliveries(peer, namespace)),
                     "file": figures(created, file_deliveries(out_dir, namespace))}
        if search:
            receivers["opensearch"] = figures(created, search.documents())
        kv_log = kv.log()
        summary = {
            "minutes": args.minutes, "rate": args.rate, "seed": seed, "kubevents": binary,
            "created": len(created), "create_retries": creator.retries, "faults": dict(counts),
            "unexpected_exits": unexpected_exits, "final_exit_code": code, "receivers": receivers,
            "peak_vmhwm_mib": round(sampler.peak_hwm_kib / 1024, 1),
            "peak_vmrss_mib": round(sampler.peak_rss_kib / 1024, 1),
            "data_dir_unwritable_log_lines": kv_log.count("data dir cannot be written"),
            "data_dir_tmpfs_mib": args.tmpfs_mb if mounted else None, "data_dir_max_bytes": budget,
            "notes": notes, "state": str(state), "kubevents_log": str(kv.stderr_path),
        }
        (state / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        print()
        print(f"events created:        {len(created)}")
        print(f"faults:                {dict(counts)}"
              + (f"; kubevents exited by itself {len(unexpected_exits)}x {unexpected_exits}" if unexpected_exits else ""))
        for name, f in receivers.items():
            print(f"{name + ':':22} delivered {f['delivered']} (unique), lost {f['lost']}, duplicated {f['duplicated']}"
                  + (f"  e.g. lost {f['lost_sample']}" if f["lost"] else ""))
        print(f"peak RSS of kubevents: VmHWM {summary['peak_vmhwm_mib']} MiB, VmRSS {summary['peak_vmrss_mib']} MiB")
        print(f"final SIGTERM exit:    {code}")
        print(f"'data dir cannot be written' log lines: {summary['data_dir_unwritable_log_lines']}")
        for n in notes:
            print(f"note: {n}")
        print(f"summary: {state / 'summary.json'}; kubevents log: {kv.stderr_path}")
        return 0 if all(f["lost"] == 0 for f in receivers.values()) else 1
    finally:
        if sampler:
            sampler.stopping.set()
        if creator:
            creator.stopping.set()
        if kv and kv.proc and kv.proc.poll() is None:
            kv.stop(sig=signal.SIGKILL)
        if peer:
            peer.stop()
        if search_env:
            subprocess.run([str(OPENSEARCH_SH), "stop", str(state / "opensearch")], capture_output=True, timeout=120)
        if mounted:
            unmount(data)
        if not args.keep_testenv:
            subprocess.run([str(REPO / "testenv/stop.sh"), str(state / "testenv")], capture_output=True)


if __name__ == "__main__":
    sys.exit(main())
