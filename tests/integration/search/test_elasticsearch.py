"""The `elasticsearch` receiver against a real Elasticsearch 8.17 (its
integ-test zip from Maven Central, security on, a file-realm superuser).

That zip lacks the modules API keys and data streams need (analysis-common
for the security index, x-pack data-streams), so the API key header is
checked through nginx (test_search_auth.py) and data streams against OpenSearch
(test_bulk_verdicts.py), whose bulk API is the same."""

import uuid

from search_helpers import make_events


def block(es, index, password=None, extra=""):
    return (f"name: es\nelasticsearch:\n  hosts: [{es.url}]\n  index: {index}\n"
            f"  username: {es.env['OPENSEARCH_USER']}\n"
            f"  password: {password or es.env['OPENSEARCH_PASSWORD']}\n{extra}")


def test_bulk_with_basic_auth_is_delivered_once_per_event(elasticsearch, sink_tool):
    index = f"kv-es-{uuid.uuid4().hex[:8]}"
    elasticsearch.ok("PUT", f"/{index}", {"settings": {"number_of_shards": 1,
                                                       "number_of_replicas": 0}})
    events = make_events(30)
    out, = sink_tool(block(elasticsearch, index), events)
    assert out["request"] == "delivered" and out["items"] == [], out
    again, = sink_tool(block(elasticsearch, index), events)
    assert again["request"] == "delivered", again
    assert elasticsearch.count(index) == 30


def test_mapping_error_and_legacy_type(elasticsearch, sink_tool):
    index = f"kv-es-map-{uuid.uuid4().hex[:8]}"
    elasticsearch.ok("PUT", f"/{index}", {
        "settings": {"number_of_shards": 1, "number_of_replicas": 0},
        "mappings": {"properties": {"n": {"type": "long"}}}})
    events = make_events(4, message=lambda i: "x" if i == 2 else str(i))
    cfg = block(elasticsearch, index, extra="  type: _doc\n  layout:\n    n: '{{ .Message }}'\n")
    rounds = sink_tool(cfg, events, rounds=2)
    # Elasticsearch 8 refuses `_type`: dropped with a warning, then resent.
    assert rounds[0]["request"] == "retry" and "mapping type refused" in rounds[0]["reason"]
    assert rounds[1]["items"] == ["delivered", "delivered", "reject", "delivered"], rounds[1]
    assert "document_parsing_exception" in rounds[1]["item_reasons"][2] or \
        "mapper_parsing_exception" in rounds[1]["item_reasons"][2], rounds[1]
    assert elasticsearch.count(index) == 3


def test_wrong_password_is_rejected(elasticsearch, sink_tool):
    index = f"kv-es-pw-{uuid.uuid4().hex[:8]}"
    out, = sink_tool(block(elasticsearch, index, password="wrong-password"), make_events(2))
    assert out["request"] == "reject" and "HTTP 401" in out["reason"], out
    assert "wrong-password" not in out["reason"]
