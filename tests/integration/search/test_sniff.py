"""Node sniffing (`sniff: true`) against the real OpenSearch: kubevents asks
GET /_nodes/http, turns each node's http.publish_address into a URL and
sends its bulks there instead of the configured hosts.

The configured host is a small forwarding proxy written here (in front of
the real node), an address the node does not publish itself: once sniffing
worked, bulks go straight to the node (127.0.0.1:<port>, what
testenv/opensearch.sh's `network.host: 127.0.0.1` makes it publish) and the
proxy sees none of them. The same proxy can refuse /_nodes with 403 (a user
without cluster:monitor/nodes/info): kubevents then keeps the configured
hosts, warns, and delivers through them."""

import http.client
import http.server
import socket
import threading
import time
import urllib.parse
import uuid

import pytest

from harness import unique_name, wait_for
from search_helpers import make_events
from test_sigv4 import ACCESS_KEY, REGION, SECRET_KEY, aws_env


class ForwardingProxy:
    """Forwards every request to `upstream`; records "METHOD path" of each;
    answers 403 to /_nodes requests when `refuse_nodes`."""

    def __init__(self, upstream, refuse_nodes=False):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.refuse_nodes = refuse_nodes
        self.seen = []
        self.authorization = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                proxy.seen.append(f"{self.command} {self.path}")
                proxy.authorization.append(self.headers.get("Authorization", ""))
                if proxy.refuse_nodes and self.path.startswith("/_nodes"):
                    payload = (b'{"error":{"type":"security_exception","reason":"no permissions '
                               b'for [cluster:monitor/nodes/info]"},"status":403}')
                    self.send_response(403)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port,
                                                  timeout=120)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "connection", "authorization")}
                conn.request(self.command, self.path, body=body, headers=headers)
                r = conn.getresponse()
                payload = r.read()
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                conn.close()

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, userinfo=""):
        return f"http://{userinfo}127.0.0.1:{self.port}"

    def count(self, prefix):
        return sum(1 for s in list(self.seen) if s.startswith(prefix))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxies(search):
    made = []

    def make(refuse_nodes=False):
        p = ForwardingProxy(search.url, refuse_nodes)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node_url(search):
    """What the node publishes, as kubevents should reach it."""
    return "http://127.0.0.1:" + str(urllib.parse.urlsplit(search.url).port)


def make_index(search, prefix):
    index = f"{prefix}-{uuid.uuid4().hex[:8]}"
    search.ok("PUT", f"/{index}", {"settings": {"number_of_shards": 1, "number_of_replicas": 0}})
    return index


def config(hosts, index, extra=""):
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
      hosts: [{", ".join(hosts)}]
      index: {index}
      sniff: true
{extra}"""


def wait_landed(kv, search, index, namespace, n):
    try:
        wait_for(lambda: search.count(index, in_namespace(namespace)) == n, timeout=120,
                 what=f"{n} events in {index}")
    except AssertionError as e:
        raise AssertionError(f"{e}\nkubevents log:\n{kv.log()[-4000:]}") from None


def in_namespace(ns):
    return {"term": {"metadata.namespace.keyword": ns}}  # dynamic mapping: text + keyword


def test_sniffed_node_replaces_the_configured_hosts(cluster, namespace, kubevents_factory, search,
                                                     proxies):
    proxy = proxies()
    index = make_index(search, "kv-sniff")
    dead = f"http://127.0.0.1:{free_port()}"
    # user:password@ in the URL is carried to the sniffed nodes and never logged.
    kv = kubevents_factory(config([dead, proxy.url("kube:sniff-secret-pw@")], index))
    for i in range(5):
        cluster.create_event(namespace, unique_name("sniff"), reason="KvSniff", message=f"m {i}")
    wait_landed(kv, search, index, namespace, 5)
    kv.wait_log(f"receiver opensearch: sniffed 1 nodes: {node_url(search)}")
    # Sniffed through the proxy (the dead host first failed), then every bulk
    # went straight to the published node.
    assert proxy.count("GET /_nodes/http") == 1, proxy.seen
    assert proxy.count("POST /_bulk") == 0, proxy.seen
    assert proxy.authorization[0].startswith("Basic "), proxy.authorization
    assert "sniff-secret-pw" not in kv.log()
    assert "sniffing failed" not in kv.log()


def test_refused_sniffing_keeps_delivering_to_the_configured_hosts(
        cluster, namespace, kubevents_factory, search, proxies):
    proxy = proxies(refuse_nodes=True)
    index = make_index(search, "kv-sniff-refused")
    kv = kubevents_factory(config([proxy.url()], index, "      sniffIntervalSeconds: 1\n"))
    cluster.create_event(namespace, unique_name("sniff"), reason="KvSniff", message="first")
    wait_landed(kv, search, index, namespace, 1)
    kv.wait_log(f"receiver opensearch: sniffing failed (GET {proxy.url()}/_nodes/http: HTTP 403); "
                f"keeping the hosts {proxy.url()}")
    assert proxy.count("POST /_bulk") >= 1, proxy.seen
    # A later batch, more than sniffIntervalSeconds later, sniffs again (and
    # still delivers).
    wait_for(lambda: proxy.count("GET /_nodes/http") >= 1, timeout=30, what="a first sniff")
    first = proxy.count("GET /_nodes/http")
    time.sleep(1.5)
    cluster.create_event(namespace, unique_name("sniff"), reason="KvSniff", message="second")
    wait_landed(kv, search, index, namespace, 2)
    assert proxy.count("GET /_nodes/http") > first, proxy.seen
    assert "sniffed" not in kv.log()


def sigv4_config(url, index):
    return (f"name: os\nopensearch:\n  hosts: [{url}]\n  index: {index}\n  sniff: true\n"
            f"  aws: {{region: {REGION}, service: es}}\n")


def test_sniff_request_is_sigv4_signed(search, sigv4_proxy, sink_tool):
    index = make_index(search, "kv-sniff-sigv4")
    proxy = sigv4_proxy("es", ACCESS_KEY, SECRET_KEY, REGION)
    out, = sink_tool(sigv4_config(proxy.url, index), make_events(4), env=aws_env())
    assert out["request"] == "delivered", out
    stats = proxy.stats()
    # botocore accepted the signed GET /_nodes/http; the bulk then went to the
    # sniffed node directly.
    assert stats == {**stats, "accepted": 1, "rejected": 0}, stats
    assert f"sniffed 1 nodes: {node_url(search)}" in sink_tool.last_stderr, sink_tool.last_stderr
    assert search.count(index) == 4


def test_badly_signed_sniff_is_refused_and_only_warned(search, sigv4_proxy, sink_tool):
    index = make_index(search, "kv-sniff-sigv4-bad")
    proxy = sigv4_proxy("es", ACCESS_KEY, SECRET_KEY, REGION)
    out, = sink_tool(sigv4_config(proxy.url, index), make_events(2),
                     env=aws_env(secret="not-the-secret-key"))
    # The sniff's 403 is a warning; the batch's verdict is the bulk's own (403: reject).
    assert out["request"] == "reject" and "HTTP 403" in out["reason"], out
    assert "sniffing failed" in sink_tool.last_stderr and "HTTP 403" in sink_tool.last_stderr
    assert "not-the-secret-key" not in sink_tool.last_stderr
    assert proxy.stats()["rejected"] == 2, proxy.stats()
