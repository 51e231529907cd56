"""The watch pipeline against the real control plane: real controller
events, updates, relists, and an API server restart."""

import collections
import json
import os
import subprocess
import threading
import time

import pytest

from harness import REPO, file_receiver_config, now_rfc3339, read_lines, wait_for

GEN_DIR = REPO / "tests/testdata/event/gen"


def reference_shape(cluster, events_list):
    """The reference exporter's JSON for each item, made by Go code
    (tests/testdata/event/gen) with k8s.io/api and encoding/json."""
    res = subprocess.run(["go", "run", "."], cwd=GEN_DIR, input=json.dumps(events_list),
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "GOFLAGS": "-mod=mod"})
    return [json.loads(line) for line in res.stdout.splitlines()]


def keys_in_order(obj):
    if isinstance(obj, dict):
        return [(k, keys_in_order(v)) for k, v in obj.items()]
    if isinstance(obj, list):
        return [keys_in_order(v) for v in obj]
    return None


def test_deployment_events_are_exported_once_in_the_reference_shape(cluster, namespace, kubevents_factory):
    kv = kubevents_factory(file_receiver_config(namespace))
    kv.wait_watching()
    subprocess.run([str(REPO / "testenv/workload.sh"), namespace, "2"], check=True,
                   capture_output=True, env={**os.environ, "KUBEVENTS_TESTENV_STATE": str(cluster.state)})
    out = kv.folder / "events.json"

    def reasons():
        return {line["reason"] for line in read_lines(out)}

    wait_for(lambda: {"ScalingReplicaSet", "SuccessfulCreate", "FailedScheduling"} <= reasons(),
             timeout=90, what="the controllers' events in the file receiver")
    # Let the controllers settle, then stop kubevents so the file is final.
    time.sleep(3)
    kv.stop()
    lines = read_lines(out)

    # Exactly once per (uid, resourceVersion).
    keys = collections.Counter((l["metadata"]["uid"], l["metadata"]["resourceVersion"]) for l in lines)
    dupes = [k for k, n in keys.items() if n > 1]
    assert not dupes, f"emitted more than once: {dupes}"

    # Every event the API server has for the namespace was exported, at its
    # current version or an earlier one.
    server = cluster.kubectl_json("get", "events", "-n", namespace)
    exported_uids = {uid for uid, _ in keys}
    for item in server["items"]:
        assert item["metadata"]["uid"] in exported_uids, item["reason"]

    # The reference shape, byte for byte in content and key order, for every
    # line whose version the server still has.
    by_key = {(i["metadata"]["uid"], i["metadata"]["resourceVersion"]): i for i in server["items"]}
    matching = [l for l in lines if (l["metadata"]["uid"], l["metadata"]["resourceVersion"]) in by_key]
    assert matching
    items = [dict(by_key[(l["metadata"]["uid"], l["metadata"]["resourceVersion"])]) for l in matching]
    for item in items:
        # kubectl adds these to list items; the reference's informer objects lack them.
        item.pop("kind", None)
        item.pop("apiVersion", None)
    want = reference_shape(cluster, {"items": items})
    for got, exp in zip(matching, want):
        # The reference shape with its enrichment left empty: compare all
        # but the enrichment fields here, and those against the objects below.
        bare = json.loads(json.dumps(got))
        for key in ENRICHMENT_FIELDS:
            bare["involvedObject"].pop(key, None)
        bare["involvedObject"]["deleted"] = False
        assert bare == exp
        assert keys_in_order(bare) == keys_in_order(exp)
        assert list(got["involvedObject"])[-1] == "deleted"
        assert_enriched_from_the_object(cluster, got["involvedObject"])


ENRICHMENT_FIELDS = ("labels", "annotations", "ownerReferences", "deleted")


def assert_enriched_from_the_object(cluster, involved):
    """The involved object's labels and owner references as the server has
    them now (the workload's objects exist and keep them; annotations may
    have been added since the lookup, so those are a subset)."""
    resource = {"Pod": "pod", "ReplicaSet": "replicaset.apps", "Deployment": "deployment.apps"}
    obj = cluster.kubectl_json("get", resource[involved["kind"]], involved["name"],
                               "-n", involved["namespace"])["metadata"]
    assert involved["deleted"] is False
    assert involved.get("labels") == obj.get("labels"), involved
    assert involved.get("ownerReferences") == obj.get("ownerReferences"), involved
    for k, v in involved.get("annotations", {}).items():
        assert obj.get("annotations", {}).get(k) == v, (k, involved)


def test_count_bump_is_one_update_and_an_unchanged_relist_emits_nothing(cluster, namespace,
                                                                         kubevents_factory):
    kv = kubevents_factory(file_receiver_config(namespace))
    kv.wait_watching()
    out = kv.folder / "events.json"
    cluster.create_event(namespace, "bump-me", reason="Bumped", count=1)
    wait_for(lambda: any(l["metadata"]["name"] == "bump-me" for l in read_lines(out)),
             what="the new event")

    status, obj = cluster.api("PATCH", f"/api/v1/namespaces/{namespace}/events/bump-me",
                              {"count": 2, "lastTimestamp": now_rfc3339()},
                              content_type="application/merge-patch+json")
    assert status == 200, obj
    wait_for(lambda: any(l["metadata"]["name"] == "bump-me" and l.get("count") == 2
                         for l in read_lines(out)), what="the update with count 2")

    # Force a relist through 410 Gone: kill the API server (the watch
    # breaks without a clean close), compact etcd past every resourceVersion
    # kubevents has seen, start it again; the resumed watch is refused.
    before = read_lines(out)
    cluster.apiserver("stop", kill=True)
    cluster.etcd_compact()
    cluster.apiserver("start")
    kv.wait_log("relisting", timeout=120)
    # A marker event created after the relist proves the pipeline is live
    # again; by then any re-emission from the relist would be in the file.
    cluster.create_event(namespace, "marker", reason="Marker")
    wait_for(lambda: any(l["metadata"]["name"] == "marker" for l in read_lines(out)),
             timeout=120, what="the marker event after the relist")
    after = read_lines(out)
    new_lines = after[len(before):]
    assert [l["metadata"]["name"] for l in new_lines] == ["marker"], new_lines
    bumps = [l for l in after if l["metadata"]["name"] == "bump-me"]
    assert [b.get("count") for b in bumps] == [1, 2]


def test_api_server_kill_and_restart_loses_and_duplicates_nothing(cluster, namespace, kubevents_factory):
    kv = kubevents_factory(file_receiver_config(namespace))
    kv.wait_watching()
    out = kv.folder / "events.json"
    total = 300
    created = []
    errors = []

    def creator():
        deadline = time.monotonic() + 240
        try:
            for i in range(total):
                cluster.create_event(namespace, f"storm-{i:04d}", reason="Storm", retry_until=deadline)
                created.append(i)
        except Exception as e:  # reported by the assertion below
            errors.append(e)

    t = threading.Thread(target=creator)
    t.start()
    wait_for(lambda: len(created) >= total // 3, what="a third of the events to be created")
    cluster.apiserver("stop", kill=True)
    time.sleep(2)  # events cannot be created meanwhile; the creator retries
    cluster.apiserver("start")
    t.join(timeout=300)
    assert not errors, errors
    assert len(created) == total

    def storm_names():
        return [l["metadata"]["name"] for l in read_lines(out) if l["reason"] == "Storm"]

    wait_for(lambda: len(set(storm_names())) >= total, timeout=120,
             what=f"all {total} events in the file receiver")
    time.sleep(2)
    names = storm_names()
    counts = collections.Counter(names)
    assert len(counts) == total
    assert max(counts.values()) == 1, [n for n, c in counts.items() if c > 1]
    assert "reconnecting the watch" in kv.log() or "relisting" in kv.log()
