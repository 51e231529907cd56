"""Count bumps do not spam chat (issue #13, section 3).

Three events are created, then each one's count is bumped three times in
quick succession (PATCH count and lastTimestamp, as the API server's event
recorder does), so the watcher emits each event once as new and three
times as an update. Two receivers get every event of the namespace:

- a `chime` receiver with no `updates` key: the chat kinds' default,
  `throttled` every 5 minutes, so it posts one message per event (the first
  occurrence, count 1) and none for the bumps, which all come well inside
  the interval;
- a `file` receiver (`all`, the default of stores and streams), which
  writes every version: counts 1, 2, 3, 4 for each event;
- a second `chime` receiver with `updates: all` (the behaviour before the
  policy existed), which posts every bump.

The chime peer is a local HTTP server of this test. A marker event created
after the bumps is the barrier: a receiver's worker delivers in spool
order, so once the marker reached the chime peer, any update routed to it
would have arrived before. Nothing here asserts how long anything takes."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import now_rfc3339, read_lines, wait_for

EVENTS = ["bump-a", "bump-b", "bump-c"]
BUMPS = 3


class ChimePeer:
    """A local Chime webhook: records each message's Content by path,
    answers 200."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = {}  # path -> [Content]
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with peer.lock:
                    path = self.path.split("?")[0]
                    peer.messages.setdefault(path, []).append(json.loads(body)["Content"])
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, room):
        return f"http://127.0.0.1:{self.server.server_address[1]}/{room}?token=t"

    def received(self, room):
        with self.lock:
            return list(self.messages.get(f"/{room}", []))

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def config(namespace, peer):
    return f"""
logLevel: debug
route:
  routes:
    - match:
        - {{namespace: "^{namespace}$", receiver: chat}}
        - {{namespace: "^{namespace}$", receiver: dump}}
        - {{namespace: "^{namespace}$", receiver: chat-all}}
receivers:
  - name: chat
    chime:
      endpoint: "{peer.url('chat')}"
      message: "{{{{ .Name }}}} count={{{{ .Count }}}}"
  - name: chat-all
    updates: all
    chime:
      endpoint: "{peer.url('chat-all')}"
      message: "{{{{ .Name }}}} count={{{{ .Count }}}}"
  - name: dump
    file:
      path: "@DIR@/events.json"
"""


def test_chime_gets_one_message_per_event_while_a_file_gets_every_count_bump(
        cluster, namespace, kubevents_factory):
    peer = ChimePeer()
    try:
        kv = kubevents_factory(config(namespace, peer))
        kv.wait_watching()
        out = kv.folder / "events.json"
        for name in EVENTS:
            cluster.create_event(namespace, name, reason="FailedScheduling", count=1,
                                 type_="Warning")
        for count in range(2, 2 + BUMPS):
            for name in EVENTS:
                status, obj = cluster.api(
                    "PATCH", f"/api/v1/namespaces/{namespace}/events/{name}",
                    {"count": count, "lastTimestamp": now_rfc3339()},
                    content_type="application/merge-patch+json")
                assert status == 200, obj

        def counts():
            by_name = {name: [] for name in EVENTS}
            for line in read_lines(out):
                if line["metadata"]["name"] in by_name:
                    by_name[line["metadata"]["name"]].append(line.get("count"))
            return by_name

        every = list(range(1, 2 + BUMPS))
        wait_for(lambda: all(c == every for c in counts().values()),
                 what=f"counts {every} of every event in the file receiver")
        assert counts() == {name: every for name in EVENTS}

        cluster.create_event(namespace, "marker", reason="Marker")
        for room in ("chat", "chat-all"):
            wait_for(lambda: "marker count=1" in peer.received(room),
                     what=f"the marker event in the chime room {room}")
        messages = peer.received("chat")
        assert sorted(messages) == sorted([f"{name} count=1" for name in EVENTS] +
                                          ["marker count=1"]), messages
        # One request per event in spool order: each event's counts in order.
        messages = peer.received("chat-all")
        for name in EVENTS:
            assert [m for m in messages if m.startswith(name + " ")] == [
                f"{name} count={c}" for c in every], messages

        status, metrics = kv.http_get("/metrics")
        assert status == 200
        assert f"kubevents_events_updates_suppressed_total {len(EVENTS) * BUMPS}" in metrics, [
            line for line in metrics.splitlines() if "updates" in line]
    finally:
        peer.stop()
