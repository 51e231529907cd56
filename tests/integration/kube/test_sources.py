"""Where events come from: the events.k8s.io/v1 API, namespace scoping,
the start-up age filter, and the pipe receiver."""

import os
import pathlib
import textwrap
import threading
import time

from harness import file_receiver_config, read_lines, unique_name, wait_for


def names(path):
    return [l["metadata"]["name"] for l in read_lines(path)]


def test_events_k8s_io_v1_source_maps_onto_the_same_shape(cluster, namespace, kubevents_factory):
    kv = kubevents_factory(file_receiver_config(namespace, extra="eventsApi: events.k8s.io/v1"))
    kv.wait_watching()
    assert "/apis/events.k8s.io/v1" not in kv.log()  # paths are not logged; the data proves it
    name = unique_name("v1")
    cluster.create_event(namespace, name, reason="ViaEventsV1", message="hello v1", count=3)
    out = kv.folder / "events.json"
    line = wait_for(lambda: next((l for l in read_lines(out) if l["metadata"]["name"] == name), None),
                    what="the event through events.k8s.io/v1")
    # The events.k8s.io names (note, regarding, deprecatedCount, ...) come
    # out under the core/v1 names of the reference shape.
    assert line["message"] == "hello v1"
    assert line["reason"] == "ViaEventsV1"
    assert line["count"] == 3
    assert line["involvedObject"]["name"] == "test-object"
    assert line["source"]["component"] == "kubevents-test"


def test_single_namespace_scope_needs_only_a_namespaced_role(cluster, namespace, kubevents_factory, tmp_path):
    sa = "scoped"
    cluster.kubectl("create", "serviceaccount", sa, "-n", namespace)
    cluster.kubectl("create", "role", "events-reader", "-n", namespace, "--verb=list,watch",
                    "--resource=events")
    cluster.kubectl("create", "rolebinding", "events-reader", "-n", namespace, "--role=events-reader",
                    f"--serviceaccount={namespace}:{sa}")
    token = cluster.kubectl("create", "token", sa, "-n", namespace).strip()
    kc = tmp_path / "scoped.kubeconfig"
    kc.write_text(textwrap.dedent(f"""\
        apiVersion: v1
        kind: Config
        current-context: c
        clusters: [{{name: c, cluster: {{server: {cluster.url}, certificate-authority: {cluster.env['KUBEVENTS_CA_FILE']}}}}}]
        contexts: [{{name: c, context: {{cluster: c, user: u}}}}]
        users: [{{name: u, user: {{token: {token}}}}}]
        """))
    other = unique_name("other")
    cluster.kubectl("create", "namespace", other)
    try:
        kv = kubevents_factory(file_receiver_config(extra=f"namespace: {namespace}"), kubeconfig=str(kc))
        kv.wait_watching()
        cluster.create_event(other, "elsewhere")
        cluster.create_event(namespace, "here")
        wait_for(lambda: "here" in names(kv.folder / "events.json"), what="the namespaced event")
        cluster.create_event(namespace, "here-2")
        wait_for(lambda: "here-2" in names(kv.folder / "events.json"), what="a second namespaced event")
        assert "elsewhere" not in names(kv.folder / "events.json")
    finally:
        cluster.kubectl("delete", "namespace", other, "--wait=false", check=False)


def test_include_and_exclude_lists(cluster, kubevents_factory):
    a, b, c = unique_name("inc"), unique_name("inc"), unique_name("exc")
    for ns in (a, b, c):
        cluster.kubectl("create", "namespace", ns)
    try:
        kv = kubevents_factory(file_receiver_config(extra=f"namespaces: {{include: [{a}, {c}], exclude: [{c}]}}"))
        kv.wait_watching()
        for ns in (b, c, a):
            cluster.create_event(ns, f"ev-{ns}")
        wait_for(lambda: f"ev-{a}" in names(kv.folder / "events.json"), what="the included namespace")
        # b and c were created before a: had they passed, they would be there.
        assert set(names(kv.folder / "events.json")) == {f"ev-{a}"}
    finally:
        for ns in (a, b, c):
            cluster.kubectl("delete", "namespace", ns, "--wait=false", check=False)


def test_events_older_than_max_age_are_skipped_on_a_first_start(cluster, namespace, kubevents_factory):
    cluster.create_event(namespace, "before-start")
    time.sleep(3)
    kv = kubevents_factory(file_receiver_config(namespace, extra="maxEventAgeSeconds: 2"))
    kv.wait_watching()
    cluster.create_event(namespace, "after-start")
    wait_for(lambda: "after-start" in names(kv.folder / "events.json"), what="the new event")
    assert "before-start" not in names(kv.folder / "events.json")
    # ... but an update of the old event is news.
    status, _ = cluster.api("PATCH", f"/api/v1/namespaces/{namespace}/events/before-start",
                            {"count": 2, "lastTimestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
                            content_type="application/merge-patch+json")
    assert status == 200
    wait_for(lambda: "before-start" in names(kv.folder / "events.json"), what="the updated old event")


def test_pipe_receiver_writes_to_a_fifo(cluster, namespace, kubevents_factory, tmp_path):
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    received = []

    def reader():
        with open(fifo) as f:  # blocks until kubevents opens it
            for line in f:
                received.append(line)

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    kv = kubevents_factory(f"""
route:
  routes:
    - match: [{{namespace: "^{namespace}$", receiver: p}}]
receivers:
  - name: p
    pipe: {{path: "{fifo}"}}
""")
    kv.wait_watching()
    cluster.create_event(namespace, "through-the-pipe")
    wait_for(lambda: any("through-the-pipe" in l for l in received), what="the event in the FIFO")


def test_json_log_format(cluster, namespace, kubevents_factory):
    import json
    kv = kubevents_factory(file_receiver_config(namespace, extra="logFormat: json").replace(
        "logLevel: debug", "logLevel: info"))
    kv.wait_watching()
    for line in kv.log().splitlines():
        obj = json.loads(line)
        assert {"time", "level", "msg"} <= obj.keys()


def test_layout_renders_real_events(cluster, namespace, kubevents_factory):
    kv = kubevents_factory(file_receiver_config(namespace).replace("      path: @DIR@/events.json", """      path: @DIR@/events.json
      layout:
        cluster: "{{ .ClusterName }}"
        what: "{{ .Reason }} {{ .InvolvedObject.Kind }}/{{ .InvolvedObject.Name }}"
        count: "{{ .Count }}"
        key: "{{ .IdempotencyKey }}"
        level: '{{ if eq .Type "Warning" }}warn{{ else }}info{{ end }}'
        version: 2"""))
    kv.wait_watching()
    cluster.create_event(namespace, "layout-me", reason="Layout", type_="Warning", count=4)
    out = kv.folder / "events.json"
    line = wait_for(lambda: next(iter(read_lines(out)), None), what="the rendered event")
    server = cluster.kubectl_json("get", "event", "layout-me", "-n", namespace)
    assert line == {
        "cluster": "test-cluster",
        "what": "Layout Pod/test-object",
        "count": "4",
        "key": f"{server['metadata']['uid']}/{server['metadata']['resourceVersion']}",
        "level": "warn",
        "version": 2,
    }


def test_emit_updates_false_emits_each_event_once(cluster, namespace, kubevents_factory):
    kv = kubevents_factory(file_receiver_config(namespace, extra="emitUpdates: false"))
    kv.wait_watching()
    cluster.create_event(namespace, "once-only", count=1)
    out = kv.folder / "events.json"
    wait_for(lambda: "once-only" in names(out), what="the new event")
    status, _ = cluster.api("PATCH", f"/api/v1/namespaces/{namespace}/events/once-only",
                            {"count": 2, "lastTimestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
                            content_type="application/merge-patch+json")
    assert status == 200
    cluster.create_event(namespace, "marker")  # after the update: once it is there, so would the update be
    wait_for(lambda: "marker" in names(out), what="the marker")
    assert names(out).count("once-only") == 1
