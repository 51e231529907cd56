"""Clients for the local test peers in peers/: start, stop, control and
read what they received.

WebhookPeer drives peers/webhook_peer.py, which follows a plain webhook's
documented behaviour: 2xx is success, 429/503 with Retry-After, 400 for a
document it refuses. It can be started late, stopped and restarted on the
same port, so a receiver sees connection refused, then errors, then
success."""

import contextlib
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.request

PEER = pathlib.Path(__file__).resolve().parent / "peers" / "webhook_peer.py"
MOTO_SH = pathlib.Path(__file__).resolve().parents[2] / "testenv" / "moto.sh"


def read_env_file(path):
    """KEY=VALUE lines (testenv's *.env files) as a dict."""
    env = {}
    for line in pathlib.Path(path).read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep:
            env[key] = value
    return env


@contextlib.contextmanager
def moto_server():
    """The env of a running moto (testenv/moto.sh: MOTO_URL,
    KUBEVENTS_AWS_PYTHON, ...): the one of $KUBEVENTS_MOTO_STATE when
    scripts/test.sh started one and it answers; otherwise one started here
    and stopped on exit. Raises RuntimeError when moto cannot start."""
    shared = os.environ.get("KUBEVENTS_MOTO_STATE")
    if shared and (pathlib.Path(shared) / "moto.env").exists():
        r = subprocess.run([str(MOTO_SH), "status", shared], capture_output=True, text=True)
        if r.returncode == 0:
            yield read_env_file(pathlib.Path(shared) / "moto.env")
            return
    state = tempfile.mkdtemp(prefix="kv-moto-")
    r = subprocess.run([str(MOTO_SH), "start", state], capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f"testenv/moto.sh start failed (exit {r.returncode}):\n{r.stderr[-3000:]}")
    try:
        yield read_env_file(pathlib.Path(state) / "moto.env")
    finally:
        subprocess.run([str(MOTO_SH), "stop", state], capture_output=True, timeout=60)
        shutil.rmtree(state, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebhookPeer:
    def __init__(self, folder):
        self.folder = pathlib.Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.record = self.folder / "received.jsonl"
        self.proc = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self):
        self.proc = subprocess.Popen(
            [sys.executable, str(PEER), "--port", str(self.port), "--record", str(self.record)],
            stdout=subprocess.PIPE, stderr=open(self.folder / "peer.log", "ab"), text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("PORT="), f"webhook peer did not start: {line!r}"
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None

    def control(self, **settings):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/_control",
                                     data=json.dumps(settings).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.read()

    def stats(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stats", timeout=5) as r:
            return json.loads(r.read())

    def received(self):
        """Every event the peer accepted, as (idempotency key, parsed event)."""
        out = []
        if not self.record.exists():
            return out
        text = self.record.read_text()
        # The peer may be writing its last line right now: read only
        # complete (newline-terminated) lines.
        for line in text[:text.rfind("\n") + 1].splitlines():
            if not line.strip():
                continue
            out.append(json.loads(line))
        return out
