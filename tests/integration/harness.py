"""Helpers for integration tests: the test control plane, kubevents
processes, reading what a file receiver wrote, and waiting for conditions
with a deadline (a wait that times out fails the test; nothing here asserts
on how long things take)."""

import base64
import json
import os
import pathlib
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone

REPO = pathlib.Path(__file__).resolve().parents[2]


def unique_name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def now_rfc3339():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def wait_for(predicate, timeout=60, interval=0.2, what="condition"):
    """Polls predicate until it returns a truthy value; fails after timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


class Cluster:
    """The control plane from testenv/start.sh, described by its env file."""

    def __init__(self, env):
        self.env = env
        self.state = pathlib.Path(env["KUBEVENTS_TESTENV_STATE"])
        self.url = env["KUBEVENTS_APISERVER_URL"]
        self.kubeconfig = env["KUBEVENTS_ADMIN_KUBECONFIG"]
        self.kubectl_bin = env["KUBEVENTS_KUBECTL"]

    @staticmethod
    def start():
        subprocess.run([str(REPO / "testenv/build.sh")], check=True)
        out = subprocess.run([str(REPO / "testenv/start.sh")], check=True, capture_output=True, text=True)
        env = {}
        for line in out.stdout.splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                env[k.strip()] = v.strip()
        state = env.get("KUBEVENTS_TESTENV_STATE")
        if state and (pathlib.Path(state) / "env").exists():
            for line in (pathlib.Path(state) / "env").read_text().splitlines():
                if "=" in line:
                    k, v = line.split("=", 1)
                    env[k] = v
        return Cluster(env)

    def kubectl(self, *args, check=True, input=None, kubeconfig=None):
        cmd = [self.kubectl_bin, "--kubeconfig", kubeconfig or self.kubeconfig, *args]
        res = subprocess.run(cmd, capture_output=True, text=True, input=input)
        if check and res.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed: {res.stderr}")
        return res.stdout

    def kubectl_json(self, *args):
        return json.loads(self.kubectl(*args, "-o", "json"))

    def apiserver(self, action, kill=False):
        env = dict(os.environ)
        if kill:
            env["KUBEVENTS_APISERVER_KILL"] = "1"
        subprocess.run([str(REPO / "testenv/apiserver.sh"), action, str(self.state)], check=True, env=env)

    def ssl_context(self):
        ctx = ssl.create_default_context(cafile=self.env["KUBEVENTS_CA_FILE"])
        ctx.load_cert_chain(self.env["KUBEVENTS_ADMIN_CERT"], self.env["KUBEVENTS_ADMIN_KEY"])
        return ctx

    def api(self, method, path, body=None, content_type="application/json", timeout=10):
        """One request to the API server as the admin; returns (status, parsed body)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, context=self.ssl_context(), timeout=timeout) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def create_events(self, namespace, names, threads=6, message="bulk test message", reason="BulkTest",
                      object_of=None):
        """Creates many core/v1 Events fast: `threads` persistent HTTPS
        connections, each POSTing its share. Retries a failed request (the
        API server may be restarting); 409 (already created) counts as done.
        `object_of(name)`: the involved Pod's name (default: one of ten)."""
        import http.client
        import threading
        import urllib.parse
        url = urllib.parse.urlparse(self.url)
        ctx = self.ssl_context()
        names = list(names)
        errors = []

        def body(name):
            ts = now_rfc3339()
            return json.dumps({
                "apiVersion": "v1", "kind": "Event",
                "metadata": {"name": name, "namespace": namespace},
                "involvedObject": {"kind": "Pod", "namespace": namespace, "name": object_of(name) if object_of else "bulk-" + name[-1:],
                                   "apiVersion": "v1"},
                "reason": reason, "message": f"{message} {name}", "type": "Normal", "count": 1,
                "firstTimestamp": ts, "lastTimestamp": ts,
                "source": {"component": "kubevents-test"},
            })

        def worker(part):
            conn = None
            for name in part:
                for attempt in range(600):
                    try:
                        if conn is None:
                            conn = http.client.HTTPSConnection(url.hostname, url.port, context=ctx, timeout=15)
                        conn.request("POST", f"/api/v1/namespaces/{namespace}/events", body(name),
                                     {"Content-Type": "application/json"})
                        resp = conn.getresponse()
                        resp.read()
                        if resp.status in (201, 409):
                            break
                        if resp.status == 429 or resp.status >= 500:
                            time.sleep(0.2)
                            continue
                        errors.append(f"{name}: HTTP {resp.status}")
                        break
                    except (OSError, http.client.HTTPException):
                        conn = None
                        time.sleep(0.2)
                else:
                    errors.append(f"{name}: gave up")
            if conn is not None:
                conn.close()

        parts = [names[i::threads] for i in range(threads)]
        ts = [threading.Thread(target=worker, args=(p,)) for p in parts]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert not errors, errors[:5]

    def create_event(self, namespace, name, reason="TestReason", message="test message", count=1,
                     kind="Pod", object_name="test-object", type_="Normal", retry_until=None):
        """Creates a core/v1 Event through the API. With retry_until (a
        monotonic deadline), connection failures are retried: used while the
        API server is being restarted."""
        ts = now_rfc3339()
        body = {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name, "namespace": namespace},
            "involvedObject": {"kind": kind, "namespace": namespace, "name": object_name,
                               "apiVersion": "v1"},
            "reason": reason, "message": message, "type": type_, "count": count,
            "firstTimestamp": ts, "lastTimestamp": ts,
            "source": {"component": "kubevents-test"},
        }
        while True:
            try:
                status, obj = self.api("POST", f"/api/v1/namespaces/{namespace}/events", body)
                if status == 201 or status == 409:
                    return obj
                if retry_until is None or time.monotonic() > retry_until:
                    raise AssertionError(f"creating event {name}: {status} {obj}")
            except (urllib.error.URLError, ConnectionError, TimeoutError, ssl.SSLError, OSError):
                if retry_until is None or time.monotonic() > retry_until:
                    raise
            time.sleep(0.2)

    def etcd_compact(self):
        """Writes a scratch key and compacts etcd to that revision (etcd's
        JSON gateway), so a watch from any resourceVersion seen before is
        answered with 410 Gone. Call it while the API server is stopped, so
        no client can move past the compacted revision meanwhile."""
        base = f"http://127.0.0.1:{self.env['KUBEVENTS_ETCD_PORT']}"

        def post(path, body):
            req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST")
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read())

        key = base64.b64encode(b"/kubevents-test/compaction-marker").decode()
        revision = int(post("/v3/kv/put", {"key": key, "value": "eA=="})["header"]["revision"])
        post("/v3/kv/compaction", {"revision": str(revision), "physical": True})
        return revision


class Kubevents:
    """A kubevents process with its own folder, config and output files."""

    def __init__(self, cluster, folder, config_text, kubeconfig=None, extra_env=None, args=None):
        self.cluster = cluster
        self.folder = pathlib.Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.config_path = self.folder / "config.yaml"
        self.config_path.write_text(config_text.replace("@DIR@", str(self.folder)))
        self.kubeconfig = cluster.kubeconfig if kubeconfig is None else kubeconfig
        self.extra_env = extra_env or {}
        self.args = args
        self.proc = None
        self.stderr_path = self.folder / "stderr.log"
        self.stdout_path = self.folder / "stdout.log"

    @staticmethod
    def binary():
        return os.environ.get("KUBEVENTS_BIN", str(REPO / "build/src/kubevents"))

    def command(self):
        if self.args is not None:
            return [self.binary(), *self.args]
        # An ephemeral port: several instances may run at once.
        cmd = [self.binary(), "run", "--config", str(self.config_path), "--metrics-address", "127.0.0.1:0"]
        if self.kubeconfig:
            cmd += ["--kubeconfig", self.kubeconfig]
        return cmd

    def start(self):
        env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST")}
        # Spools, checkpoint and dead letters: the instance's own folder,
        # kept across restarts of the same instance.
        env["KUBEVENTS_DATA_DIR"] = str(self.folder / "data")
        env.update(self.extra_env)
        self.stdout = open(self.stdout_path, "ab")
        self.stderr = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(self.command(), stdout=self.stdout, stderr=self.stderr, env=env)
        return self

    def wait_exit(self, timeout=30):
        return self.proc.wait(timeout=timeout)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (getattr(self, "stdout", None), getattr(self, "stderr", None)):
            if f:
                f.close()
        return self.proc.returncode if self.proc else None

    def log(self):
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def wait_log(self, text, timeout=60):
        try:
            return wait_for(lambda: text in self.log(), timeout, what=f"log line containing {text!r}")
        except AssertionError as e:
            # The log's end says why: keep it in the failure report.
            raise AssertionError(f"{e}\nkubevents log (end):\n{self.log()[-4000:]}") from None

    def metrics_port(self, timeout=30):
        """The port of this instance's /metrics listener (from its log)."""
        import re

        def found():
            m = re.findall(r"serving /metrics, /healthz and /readyz on port (\d+)", self.log())
            return int(m[-1]) if m else None
        return wait_for(found, timeout, what="the metrics listener")

    def http_get(self, path, timeout=5):
        """(status, body) of GET path on the metrics listener."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port()}{path}", timeout=timeout) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def wait_watching(self, timeout=60):
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"kubevents exited with {self.proc.returncode}:\n{self.log()}")
            return "watching events from resourceVersion" in self.log()
        wait_for(ready, timeout, what="kubevents to start watching")


def read_lines(path):
    """The JSON objects a file receiver wrote (a torn last line is ignored)."""
    path = pathlib.Path(path)
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return out


def file_receiver_config(namespace=None, path="@DIR@/events.json", cluster_name="test-cluster", extra=""):
    """A config that writes every event of `namespace` (None: of every
    namespace kubevents watches) to a file."""
    rule = f'{{namespace: "^{namespace}$", receiver: dump}}' if namespace else "{receiver: dump}"
    return f"""
logLevel: debug
clusterName: {cluster_name}
{extra}
route:
  routes:
    - match: [{rule}]
receivers:
  - name: dump
    file:
      path: {path}
"""


class EventsReaderServiceAccount:
    """A ServiceAccount in `namespace` allowed to list and watch events and
    nothing else, with its token in a service-account folder: the
    environment that emulates kubevents running in-cluster under it.
    Use as a context manager; the cluster role and binding go afterwards."""

    def __init__(self, cluster, namespace, folder, name="kubevents-sa"):
        self.cluster, self.namespace, self.name = cluster, namespace, name
        self.role = unique_name("kv-events-reader")
        self.folder = pathlib.Path(folder) / "serviceaccount"

    def __enter__(self):
        c = self.cluster
        c.kubectl("create", "serviceaccount", self.name, "-n", self.namespace)
        c.kubectl("create", "clusterrole", self.role, "--verb=list,watch", "--resource=events")
        c.kubectl("create", "clusterrolebinding", self.role, f"--clusterrole={self.role}",
                  f"--serviceaccount={self.namespace}:{self.name}")
        self.token = c.kubectl("create", "token", self.name, "-n", self.namespace, "--duration=1h").strip()
        self.folder.mkdir(parents=True)
        (self.folder / "token").write_text(self.token)
        (self.folder / "ca.crt").write_text(pathlib.Path(c.env["KUBEVENTS_CA_FILE"]).read_text())
        (self.folder / "namespace").write_text(self.namespace)
        self.env = {
            "KUBERNETES_SERVICE_HOST": "127.0.0.1",
            "KUBERNETES_SERVICE_PORT": c.env["KUBEVENTS_APISERVER_PORT"],
            "KUBEVENTS_SERVICEACCOUNT_DIR": str(self.folder),
        }
        return self

    def __exit__(self, *exc):
        self.cluster.kubectl("delete", "clusterrolebinding", self.role, check=False)
        self.cluster.kubectl("delete", "clusterrole", self.role, check=False)
        return False
