"""Unit test of webhook_peer.py: starts the real script and talks HTTP to it.

Runs under pytest or as `python3 -m unittest tests/integration/peers/test_webhook_peer.py`.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

PEER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "webhook_peer.py")


class WebhookPeerTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.record = os.path.join(self.dir.name, "rec.jsonl")
        self.state = os.path.join(self.dir.name, "state.json")
        self.proc = subprocess.Popen(
            [sys.executable, PEER, "--port", "0", "--record", self.record,
             "--state-file", self.state],
            stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        self.assertTrue(line.startswith("PORT="), line)
        self.base = "http://127.0.0.1:%s" % line[5:]

    def tearDown(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()
        self.dir.cleanup()

    def post(self, path, body, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method="POST",
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, dict(r.headers), json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), json.loads(e.read() or b"null")

    def records(self):
        with open(self.record) as f:
            return [json.loads(line) for line in f]

    def stats(self):
        with urllib.request.urlopen(self.base + "/_stats", timeout=10) as r:
            return json.loads(r.read())

    def test_object_array_and_ndjson_bodies_are_recorded_one_line_per_event(self):
        key = {"X-Kubevents-Idempotency-Key": "u1/7"}
        self.assertEqual(self.post("/hook", {"a": 1}, key)[0], 200)
        self.assertEqual(self.post("/hook", [{"b": 1}, {"b": 2}])[0], 200)
        self.assertEqual(self.post("/x", b'{"c":1}\n{"c":2}\n')[0], 200)
        recs = self.records()
        self.assertEqual([r["event"] for r in recs],
                         [{"a": 1}, {"b": 1}, {"b": 2}, {"c": 1}, {"c": 2}])
        self.assertEqual(recs[0]["idempotency_key"], "u1/7")
        self.assertIsNone(recs[1]["idempotency_key"])
        self.assertEqual([r["index"] for r in recs[1:3]], [0, 1])
        st = self.stats()
        self.assertEqual((st["requests"], st["accepted"], st["records"]), (3, 3, 5))
        with open(self.state) as f:
            self.assertEqual(json.load(f)["records"], 5)

    def test_scripted_status_for_n_requests_then_ok(self):
        status, _, _ = self.post("/_control", {"mode": "status", "status": 503,
                                               "retry_after": "2", "count": 2})
        self.assertEqual(status, 200)
        for _ in range(2):
            status, headers, _ = self.post("/hook", {"a": 1})
            self.assertEqual(status, 503)
            self.assertEqual(headers.get("Retry-After"), "2")
        self.assertEqual(self.post("/hook", {"a": 2})[0], 200)
        self.assertEqual([r["event"] for r in self.records()], [{"a": 2}])
        self.assertEqual(self.stats()["failed"], 2)

    def test_reject_if_contains_answers_400_and_records_nothing(self):
        self.post("/_control", {"reject_if_contains": "poison"})
        status, _, body = self.post("/hook", [{"m": "ok"}, {"m": "poison pill"}])
        self.assertEqual((status, body), (400, {"error": "bad document"}))
        self.assertEqual(self.post("/hook", {"m": "fine"})[0], 200)
        self.assertEqual(len(self.records()), 1)
        self.post("/_control", {"reject_if_contains": None})
        self.assertEqual(self.post("/hook", {"m": "poison"})[0], 200)

    def test_refuse_stops_the_peer(self):
        self.assertEqual(self.post("/_control", {"mode": "refuse"})[0], 200)
        self.assertEqual(self.proc.wait(timeout=10), 0)
        with self.assertRaises(urllib.error.URLError):
            self.post("/hook", {"a": 1})


if __name__ == "__main__":
    unittest.main()
