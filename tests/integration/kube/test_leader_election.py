"""Lease-based leader election (kube::LeaderElector) and the ConfigMap value
store (kube::ConfigMapStore) against the real kube-apiserver of testenv/.

The processes are tests/tools/lease_tool, which runs one elector and prints
"<unix ms> LEADING|STOPPED|NEW_LEADER|EXIT <identity>" lines. Durations are
shortened (lease 6 s, renew deadline 4 s, retry 1 s) to keep the tests short;
assertions are about who leads and in which order things happen, with
generous timeouts, never about how fast."""

import os
import pathlib
import signal
import subprocess

import pytest

from harness import REPO, unique_name, wait_for

LEASE_MS, RENEW_MS, RETRY_MS = 6000, 4000, 1000


def tool():
    build = pathlib.Path(os.environ.get("KUBEVENTS_BUILD_DIR", REPO / "build"))
    path = build / "tests/tools/lease_tool"
    if not path.exists():
        pytest.fail(f"{path} is not built: ninja -C {build} lease_tool (or set KUBEVENTS_BUILD_DIR)")
    return str(path)


class Candidate:
    """One lease_tool elect process."""

    def __init__(self, cluster, namespace, name, identity, folder, lease_ms=LEASE_MS,
                 renew_ms=RENEW_MS, retry_ms=RETRY_MS):
        self.identity = identity
        self.out_path = folder / f"{identity}.out"
        self.err_path = folder / f"{identity}.err"
        self.out = open(self.out_path, "wb")
        self.err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(
            [tool(), "elect", "--kubeconfig", cluster.kubeconfig, "--namespace", namespace,
             "--name", name, "--identity", identity, "--lease-ms", str(lease_ms),
             "--renew-ms", str(renew_ms), "--retry-ms", str(retry_ms)],
            stdout=self.out, stderr=self.err)

    def events(self):
        """[(ms, what, who)] printed so far."""
        out = []
        for line in self.out_path.read_text().splitlines():
            parts = line.split(" ", 2)
            if len(parts) == 3:
                out.append((int(parts[0]), parts[1], parts[2]))
        return out

    def first(self, what):
        for ms, w, _ in self.events():
            if w == what:
                return ms
        return None

    def leading(self):
        """Whether the last LEADING/STOPPED line says it leads."""
        state = False
        for _, w, _ in self.events():
            if w == "LEADING":
                state = True
            elif w == "STOPPED":
                state = False
        return state

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=60):
        return self.proc.wait(timeout=timeout)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.out.close()
        self.err.close()

    def log(self):
        return self.err_path.read_text(errors="replace")


@pytest.fixture
def candidates(cluster, namespace, tmp_path):
    started = []
    name = unique_name("lease")

    def start(identity, **kwargs):
        c = Candidate(cluster, namespace, name, identity, tmp_path, **kwargs)
        started.append(c)
        return c

    start.lease_name = name
    yield start
    for c in started:
        c.close()


def lease(cluster, namespace, name):
    return cluster.kubectl_json("get", "lease", name, "-n", namespace)


def one_leader(cands):
    leaders = [c for c in cands if c.leading()]
    return leaders[0] if len(leaders) == 1 else None


def test_exactly_one_of_two_leads_and_the_lease_names_it(cluster, namespace, candidates):
    a = candidates("cand-a")
    b = candidates("cand-b")
    leader = wait_for(lambda: one_leader([a, b]), timeout=60, what="a leader")
    other = b if leader is a else a
    # Several retry periods later, still one leader, and both know who it is.
    wait_for(lambda: (leader.identity in [who for _, w, who in other.events() if w == "NEW_LEADER"]),
             timeout=30, what="the other candidate to observe the leader")
    assert not other.leading(), other.events()
    assert leader.leading()
    obj = lease(cluster, namespace, candidates.lease_name)
    assert obj["spec"]["holderIdentity"] == leader.identity
    assert obj["spec"]["leaseDurationSeconds"] == LEASE_MS // 1000
    assert obj["spec"]["renewTime"].endswith("Z") and "." in obj["spec"]["renewTime"]  # MicroTime
    # The leader keeps renewing (its write over the now stale version gets a
    # 409, it reads again) and keeps what others put in the metadata.
    cluster.kubectl("annotate", "lease", candidates.lease_name, "-n", namespace, "team=observability")
    annotated = lease(cluster, namespace, candidates.lease_name)["spec"]["renewTime"]

    def renewed():
        o = lease(cluster, namespace, candidates.lease_name)
        return o if o["spec"]["renewTime"] != annotated else None

    obj = wait_for(renewed, timeout=30, what="a renewal after the annotation")
    assert obj["metadata"]["annotations"]["team"] == "observability"
    assert obj["spec"]["holderIdentity"] == leader.identity
    assert not other.leading()
    assert "stepping down" not in a.log() + b.log()


def test_killed_leader_is_replaced_only_after_its_lease_expires(cluster, namespace, candidates):
    a = candidates("kill-a")
    b = candidates("kill-b")
    leader = wait_for(lambda: one_leader([a, b]), timeout=60, what="a leader")
    other = b if leader is a else a
    wait_for(lambda: other.first("NEW_LEADER"), timeout=30, what="the other to see the leader")
    leader.signal(signal.SIGKILL)
    leader.wait()
    # The lease as the dead leader last renewed it (nobody else may write yet).
    before = lease(cluster, namespace, candidates.lease_name)
    assert before["spec"]["holderIdentity"] == leader.identity
    wait_for(other.leading, timeout=90, what="the survivor to take over")
    after = lease(cluster, namespace, candidates.lease_name)
    assert after["spec"]["holderIdentity"] == other.identity
    assert after["spec"]["leaseTransitions"] == before["spec"]["leaseTransitions"] + 1
    # Safety, not speed: the take-over cannot start before the dead leader's
    # last renewal plus the lease duration (same host clock for both).
    renew = parse_micro(before["spec"]["renewTime"])
    acquired = parse_micro(after["spec"]["acquireTime"])
    assert acquired >= renew + before["spec"]["leaseDurationSeconds"] * 1_000_000, (before, after)


def test_terminated_leader_hands_over_without_overlap(cluster, namespace, candidates):
    # A long lease: a successor that had to wait for it to expire would be
    # caught by the deadline check below; a release lets it take over in
    # about a retry period.
    long_lease = dict(lease_ms=120000, renew_ms=20000, retry_ms=1000)
    a = candidates("term-a", **long_lease)
    b = candidates("term-b", **long_lease)
    leader = wait_for(lambda: one_leader([a, b]), timeout=60, what="a leader")
    other = b if leader is a else a
    wait_for(lambda: other.first("NEW_LEADER"), timeout=30, what="the other to see the leader")
    leader.signal(signal.SIGTERM)
    assert leader.wait(timeout=60) == 0, leader.log()
    assert leader.first("STOPPED") is not None and leader.first("EXIT") is not None
    released = lease(cluster, namespace, candidates.lease_name)
    # Either still released, or already taken by the successor.
    assert released["spec"].get("holderIdentity", "") in ("", other.identity)
    wait_for(other.leading, timeout=60, what="the successor to lead (well before the 120 s lease)")
    # No overlap: the old leader had stopped before the new one started.
    assert leader.first("STOPPED") <= other.first("LEADING")
    obj = lease(cluster, namespace, candidates.lease_name)
    assert obj["spec"]["holderIdentity"] == other.identity
    assert obj["spec"]["leaseDurationSeconds"] == 120


def test_leader_that_cannot_renew_steps_down_and_leads_again_later(cluster, namespace,
                                                                   candidates):
    a = candidates("outage-a")
    wait_for(a.leading, timeout=60, what="the only candidate to lead")
    # With the API server gone, no renewal succeeds: the leader must stop
    # on its own (renew deadline) rather than go on exporting blind.
    cluster.apiserver("stop", kill=True)
    try:
        wait_for(lambda: a.first("STOPPED"), timeout=60, what="the leader to step down")
        assert a.proc.poll() is None  # still running: campaigning again
    finally:
        cluster.apiserver("start")
    # The Lease still names it, so it takes it again once the server is back.
    wait_for(lambda: sum(1 for _, w, _ in a.events() if w == "LEADING") >= 2 and a.leading(),
             timeout=120, what="the candidate to lead again")
    assert "stepping down" in a.log()
    assert lease(cluster, namespace, candidates.lease_name)["spec"]["holderIdentity"] == a.identity


def parse_micro(text):
    """Microseconds since the epoch of a metav1.MicroTime."""
    from datetime import datetime, timezone
    dt = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return int(dt.timestamp()) * 1_000_000 + dt.microsecond


def cm(cluster, namespace, name, *args, check=True):
    res = subprocess.run([tool(), args[0], "--kubeconfig", cluster.kubeconfig, "--namespace",
                          namespace, "--name", name, *args[1:]], capture_output=True, timeout=60)
    return res


def test_configmap_store_round_trips_small_and_large_values(cluster, namespace, tmp_path):
    name = unique_name("ckpt")
    assert cm(cluster, namespace, name, "cm-load", "--key", "checkpoint").returncode == 3  # absent

    small = tmp_path / "small.json"
    small.write_text('{"resourceVersion":"12345","emitted":[]}')
    res = cm(cluster, namespace, name, "cm-save", "--key", "checkpoint", "--file", str(small))
    assert res.returncode == 0, res.stderr
    obj = cluster.kubectl_json("get", "configmap", name, "-n", namespace)
    assert obj["data"]["checkpoint"] == small.read_text()  # small values stay readable
    res = cm(cluster, namespace, name, "cm-load", "--key", "checkpoint")
    assert res.returncode == 0 and res.stdout.decode() == small.read_text()

    # A large value (over the plain limit, over the 1 MiB object limit raw)
    # goes compressed to binaryData; the other key is kept.
    big = tmp_path / "big.json"
    lines = [f'{{"uid":"{os.urandom(16).hex()}","resourceVersion":"{i}"}}' for i in range(25000)]
    big.write_text("[" + ",".join(lines) + "]")
    assert big.stat().st_size > 1024 * 1024
    res = cm(cluster, namespace, name, "cm-save", "--key", "emitted", "--file", str(big))
    assert res.returncode == 0, res.stderr
    obj = cluster.kubectl_json("get", "configmap", name, "-n", namespace)
    assert "emitted" in obj["binaryData"] and "emitted" not in obj["data"]
    assert obj["data"]["checkpoint"] == small.read_text()
    back = tmp_path / "back.json"
    res = cm(cluster, namespace, name, "cm-load", "--key", "emitted", "--file", str(back))
    assert res.returncode == 0, res.stderr
    assert back.read_bytes() == big.read_bytes()

    # Incompressible and too large: refused, nothing written.
    noise = tmp_path / "noise.bin"
    noise.write_bytes(os.urandom(1024 * 1024))
    res = cm(cluster, namespace, name, "cm-save", "--key", "emitted", "--file", str(noise))
    assert res.returncode == 1 and b"too large" in res.stderr, res.stderr
    res = cm(cluster, namespace, name, "cm-load", "--key", "emitted", "--file", str(back))
    assert res.returncode == 0 and back.read_bytes() == big.read_bytes()


def test_configmap_store_second_writer_gets_a_conflict(cluster, namespace):
    name = unique_name("race")
    res = cm(cluster, namespace, name, "cm-race", "--key", "checkpoint")
    assert res.returncode == 0, res.stderr
    out = res.stdout.decode().splitlines()
    # Both read the same (absent) state; the first write wins, the second is
    # refused rather than overwriting; after reading again it may write.
    assert out == ["A ok", "B conflict", "B-saw written by A", "B-retry ok", "FINAL written by B"], out
    obj = cluster.kubectl_json("get", "configmap", name, "-n", namespace)
    assert obj["data"]["checkpoint"] == "written by B"
