"""The Helm chart deploy/helm/kubevents: `helm lint`, `helm template`, its
values schema, and the rendered objects against the real API server of
testenv/ (server-side dry run, then a real apply into a namespace that
enforces the `restricted` Pod Security Standard). Helm is built from its Go
module by testenv/build-helm.sh and cached."""

import subprocess

import pytest
import yaml

from deploy_helpers import (CHART, assert_pods_admitted, can_i, data_dir_budget, docs, ensure_restricted_namespace,
                            find, permissions, to_yaml)
from harness import Kubevents, unique_name

SERVICEMONITOR_CRD = "servicemonitors.monitoring.coreos.com"

# Everything optional switched on, secrets passed as env vars.
FULL_VALUES = """
serviceMonitor:
  enabled: true
  labels: {release: prometheus}
envFromSecrets: [kubevents-env]
extraEnv:
  - name: WEBHOOK_TOKEN
    valueFrom:
      secretKeyRef: {name: kubevents-webhook, key: token}
nodeSelector: {kubernetes.io/os: linux}
tolerations:
  - {key: dedicated, operator: Equal, value: monitoring, effect: NoSchedule}
affinity:
  nodeAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 1
        preference:
          matchExpressions:
            - {key: node-role.kubernetes.io/control-plane, operator: DoesNotExist}
podAnnotations: {example.com/team: platform}
serviceAccount:
  annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::123456789012:role/kubevents"}
config:
  clusterName: ${CLUSTER_NAME}
  # Not the default name: the Role's resourceNames must follow it.
  leaderElection: {enabled: true, leaderElectionID: kvhelm-leader}
  route:
    routes:
      - match: [{receiver: stdout}]
  receivers:
    - name: stdout
      stdout: {deDot: true}
"""


def kubectl_apply(cluster, namespace, text, *extra):
    return subprocess.run([cluster.kubectl_bin, "--kubeconfig", cluster.kubeconfig, "apply", "-n", namespace,
                           "-f", "-", *extra], input=text, capture_output=True, text=True)


def servicemonitor_crd_installed(cluster):
    res = subprocess.run([cluster.kubectl_bin, "--kubeconfig", cluster.kubeconfig, "get", "crd",
                          SERVICEMONITOR_CRD], capture_output=True, text=True)
    return res.returncode == 0


@pytest.fixture(scope="module")
def helm_applied(cluster, helm_template, tmp_path_factory):
    """The chart with FULL_VALUES, rendered for a fresh namespace and applied
    (server-side dry run, then for real). Yields (namespace, objects, the
    two applies' results). The ServiceMonitor is applied only where its CRD
    exists, which it does not on the test control plane."""
    ns = unique_name("kv-helm")
    release = "kvhelm"
    values = tmp_path_factory.mktemp("helm") / "values.yaml"
    values.write_text(FULL_VALUES)
    objects = docs(helm_template(release, ns, "-f", str(values)).stdout)
    crd = servicemonitor_crd_installed(cluster)
    applied = [o for o in objects if crd or o["kind"] != "ServiceMonitor"]
    ensure_restricted_namespace(cluster, ns)
    cluster.kubectl("create", "secret", "generic", "kubevents-env", "-n", ns, "--from-literal=CLUSTER_NAME=test")
    cluster.kubectl("create", "secret", "generic", "kubevents-webhook", "-n", ns, "--from-literal=token=t0ken")
    results = {}
    for mode, extra in (("dry-run", ["--dry-run=server"]), ("real", [])):
        res = kubectl_apply(cluster, ns, to_yaml(applied), *extra)
        assert res.returncode == 0, f"applying the rendered chart ({mode}) failed:\n{res.stderr}"
        results[mode] = res
    yield ns, objects, results
    subprocess.run([cluster.kubectl_bin, "--kubeconfig", cluster.kubeconfig, "delete", "-n", ns, "-f", "-",
                    "--wait=false", "--ignore-not-found"], input=to_yaml(applied), capture_output=True, text=True)
    cluster.kubectl("delete", "namespace", ns, "--wait=false", check=False)


def test_helm_lint(helm, tmp_path):
    for args in ([], ["-f", str(tmp_path / "full.yaml")], ["--set", "persistence.enabled=true,replicaCount=1"]):
        (tmp_path / "full.yaml").write_text(FULL_VALUES)
        res = subprocess.run([str(helm), "lint", "--strict", str(CHART), *args], capture_output=True, text=True)
        assert res.returncode == 0, res.stdout + res.stderr
        assert "0 chart(s) failed" in res.stdout


def test_rendered_chart_applies_with_server_side_validation(cluster, helm_applied):
    ns, objects, results = helm_applied
    kinds = sorted(o["kind"] for o in objects)
    assert kinds == sorted(["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ConfigMap",
                            "Deployment", "Service", "PodDisruptionBudget", "ServiceMonitor"])
    if not servicemonitor_crd_installed(cluster):
        # Skipped on purpose: the test control plane has no Prometheus
        # Operator, so the API server has no ServiceMonitor kind to validate
        # it against. Its shape is checked below instead.
        assert "servicemonitor.monitoring.coreos.com/kvhelm-kubevents" not in results["real"].stdout
    for res in results.values():
        assert "PodSecurity" not in res.stderr, res.stderr
    assert results["dry-run"].stdout.count("(server dry run)") == 9 + servicemonitor_crd_installed(cluster)
    assert_pods_admitted(cluster, ns, "app.kubernetes.io/instance=kvhelm", 2)

    dep = find(objects, "Deployment")
    (c,) = dep["spec"]["template"]["spec"]["containers"]
    assert c["envFrom"] == [{"secretRef": {"name": "kubevents-env"}}]
    assert {"name": "WEBHOOK_TOKEN", "valueFrom": {"secretKeyRef": {"name": "kubevents-webhook", "key": "token"}}} \
        in c["env"]
    pod = dep["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"kubernetes.io/os": "linux"} and pod["tolerations"][0]["key"] == "dedicated"
    assert "nodeAffinity" in pod["affinity"]
    sm = find(objects, "ServiceMonitor")
    svc = find(objects, "Service")
    assert sm["metadata"]["labels"]["release"] == "prometheus"
    assert sm["spec"]["selector"]["matchLabels"].items() <= svc["metadata"]["labels"].items()
    assert sm["spec"]["endpoints"][0]["port"] == svc["spec"]["ports"][0]["name"] == "metrics"
    pdb = find(objects, "PodDisruptionBudget")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= dep["spec"]["template"]["metadata"]["labels"].items()


def test_helm_service_account_has_least_privilege(cluster, helm_applied):
    ns = helm_applied[0]
    subject = f"system:serviceaccount:{ns}:kvhelm-kubevents"
    wrong = [(v, r, n, want) for v, r, n, want in permissions(ns, lease="kvhelm-leader")
             if can_i(cluster, subject, v, r, n) != want]
    assert not wrong, f"(verb, resource, namespace, expected) answered otherwise: {wrong}"


def rules(objects, kind):
    return [{k: sorted(v) for k, v in r.items()} for r in find(objects, kind)["rules"]]


def test_chart_grants_what_deploy_grants(helm_template, kustomized):
    objects = docs(helm_template("kubevents", "monitoring").stdout)
    for kind in ("ClusterRole", "Role"):
        assert rules(objects, kind) == rules(kustomized, kind), kind


def test_role_names_follow_the_leader_election_id(helm_template):
    """The Role grants get/update (and watch) only on the Lease named by
    config.leaderElection.leaderElectionID and its `-checkpoint` ConfigMap;
    unset, the name is kubevents' default. create stays namespace-wide."""
    def names(*args):
        role = find(docs(helm_template("kubevents", "monitoring", *args).stdout), "Role")
        named = {(r["resources"][0], n) for r in role["rules"] for n in r.get("resourceNames", [])}
        creates = [r for r in role["rules"] if "create" in r["verbs"]]
        assert [r["resources"] for r in creates] == [["leases"], ["configmaps"]]
        assert not any("resourceNames" in r for r in creates)
        return named

    assert names() == {("leases", "kubevents"), ("configmaps", "kubevents-checkpoint")}
    assert names("--set", "config.leaderElection.leaderElectionID=ev-leader") == {
        ("leases", "ev-leader"), ("configmaps", "ev-leader-checkpoint")}
    assert names("--set", "config.leaderElection.leaderElectionID=null") == {
        ("leases", "kubernetes-event-exporter"), ("configmaps", "kubernetes-event-exporter-checkpoint")}


def test_data_dir_budget_is_ninety_percent_of_the_volume(helm_template, kustomized):
    """config.dataDirMaxBytes, unless set, is 90% of the emptyDir's limit or
    of the created claim; with an existing claim kubevents measures it."""
    def rendered(*args):
        objects = docs(helm_template("kubevents", "monitoring", *args).stdout)
        config = yaml.safe_load(find(objects, "ConfigMap")["data"]["config.yaml"])
        return config.get("dataDirMaxBytes"), objects

    budget, objects = rendered()
    (data,) = [v for v in find(objects, "Deployment")["spec"]["template"]["spec"]["volumes"] if v["name"] == "data"]
    assert budget == data_dir_budget(data["emptyDir"]["sizeLimit"]) == 966367641
    plain = yaml.safe_load(find(kustomized, "ConfigMap")["data"]["config.yaml"])
    assert budget == plain["dataDirMaxBytes"]
    assert rendered("--set", "persistence.emptyDirSizeLimit=512Mi")[0] == data_dir_budget("512Mi")
    assert rendered("--set", "persistence.emptyDirSizeLimit=1.5G")[0] == data_dir_budget("1.5G")
    assert rendered("--set-json", "persistence.emptyDirSizeLimit=1073741824")[0] == 966367641
    budget, objects = rendered("--set", "persistence.enabled=true,replicaCount=1,persistence.size=10Gi")
    assert budget == data_dir_budget("10Gi")
    assert find(objects, "PersistentVolumeClaim")["spec"]["resources"]["requests"]["storage"] == "10Gi"
    assert rendered("--set", "persistence.enabled=true,replicaCount=1,persistence.existingClaim=mine")[0] is None
    assert rendered("--set", "config.dataDirMaxBytes=1000000")[0] == 1000000


def test_chart_deployment_matches_deploy(helm_template, kustomized):
    """The chart's default Deployment is deploy/'s, but for names and labels."""
    chart = find(docs(helm_template("kubevents", "monitoring").stdout), "Deployment")["spec"]["template"]["spec"]
    plain = find(kustomized, "Deployment")["spec"]["template"]["spec"]
    (cc,), (pc,) = chart["containers"], plain["containers"]
    for key in ("args", "env", "ports", "livenessProbe", "readinessProbe", "resources", "securityContext",
                "volumeMounts"):
        assert cc[key] == pc[key], key
    assert chart["securityContext"] == plain["securityContext"]
    assert [v["name"] for v in chart["volumes"]] == [v["name"] for v in plain["volumes"]]


def check_config(text, tmp_path, env=None, args=()):
    path = tmp_path / "rendered-config.yaml"
    path.write_text(text)
    return subprocess.run([Kubevents.binary(), "check-config", *args, str(path)], capture_output=True,
                          text=True, env=env)


def test_config_value_becomes_a_valid_kubevents_config(helm_template, tmp_path):
    default = find(docs(helm_template("kubevents", "monitoring").stdout), "ConfigMap")["data"]["config.yaml"]
    res = check_config(default, tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    (tmp_path / "v.yaml").write_text(FULL_VALUES)
    full = find(docs(helm_template("kubevents", "monitoring", "-f", str(tmp_path / "v.yaml")).stdout),
                "ConfigMap")["data"]["config.yaml"]
    assert "${CLUSTER_NAME}" in full  # passed through for kubevents to expand
    res = check_config(full, tmp_path, env={"PATH": "/usr/bin:/bin", "CLUSTER_NAME": "prod"})
    assert res.returncode == 0, res.stdout + res.stderr
    # Unset where the check runs: a warning (it is set at run time), an
    # error with --strict-env.
    res = check_config(full, tmp_path, env={"PATH": "/usr/bin:/bin"})
    assert res.returncode == 0 and "CLUSTER_NAME" in res.stdout + res.stderr, res.stdout + res.stderr
    assert "set at run time" in res.stdout + res.stderr
    res = check_config(full, tmp_path, env={"PATH": "/usr/bin:/bin"}, args=["--strict-env"])
    assert res.returncode != 0 and "CLUSTER_NAME" in res.stdout + res.stderr


@pytest.mark.parametrize("args, message", [
    (["--set", "replicaCount=two"], "replicaCount"),
    (["--set", "replicaCont=2"], "replicaCont"),
    (["--set", "image.pullPolicy=Sometimes"], "pullPolicy"),
    (["--set", "metrics.port=70000"], "port"),
    (["--set", "serviceMonitor.interval=often"], "interval"),
    (["--set", "resources.limits.memory=lots"], "memory"),
    (["--set-json", "envFromSecrets=[1]"], "envFromSecrets"),
    (["--set", "persistence.enabled=true"], "replicaCount: 1"),
    (["--set", "serviceMonitor.enabled=true,service.enabled=false"], "service.enabled"),
    (["--set", "persistence.emptyDirSizeLimit=lots"], "emptyDirSizeLimit"),
    (["--set", "config.dataDirMaxBytes=big"], "dataDirMaxBytes"),
])
def test_bad_values_are_refused(helm_template, args, message):
    res = helm_template("kubevents", "monitoring", *args, check=False)
    assert res.returncode != 0 and message in res.stderr, res.stderr


def test_persistence_with_one_replica_uses_a_claim(helm_template):
    objects = docs(helm_template("kubevents", "monitoring", "--set", "persistence.enabled=true,replicaCount=1").stdout)
    dep = find(objects, "Deployment")
    assert dep["spec"]["replicas"] == 1 and dep["spec"]["strategy"] == {"type": "Recreate"}
    data = [v for v in dep["spec"]["template"]["spec"]["volumes"] if v["name"] == "data"]
    assert data == [{"name": "data", "persistentVolumeClaim": {"claimName": "kubevents-data"}}]
    assert find(objects, "PersistentVolumeClaim")["spec"]["resources"]["requests"]["storage"] == "2Gi"
    existing = docs(helm_template("kubevents", "monitoring", "--set",
                                  "persistence.enabled=true,replicaCount=1,persistence.existingClaim=mine").stdout)
    assert not [o for o in existing if o["kind"] == "PersistentVolumeClaim"]


def test_rbac_and_service_account_toggles(helm_template):
    objects = docs(helm_template("kubevents", "monitoring", "--set",
                                 "rbac.create=false,serviceAccount.create=false,serviceAccount.name=existing").stdout)
    kinds = {o["kind"] for o in objects}
    assert not kinds & {"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ServiceAccount"}
    assert find(objects, "Deployment")["spec"]["template"]["spec"]["serviceAccountName"] == "existing"
    named = docs(helm_template("kubevents", "monitoring", "--set", "serviceAccount.name=kv").stdout)
    assert find(named, "ServiceAccount")["metadata"]["name"] == "kv"
    assert find(named, "ClusterRoleBinding")["subjects"][0]["name"] == "kv"
    extra = docs(helm_template("kubevents", "monitoring", "--set-json",
                               'rbac.extraClusterRules=[{"apiGroups":["example.com"],"resources":["widgets"],'
                               '"verbs":["get"]}]', "--set-json", 'extraArgs=["--shutdown-grace=20"]').stdout)
    assert find(extra, "ClusterRole")["rules"][-1] == {"apiGroups": ["example.com"], "resources": ["widgets"],
                                                        "verbs": ["get"]}
    (c,) = find(extra, "Deployment")["spec"]["template"]["spec"]["containers"]
    assert c["args"][-1] == "--shutdown-grace=20"


def test_schema_describes_every_value():
    schema = yaml.safe_load((CHART / "values.schema.json").read_text())
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    assert schema["additionalProperties"] is False
    missing = []

    def walk(vals, node, path):
        props = node.get("properties", {})
        for key, val in vals.items():
            if key in props:
                sub = props[key]
                if not sub.get("description") and "oneOf" not in sub:
                    missing.append(f"{path}{key} (no description)")
                if isinstance(val, dict) and "properties" in sub:
                    walk(val, sub, f"{path}{key}.")
            elif node.get("additionalProperties") in (None, False):
                missing.append(f"{path}{key}")

    walk(values, schema, "")
    assert not missing, f"values without a schema entry: {missing}"
    # ...and nothing in the schema that values.yaml lacks.
    assert set(schema["properties"]) == set(values)


def install_notes(helm, cluster, *args):
    # `helm install --dry-run` prints NOTES.txt; it asks the API server for
    # its version, hence the kubeconfig. Nothing is installed.
    res = subprocess.run([str(helm), "install", "kv", str(CHART), "--dry-run", "--kubeconfig", cluster.kubeconfig,
                          *args], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return res.stdout.split("NOTES:", 1)[1]


def test_notes_warn_about_replicas_without_leader_election(helm, cluster):
    assert "every replica exports every event" not in install_notes(helm, cluster)
    # `config` merges into the default config: leader election is switched
    # off explicitly.
    notes = install_notes(helm, cluster, "--set", "config.leaderElection.enabled=false")
    assert "every replica exports every event" in notes
    notes = install_notes(helm, cluster, "--set", "config.leaderElection.enabled=false,replicaCount=1")
    assert "every replica exports every event" not in notes
