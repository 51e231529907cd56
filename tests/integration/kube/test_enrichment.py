"""Enrichment of each event's involved object against the real control
plane: labels, annotations and owner references from a metadata-only GET,
`deleted` for objects that are gone (one lookup each), and a clear warning
when RBAC does not allow the lookups."""

import os
import pathlib
import re
import subprocess
import time

from harness import REPO, EventsReaderServiceAccount, file_receiver_config, read_lines, unique_name, wait_for


def lookups_logged(kv, kind, namespace, name):
    """The debug lines kubevents writes for each lookup it makes."""
    pattern = re.compile(rf"lookup {kind} {re.escape(namespace)}/{re.escape(name)}: ")
    return [l for l in kv.log().splitlines() if pattern.search(l)]


def test_deployment_pod_and_replicaset_events_carry_labels_and_owner_chain(cluster, namespace,
                                                                          kubevents_factory):
    kv = kubevents_factory(file_receiver_config(namespace))
    kv.wait_watching()
    subprocess.run([str(REPO / "testenv/workload.sh"), namespace, "2"], check=True,
                   capture_output=True, env={**os.environ, "KUBEVENTS_TESTENV_STATE": str(cluster.state)})
    out = kv.folder / "events.json"
    wait_for(lambda: {"ScalingReplicaSet", "SuccessfulCreate", "FailedScheduling"}
             <= {l["reason"] for l in read_lines(out)}, timeout=90, what="the controllers' events")
    lines = read_lines(out)

    deploy = cluster.kubectl_json("get", "deployment", "web", "-n", namespace)
    rs_list = cluster.kubectl_json("get", "replicasets", "-n", namespace)["items"]
    assert len(rs_list) == 1
    rs = rs_list[0]
    pods = {p["metadata"]["name"]: p for p in cluster.kubectl_json("get", "pods", "-n", namespace)["items"]}

    def by_reason(reason):
        found = [l for l in lines if l["reason"] == reason]
        assert found, reason
        return found

    # Deployment: its own labels, no owner.
    for line in by_reason("ScalingReplicaSet"):
        obj = line["involvedObject"]
        assert obj["kind"] == "Deployment"
        assert obj["labels"] == deploy["metadata"]["labels"] == {"app": "web"}
        assert "ownerReferences" not in obj
        assert obj["deleted"] is False

    # ReplicaSet: its labels (with pod-template-hash), owned by the Deployment.
    for line in by_reason("SuccessfulCreate"):
        obj = line["involvedObject"]
        assert obj["kind"] == "ReplicaSet" and obj["name"] == rs["metadata"]["name"]
        assert obj["labels"] == rs["metadata"]["labels"]
        assert "pod-template-hash" in obj["labels"]
        assert obj["ownerReferences"] == rs["metadata"]["ownerReferences"]
        assert [(o["kind"], o["name"], o["uid"]) for o in obj["ownerReferences"]] == \
            [("Deployment", "web", deploy["metadata"]["uid"])]
        assert obj["deleted"] is False

    # Pods: their labels, owned by the ReplicaSet.
    for line in by_reason("FailedScheduling"):
        obj = line["involvedObject"]
        pod = pods[obj["name"]]
        assert obj["labels"] == pod["metadata"]["labels"]
        assert obj["ownerReferences"] == pod["metadata"]["ownerReferences"]
        assert [(o["kind"], o["name"], o["uid"]) for o in obj["ownerReferences"]] == \
            [("ReplicaSet", rs["metadata"]["name"], rs["metadata"]["uid"])]
        assert obj["deleted"] is False

    # Annotations come from the object too (those present when it was looked up).
    for line in by_reason("SuccessfulCreate"):
        for k, v in line["involvedObject"].get("annotations", {}).items():
            assert rs["metadata"]["annotations"].get(k) == v

    # One lookup per object, however many events it has.
    for name in pods:
        assert len(lookups_logged(kv, "Pod", namespace, name)) <= 1


def test_events_about_a_missing_object_are_deleted_with_one_lookup(cluster, namespace, kubevents_factory):
    # Watching only this namespace, the shutdown counters count only these.
    kv = kubevents_factory(file_receiver_config(namespace, extra=f"namespace: {namespace}"))
    kv.wait_watching()
    out = kv.folder / "events.json"
    ghost = unique_name("ghost")
    names = [f"about-ghost-{i}" for i in range(5)]
    for n in names:
        cluster.create_event(namespace, n, reason="Haunting", kind="ConfigMap", object_name=ghost)
    wait_for(lambda: {l["metadata"]["name"] for l in read_lines(out)} >= set(names),
             what="the five events about the missing ConfigMap")
    lines = [l for l in read_lines(out) if l["reason"] == "Haunting"]
    assert len(lines) == 5
    for line in lines:
        assert line["involvedObject"]["deleted"] is True, line
        assert "labels" not in line["involvedObject"]
    lookups = lookups_logged(kv, "ConfigMap", namespace, ghost)
    assert len(lookups) == 1, lookups
    assert "deleted (not found)" in lookups[0]

    kv.stop()
    summary = [l for l in kv.log().splitlines() if "lookups:" in l]
    assert summary and " 1 misses, " in summary[-1] and " 1 not found, " in summary[-1], summary


def test_event_whose_object_uid_differs_is_deleted(cluster, namespace, kubevents_factory):
    kv = kubevents_factory(file_receiver_config(namespace))
    kv.wait_watching()
    out = kv.folder / "events.json"
    cm = unique_name("cm")
    cluster.kubectl("create", "configmap", cm, "-n", namespace)
    cluster.kubectl("label", "configmap", cm, "-n", namespace, "team=a")
    uid = cluster.kubectl_json("get", "configmap", cm, "-n", namespace)["metadata"]["uid"]
    ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for name, object_uid in (("current", uid), ("previous", "00000000-0000-0000-0000-000000000000")):
        status, obj = cluster.api("POST", f"/api/v1/namespaces/{namespace}/events", {
            "apiVersion": "v1", "kind": "Event", "metadata": {"name": name, "namespace": namespace},
            "involvedObject": {"kind": "ConfigMap", "apiVersion": "v1", "namespace": namespace,
                               "name": cm, "uid": object_uid},
            "reason": "UidCheck", "message": name, "type": "Normal", "count": 1,
            "firstTimestamp": ts, "lastTimestamp": ts, "source": {"component": "kubevents-test"}})
        assert status == 201, obj
    wait_for(lambda: len([l for l in read_lines(out) if l["reason"] == "UidCheck"]) == 2,
             what="both events")
    got = {l["metadata"]["name"]: l["involvedObject"] for l in read_lines(out) if l["reason"] == "UidCheck"}
    assert got["current"]["deleted"] is False
    assert got["current"]["labels"] == {"team": "a"}
    assert got["previous"]["deleted"] is True
    assert "labels" not in got["previous"]  # the new object's labels are not the old one's


def test_lookups_forbidden_by_rbac_warn_once_and_events_still_flow(cluster, namespace, kubevents_factory,
                                                                     tmp_path):
    # A ServiceAccount allowed to list and watch events, and not to get pods.
    with EventsReaderServiceAccount(cluster, namespace, tmp_path) as sa:
        token = sa.token
        kv = kubevents_factory(file_receiver_config(namespace), kubeconfig="", extra_env=sa.env)
        kv.wait_watching()
        out = kv.folder / "events.json"
        names = [f"forbidden-{i}" for i in range(4)]
        for i, n in enumerate(names):
            cluster.create_event(namespace, n, reason="NoRbac", kind="Pod", object_name=f"pod-{i}")
        wait_for(lambda: {l["metadata"]["name"] for l in read_lines(out)} >= set(names),
                 what="every event despite the forbidden lookups")
        for line in read_lines(out):
            if line["reason"] == "NoRbac":
                assert "labels" not in line["involvedObject"]
                assert line["involvedObject"]["deleted"] is False
        warnings = [l for l in kv.log().splitlines() if "forbidden" in l and "kind Pod (v1)" in l]
        assert len(warnings) == 1, kv.log()
        assert "RBAC does not grant get" in warnings[0]
        assert token not in kv.log()


def test_omit_lookup_disables_enrichment(cluster, namespace, kubevents_factory):
    kv = kubevents_factory(file_receiver_config(namespace, extra="omitLookup: true"))
    kv.wait_watching()
    out = kv.folder / "events.json"
    cluster.create_event(namespace, "no-lookup", reason="NoLookup", kind="ConfigMap",
                         object_name=unique_name("ghost"))
    wait_for(lambda: any(l["metadata"]["name"] == "no-lookup" for l in read_lines(out)), what="the event")
    line = next(l for l in read_lines(out) if l["metadata"]["name"] == "no-lookup")
    assert line["involvedObject"]["deleted"] is False
    assert "lookup ConfigMap" not in kv.log()
