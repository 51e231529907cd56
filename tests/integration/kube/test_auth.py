"""Every way kubevents can authenticate to the API server, and clear
failures for every way it cannot."""

import base64
import os
import pathlib
import stat
import textwrap
import time

import pytest

from harness import EventsReaderServiceAccount, file_receiver_config, read_lines, unique_name, wait_for


def assert_delivers(cluster, namespace, kv):
    kv.wait_watching()
    name = unique_name("auth")
    cluster.create_event(namespace, name, reason="AuthCheck")
    wait_for(lambda: any(l["metadata"]["name"] == name for l in read_lines(kv.folder / "events.json")),
             what="the event through this authentication mode")


def kubeconfig(path, server, ca_file, user):
    path.write_text(textwrap.dedent(f"""\
        apiVersion: v1
        kind: Config
        current-context: test
        clusters:
        - name: test
          cluster:
            server: {server}
            certificate-authority: {ca_file}
        contexts:
        - name: test
          context: {{cluster: test, user: u}}
        users:
        - name: u
          user:
        """) + textwrap.indent(user, "    "))
    return str(path)


def test_client_certificate(cluster, namespace, kubevents_factory):
    kv = kubevents_factory(file_receiver_config(namespace), kubeconfig=cluster.env["KUBEVENTS_ADMIN_KUBECONFIG"])
    assert_delivers(cluster, namespace, kv)


def test_client_certificate_from_files(cluster, namespace, kubevents_factory):
    kv = kubevents_factory(file_receiver_config(namespace),
                           kubeconfig=cluster.env["KUBEVENTS_ADMIN_FILES_KUBECONFIG"])
    assert_delivers(cluster, namespace, kv)


def test_static_token(cluster, namespace, kubevents_factory):
    kv = kubevents_factory(file_receiver_config(namespace), kubeconfig=cluster.env["KUBEVENTS_TOKEN_KUBECONFIG"])
    assert_delivers(cluster, namespace, kv)


def test_kubeconfig_from_environment(cluster, namespace, kubevents_factory):
    kv = kubevents_factory(file_receiver_config(namespace), kubeconfig="",
                           extra_env={"KUBECONFIG": cluster.env["KUBEVENTS_TOKEN_KUBECONFIG"]})
    assert_delivers(cluster, namespace, kv)
    assert "token.kubeconfig" in kv.log()


def test_in_cluster_service_account_token(cluster, namespace, kubevents_factory, tmp_path):
    # A ServiceAccount allowed to list and watch events, nothing more.
    with EventsReaderServiceAccount(cluster, namespace, tmp_path) as sa:
        kv = kubevents_factory(file_receiver_config(namespace), kubeconfig="", extra_env=sa.env)
        assert_delivers(cluster, namespace, kv)
        assert "in-cluster" in kv.log()


def test_exec_credential_plugin(cluster, namespace, kubevents_factory, tmp_path):
    token = pathlib.Path(cluster.env["KUBEVENTS_STATIC_TOKEN_FILE"]).read_text().strip()
    plugin = tmp_path / "get-token.sh"
    runs = tmp_path / "runs"
    plugin.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        # A stand-in for `aws eks get-token`: prints an ExecCredential.
        echo run >> {runs}
        cat <<EOF
        {{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",
          "status":{{"token":"{token}","expirationTimestamp":"2999-01-01T00:00:00Z"}}}}
        EOF
        """))
    plugin.chmod(0o755)
    kc = kubeconfig(tmp_path / "exec.kubeconfig", cluster.url, cluster.env["KUBEVENTS_CA_FILE"],
                    textwrap.dedent(f"""\
                        exec:
                          apiVersion: client.authentication.k8s.io/v1beta1
                          command: {plugin}
                          args: ["--cluster-name", "test"]
                          interactiveMode: Never
                        """))
    kv = kubevents_factory(file_receiver_config(namespace), kubeconfig=kc)
    assert_delivers(cluster, namespace, kv)
    # Reused until it expires: one run for the list and the watch.
    assert runs.read_text().count("run") == 1


# --- failures: one clear line, a non-zero exit, no hang -------------------

def assert_fails_clearly(kv, *expected):
    code = kv.wait_exit(timeout=60)
    assert code != 0
    log = kv.log()
    errors = [l for l in log.splitlines() if " error " in l or l.startswith("kubeconfig")]
    assert len(errors) == 1, log
    for text in expected:
        assert text in errors[0], errors[0]
    assert "Aborted" not in log and "terminate called" not in log


def test_dead_server(cluster, namespace, kubevents_factory, tmp_path):
    kc = kubeconfig(tmp_path / "dead.kubeconfig", "https://127.0.0.1:1", cluster.env["KUBEVENTS_CA_FILE"],
                    "token: whatever\n")
    kv = kubevents_factory(file_receiver_config(namespace), kubeconfig=kc)
    assert_fails_clearly(kv, "cannot list events from https://127.0.0.1:1")


def test_wrong_ca(cluster, namespace, kubevents_factory, tmp_path):
    other_ca = tmp_path / "other-ca.crt"
    os.system(f"openssl req -x509 -newkey rsa:2048 -nodes -keyout {tmp_path}/k -out {other_ca} "
              f"-subj /CN=other-ca -days 1 2>/dev/null")
    token = pathlib.Path(cluster.env["KUBEVENTS_STATIC_TOKEN_FILE"]).read_text().strip()
    kc = kubeconfig(tmp_path / "wrongca.kubeconfig", cluster.url, str(other_ca), f"token: {token}\n")
    kv = kubevents_factory(file_receiver_config(namespace), kubeconfig=kc)
    assert_fails_clearly(kv, "certificate")
    assert token not in kv.log()


def test_bad_token(cluster, namespace, kubevents_factory, tmp_path):
    kc = kubeconfig(tmp_path / "badtoken.kubeconfig", cluster.url, cluster.env["KUBEVENTS_CA_FILE"],
                    "token: not-a-valid-token\n")
    kv = kubevents_factory(file_receiver_config(namespace), kubeconfig=kc)
    assert_fails_clearly(kv, "401")
    assert "not-a-valid-token" not in kv.log()


def test_token_without_rbac(cluster, namespace, kubevents_factory, tmp_path):
    token = pathlib.Path(cluster.env["KUBEVENTS_NOBODY_TOKEN_FILE"]).read_text().strip()
    kc = kubeconfig(tmp_path / "nobody.kubeconfig", cluster.url, cluster.env["KUBEVENTS_CA_FILE"],
                    f"token: {token}\n")
    kv = kubevents_factory(file_receiver_config(namespace), kubeconfig=kc)
    assert_fails_clearly(kv, "403", "forbidden")


def test_unreadable_kubeconfig(cluster, namespace, kubevents_factory, tmp_path):
    kv = kubevents_factory(file_receiver_config(namespace), kubeconfig=str(tmp_path / "missing.kubeconfig"))
    assert_fails_clearly(kv, "missing.kubeconfig")


def test_kubeconfig_referencing_an_unreadable_file(cluster, namespace, kubevents_factory, tmp_path):
    kc = kubeconfig(tmp_path / "nocacert.kubeconfig", cluster.url, str(tmp_path / "no-such-ca.crt"),
                    "token: x\n")
    kv = kubevents_factory(file_receiver_config(namespace), kubeconfig=kc)
    assert_fails_clearly(kv, "certificate-authority", "no-such-ca.crt")
