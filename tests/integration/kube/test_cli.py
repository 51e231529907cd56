"""The command line: the reference's -conf flag, check-config, version."""

import re
import subprocess

from harness import REPO, Kubevents, file_receiver_config, read_lines, unique_name, wait_for


def run(*args):
    return subprocess.run([Kubevents.binary(), *args], capture_output=True, text=True, timeout=30)


def test_version():
    res = run("version")
    assert res.returncode == 0
    assert res.stdout.startswith("kubevents ")


def test_every_flag_is_in_the_command_line_table_of_configuration_md():
    """`--help` of each command lists its flags; docs/configuration.md's
    "Command line" section must name every one."""
    doc = (REPO / "docs/configuration.md").read_text()
    section = doc[doc.index("\n## Command line"):]
    section = section[:section.index("\n## ", 1)]
    flags = set()
    for command in ("run", "check-config", "route-test", "redrive"):
        res = run(command, "--help")
        assert res.returncode == 0, res.stderr
        flags |= set(re.findall(r"(--[a-z][a-z-]*)", res.stdout)) - {"--help"}
    assert {"--data-dir", "--metrics-address", "--shutdown-grace"} <= flags, flags
    missing = sorted(f for f in flags if not re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", section))
    assert missing == [], f"flags missing from docs/configuration.md's Command line section: {missing}"


def test_check_config_lists_every_problem_with_line_and_column(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("logLevl: info\nroute:\n  match:\n    - namespace: '*test*'\n      receiver: nope\n"
                   "receivers:\n  - name: a\n    kafka: {brokers: [localhost:9092], topic: t}\n")
    res = run("check-config", str(bad))
    assert res.returncode == 1
    err = res.stderr
    assert f"{bad}:1:1: logLevl: unknown key (did you mean 'logLevel'?)" in err
    assert "looks like a glob" in err
    assert "receiver 'nope' is not defined" in err
    assert "receiver kind 'kafka' is not implemented" in err


def test_reference_conf_flag_runs(cluster, namespace, tmp_path):
    cfg = tmp_path / "reference-style.yaml"
    cfg.write_text(file_receiver_config(namespace).replace("@DIR@", str(tmp_path)))
    kv = Kubevents(cluster, tmp_path, "", args=[f"-conf={cfg}", "--kubeconfig", cluster.kubeconfig])
    kv.start()
    try:
        kv.wait_watching()
        name = unique_name("conf")
        cluster.create_event(namespace, name)
        wait_for(lambda: any(l["metadata"]["name"] == name for l in read_lines(tmp_path / "events.json")),
                 what="the event")
    finally:
        kv.stop()


def test_run_refuses_a_broken_config(cluster, tmp_path):
    cfg = tmp_path / "broken.yaml"
    cfg.write_text("receivers: [{name: x}]\n")
    kv = Kubevents(cluster, tmp_path, "", args=["run", "--config", str(cfg)])
    kv.start()
    assert kv.wait_exit(30) == 1
    assert "receiver has no kind" in kv.log()


def test_stdout_receiver_keeps_logs_out_of_stdout(cluster, namespace, kubevents_factory):
    kv = kubevents_factory(f"""
route:
  routes:
    - match: [{{namespace: "^{namespace}$", receiver: out}}]
receivers:
  - name: out
    stdout: {{}}
""")
    kv.wait_watching()
    name = unique_name("stdout")
    cluster.create_event(namespace, name)
    wait_for(lambda: name in kv.stdout_path.read_text(), what="the event on stdout")
    kv.stop()
    for line in kv.stdout_path.read_text().splitlines():
        assert line.startswith("{"), line
    assert "watching events" in kv.log()


def test_route_test_explains_which_receivers_an_exported_event_reaches(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("""
route:
  routes:
    - drop: [{namespace: "^kube-system$"}]
      match: [{type: Warning, receiver: alerts}]
    - match: [{labels: {app: "^web$"}, receiver: web}]
receivers:
  - name: alerts
    stdout: {}
  - name: web
    file: {path: /dev/null}
""")
    ev = tmp_path / "ev.json"
    # A line as kubevents exports it: the involved object's labels are used.
    ev.write_text('{"metadata":{"name":"x","namespace":"prod","uid":"u1","resourceVersion":"1"},'
                  '"reason":"BackOff","type":"Warning",'
                  '"involvedObject":{"kind":"Pod","name":"p","labels":{"app":"web"},"deleted":false}}')
    res = run("route-test", "--config", str(cfg), "--event", str(ev))
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert "routes[0].match[0] [match] type=Warning: matched -> alerts" in res.stdout
    assert "routes[1].match[0] [match] labels.app=^web$: matched -> web" in res.stdout
    assert lines[-1] == "reaches: alerts web"


def test_environment_and_file_secrets_expand_in_the_config(tmp_path):
    secret = tmp_path / "path-secret"
    secret.write_text(str(tmp_path / "out.json") + "\n")
    cfg = tmp_path / "c.yaml"
    cfg.write_text("clusterName: ${KV_CLUSTER}\nlogLevel: ${KV_UNSET_LEVEL:-info}\n"
                   "route: {match: [{receiver: f}]}\n"
                   "receivers: [{name: f, file: {path: '${file:" + str(secret) + "}'}}]\n")
    res = subprocess.run([Kubevents.binary(), "check-config", str(cfg)], capture_output=True, text=True,
                         env={"KV_CLUSTER": "prod", "PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stderr
    res = subprocess.run([Kubevents.binary(), "check-config", "--strict-env", str(cfg)],
                         capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert res.returncode == 1
    assert f"{cfg}:1:1: clusterName: environment variable KV_CLUSTER is not set" in res.stderr


def test_check_config_warns_of_variables_set_only_at_run_time(tmp_path):
    """The checking shell rarely has the pod's secrets: an unset ${VAR} is a
    warning and the check passes; --strict-env and `run` keep it an error."""
    cfg = tmp_path / "c.yaml"
    cfg.write_text("route: {match: [{receiver: hook}]}\n"
                   "receivers:\n  - name: hook\n    webhook:\n      endpoint: 'http://127.0.0.1:9/x'\n"
                   "      headers: {Authorization: 'Bearer ${KV_UNSET_TOKEN}'}\n")
    env = {"PATH": "/usr/bin:/bin"}
    res = subprocess.run([Kubevents.binary(), "check-config", str(cfg)], capture_output=True,
                         text=True, env=env, timeout=30)
    assert res.returncode == 0, res.stderr
    assert "warning: receivers[0].webhook.headers" in res.stderr, res.stderr
    assert "KV_UNSET_TOKEN is not set here; it must be set at run time" in res.stderr
    assert "OK (1 receivers)" in res.stdout

    res = subprocess.run([Kubevents.binary(), "check-config", "--strict-env", str(cfg)],
                         capture_output=True, text=True, env=env, timeout=30)
    assert res.returncode == 1
    assert "environment variable KV_UNSET_TOKEN is not set (write" in res.stderr

    res = subprocess.run([Kubevents.binary(), "run", "--config", str(cfg), "--metrics-address", "",
                          "--data-dir", str(tmp_path / "data")],
                         capture_output=True, text=True, env=env, timeout=30)
    assert res.returncode == 1
    assert "environment variable KV_UNSET_TOKEN is not set (write" in res.stderr
