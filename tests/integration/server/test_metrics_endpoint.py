"""The HTTP endpoint (server::HttpServer) and the Prometheus text format of
server::Registry, read by the official Prometheus Python client's parser
(prometheus_client.parser, PyPI): no Prometheus server runs on this machine,
so the protocol's reference client library is the peer.

tests/tools/metrics_tool serves a registry with every kind of metric and
awkward label values."""

import os
import pathlib
import signal
import subprocess
import urllib.error
import urllib.request

import pytest
from prometheus_client import parser  # scripts/install-deps.sh installs it

from harness import REPO, wait_for


def tool():
    build = pathlib.Path(os.environ.get("KUBEVENTS_BUILD_DIR", REPO / "build"))
    path = build / "tests/tools/metrics_tool"
    if not path.exists():
        pytest.fail(f"{path} is not built: ninja -C {build} metrics_tool (or set KUBEVENTS_BUILD_DIR)")
    return str(path)


@pytest.fixture
def served(tmp_path):
    ready = tmp_path / "ready"
    out = tmp_path / "out"
    with open(out, "wb") as f:
        proc = subprocess.Popen([tool(), "--ready-file", str(ready)], stdout=f,
                                stderr=subprocess.DEVNULL)
    try:
        line = wait_for(lambda: out.read_text().split("\n")[0] if "\n" in out.read_text() else None,
                        timeout=30, what="the tool to listen")
        assert line.startswith("PORT "), line
        yield f"http://127.0.0.1:{int(line.split()[1])}", ready, proc, out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type"), resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read().decode()


def test_metrics_parse_with_the_official_client(served):
    base, _, _, _ = served
    status, ctype, text = get(base + "/metrics")
    assert status == 200
    assert ctype == "text/plain; version=0.0.4; charset=utf-8"
    families = {f.name: f for f in parser.text_string_to_metric_families(text)}

    # The client strips a counter's _total from the family name.
    events = families["kubevents_events"]
    assert events.type == "counter"
    assert events.documentation == "Events seen.\nA second line with \\."
    assert [(s.name, s.value) for s in events.samples] == [("kubevents_events_total", 1234567)]

    assert families["kubevents_temperature_celsius"].samples[0].value == -12.5
    assert families["kubevents_big_bytes"].samples[0].value == 123456789012

    sent = {s.labels["receiver"]: (s.labels["kind"], s.value)
            for s in families["kubevents_sent"].samples}
    assert sent == {"opensearch": ("opensearch", 10), "we\"ird\\name\nline": ("file", 3)}

    hist = families["kubevents_send_duration_seconds"]
    assert hist.type == "histogram"
    buckets = {s.labels["le"]: s.value for s in hist.samples if s.name.endswith("_bucket")}
    assert buckets == {"0.01": 1, "0.1": 3, "1": 4, "10": 5, "+Inf": 6}
    by_name = {s.name: s.value for s in hist.samples}
    assert by_name["kubevents_send_duration_seconds_count"] == 6
    assert by_name["kubevents_send_duration_seconds_sum"] == pytest.approx(55.605)

    assert families["kubevents_watcher_events_received"].samples[0].value == 42
    lag = families["kubevents_watcher_lag_seconds"].samples[0]
    assert lag.labels == {"source": "core/v1"} and lag.value == 0.25
    assert families["kubevents_metrics_label_sets_refused"].samples[0].value == 0


def test_health_readiness_and_unknown_paths(served):
    base, ready, _, _ = served
    for path in ("/healthz", "/-/healthy"):
        assert get(base + path)[::2] == (200, "ok\n")
    for path in ("/readyz", "/-/ready"):
        status, _, body = get(base + path)
        assert status == 503
        assert body.startswith("[-]ready-file failed: waiting for ")
    ready.write_text("")
    status, _, body = get(base + "/readyz")
    assert (status, body) == (200, "[+]ready-file ok\nready\n")
    assert get(base + "/nothing-here")[0] == 404


def test_sigterm_stops_the_server(served):
    base, _, proc, out = served
    assert get(base + "/healthz")[0] == 200
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert "STOPPED" in out.read_text()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(base + "/healthz", timeout=5)
