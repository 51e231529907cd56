"""deploy/ (plain manifests, kustomize-ready) against the real API server of
testenv/: server-side validation, a real apply whose pods must pass the
`restricted` Pod Security Standard, the RBAC it grants (`kubectl auth
can-i`), and kubevents itself running under that ServiceAccount's token.

The test control plane has no kubelet and no nodes: the Deployment's pods
are created (which is when Pod Security admission judges them) but never
run. So the run test starts kubevents here, with the Deployment's own
arguments and config and the in-cluster environment a pod would have."""

import copy
import json
import os
import pathlib
import socket
import subprocess
import urllib.request

import yaml

from deploy_helpers import DEPLOY, assert_pods_admitted, can_i, data_dir_budget, docs, find, permissions
from harness import REPO, Kubevents, unique_name, wait_for

SA = "system:serviceaccount:monitoring:kubevents"


def test_shipped_config_passes_check_config():
    res = subprocess.run([Kubevents.binary(), "check-config", str(DEPLOY / "config.yaml")],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "OK" in res.stdout


def test_data_dir_budget_agrees_with_the_emptydir(kustomized):
    """config.yaml's dataDirMaxBytes is 90% of the data emptyDir's sizeLimit
    (an emptyDir is the node's disk: kubevents' own default would be too
    large)."""
    config = yaml.safe_load((DEPLOY / "config.yaml").read_text())
    (data,) = [v for v in find(kustomized, "Deployment", "kubevents")["spec"]["template"]["spec"]["volumes"]
               if v["name"] == "data"]
    assert config["dataDirMaxBytes"] == data_dir_budget(data["emptyDir"]["sizeLimit"]) == 966367641


def test_kustomize_applies_with_server_side_validation(cluster, kustomize_applied):
    dry, real = kustomize_applied["dry-run"], kustomize_applied["real"]
    for res in (dry, real):
        assert "PodSecurity" not in res.stderr, res.stderr
    for kind in ("namespace/monitoring", "serviceaccount/kubevents", "clusterrole.rbac.authorization.k8s.io/kubevents",
                 "clusterrolebinding.rbac.authorization.k8s.io/kubevents", "role.rbac.authorization.k8s.io/kubevents",
                 "rolebinding.rbac.authorization.k8s.io/kubevents", "configmap/kubevents-config-",
                 "service/kubevents", "deployment.apps/kubevents"):
        assert kind in dry.stdout and kind in real.stdout, (kind, dry.stdout, real.stdout)
    assert dry.stdout.count("(server dry run)") == 9
    # What the server stored is what deploy/ says.
    dep = cluster.kubectl_json("get", "deployment", "kubevents", "-n", "monitoring")
    assert dep["spec"]["replicas"] == 2
    assert_pods_admitted(cluster, "monitoring", "app.kubernetes.io/name=kubevents", 2)


def test_pod_security_admission_would_catch_a_weaker_pod(cluster, kustomize_applied, kustomized):
    """The check above can fail: the same Deployment with capabilities kept
    and privilege escalation allowed draws the server's PodSecurity warning."""
    dep = copy.deepcopy(find(kustomized, "Deployment", "kubevents"))
    sc = dep["spec"]["template"]["spec"]["containers"][0]["securityContext"]
    sc["allowPrivilegeEscalation"] = True
    del sc["capabilities"]
    res = subprocess.run([cluster.kubectl_bin, "--kubeconfig", cluster.kubeconfig, "apply", "--dry-run=server",
                          "-f", "-"], input=json.dumps(dep), capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "would violate PodSecurity" in res.stderr and "allowPrivilegeEscalation" in res.stderr, res.stderr


def test_deployment_is_hardened_and_consistent(kustomized):
    dep = find(kustomized, "Deployment", "kubevents")
    pod = dep["spec"]["template"]["spec"]
    (c,) = pod["containers"]
    assert dep["spec"]["replicas"] == 2
    assert pod["serviceAccountName"] == "kubevents"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    sc = c["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"]["drop"] == ["ALL"]
    assert set(c["resources"]["requests"]) == {"cpu", "memory"} and set(c["resources"]["limits"]) == {"cpu", "memory"}
    # Probes on the named metrics port 2112, which the Service exposes.
    assert c["ports"] == [{"name": "metrics", "containerPort": 2112, "protocol": "TCP"}]
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}
    svc = find(kustomized, "Service", "kubevents")
    assert svc["spec"]["ports"][0]["port"] == 2112 and svc["spec"]["ports"][0]["targetPort"] == "metrics"
    assert all(dep["spec"]["template"]["metadata"]["labels"][k] == v for k, v in svc["spec"]["selector"].items())
    # Downward API for leader election.
    env = {e["name"]: e["valueFrom"]["fieldRef"]["fieldPath"] for e in c["env"]}
    assert env == {"POD_NAME": "metadata.name", "POD_NAMESPACE": "metadata.namespace"}
    # The flags point at the mounts: config from the ConfigMap, data on its volume.
    args = dict(a.split("=", 1) for a in c["args"])
    mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    config_dir, config_file = args["--config"].rsplit("/", 1)
    cm_name = volumes[mounts[config_dir]]["configMap"]["name"]
    cm = find(kustomized, "ConfigMap", cm_name)
    assert cm["data"][config_file] == (DEPLOY / "config.yaml").read_text()
    assert "emptyDir" in volumes[mounts[args["--data-dir"]]]
    assert args["--metrics-address"] == ":2112"
    # The image runs as the user the pod asks for, who owns the data dir.
    dockerfile = (REPO / "Dockerfile").read_text()
    assert f"USER {pod['securityContext']['runAsUser']}:{pod['securityContext']['runAsGroup']}" in dockerfile
    assert f"-o {pod['securityContext']['fsGroup']} " in dockerfile


def run_help():
    return subprocess.run([Kubevents.binary(), "run", "--help"], capture_output=True, text=True).stdout


def test_deployment_flags_are_kubevents_flags(kustomized):
    """Every flag the Deployment passes is one `kubevents run` knows."""
    help_text = run_help()
    (c,) = find(kustomized, "Deployment", "kubevents")["spec"]["template"]["spec"]["containers"]
    for arg in c["args"]:
        flag = arg.split("=", 1)[0]
        assert flag in help_text, f"{flag} is not a flag of `kubevents run`:\n{help_text}"


def test_persistent_spool_component(cluster, kustomize_applied, tmp_path):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    rel = os.path.relpath(DEPLOY, overlay)  # kustomize takes no absolute paths
    (overlay / "kustomization.yaml").write_text(
        f"resources: [{rel}]\ncomponents: [{rel}/optional/persistent-spool]\n")
    objects = docs(cluster.kubectl("kustomize", str(overlay)))
    dep = find(objects, "Deployment", "kubevents")
    assert dep["spec"]["replicas"] == 1 and dep["spec"]["strategy"] == {"type": "Recreate"}
    data = [v for v in dep["spec"]["template"]["spec"]["volumes"] if v["name"] == "data"]
    assert data == [{"name": "data", "persistentVolumeClaim": {"claimName": "kubevents-data"}}]
    find(objects, "PersistentVolumeClaim", "kubevents-data")
    res = subprocess.run([cluster.kubectl_bin, "--kubeconfig", cluster.kubeconfig, "apply", "-k", str(overlay),
                          "--dry-run=server"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "persistentvolumeclaim/kubevents-data created (server dry run)" in res.stdout


def test_servicemonitor_matches_the_service(kustomized):
    # The test control plane has no ServiceMonitor CRD (Prometheus Operator),
    # so this object cannot be validated by the server; check that it selects
    # the Service's labels and port instead.
    sm = yaml.safe_load((DEPLOY / "optional" / "servicemonitor.yaml").read_text())
    svc = find(kustomized, "Service", "kubevents")
    assert sm["kind"] == "ServiceMonitor" and sm["metadata"]["namespace"] == svc["metadata"]["namespace"]
    assert all(svc["metadata"]["labels"].get(k) == v for k, v in sm["spec"]["selector"]["matchLabels"].items())
    assert sm["spec"]["endpoints"][0]["port"] == svc["spec"]["ports"][0]["name"]
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())
    assert not any("servicemonitor" in r for r in kustomization["resources"])


def test_service_account_has_least_privilege(cluster, kustomize_applied):
    wrong = [(v, r, n, want) for v, r, n, want in permissions("monitoring")
             if can_i(cluster, SA, v, r, n) != want]
    assert not wrong, f"(verb, resource, namespace, expected) answered otherwise: {wrong}"


def test_service_account_watches_its_own_lease_by_field_selector(cluster, kustomize_applied):
    """A standby watches the Lease the way kubevents does (the collection,
    fieldSelector metadata.name=<name>; src/kube/leader_election.cc): the
    Role's resourceNames allow that watch and refuse one of another Lease,
    or of all of them."""
    def watch(query):
        path = f"/apis/coordination.k8s.io/v1/namespaces/monitoring/leases?watch=true&timeoutSeconds=1{query}"
        res = subprocess.run([cluster.kubectl_bin, "--kubeconfig", cluster.kubeconfig, "get", "--raw", path,
                              f"--as={SA}"], capture_output=True, text=True)
        assert res.returncode == 0 or "forbidden" in res.stderr.lower(), res.stderr
        return res.returncode == 0

    assert watch("&fieldSelector=metadata.name%3Dkubevents")
    assert not watch("&fieldSelector=metadata.name%3Dsomeone-else")
    assert not watch("")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def leader_election_implemented(config_path):
    """check-config accepts leaderElection.enabled: true without saying it
    is not implemented."""
    res = subprocess.run([Kubevents.binary(), "check-config", str(config_path)], capture_output=True, text=True)
    return res.returncode == 0 and "not implemented" not in res.stdout + res.stderr


def test_kubevents_runs_under_the_service_account(cluster, kustomize_applied, kustomized, namespace, tmp_path):
    # The pod's in-cluster environment: the ServiceAccount's own token (what
    # the kubelet would mount), the cluster CA, the namespace, the downward
    # API variables.
    sa_dir = tmp_path / "serviceaccount"
    sa_dir.mkdir()
    (sa_dir / "token").write_text(cluster.kubectl("create", "token", "kubevents", "-n", "monitoring",
                                                  "--duration=1h").strip())
    (sa_dir / "ca.crt").write_text(pathlib.Path(cluster.env["KUBEVENTS_CA_FILE"]).read_text())
    (sa_dir / "namespace").write_text("monitoring")
    pod_name = unique_name("kubevents-test")
    env = {"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": cluster.env["KUBEVENTS_APISERVER_PORT"],
           "KUBEVENTS_SERVICEACCOUNT_DIR": str(sa_dir), "POD_NAME": pod_name, "POD_NAMESPACE": "monitoring"}

    # The Deployment's arguments, with its mount paths moved here.
    (c,) = find(kustomized, "Deployment", "kubevents")["spec"]["template"]["spec"]["containers"]
    folder = tmp_path / "kv"
    port = free_port()
    moved = {"--config": str(folder / "config.yaml"), "--data-dir": str(tmp_path / "data"),
             "--metrics-address": f"127.0.0.1:{port}"}
    # A flag this binary lacks is left out here, so that RBAC is still
    # checked; test_deployment_flags_are_kubevents_flags fails on it.
    known = run_help()
    args = ["run"]
    for arg in c["args"]:
        flag = arg.split("=", 1)[0]
        if flag in known:
            args.append(f"{flag}={moved[flag]}" if flag in moved else arg)
    serves_health = "--metrics-address" in known
    # The shipped config, unchanged: every event to stdout as JSON lines.
    kv = Kubevents(cluster, folder, (DEPLOY / "config.yaml").read_text(), kubeconfig="", extra_env=env, args=args)
    try:
        kv.start()
        check_run(cluster, kv, namespace, port if serves_health else None)
    finally:
        code = kv.stop()
    assert code == 0, kv.log()


def check_run(cluster, kv, namespace, port):
    kv.wait_watching()
    assert "in-cluster" in kv.log()

    subprocess.run([str(REPO / "testenv/workload.sh"), namespace, "2"], check=True, capture_output=True,
                   env={**os.environ, "KUBEVENTS_TESTENV_STATE": str(cluster.state)})

    def exported():
        out = []
        for line in kv.stdout_path.read_text(errors="replace").splitlines():
            try:
                ev = json.loads(line)
            except json.JSONDecodeError:
                continue
            if ev.get("metadata", {}).get("namespace") == namespace:
                out.append(ev)
        return out

    def enriched_kinds():
        kinds = {ev["involvedObject"]["kind"] for ev in exported()
                 if ev["involvedObject"].get("labels", {}).get("app") == "web"}
        return kinds if {"Deployment", "ReplicaSet", "Pod"} <= kinds else None

    wait_for(enriched_kinds, timeout=90, what="Deployment, ReplicaSet and Pod events with their labels")
    for ev in exported():
        if ev["involvedObject"]["kind"] == "ReplicaSet":
            assert "pod-template-hash" in ev["involvedObject"]["labels"]
            assert ev["involvedObject"]["ownerReferences"][0]["kind"] == "Deployment"

    # Health and readiness where the probes look.
    for path in ("/healthz", "/readyz") if port else ():
        def ok(path=path):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
                    return resp.status == 200
            except OSError:
                return False
        wait_for(ok, timeout=30, what=f"{path} on the metrics port")

    if leader_election_implemented(kv.config_path):
        lease = wait_for(lambda: cluster.kubectl_json("get", "lease", "kubevents", "-n", "monitoring")
                         if "kubevents" in cluster.kubectl("get", "leases", "-n", "monitoring", "-o", "name")
                         else None, timeout=60, what="the leader-election Lease")
        # Only this process can hold it: the applied Deployment's pods never
        # run on the test control plane.
        assert lease["spec"].get("holderIdentity"), lease
        # The leader mirrors its checkpoint into a ConfigMap beside the
        # Lease, which the Role lets it create.
        wait_for(lambda: "kubevents-checkpoint" in cluster.kubectl("get", "configmaps", "-n", "monitoring",
                                                                   "-o", "name"),
                 timeout=60, what="the checkpoint ConfigMap kubevents-checkpoint")
    else:
        # TODO(#7): leader election is not implemented in this kubevents yet
        # (check-config says so): once it is, the branch above checks that
        # the ServiceAccount's Role lets kubevents take the Lease.
        pass

    log = kv.log()
    assert "forbidden" not in log.lower() and " 403" not in log, log
