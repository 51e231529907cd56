"""What the deploy tests share: where deploy/ and the chart are, reading
rendered manifests, Pod Security checks and the ServiceAccount's expected
permissions."""

import subprocess

import yaml

from harness import REPO, wait_for

DEPLOY = REPO / "deploy"
CHART = DEPLOY / "helm" / "kubevents"


def docs(text):
    """The objects of a multi-document YAML stream (empty documents dropped)."""
    return [d for d in yaml.safe_load_all(text) if d]


def find(objects, kind, name=None):
    found = [o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def to_yaml(objects):
    return yaml.safe_dump_all(objects, sort_keys=False)


def quantity_bytes(q):
    """A Kubernetes quantity of bytes (1Gi, 512Mi, 2G, or a number)."""
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
    q = str(q)
    for unit, mult in units.items():
        if q.endswith(unit):
            return float(q[:-len(unit)]) * mult
    return float(q)


def data_dir_budget(size):
    """dataDirMaxBytes for a data volume of `size`: 90% of it."""
    return int(quantity_bytes(size) * 0.9)


def ensure_restricted_namespace(cluster, name):
    """Creates namespace `name` (waiting out a previous run's deletion) and
    labels it to enforce the `restricted` Pod Security Standard: the API
    server then refuses to create any pod of ours that breaks it."""

    def phase():
        res = subprocess.run([cluster.kubectl_bin, "--kubeconfig", cluster.kubeconfig, "get", "namespace",
                              name, "-o", "jsonpath={.status.phase}"], capture_output=True, text=True)
        return res.stdout if res.returncode == 0 else "Absent"

    wait_for(lambda: phase() != "Terminating", timeout=120, what=f"namespace {name} to finish terminating")
    if phase() == "Absent":
        cluster.kubectl("create", "namespace", name)
    cluster.kubectl("label", "--overwrite", "namespace", name, "pod-security.kubernetes.io/enforce=restricted",
                    "pod-security.kubernetes.io/warn=restricted")


def pods_of(cluster, namespace, selector):
    return cluster.kubectl_json("get", "pods", "-n", namespace, "-l", selector)["items"]


def events_of(cluster, namespace):
    return cluster.kubectl_json("get", "events", "-n", namespace)["items"]


def assert_pods_admitted(cluster, namespace, selector, replicas):
    """The ReplicaSet created every pod: Pod Security admission (`restricted`,
    enforced on the namespace) let them in. A refused pod shows up as a
    FailedCreate event instead."""
    def check():
        refused = [e["message"] for e in events_of(cluster, namespace) if e["reason"] == "FailedCreate"]
        assert not refused, f"pods refused: {refused}"
        return len(pods_of(cluster, namespace, selector)) == replicas
    wait_for(check, timeout=60, what=f"{replicas} pods in {namespace}")


# What the ServiceAccount may and may not do. (verb, resource, namespace or
# None for all namespaces, expected); a resource may be TYPE/NAME (one
# object). Non-resource URLs are discovery. `lease` is the leader-election
# Lease's name, whose Lease and `<lease>-checkpoint` ConfigMap are the only
# objects kubevents may read and write in its namespace (create cannot be
# limited to names, so it is namespace-wide).
def permissions(own_ns, lease="kubevents"):
    leases = "leases.coordination.k8s.io"
    own_lease, own_cm = f"{leases}/{lease}", f"configmaps/{lease}-checkpoint"
    other_lease, other_cm = f"{leases}/someone-else", "configmaps/someone-else-checkpoint"
    return [
        ("list", "events", None, True), ("watch", "events", None, True),
        ("list", "events.events.k8s.io", None, True), ("watch", "events.events.k8s.io", None, True),
        ("get", "pods", "default", True), ("get", "nodes", None, True),
        ("get", "deployments.apps", "default", True), ("get", "replicasets.apps", "default", True),
        ("get", "jobs.batch", "default", True), ("get", "horizontalpodautoscalers.autoscaling", "default", True),
        ("get", "/api/v1", None, True), ("get", "/apis/apps/v1", None, True),
        # Its own Lease and checkpoint ConfigMap, by name.
        ("create", leases, own_ns, True),
        ("get", own_lease, own_ns, True), ("update", own_lease, own_ns, True), ("watch", own_lease, own_ns, True),
        ("create", "configmaps", own_ns, True),
        ("get", own_cm, own_ns, True), ("update", own_cm, own_ns, True),
        # Nobody else's Lease or ConfigMap, even in its namespace. (get on
        # Leases is granted cluster-wide, read-only, for enrichment.)
        ("update", other_lease, own_ns, False), ("watch", other_lease, own_ns, False),
        ("patch", own_lease, own_ns, False), ("delete", own_lease, own_ns, False),
        ("get", other_cm, own_ns, False), ("update", other_cm, own_ns, False),
        ("get", "configmaps/kubevents-config", own_ns, False),
        ("patch", own_cm, own_ns, False), ("delete", own_cm, own_ns, False),
        ("update", leases, own_ns, False), ("watch", leases, own_ns, False), ("list", leases, own_ns, False),
        ("get", "configmaps", own_ns, False), ("update", "configmaps", own_ns, False),
        # Never secrets, anywhere; no configmaps elsewhere; nothing written
        # outside its namespace; no listing of objects (only events).
        ("get", "secrets", None, False), ("get", "secrets", own_ns, False), ("list", "secrets", own_ns, False),
        ("watch", "secrets", None, False),
        ("get", "configmaps", "default", False), ("list", "configmaps", own_ns, False),
        ("get", f"configmaps/{lease}-checkpoint", "default", False),
        ("create", leases, "default", False),
        ("update", leases, "default", False), ("update", f"{leases}/{lease}", "default", False),
        ("watch", leases, "default", False),
        ("list", "pods", None, False), ("delete", "pods", "default", False), ("create", "pods", own_ns, False),
        ("create", "events", "default", False), ("patch", "deployments.apps", "default", False),
        ("create", "pods/exec", "default", False), ("impersonate", "serviceaccounts", None, False),
        ("escalate", "clusterroles.rbac.authorization.k8s.io", None, False),
    ]


def can_i(cluster, subject, verb, resource, ns):
    where = ["--all-namespaces"] if ns is None else ["-n", ns]
    if resource.startswith("/"):
        where = []
    res = subprocess.run([cluster.kubectl_bin, "--kubeconfig", cluster.kubeconfig, "auth", "can-i", verb, resource,
                          *where, f"--as={subject}"], capture_output=True, text=True)
    answer = res.stdout.strip()
    assert answer in ("yes", "no"), res.stderr
    return answer == "yes"
