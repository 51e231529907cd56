"""Issue #13, section 2, as a user meets it: an OpenSearch index made by hand
whose mapping refuses the events (here `message` became a date, as dynamic
date detection does when the first document's message looks like a date),
so every event is dead-lettered; the user fixes the index (a new index with
the right mapping behind the same alias), runs `kubevents redrive`, and the
next run delivers every dead letter exactly once, under its own _id.

A mapping error on `message` is not one the search receiver reshapes
(that is only labels and annotations), so these really are dead letters."""

import json
import os
import re
import subprocess
import uuid

from harness import Kubevents, unique_name, wait_for

N = 20


def config(url, alias, namespace):
    return f"""
logLevel: info
route:
  routes:
    - match: [{{namespace: "^{namespace}$", receiver: os}}]
receivers:
  - name: os
    delivery: {{retryInitialBackoffMilliseconds: 100, retryMaxBackoffMilliseconds: 1000}}
    opensearch:
      hosts: [{url}]
      index: {alias}
"""


def redrive(kv, *args):
    env = dict(os.environ, KUBEVENTS_DATA_DIR=str(kv.folder / "data"))
    return subprocess.run([Kubevents.binary(), "redrive", "--receiver", "os", "--config",
                           str(kv.config_path), *args], capture_output=True, text=True,
                          timeout=60, env=env)


def docs_of(search, alias):
    # The indices are this test's own: every document in them.
    search.ok("POST", f"/{alias}/_refresh")
    query = {"query": {"match_all": {}}, "size": 1000, "version": True}
    hits = search.ok("POST", f"/{alias}/_search", query)["hits"]["hits"]
    return {h["_id"]: h for h in hits}


def test_dead_letters_of_a_bad_mapping_are_delivered_once_after_the_fix_and_a_redrive(
        cluster, namespace, search, kubevents_factory):
    base = f"kv-redrive-{uuid.uuid4().hex[:8]}"
    alias = f"{base}-events"
    search.ok("PUT", f"/{base}-1", {
        "settings": {"number_of_shards": 1, "number_of_replicas": 0},
        "mappings": {"properties": {"message": {"type": "date"}}},
        "aliases": {alias: {"is_write_index": True}}})
    try:
        kv = kubevents_factory(config(search.url, alias, namespace))
        kv.wait_watching()
        names = [unique_name("rd") for _ in range(N)]
        for i, name in enumerate(names):
            cluster.create_event(namespace, name, reason="KvRedrive", message=f"back-off {i}")
        dead = kv.folder / "data" / "deadletter" / "os.jsonl"
        wait_for(lambda: dead.exists() and len(dead.read_text().splitlines()) == N, timeout=120,
                 what=f"{N} dead letters")
        assert docs_of(search, alias) == {}
        reasons = [json.loads(line)["reason"] for line in dead.read_text().splitlines()]
        assert all("message" in r for r in reasons), reasons[:2]
        keys = {json.loads(line)["idempotencyKey"] for line in dead.read_text().splitlines()}
        assert len(keys) == N
        kv.stop()

        # The fix: a new index with the right mapping takes the alias's writes.
        search.ok("PUT", f"/{base}-2", {
            "settings": {"number_of_shards": 1, "number_of_replicas": 0},
            "mappings": {"properties": {"message": {"type": "text"}}}})
        search.ok("POST", "/_aliases", {"actions": [
            {"remove": {"index": f"{base}-1", "alias": alias}},
            {"add": {"index": f"{base}-2", "alias": alias, "is_write_index": True}}]})

        res = redrive(kv)
        assert res.returncode == 0, res.stderr
        assert f"queued again {N} dead-lettered events" in res.stderr, res.stderr
        history = (kv.folder / "data" / "deadletter" / "redrive-history.jsonl").read_text()
        assert json.loads(history)["receiver"] == "os"

        again = Kubevents(cluster, kv.folder, config(search.url, alias, namespace))
        again.start()
        try:
            again.wait_watching()
            wait_for(lambda: len(docs_of(search, alias)) >= N, timeout=120,
                     what="the redriven events in OpenSearch")
            docs = docs_of(search, alias)
            # Each once, under its own id: uid_resourceVersion, the key's two
            # parts, and written once (_version 1).
            assert {d["_id"].replace("_", "/") for d in docs.values()} == keys
            assert all(d["_version"] == 1 for d in docs.values()), \
                [d["_version"] for d in docs.values()]
            assert {d["_source"]["metadata"]["name"] for d in docs.values()} == set(names)
            log = again.log()
            assert re.search(rf"receiver os: delivering the {N} dead letters queued again by "
                             r"kubevents redrive at \S+", log), log[-3000:]
            status, metrics = again.http_get("/metrics")
            assert status == 200
            assert f'kubevents_deadletter_redriven_events_total{{receiver="os"}} {N}' in metrics
            assert f'kubevents_receiver_delivered_total{{receiver="os"}} {N}' in metrics
        finally:
            again.stop()
        assert dead.read_text() == ""
    finally:
        search.delete_index(f"{base}-*")
