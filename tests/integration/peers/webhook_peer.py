#!/usr/bin/env python3
"""A scriptable HTTP receiver for kubevents's webhook delivery tests.

Standalone, Python 3 standard library only. Start it as

    python3 webhook_peer.py --port 0 [--record FILE] [--state-file PATH]

(at least one of the two files; --record defaults to PATH.records.jsonl)

It prints ``PORT=<n>`` as the first line on stdout (flushed), then serves
until killed (SIGTERM/SIGINT).

Receiving: a POST (or PUT/PATCH) to any path other than ``/_control`` is a
delivery. Its body is parsed as JSON: an array gives one record per
element, an object one record; a body that is not one JSON value is read as
NDJSON (one record per non-empty line). Each accepted record is appended to
``--record`` as one JSON line::

    {"event": <the parsed JSON>, "idempotency_key": <X-Kubevents-Idempotency-Key or null>,
     "index": <position in its request>, "path": "/...", "request": <request number>}

A request is accepted (and recorded) only when it is answered 200
``{"ok":true}``; a refused request records nothing, so after a test the
record holds exactly what the peer took.

Control: ``POST /_control`` with a JSON object (every key optional)::

    {"mode": "ok"}                       answer 200 to everything (the start state)
    {"mode": "status", "status": 503, "retry_after": "2", "count": N}
                                         answer `status` (with Retry-After when given) to the
                                         next N deliveries (all of them when count is absent),
                                         then go back to "ok"
    {"reject_if_contains": "SOMESTRING"} answer 400 {"error":"bad document"} to any delivery
                                         whose raw body contains it; null or "" clears it
    {"mode": "refuse"}                   stop listening and exit (the test sees refused
                                         connections; simplest is to stop the process)

``GET /_stats`` returns JSON counts: requests (deliveries seen), accepted
(requests answered 200), records (lines written), rejected (400s), failed
(scripted error statuses), mode, remaining (scripted answers left).

``--state-file PATH``: after each change the stats are also written there
(atomically, JSON), so a test can read them without HTTP.
"""

import argparse
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

IDEMPOTENCY_HEADER = "X-Kubevents-Idempotency-Key"


class State:
    def __init__(self, record_path, state_path):
        self.lock = threading.Lock()
        self.record_path = record_path
        self.state_path = state_path
        self.mode = "ok"
        self.status = 200
        self.retry_after = None
        self.remaining = None  # None: until told otherwise
        self.reject_if_contains = None
        self.counts = {"requests": 0, "accepted": 0, "records": 0, "rejected": 0, "failed": 0}

    def stats(self):
        out = dict(self.counts)
        out["mode"] = self.mode
        out["remaining"] = self.remaining
        return out

    def save(self):
        if not self.state_path:
            return
        tmp = self.state_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.stats(), f)
        os.replace(tmp, self.state_path)


def parse_records(body):
    """The records a body carries: array elements, one object, or NDJSON lines."""
    text = body.decode("utf-8")
    try:
        value = json.loads(text)
    except ValueError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return value if isinstance(value, list) else [value]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as kubevents's libcurl client expects
    state = None  # set in main()

    def log_message(self, fmt, *args):  # quiet: the test reads the record instead
        pass

    def answer(self, status, payload, extra_headers=()):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        if self.path.split("?")[0] == "/_stats":
            with self.state.lock:
                self.answer(200, self.state.stats())
        else:
            self.answer(404, {"error": "not found"})

    def do_POST(self):
        body = self.read_body()
        if self.path.split("?")[0] == "/_control":
            self.control(body)
        else:
            self.deliver(body)

    do_PUT = do_POST
    do_PATCH = do_POST

    def control(self, body):
        try:
            cmd = json.loads(body or b"{}")
            if not isinstance(cmd, dict):
                raise ValueError("expected an object")
        except ValueError as e:
            self.answer(400, {"error": str(e)})
            return
        st = self.state
        with st.lock:
            if "reject_if_contains" in cmd:
                st.reject_if_contains = cmd["reject_if_contains"] or None
            mode = cmd.get("mode")
            if mode == "ok":
                st.mode, st.status, st.retry_after, st.remaining = "ok", 200, None, None
            elif mode == "status":
                st.mode = "status"
                st.status = int(cmd.get("status", 503))
                ra = cmd.get("retry_after")
                st.retry_after = None if ra is None else str(ra)
                st.remaining = None if cmd.get("count") is None else int(cmd["count"])
            elif mode == "refuse":
                st.mode = "refuse"
            elif mode is not None:
                self.answer(400, {"error": "unknown mode %r" % mode})
                return
            st.save()
            stats = st.stats()
        self.answer(200, stats)
        if mode == "refuse":
            # Stop accepting connections: close the listening socket and exit.
            threading.Thread(target=self.server.shutdown, daemon=True).start()

    def deliver(self, body):
        st = self.state
        with st.lock:
            st.counts["requests"] += 1
            number = st.counts["requests"]
            if st.reject_if_contains and st.reject_if_contains.encode() in body:
                st.counts["rejected"] += 1
                st.save()
                self.answer(400, {"error": "bad document"})
                return
            if st.mode == "status" and (st.remaining is None or st.remaining > 0):
                if st.remaining is not None:
                    st.remaining -= 1
                    if st.remaining == 0:
                        st.mode, st.remaining = "ok", None
                st.counts["failed"] += 1
                st.save()
                headers = [("Retry-After", st.retry_after)] if st.retry_after else []
                self.answer(st.status, {"error": "scripted status"}, headers)
                return
            try:
                records = parse_records(body)
            except ValueError:
                st.counts["rejected"] += 1
                st.save()
                self.answer(400, {"error": "bad document"})
                return
            key = self.headers.get(IDEMPOTENCY_HEADER)
            path = self.path
            with open(st.record_path, "a") as f:
                for i, rec in enumerate(records):
                    f.write(json.dumps({"event": rec, "idempotency_key": key, "index": i,
                                        "path": path, "request": number}) + "\n")
                f.flush()
                os.fsync(f.fileno())
            st.counts["accepted"] += 1
            st.counts["records"] += len(records)
            st.save()
        self.answer(200, {"ok": True})


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--record", help="JSON lines file of accepted records "
                    "(default: STATE_FILE.records.jsonl)")
    ap.add_argument("--state-file", help="JSON stats rewritten after each change")
    args = ap.parse_args(argv)
    if args.record is None:
        if args.state_file is None:
            ap.error("give --record FILE or --state-file PATH")
        args.record = args.state_file + ".records.jsonl"
    Handler.state = State(args.record, args.state_file)
    open(args.record, "a").close()
    Handler.state.save()
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print("PORT=%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
