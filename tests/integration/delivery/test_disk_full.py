"""A full data dir is a state, not a loss (issue #12): with the data dir on a
small tmpfs that something else has nearly filled, kubevents pauses the
watch, answers 503 on /readyz and says `data dir cannot be written` (log,
kubevents_storage_failing); when space returns it resumes, and through a
SIGKILL and a restart every event still arrives.

Needs root (mount -t tmpfs); skipped otherwise. CI runs it as root."""

import collections
import os
import pathlib
import re
import signal
import subprocess

import pytest

from harness import Kubevents, wait_for

TMPFS_BYTES = 8 << 20
LEAVE_FREE = 2 << 20
EVENTS = 2000
MESSAGE = "m" * 1024  # ~1 KiB per event: EVENTS of them do not fit in LEAVE_FREE
BATCH = 50
UNWRITABLE = "data dir cannot be written"


def mount_tmpfs(path, size):
    """Mounts a tmpfs of `size` bytes at path; pytest.skip when that cannot
    be done here (not root, no mount privilege in this container)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs for the data dir (CI runs as root)")
    path.mkdir(parents=True, exist_ok=True)
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"mount -t tmpfs failed here: {res.stderr.strip()}")


def unmount(path):
    if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill(path, leave):
    """A file that takes all free space of path's filesystem but `leave`
    bytes. Returns the file."""
    filler = pathlib.Path(path) / "filler"
    chunk = b"\0" * (64 << 10)
    with open(filler, "wb") as f:
        todo = free_bytes(path) - leave
        while todo > 0:
            f.write(chunk[:min(len(chunk), todo)])
            todo -= min(len(chunk), todo)
        f.flush()
        os.fsync(f.fileno())
    return filler


def metric(text, name):
    """The largest value of metric `name` (any labels) in a /metrics page;
    None if it is not there."""
    values = [float(m.group(1)) for m in re.finditer(rf"^{re.escape(name)}(?:{{[^}}]*}})? (\S+)$", text, re.M)]
    return max(values) if values else None


def delivered(peer, namespace):
    """(name, idempotency key) of every event the peer accepted. Batched
    requests carry the first event's key in the header: each event's own
    is its uid/resourceVersion in the body."""
    out = []
    for rec in peer.received():
        ev = rec.get("event")
        if isinstance(ev, dict) and ev.get("metadata", {}).get("namespace") == namespace:
            out.append((ev["metadata"]["name"], f"{ev['metadata']['uid']}/{ev['metadata']['resourceVersion']}"))
    return out


def test_full_data_dir_pauses_then_resumes_and_loses_nothing(cluster, namespace, webhook_peer, tmp_path):
    folder = tmp_path / "kv"
    data = folder / "data"  # the harness's KUBEVENTS_DATA_DIR
    mount_tmpfs(data, TMPFS_BYTES)
    kv = None
    try:
        filler = fill(data, LEAVE_FREE)
        assert free_bytes(data) <= LEAVE_FREE + (64 << 10)
        kv = Kubevents(cluster, folder, f"""
logLevel: info
maxEventAgeSeconds: 3600
delivery: {{fsync: interval, segmentBytes: 262144}}
route:
  routes:
    - match: [{{namespace: "^{namespace}$", receiver: hook}}]
receivers:
  - name: hook
    delivery: {{batchMaxEvents: {BATCH}, retryInitialBackoffMilliseconds: 100, retryMaxBackoffMilliseconds: 500}}
    webhook:
      endpoint: {webhook_peer.url}
      batch: {{format: array, maxEvents: {BATCH}}}
""")
        kv.start()
        kv.wait_watching()
        # The webhook is down (the peer is not started): everything is
        # spooled, and the spool runs into the full disk.
        names = [f"full-{i:05d}" for i in range(EVENTS)]
        cluster.create_events(namespace, names, message=MESSAGE, reason="DiskFull")

        def unwritable():
            status, body = kv.http_get("/readyz")
            return status == 503 and UNWRITABLE in body
        wait_for(unwritable, timeout=120, interval=0.5, what=f"/readyz 503 saying {UNWRITABLE!r}")
        kv.wait_log(UNWRITABLE, timeout=60)
        wait_for(lambda: metric(kv.http_get("/metrics")[1], "kubevents_storage_failing") == 1, timeout=60,
                 interval=0.5, what="kubevents_storage_failing 1")
        metrics = kv.http_get("/metrics")[1]
        assert metric(metrics, "kubevents_storage_errors_total") >= 1, metrics
        assert kv.proc.poll() is None, kv.log()

        # Space returns: kubevents resumes by itself.
        filler.unlink()
        wait_for(lambda: metric(kv.http_get("/metrics")[1], "kubevents_storage_failing") == 0, timeout=120,
                 interval=0.5, what="kubevents_storage_failing back to 0")
        wait_for(lambda: kv.http_get("/readyz")[0] == 200, timeout=120, interval=0.5, what="/readyz 200 again")

        # The webhook returns; kill kubevents in the middle of the drain.
        webhook_peer.start()
        wait_for(lambda: delivered(webhook_peer, namespace), timeout=120, interval=0.02,
                 what="the first deliveries")
        kv.stop(sig=signal.SIGKILL)
        before_kill = len({n for n, _ in delivered(webhook_peer, namespace)})
        kv.start()
        kv.wait_watching(timeout=120)
        wait_for(lambda: len({n for n, _ in delivered(webhook_peer, namespace)}) >= EVENTS, timeout=600,
                 interval=0.5, what="every event after the restart")
        assert kv.stop() == 0, kv.log()[-3000:]

        got = delivered(webhook_peer, namespace)
        lost = sorted(set(names) - {n for n, _ in got})
        keys = collections.Counter(k for _, k in got)
        duplicated = sum(c - 1 for c in keys.values() if c > 1)
        print(f"\ndisk-full test: {EVENTS} events, {before_kill} delivered before the SIGKILL, "
              f"{len(lost)} lost, {duplicated} duplicate deliveries (bound: one batch, {BATCH})")
        assert lost == []
        assert {n for n, _ in got} == set(names)
        # Only the batch in flight at the kill may come twice.
        assert duplicated <= BATCH
    finally:
        if kv is not None and kv.proc is not None and kv.proc.poll() is None:
            kv.stop(sig=signal.SIGKILL)
        unmount(data)
