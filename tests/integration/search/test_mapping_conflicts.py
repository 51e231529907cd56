"""An index made by hand (no template), whose dynamic mapping the first
events decided, against events whose labels no longer fit it: the sink
resends the refused documents reshaped (keys de-dotted, then the maps as
text; docs/receivers/opensearch.md#mapping-conflicts) and nothing is
dead-lettered. Driven through search_sink_tool, the sink as kubevents
builds it."""

import uuid

from search_helpers import make_events


def receiver(url, index):
    # deDot false: the default, as in the reference.
    return f"name: os\nopensearch:\n  hosts: [{url}]\n  index: {index}\n"


def by_hand(search):
    index = f"kv-by-hand-{uuid.uuid4().hex[:8]}"
    search.ok("PUT", f"/{index}", {"settings": {"number_of_shards": 1, "number_of_replicas": 0}})
    return index


def labelled(events, where, labels, annotations=None):
    for e in events:
        target = e["involvedObject"] if where == "involvedObject" else e["metadata"]
        target["labels"] = dict(labels)
        if annotations:
            target["annotations"] = dict(annotations)
    return events


def doc_id(e):
    return f'{e["metadata"]["uid"]}_{e["metadata"]["resourceVersion"]}'


def fetch(search, index, events):
    search.ok("POST", f"/{index}/_refresh")
    answer = search.ok("POST", f"/{index}/_mget", {"ids": [doc_id(e) for e in events]})
    return {d["_id"]: d.get("_source") for d in answer["docs"] if d.get("found")}


def test_app_label_after_an_app_object_is_delivered_as_text(search, sink_tool):
    index = by_hand(search)
    seed = labelled(make_events(1, start_rv=100), "involvedObject",
                    {"app.kubernetes.io/name": "shop", "app.kubernetes.io/part-of": "store"})
    first, = sink_tool(receiver(search.url, index), seed)
    assert first["request"] == "delivered" and first["items"] == [], first
    mapping = search.ok("GET", f"/{index}/_mapping")[index]["mappings"]["properties"]
    assert "properties" in mapping["involvedObject"]["properties"]["labels"]["properties"]["app"]

    events = labelled(make_events(30, start_rv=200), "involvedObject", {"app": "web"},
                      {"kubernetes.io/change-cause": "deploy"})
    out, = sink_tool(receiver(search.url, index), events)
    assert out["request"] == "delivered", out
    assert "reject" not in out["items"] and "retry" not in out["items"], out
    assert "30 sent again reshaped after a mapping conflict, 30 taken" in out["reason"], out
    assert "set deDot: true on the receiver" in sink_tool.last_stderr, sink_tool.last_stderr

    docs = fetch(search, index, events)
    assert set(docs) == {doc_id(e) for e in events}  # every event, under its own _id
    for d in docs.values():
        assert "labels" not in d["involvedObject"], d
        assert d["involvedObject"]["labelsText"] == '{"app":"web"}', d
        assert d["involvedObject"]["annotationsText"] == '{"kubernetes_io/change-cause":"deploy"}'
    assert search.count(index) == 31


def test_dotted_label_after_an_app_text_is_delivered_de_dotted(search, sink_tool):
    index = by_hand(search)
    seed = labelled(make_events(1, start_rv=100), "metadata", {"app": "web"})
    first, = sink_tool(receiver(search.url, index), seed)
    assert first["items"] == [], first

    events = labelled(make_events(10, start_rv=300), "metadata", {"app.kubernetes.io/name": "web"})
    # Half the batch fits as it is, and must be left alone.
    fits = labelled(make_events(10, start_rv=400), "metadata", {"team": "a"})
    out, = sink_tool(receiver(search.url, index), events + fits)
    assert out["request"] == "delivered", out
    assert "reject" not in out["items"] and "retry" not in out["items"], out
    assert "10 sent again reshaped after a mapping conflict, 10 taken" in out["reason"], out

    docs = fetch(search, index, events + fits)
    assert set(docs) == {doc_id(e) for e in events + fits}
    for e in events:
        assert docs[doc_id(e)]["metadata"]["labels"] == {"app_kubernetes_io/name": "web"}
    for e in fits:
        assert docs[doc_id(e)]["metadata"]["labels"] == {"team": "a"}


def test_mapping_errors_a_reshape_does_not_cure_are_still_dead_lettered(search, sink_tool):
    index = by_hand(search)
    search.ok("PUT", f"/{index}/_mapping", {"properties": {"count": {"type": "boolean"}}})
    events = labelled(make_events(3, start_rv=500), "metadata", {"app": "web"})
    for e in events:
        e["count"] = 7  # not a boolean: reshaped twice in vain, then rejected
    out, = sink_tool(receiver(search.url, index), events)
    assert out["items"] == ["reject"] * 3, out
    assert all("HTTP 400" in r for r in out["item_reasons"]), out
