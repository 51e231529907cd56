"""The command line: the reference's -conf flag, check-config, version."""

import subprocess

from harness import Kubevents, file_receiver_config, read_lines, unique_name, wait_for


def run(*args):
    return subprocess.run([Kubevents.binary(), *args], capture_output=True, text=True, timeout=30)


def test_version():
    res = run("version")
    assert res.returncode == 0
    assert res.stdout.startswith("kubevents ")


def test_check_config_lists_every_problem_with_line_and_column(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("logLevl: info\nroute:\n  match:\n    - namespace: '*test*'\n      receiver: nope\n"
                   "receivers:\n  - name: a\n    webhook: {endpoint: http://x}\n")
    res = run("check-config", str(bad))
    assert res.returncode == 1
    err = res.stderr
    assert f"{bad}:1:1: logLevl: unknown key (did you mean 'logLevel'?)" in err
    assert "looks like a glob" in err
    assert "receiver 'nope' is not defined" in err
    assert "receiver kind 'webhook' is not implemented" in err


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
