"""Issue #13, section 4: a first start on a namespace with many events,
lookups on and the API rate limit low. The initial list is reported as in
progress by /readyz (pages and events so far), never as failed, and it does
not go at the lookups' pace: every listed event is delivered while only a
few of their objects' lookups have been made (listed events use the cache
and do not wait; their lookups fill it for later events)."""

import re

from harness import file_receiver_config, read_lines, wait_for

N = 1200  # three pages of 500


def metric(text, name):
    m = re.search(rf"^kubevents_{name} (\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


def test_a_slow_initial_list_is_ready_in_progress_and_not_paced_by_lookups(
        cluster, namespace, kubevents_factory):
    names = [f"ls-{i:05d}" for i in range(N)]
    # Every event about its own Pod: N distinct lookups to make.
    cluster.create_events(namespace, names, object_of=lambda name: "pod-" + name)
    # One request every 4 s: each page after the first waits for its token,
    # and so does each lookup (in their own bucket).
    extra = f"namespace: {namespace}\nmaxEventAgeSeconds: 3600\nkubeQPS: 0.25\nkubeBurst: 1"
    kv = kubevents_factory(file_receiver_config(namespace, extra=extra))

    seen = []

    def listed():
        status, body = kv.http_get("/readyz")
        line = next((l for l in body.splitlines() if "watch" in l), "")
        seen.append((status, line))
        return "watching events from resourceVersion" in kv.log()

    wait_for(listed, timeout=120, interval=0.1, what="the initial list to end")
    listing = [(s, l) for s, l in seen if "listing events" in l]
    assert listing, seen[-5:]
    assert all("failed" not in l and "not answering" not in l for _, l in seen), seen
    # Pages read while the list went on, reported as progress (ready).
    assert any(s == 200 and re.search(r"listing events: [12] pages, \d+ events read", l)
               for s, l in listing), listing

    wait_for(lambda: len(read_lines(kv.folder / "events.json")) >= N, timeout=60,
             what=f"{N} listed events in the file")
    status, metrics = kv.http_get("/metrics")
    assert status == 200
    looked_up = sum(metric(metrics, f"lookup_{o}_total")
                    for o in ("found", "not_found", "forbidden", "errors"))
    # At one lookup per 4 s, a list that waited for them would still be at
    # its first events.
    assert looked_up < N / 10, looked_up
    # The others went on without waiting (or were not even queued: the
    # lookup queue holds 1024).
    went_on = metric(metrics, "lookup_deferred_total") + metric(metrics, "lookup_skipped_total")
    assert went_on >= N - looked_up - 10, (went_on, looked_up)
    assert metric(metrics, "lookup_timeouts_total") == 0
