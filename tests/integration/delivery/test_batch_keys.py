"""A webhook receiver's own batch keys (`batch: {format, maxEvents}`) set
what goes on the wire without `delivery.batchMaxEvents` (issue #19, item 4).

100 events reach two webhook receivers, one with `format: array` and one
with `format: ndjson`, both `maxEvents: 20`, each posting to a local HTTP
server of this test. What the worker guarantees, and what is asserted:

- no request carries more than 20 events (the receiver's maxEvents);
- a batch is what is waiting when the worker takes it (no linger), so the
  sizes depend on timing. To make them certain, each server refuses (503)
  until every event is spooled: the worker retries its first batch (k
  events, 1 <= k <= 20, whatever was waiting at the first take) as it was,
  and once that is accepted every later take finds at least 20 waiting.
  So the requests are exactly k, then 20s, then the rest: 1 + ceil((100 -
  k) / 20) requests, at least one of them with 20 events;
- all 100 events arrive, each once.

A third receiver (`format: array, maxEvents: 20`) also sets
`delivery.batchMaxEvents: 10`, which still works as documented: the
smaller of the two, 10, is its batch.

Nothing here asserts how long anything takes."""

import json
import math
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import wait_for

EVENTS = 100
MAX_EVENTS = 20
# name: (batch.format, extra delivery keys, events per full request)
RECEIVERS = {
    "array": ("array", "", MAX_EVENTS),
    "ndjson": ("ndjson", "", MAX_EVENTS),
    "lowered": ("array", "batchMaxEvents: 10, ", 10),
}


class BatchPeer:
    """A local HTTP server that answers 503 while `holding`, else 200, and
    records each accepted request's Content-Type, the shape of its body
    ("array", "ndjson" or "object") and the event names it carries."""

    def __init__(self):
        self.lock = threading.Lock()
        self.holding = True
        self.refused = 0
        self.accepted = []  # (content type, body shape, [event names]) per request
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with peer.lock:
                    if peer.holding:
                        peer.refused += 1
                        status = 503
                    else:
                        ctype = self.headers.get("Content-Type", "")
                        if ctype.startswith("application/x-ndjson"):
                            lines = body.decode().splitlines()
                            docs, shape = [json.loads(line) for line in lines if line], "ndjson"
                        else:
                            docs, shape = json.loads(body), "array"
                            if not isinstance(docs, list):
                                docs, shape = [docs], "object"
                        names = [d["metadata"]["name"] for d in docs]
                        peer.accepted.append((ctype, shape, names))
                        status = 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/ingest"

    def refused_count(self):
        with self.lock:
            return self.refused

    def release(self):
        with self.lock:
            self.holding = False

    def requests(self):
        with self.lock:
            return list(self.accepted)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def metric(text, name, receiver):
    m = re.search(rf'^{re.escape(name)}\{{[^}}]*receiver="{re.escape(receiver)}"[^}}]*\}} (\S+)$', text, re.M)
    return float(m.group(1)) if m else None


def test_a_webhooks_own_batch_keys_set_the_events_per_request(cluster, namespace, kubevents_factory):
    peers = {name: BatchPeer() for name in RECEIVERS}
    try:
        receivers = "".join(f"""
  - name: {name}
    delivery: {{{RECEIVERS[name][1]}retryInitialBackoffMilliseconds: 50, retryMaxBackoffMilliseconds: 200}}
    webhook:
      endpoint: {peer.url}
      batch: {{format: {RECEIVERS[name][0]}, maxEvents: {MAX_EVENTS}}}
""" for name, peer in peers.items())
        routes = "".join(f'\n    - match: [{{namespace: "^{namespace}$", receiver: {r}}}]' for r in peers)
        kv = kubevents_factory(f"""
logLevel: info
route:
  routes:{routes}
receivers:{receivers}""")
        kv.wait_watching()
        names = [f"batch-{i:03d}" for i in range(EVENTS)]
        cluster.create_events(namespace, names)

        # Every event spooled for every receiver, and a retry refused after
        # that: the worker holds its first batch, the rest is readable.
        def spooled():
            _, text = kv.http_get("/metrics")
            return all((metric(text, "kubevents_receiver_spooled_total", r) or 0) >= EVENTS for r in peers)
        wait_for(spooled, timeout=120, what="every event in every spool")
        seen = {r: peer.refused_count() for r, peer in peers.items()}
        wait_for(lambda: all(peers[f].refused_count() > seen[f] for f in peers), timeout=60,
                 what="a refused retry after every event was spooled")
        for peer in peers.values():
            peer.release()

        def arrived(r):
            return sum(len(n) for _, _, n in peers[r].requests()) >= EVENTS
        wait_for(lambda: all(arrived(f) for f in peers), timeout=120, what="every event at every peer")
        kv.stop()

        for rname, peer in peers.items():
            fmt, _, full = RECEIVERS[rname]
            requests = peer.requests()
            sizes = [len(n) for _, _, n in requests]
            got = [name for _, _, n in requests for name in n]
            assert sorted(got) == names, f"{rname}: each event once"
            expected_type = "application/x-ndjson" if fmt == "ndjson" else "application/json"
            assert all(t.startswith(expected_type) and shape == fmt for t, shape, _ in requests), \
                (rname, [(t, shape) for t, shape, _ in requests])
            assert max(sizes) == full, (rname, sizes)
            first = sizes[0]
            assert 1 <= first <= full, (rname, sizes)
            assert len(sizes) == 1 + math.ceil((EVENTS - first) / full), (rname, sizes)
            assert all(s == full for s in sizes[1:-1]), (rname, sizes)
    finally:
        for peer in peers.values():
            peer.stop()
