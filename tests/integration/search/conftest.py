"""Fixtures for the search receivers' tests: a real OpenSearch for the
session (testenv/opensearch.sh), nginx in front of it for auth and TLS
(testenv/nginx-search.sh), the SigV4-verifying proxy (botocore), and
search_sink_tool, which drives one receiver's sink like the delivery worker.

The node runs with node.processors: 1 and thread_pool.write.queue_size: 1,
so a bulk request that touches many shards at once gets real per-item 429s
(tests use single-shard indices everywhere else, which never see them).

Nothing here skips: if a peer cannot start or a tool is not built, the
tests fail with the reason."""

import base64
import http.server
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import pytest

from peer_clients import moto_server, read_env_file

REPO = pathlib.Path(__file__).resolve().parents[3]
OPENSEARCH_SH = REPO / "testenv" / "opensearch.sh"
NGINX_SH = REPO / "testenv" / "nginx-search.sh"
MOTO_SH = REPO / "testenv" / "moto.sh"
PROXY = REPO / "tests" / "integration" / "peers" / "sigv4_verify_proxy.py"
TINY_WRITE_POOL = "node.processors: 1\nthread_pool.write.queue_size: 1"


class Search:
    """A running node: `url` and small JSON helpers over urllib."""

    def __init__(self, env):
        self.env = env
        self.url = env["OPENSEARCH_URL"]

    def call(self, method, path, body=None, ndjson=False, timeout=60):
        data = None
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if self.env.get("OPENSEARCH_USER"):  # elasticsearch: its superuser
            token = base64.b64encode(
                f'{self.env["OPENSEARCH_USER"]}:{self.env["OPENSEARCH_PASSWORD"]}'.encode()).decode()
            req.add_header("Authorization", f"Basic {token}")
        if data is not None:
            req.add_header("Content-Type", "application/x-ndjson" if ndjson else "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def ok(self, method, path, body=None):
        status, answer = self.call(method, path, body)
        assert 200 <= status < 300, f"{method} {path}: {status} {answer}"
        return answer

    def count(self, index, query=None):
        self.ok("POST", f"/{index}/_refresh")
        body = {"query": query} if query else None
        return self.ok("POST" if body else "GET", f"/{index}/_count", body)["count"]

    def delete_index(self, pattern):
        self.call("DELETE", f"/{pattern}?expand_wildcards=all")


@pytest.fixture(scope="session")
def search():
    """Reuses the node of $KUBEVENTS_OPENSEARCH_STATE when it answers (it
    must have been started with the same KUBEVENTS_SEARCH_SETTINGS);
    otherwise starts one for this session and stops it afterwards."""
    shared = os.environ.get("KUBEVENTS_OPENSEARCH_STATE")
    if shared and (pathlib.Path(shared) / "opensearch.env").exists():
        if subprocess.run([str(OPENSEARCH_SH), "status", shared]).returncode == 0:
            yield Search(read_env_file(pathlib.Path(shared) / "opensearch.env"))
            return
    state = tempfile.mkdtemp(prefix="kv-opensearch-")
    env = dict(os.environ, KUBEVENTS_SEARCH_SETTINGS=TINY_WRITE_POOL)
    started = time.monotonic()
    r = subprocess.run([str(OPENSEARCH_SH), "start", state], capture_output=True, text=True,
                       timeout=900, env=env)
    if r.returncode != 0:
        pytest.fail(f"testenv/opensearch.sh start failed (exit {r.returncode}):\n{r.stderr[-3000:]}")
    sys.stderr.write(f"\nopensearch started in {time.monotonic() - started:.1f}s\n")
    try:
        yield Search(read_env_file(pathlib.Path(state) / "opensearch.env"))
    finally:
        subprocess.run([str(OPENSEARCH_SH), "stop", state], capture_output=True, timeout=120)
        subprocess.run(["rm", "-rf", state], check=False)


@pytest.fixture(scope="module")
def elasticsearch():
    """A real Elasticsearch 8 node (its integ-test zip, security on, a
    file-realm superuser) for the module; stopped afterwards. Reuses the
    node of $KUBEVENTS_ELASTICSEARCH_STATE when it answers."""
    env = dict(os.environ, KUBEVENTS_SEARCH_ENGINE="elasticsearch")
    shared = os.environ.get("KUBEVENTS_ELASTICSEARCH_STATE")
    if shared and (pathlib.Path(shared) / "opensearch.env").exists():
        if subprocess.run([str(OPENSEARCH_SH), "status", shared], env=env).returncode == 0:
            yield Search(read_env_file(pathlib.Path(shared) / "opensearch.env"))
            return
    state = tempfile.mkdtemp(prefix="kv-elasticsearch-")
    started = time.monotonic()
    r = subprocess.run([str(OPENSEARCH_SH), "start", state], capture_output=True, text=True,
                       timeout=900, env=env)
    if r.returncode != 0:
        pytest.fail(f"testenv/opensearch.sh start (elasticsearch) failed:\n{r.stderr[-3000:]}")
    sys.stderr.write(f"\nelasticsearch started in {time.monotonic() - started:.1f}s\n")
    try:
        yield Search(read_env_file(pathlib.Path(state) / "opensearch.env"))
    finally:
        subprocess.run([str(OPENSEARCH_SH), "stop", state], capture_output=True, timeout=120,
                       env=env)
        subprocess.run(["rm", "-rf", state], check=False)


@pytest.fixture(scope="session")
def nginx(search):
    state = tempfile.mkdtemp(prefix="kv-nginx-search-")
    r = subprocess.run([str(NGINX_SH), "start", state, search.url], capture_output=True, text=True,
                       timeout=120)
    if r.returncode != 0:
        pytest.fail(f"testenv/nginx-search.sh start failed:\n{r.stderr[-3000:]}")
    try:
        yield read_env_file(pathlib.Path(state) / "nginx.env")
    finally:
        subprocess.run([str(NGINX_SH), "stop", state], capture_output=True, timeout=60)
        subprocess.run(["rm", "-rf", state], check=False)


@pytest.fixture(scope="session")
def aws_python():
    """The venv python with botocore (testenv/moto.sh makes and pins it)."""
    r = subprocess.run([str(MOTO_SH), "install"], capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        pytest.fail(f"testenv/moto.sh install failed:\n{r.stderr[-3000:]}")
    python = r.stdout.strip().splitlines()[-1]
    assert pathlib.Path(python).exists(), r.stdout
    return python


class Proxy:
    def __init__(self, proc, port):
        self.proc = proc
        self.url = f"http://127.0.0.1:{port}"

    def stats(self):
        with urllib.request.urlopen(self.url + "/__sigv4_proxy/stats", timeout=10) as r:
            return json.loads(r.read())


def start_proxy(python, upstream, service, access_key, secret_key, region, extra=()):
    proc = subprocess.Popen(
        [python, str(PROXY), "--upstream", upstream, "--access-key", access_key,
         "--secret-key", secret_key, "--region", region, "--service", service, *extra],
        stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("PORT="), f"proxy did not start: {line!r}"
    return Proxy(proc, int(line.strip().split("=", 1)[1]))


@pytest.fixture
def sigv4_proxy(search, aws_python):
    """Starts a botocore-verifying proxy in front of the node:
    start(service, access_key, secret_key, region) -> Proxy."""
    proxies = []

    def start(service, access_key, secret_key, region):
        proxies.append(start_proxy(aws_python, search.url, service, access_key, secret_key, region))
        return proxies[-1]

    yield start
    for p in proxies:
        p.proc.terminate()
        p.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def moto():
    """The env of a running moto (testenv/moto.sh): MOTO_URL, KUBEVENTS_AWS_PYTHON."""
    try:
        with moto_server() as env:
            yield env
    except RuntimeError as e:
        pytest.fail(str(e))


class BulkStub:
    """A stand-in for the cluster behind the proxy where the test is about
    auth, not indexing: answers every `_bulk` with 201 per action and keeps
    the actions it saw."""

    def __init__(self):
        stub = self
        self.actions = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                lines = [json.loads(x) for x in body.decode().splitlines() if x.strip()]
                actions = lines[0::2]
                stub.actions.extend(actions)
                items = [{op: {"_index": a[op].get("_index"), "_id": a[op].get("_id", "x"),
                               "status": 201, "result": "created"}}
                         for a in actions for op in a]
                data = json.dumps({"took": 1, "errors": False, "items": items}).encode()
                self.send_response(200 if self.path.split("?")[0].endswith("/_bulk") else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def moto_sigv4_proxy(moto):
    """A botocore-verifying proxy in front of a BulkStub that also accepts
    the STS sessions `moto` issued: start(service, region) -> (Proxy, BulkStub).
    No OpenSearch needed."""
    started = []

    def start(service, region):
        stub = BulkStub()
        proxy = start_proxy(moto["KUBEVENTS_AWS_PYTHON"], stub.url, service, "AKIDUNUSEDBASEKEY0",
                            "unused", region, extra=("--moto-url", moto["MOTO_URL"]))
        started.append((proxy, stub))
        return proxy, stub

    yield start
    for proxy, stub in started:
        proxy.proc.terminate()
        proxy.proc.wait(timeout=10)
        stub.stop()


@pytest.fixture(scope="session")
def sink_tool_path():
    build = pathlib.Path(os.environ.get("KUBEVENTS_BUILD_DIR", REPO / "build"))
    path = build / "tests" / "search_sink_tool"
    if not path.exists():
        pytest.fail(f"{path} is not built: ninja -C {build} search_sink_tool (or set KUBEVENTS_BUILD_DIR)")
    return str(path)


@pytest.fixture
def sink_tool(sink_tool_path, tmp_path):
    """run(receiver_yaml, events, rounds=1, env=None) -> list of round outcomes."""
    counter = [0]

    def run(receiver_yaml, events, rounds=1, env=None):
        counter[0] += 1
        cfg = tmp_path / f"receiver{counter[0]}.yaml"
        evs = tmp_path / f"events{counter[0]}.jsonl"
        cfg.write_text(receiver_yaml)
        evs.write_text("".join(json.dumps(e) + "\n" for e in events))
        full_env = dict(os.environ)
        full_env.update(env or {})
        r = subprocess.run([sink_tool_path, str(cfg), str(evs), str(rounds)], capture_output=True,
                           text=True, timeout=600, env=full_env)
        assert r.returncode == 0, f"search_sink_tool failed ({r.returncode}): {r.stderr}"
        run.last_stderr = r.stderr
        return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]

    return run
