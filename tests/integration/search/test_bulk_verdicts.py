"""The search receiver's per-item verdicts against a real OpenSearch 2.19,
driven through search_sink_tool (the sink exactly as kubevents builds it,
sent the way the delivery worker sends: whole batch, then only the items
answered kRetry)."""

import uuid

from search_helpers import make_events


def receiver(url, index, extra=""):
    return f"name: os\nopensearch:\n  hosts: [{url}]\n  index: {index}\n{extra}"


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def one_shard(search, index, mappings=None):
    body = {"settings": {"number_of_shards": 1, "number_of_replicas": 0}}
    if mappings:
        body["mappings"] = mappings
    search.ok("PUT", f"/{index}", body)


def test_same_batch_twice_leaves_the_count_unchanged(search, sink_tool):
    index = unique("kv-idem")
    one_shard(search, index)
    events = make_events(50)
    first, = sink_tool(receiver(search.url, index), events)
    assert first["request"] == "delivered" and first["items"] == [], first
    assert search.count(index) == 50
    again, = sink_tool(receiver(search.url, index), events)
    assert again["request"] == "delivered", again
    assert search.count(index) == 50
    # Each document was overwritten once: version 2, same id "<uid>_<rv>".
    hits = search.ok("POST", f"/{index}/_search", {"version": True, "size": 50})["hits"]["hits"]
    assert {h["_version"] for h in hits} == {2}
    ids = {h["_id"] for h in hits}
    assert ids == {f'{e["metadata"]["uid"]}_{e["metadata"]["resourceVersion"]}' for e in events}


def test_server_assigned_ids_duplicate_on_redelivery(search, sink_tool):
    # The counter-check of the test above: with documentId auto a resend adds documents.
    index = unique("kv-auto")
    one_shard(search, index)
    events = make_events(10)
    sink_tool(receiver(search.url, index, "  documentId: auto\n"), events)
    sink_tool(receiver(search.url, index, "  documentId: auto\n"), events)
    assert search.count(index) == 20


def test_mapping_error_dead_letters_only_that_document(search, sink_tool):
    index = unique("kv-mapping")
    one_shard(search, index, {"properties": {"n": {"type": "long"}}})
    events = make_events(10, message=lambda i: "not-a-number" if i == 6 else str(i))
    layout = "  layout:\n    n: '{{ .Message }}'\n    reason: '{{ .Reason }}'\n"
    out, = sink_tool(receiver(search.url, index, layout), events)
    assert out["request"] == "delivered", out
    assert out["items"] == ["delivered"] * 6 + ["reject"] + ["delivered"] * 3, out
    assert "HTTP 400 mapper_parsing_exception" in out["item_reasons"][6]
    assert "not-a-number" not in out["reason"]  # no event content in logs
    assert search.count(index) == 9


def test_write_queue_rejections_are_retried_alone_and_nothing_is_lost(search, sink_tool):
    # 8 shards on a node with one write thread and a queue of 1: a bulk
    # request's shard-level writes overflow the queue and OpenSearch answers
    # 429 for part of the items.
    index = unique("kv-throttle")
    search.ok("PUT", f"/{index}", {"settings": {"number_of_shards": 8, "number_of_replicas": 0}})
    events = make_events(200)
    rounds = sink_tool(receiver(search.url, index), events, rounds=40)
    first = rounds[0]
    assert first["request"] == "delivered"
    assert "retry" in first["items"], "the node answered no 429 at all: the test proves nothing"
    retried = [r for r in first["item_reasons"] if r]
    assert all("HTTP 429" in r for r in retried), retried[:3]
    # Later rounds send only what was answered 429, and it all arrives.
    assert all(r["sent"] < first["sent"] for r in rounds[1:])
    last = rounds[-1]
    assert last["items"] == [] or set(last["items"]) == {"delivered"}, last
    assert search.count(index) == 200


def test_data_stream_takes_create_with_timestamp_and_a_resend_is_a_conflict(search, sink_tool):
    name = unique("kv-ds")
    search.ok("PUT", f"/_index_template/{name}", {
        "index_patterns": [f"{name}*"], "data_stream": {}, "priority": 500,
        "template": {"settings": {"number_of_shards": 1, "number_of_replicas": 0}}})
    events = make_events(5)
    cfg = receiver(search.url, name, "  opType: create\n")
    first, = sink_tool(cfg, events)
    assert first["request"] == "delivered" and first["items"] == [], first
    again, = sink_tool(cfg, events)
    # 409 version_conflict per item = already there = delivered.
    assert again["request"] == "delivered" and set(again["items"]) == {"delivered"}, again
    assert "5 delivered" in again["reason"]
    assert search.count(name) == 5
    hit = search.ok("POST", f"/{name}/_search", {"size": 1})["hits"]["hits"][0]
    assert hit["_index"].startswith(".ds-")
    assert hit["_source"]["@timestamp"] == "2024-05-01T10:00:00.000Z"


def test_legacy_type_is_dropped_once_the_server_refuses_it(search, sink_tool):
    index = unique("kv-type")
    one_shard(search, index)
    rounds = sink_tool(receiver(search.url, index, "  type: _doc\n"), make_events(3), rounds=2)
    assert rounds[0]["request"] == "retry" and "mapping type refused" in rounds[0]["reason"]
    assert rounds[1]["request"] == "delivered", rounds[1]
    assert "is ignored from now on" in sink_tool.last_stderr
    assert search.count(index) == 3


def test_index_format_with_event_time_names_daily_indices(search, sink_tool):
    prefix = unique("kv-daily")
    cfg = (f"name: os\nopensearch:\n  hosts: [{search.url}]\n"
           f"  indexFormat: '{prefix}-{{2006.01.02}}'\n  indexTime: event\n")
    out, = sink_tool(cfg, make_events(4))
    assert out["request"] == "delivered", out
    assert search.count(f"{prefix}-2024.05.01") == 4


def test_a_dead_host_fails_over_to_the_next(search, sink_tool):
    index = unique("kv-failover")
    one_shard(search, index)
    cfg = f"name: os\nopensearch:\n  hosts: [http://127.0.0.1:9, {search.url}]\n  index: {index}\n"
    out, = sink_tool(cfg, make_events(7))
    assert out["request"] == "delivered", out
    assert "trying the next host" in sink_tool.last_stderr
    assert search.count(index) == 7
