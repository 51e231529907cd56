"""Delivery that loses nothing and doubles nothing, against the real control
plane: the durable spool, retries, the checkpoint across kills and long
stops, overflow policies and the dead-letter file.

Events are counted by idempotency key (uid/resourceVersion): a webhook
receiver sends it in X-Kubevents-Idempotency-Key (recorded by the peer), a
file receiver's lines carry uid and resourceVersion."""

import collections
import json
import os
import random
import signal
import threading
import time

import pytest

from harness import read_lines, wait_for


def key_of(event):
    return event["metadata"]["uid"] + "/" + event["metadata"]["resourceVersion"]


def file_keys(path, namespace):
    return [key_of(e) for e in read_lines(path) if e["metadata"]["namespace"] == namespace]


def webhook_keys(peer, namespace):
    out = []
    for rec in peer.received():
        ev = rec.get("body") or rec.get("event") or rec
        if isinstance(ev, dict) and ev.get("metadata", {}).get("namespace") == namespace:
            out.append(rec.get("idempotency_key") or key_of(ev))
    return out


def two_receiver_config(namespace, webhook_url, delivery="", webhook_delivery=""):
    return f"""
logLevel: info
clusterName: test-cluster
maxEventAgeSeconds: 3600
{delivery}
route:
  routes:
    - match: [{{namespace: "^{namespace}$", receiver: hook}}]
    - match: [{{namespace: "^{namespace}$", receiver: dump}}]
receivers:
  - name: hook
    {webhook_delivery}
    webhook:
      endpoint: {webhook_url}
  - name: dump
    file:
      path: "@DIR@/events.json"
"""


def summary_counts(kv, receiver):
    """The numbers in the shutdown summary line of `receiver`."""
    for line in reversed(kv.log().splitlines()):
        marker = f"receiver {receiver}: "
        if marker in line and "delivered" in line:
            part = line.split(marker, 1)[1]
            nums = {}
            for chunk in part.split(","):
                words = chunk.strip().split(" ", 1)
                if words[0].isdigit():
                    nums[words[1]] = int(words[0])
            return nums
    raise AssertionError(f"no summary for {receiver} in log:\n{kv.log()[-3000:]}")


def test_outage_of_one_receiver_loses_nothing_and_does_not_stall_the_other(
        cluster, namespace, kubevents_factory, webhook_peer):
    """Acceptance 1: 10k events while the webhook is down (connection
    refused, then 503s, then 429 with Retry-After) all arrive exactly once
    per idempotency key; the file receiver keeps delivering meanwhile."""
    n = 10000
    kv = kubevents_factory(two_receiver_config(
        namespace, webhook_peer.url,
        webhook_delivery="delivery: {retryInitialBackoffMilliseconds: 100, retryMaxBackoffMilliseconds: 2000, batchMaxEvents: 100}"))
    kv.wait_watching()
    names = [f"out-{i:05d}" for i in range(n)]
    cluster.create_events(namespace, names)
    # The other receiver has everything while the webhook is still refused.
    wait_for(lambda: len(set(file_keys(kv.folder / "events.json", namespace))) >= n, timeout=300,
             what="the file receiver to get every event during the outage")
    assert webhook_peer.proc is None
    # Now the peer answers, but with errors first.
    webhook_peer.start()
    webhook_peer.control(mode="status", status=503, count=5)
    wait_for(lambda: webhook_peer.stats().get("failed", 0) >= 5,
             timeout=120, what="503 answers")
    webhook_peer.control(mode="status", status=429, retry_after="1", count=3)
    wait_for(lambda: len(set(webhook_keys(webhook_peer, namespace))) >= n, timeout=600,
             what="the webhook to receive every event after recovering")
    kv.stop()
    got = webhook_keys(webhook_peer, namespace)
    dupes = [k for k, c in collections.Counter(got).items() if c > 1]
    assert len(set(got)) == n
    assert dupes == []
    assert len(file_keys(kv.folder / "events.json", namespace)) == n
    log = kv.log()
    assert "delivery failing" in log  # the outage was logged
    assert "delivery recovered after" in log  # and its end
    assert "<html" not in log.lower()


def test_sigkill_twenty_times_loses_nothing_and_duplicates_only_in_flight_batches(
        cluster, namespace, kubevents_factory, tmp_path):
    """Acceptance 2: SIGKILL at random moments 20 times while 20k events are
    created and delivered. Everything arrives at least once; duplicates are
    only events of batches in flight at a kill (same idempotency key)."""
    n = int(os.environ.get("KUBEVENTS_KILL_TEST_EVENTS", "20000"))
    kills = 20
    batch = 50
    config = f"""
logLevel: info
maxEventAgeSeconds: 3600
delivery: {{batchMaxEvents: {batch}, batchLingerMilliseconds: 20}}
route:
  routes:
    - match: [{{namespace: "^{namespace}$", receiver: dump}}]
receivers:
  - name: dump
    file:
      path: "@DIR@/events.json"
"""
    kv = kubevents_factory(config)
    kv.wait_watching()
    out = kv.folder / "events.json"
    names = [f"kill-{i:05d}" for i in range(n)]
    creator = threading.Thread(target=cluster.create_events, args=(namespace, names))
    creator.start()
    rng = random.Random(4242)
    for k in range(kills):
        time.sleep(rng.uniform(0.3, 2.5))
        kv.stop(sig=signal.SIGKILL)
        kv.start()
        kv.wait_watching(timeout=120)
    creator.join()
    wait_for(lambda: len(set(file_keys(out, namespace))) >= n, timeout=600,
             what="every event to be delivered after the last restart")
    kv.stop()
    got = file_keys(out, namespace)
    counts = collections.Counter(got)
    duplicated = sum(c - 1 for c in counts.values() if c > 1)
    print(f"\nSIGKILL test: {n} events, {kills} kills, {len(set(got))} delivered, "
          f"{duplicated} duplicate deliveries (bound: {kills} x {batch} in flight)")
    assert len(set(got)) == n
    # A kill can only repeat what was in flight: at most one batch per kill.
    assert duplicated <= kills * batch
    # And every line is a whole event with its own key (no torn duplicates).
    assert all(k.count("/") == 1 for k in got)


def test_long_stop_loses_nothing_and_reemits_nothing(cluster, namespace, kubevents_factory):
    """Acceptance 3: stop the exporter for minutes while events keep coming
    (under the API server's one-hour TTL), restart: nothing lost, nothing
    re-emitted. KUBEVENTS_OFFLINE_SECONDS sets how long (default 600)."""
    offline = int(os.environ.get("KUBEVENTS_OFFLINE_SECONDS", "600"))
    kv = kubevents_factory(f"""
logLevel: info
maxEventAgeSeconds: 5
route:
  routes:
    - match: [{{namespace: "^{namespace}$", receiver: dump}}]
receivers:
  - name: dump
    file:
      path: "@DIR@/events.json"
""")
    kv.wait_watching()
    out = kv.folder / "events.json"
    cluster.create_events(namespace, [f"before-{i:04d}" for i in range(200)])
    wait_for(lambda: len(file_keys(out, namespace)) >= 200, timeout=120, what="first 200 events")
    kv.stop()
    # Offline: events keep coming, some old ones are updated (count bump).
    deadline = time.monotonic() + offline
    created = 0
    while time.monotonic() < deadline:
        cluster.create_events(namespace, [f"during-{created + i:05d}" for i in range(20)], threads=2)
        created += 20
        time.sleep(min(5, max(0, deadline - time.monotonic())))
    kv.start()
    kv.wait_watching(timeout=120)
    cluster.create_event(namespace, "after-marker")
    wait_for(lambda: any(e["metadata"]["name"] == "after-marker" for e in read_lines(out)),
             timeout=120, what="the marker after the restart")
    wait_for(lambda: len(set(file_keys(out, namespace))) >= 200 + created + 1, timeout=120,
             what="every event created while stopped")
    kv.stop()
    got = file_keys(out, namespace)
    assert len(got) == len(set(got)), "an event was emitted twice across the stop"
    assert len(set(got)) == 200 + created + 1
    # maxEventAgeSeconds (5 s) did not apply on the restart: the checkpoint did.
    names = {e["metadata"]["name"] for e in read_lines(out)}
    assert f"during-{0:05d}" in names


def test_full_spool_under_block_slows_the_watch_and_loses_nothing(
        cluster, namespace, kubevents_factory, webhook_peer):
    """Acceptance 4a: with a tiny spool and the receiver down, the watcher
    waits (back-pressure); when the receiver returns everything arrives."""
    n = 1500
    kv = kubevents_factory(f"""
logLevel: info
maxEventAgeSeconds: 3600
route:
  routes:
    - match: [{{namespace: "^{namespace}$", receiver: hook}}]
receivers:
  - name: hook
    delivery: {{maxSpoolBytes: 262144, overflow: block, retryInitialBackoffMilliseconds: 100,
                retryMaxBackoffMilliseconds: 500, batchMaxEvents: 100}}
    webhook:
      endpoint: {webhook_peer.url}
""")
    kv.wait_watching()
    cluster.create_events(namespace, [f"blk-{i:05d}" for i in range(n)])
    kv.wait_log("spool full", timeout=120)
    webhook_peer.start()
    wait_for(lambda: len(set(webhook_keys(webhook_peer, namespace))) >= n, timeout=300,
             what="every event after the receiver returned")
    kv.stop()
    got = webhook_keys(webhook_peer, namespace)
    assert len(set(got)) == n and len(got) == n
    assert summary_counts(kv, "hook").get("dropped") == 0


def test_a_full_spool_of_a_dead_receiver_blocks_neither_reload_nor_shutdown(
        cluster, namespace, kubevents_factory, webhook_peer, tmp_path):
    """The watcher waits for room in a full spool (overflow: block) without
    holding up the rest: a config edit that fixes the dead endpoint takes
    effect and drains the spool, and SIGTERM while it waits stops cleanly
    (exit 0); what it was waiting to spool comes again at the next start."""
    from peer_clients import WebhookPeer
    down = WebhookPeer(tmp_path / "down")  # never started: connection refused
    n = 1500

    def config(endpoint, ns):
        return f"""
logLevel: info
maxEventAgeSeconds: 3600
route:
  routes:
    - match: [{{namespace: "^{ns}$", receiver: hook}}]
receivers:
  - name: hook
    delivery: {{maxSpoolBytes: 262144, overflow: block, retryInitialBackoffMilliseconds: 100,
                retryMaxBackoffMilliseconds: 500, batchMaxEvents: 100}}
    webhook:
      endpoint: {endpoint}
"""
    # Reload while blocked.
    kv = kubevents_factory(config(down.url, namespace))
    kv.wait_watching()
    cluster.create_events(namespace, [f"rl-{i:05d}" for i in range(n)])
    kv.wait_log("spool full", timeout=120)
    webhook_peer.start()
    kv.config_path.write_text(config(webhook_peer.url, namespace))
    kv.wait_log("config reloaded", timeout=60)
    wait_for(lambda: len({k for k in webhook_keys(webhook_peer, namespace)}) >= n, timeout=300,
             what="every event once the endpoint was fixed")

    kv.stop()
    got = webhook_keys(webhook_peer, namespace)
    assert len(set(got)) == n and len(got) == n

    # Shutdown while blocked, then a restart with a live endpoint (events
    # of a namespace of its own, so its first list is not the ones above).
    ns2 = namespace + "-b"
    cluster.kubectl("create", "namespace", ns2)
    try:
        kv2 = kubevents_factory(config(down.url, ns2))
        kv2.wait_watching()
        cluster.create_events(ns2, [f"st-{i:05d}" for i in range(n)])
        kv2.wait_log("spool full", timeout=120)
        assert kv2.stop(timeout=120) == 0, "kubevents did not stop cleanly while its spool was full"
        kv2.config_path.write_text(config(webhook_peer.url, ns2))
        kv2.start()
        wait_for(lambda: len(set(webhook_keys(webhook_peer, ns2))) >= n, timeout=300,
                 what="every event after the restart")
        kv2.stop()
        got = webhook_keys(webhook_peer, ns2)
        assert len(set(got)) == n
        assert len(got) == n, "an event was delivered twice"
    finally:
        cluster.kubectl("delete", "namespace", ns2, "--wait=false", check=False)


def test_drop_oldest_counts_every_drop_exactly(cluster, namespace, kubevents_factory, webhook_peer):
    """Acceptance 4b: under drop-oldest, delivered + dropped = created."""
    n = 1500
    kv = kubevents_factory(f"""
logLevel: info
maxEventAgeSeconds: 3600
route:
  routes:
    - match: [{{namespace: "^{namespace}$", receiver: hook}}]
receivers:
  - name: hook
    delivery: {{maxSpoolBytes: 262144, overflow: drop-oldest, retryInitialBackoffMilliseconds: 100,
                retryMaxBackoffMilliseconds: 500, batchMaxEvents: 100}}
    webhook:
      endpoint: {webhook_peer.url}
""")
    kv.wait_watching()
    cluster.create_events(namespace, [f"drp-{i:05d}" for i in range(n)])
    wait_for(lambda: kv.folder.joinpath("data").exists(), what="data dir")
    # Let the watcher see every event (they overflow the spool meanwhile).
    kv.wait_log("dropped", timeout=120)
    time.sleep(3)
    webhook_peer.start()
    time.sleep(5)

    def settled():
        return webhook_peer.stats().get("records", 0)
    before = -1
    while settled() != before:
        before = settled()
        time.sleep(3)
    kv.stop()
    counts = summary_counts(kv, "hook")
    got = webhook_keys(webhook_peer, namespace)
    assert len(got) == len(set(got))
    assert counts["dropped"] > 0
    assert len(got) + counts["dropped"] == n, (len(got), counts)


def test_a_bad_document_is_dead_lettered_and_does_not_block_later_events(
        cluster, namespace, kubevents_factory, webhook_peer):
    """Acceptance 5: a 400 "bad document" goes to the dead-letter file; the
    events after it are delivered."""
    webhook_peer.start()
    webhook_peer.control(reject_if_contains="POISON")
    kv = kubevents_factory(f"""
logLevel: info
route:
  routes:
    - match: [{{namespace: "^{namespace}$", receiver: hook}}]
receivers:
  - name: hook
    webhook:
      endpoint: {webhook_peer.url}
""")
    kv.wait_watching()
    cluster.create_event(namespace, "bad-one", message="this one is POISON")
    for i in range(5):
        cluster.create_event(namespace, f"good-{i}")
    wait_for(lambda: len(webhook_keys(webhook_peer, namespace)) >= 5, timeout=60,
             what="the good events")
    dead = kv.folder / "data" / "deadletter" / "hook.jsonl"
    wait_for(dead.exists, timeout=30, what="the dead-letter file")
    kv.stop()
    lines = [json.loads(line) for line in dead.read_text().splitlines()]
    assert len(lines) == 1
    assert lines[0]["event"]["metadata"]["name"] == "bad-one"
    assert "400" in lines[0]["reason"]
    assert lines[0]["idempotencyKey"] == key_of(lines[0]["event"])
    names = {rec_name for rec_name in
             (r.get("body", r.get("event", r))["metadata"]["name"] for r in webhook_peer.received())}
    assert names == {f"good-{i}" for i in range(5)}
    assert summary_counts(kv, "hook")["dead-lettered"] == 1
