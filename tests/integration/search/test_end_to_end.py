"""Events from the test control plane into the real OpenSearch through the
alias `kubernetes-events`, set up exactly as examples/opensearch/ says
(index template for kube-events*, index kube-events behind the alias).
Running kubevents a second time over the same events (a fresh data dir, so
it relists and sends them all again) leaves the document count unchanged:
every document is overwritten in place (its _version goes to 2)."""

import json
import pathlib
import time
import subprocess

import pytest

from harness import REPO, read_lines, unique_name, wait_for

EXAMPLES = REPO / "examples" / "opensearch"


def config(url):
    return f"""
logLevel: info
maxEventAgeSeconds: 3600
dataDir: @DIR@/data
route:
  routes:
    - match:
        - receiver: opensearch
receivers:
  - name: opensearch
    opensearch:
      hosts: [{url}]
      index: kubernetes-events
"""


@pytest.fixture
def alias(search):
    """Runs examples/opensearch/setup.sh against the test node (template with
    replicas 0 on this single node) on a clean slate."""
    search.delete_index("kube-events*")
    template = json.loads((EXAMPLES / "index-template.json").read_text())
    template["template"]["settings"]["number_of_replicas"] = 0
    search.ok("PUT", "/_index_template/kube-events", template)
    r = subprocess.run([str(EXAMPLES / "setup.sh")], capture_output=True, text=True,
                       env={"OPENSEARCH_URL": search.url, "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    yield "kubernetes-events"
    search.delete_index("kube-events*")


def in_namespace(ns):
    return {"term": {"metadata.namespace": ns}}


def test_events_land_in_the_alias_with_typed_fields_and_redelivery_does_not_duplicate(
        cluster, namespace, kubevents_factory, search, alias):
    names = [unique_name("ev") for _ in range(12)]
    for i, name in enumerate(names):
        cluster.create_event(namespace, name, reason="KvSearchTest", message=f"search test {i}",
                             count=i + 1)
    first = kubevents_factory(config(search.url))
    wait_for(lambda: search.count(alias, in_namespace(namespace)) == 12, timeout=90,
             what="12 events in kubernetes-events")

    # The template's types: keyword for names, text for the message, dates, integers.
    mapping = search.ok("GET", "/kube-events/_mapping")["kube-events"]["mappings"]["properties"]
    assert mapping["metadata"]["properties"]["namespace"]["type"] == "keyword"
    assert mapping["reason"]["type"] == "keyword"
    assert mapping["message"]["type"] == "text"
    assert mapping["lastTimestamp"]["type"] == "date"
    assert mapping["count"]["type"] == "integer"
    assert mapping["involvedObject"]["properties"]["kind"]["type"] == "keyword"

    # Queryable by term, full text, number range and date range.
    query = {"bool": {"filter": [in_namespace(namespace), {"term": {"reason": "KvSearchTest"}},
                                 {"range": {"count": {"gte": 7}}},
                                 {"range": {"lastTimestamp": {"gte": "now-1h"}}}],
                      "must": [{"match": {"message": "search"}}]}}
    found = search.ok("POST", f"/{alias}/_search", {"query": query, "size": 20})["hits"]["hits"]
    assert sorted(h["_source"]["metadata"]["name"] for h in found) == sorted(names[6:])
    hit = found[0]
    assert hit["_index"] == "kube-events"
    meta = hit["_source"]["metadata"]
    assert hit["_id"] == f'{meta["uid"]}_{meta["resourceVersion"]}'

    first.stop()
    # A second run from scratch sends everything again; a marker event
    # created after it started arrives after the replay (one worker, in order).
    second = kubevents_factory(config(search.url))
    marker = unique_name("marker")
    cluster.create_event(namespace, marker, reason="KvSearchMarker")
    wait_for(lambda: search.count(alias, {"term": {"metadata.name": marker}}) == 1, timeout=90,
             what="the marker event")
    assert search.count(alias, in_namespace(namespace)) == 13
    hits = search.ok("POST", f"/{alias}/_search",
                     {"query": {"terms": {"metadata.name": names}}, "version": True,
                      "size": 20})["hits"]["hits"]
    assert len(hits) == 12
    assert {h["_version"] for h in hits} == {2}, "the replay did not reach OpenSearch"
    second.stop()
    assert "rejected" not in second.log()


def test_wrong_password_is_dead_lettered_once_not_retried_in_a_loop(
        cluster, namespace, kubevents_factory, search, nginx):
    index = unique_name("kv-badpw")
    search.ok("PUT", f"/{index}", {"settings": {"number_of_shards": 1, "number_of_replicas": 0}})

    def refused():
        # nginx's access log is shared by the session: compare with `before`.
        log = pathlib.Path(nginx["NGINX_ACCESS_LOG"]).read_text()
        return sum(1 for line in log.splitlines() if "/_bulk" in line and '" 401 ' in line)

    before = refused()
    kv = kubevents_factory(f"""
logLevel: info
maxEventAgeSeconds: 3600
dataDir: @DIR@/data
route:
  routes:
    - match:
        - namespace: "^{namespace}$"
          receiver: opensearch
receivers:
  - name: opensearch
    opensearch:
      hosts: [{nginx["NGINX_BASIC_URL"]}]
      index: {index}
      username: {nginx["NGINX_USER"]}
      password: definitely-wrong
      tls: {{caFile: {nginx["NGINX_CA_FILE"]}}}
""")
    for i in range(3):
        cluster.create_event(namespace, unique_name("ev"), reason="KvBadPassword")
    wait_for(lambda: "401" in kv.log() and "authentication" in kv.log(), timeout=60,
             what="the 401 in kubevents' log")
    # The three events may reach the receiver in one, two or three batches:
    # count the refused requests only once every event is dead-lettered.
    dead = kv.folder / "data" / "deadletter" / "opensearch.jsonl"
    wait_for(lambda: len(read_lines(dead)) == 3, timeout=60,
             what="all three events in the dead-letter file")

    seen = refused() - before
    time.sleep(5)  # a retry loop would send several more requests meanwhile
    assert refused() - before == seen, "the refused batch was sent again"
    assert 1 <= seen <= 3, f"{seen} bulk requests refused for 3 events"
    assert "definitely-wrong" not in kv.log()
    assert search.count(index) == 0
    kv.stop()
