"""Fixtures of the deployment tests: the Helm CLI (built from its Go module
by testenv/build-helm.sh, cached), rendering of deploy/ and of the chart,
and the objects of deploy/ really applied to the test control plane."""

import pathlib
import subprocess

import pytest

from deploy_helpers import CHART, DEPLOY, docs, ensure_restricted_namespace
from harness import REPO


@pytest.fixture(scope="session")
def helm():
    out = subprocess.run([str(REPO / "testenv/build-helm.sh")], check=True, capture_output=True, text=True)
    path = pathlib.Path(out.stdout.strip().splitlines()[-1])
    assert path.is_file(), out.stderr
    return path


@pytest.fixture(scope="session")
def helm_template(helm):
    """helm_template(release, namespace, *args, check=True) -> CompletedProcess
    of `helm template` (check: its exit code must be 0)."""

    def render(release, namespace, *args, check=True):
        res = subprocess.run([str(helm), "template", release, str(CHART), "--namespace", namespace, *args],
                             capture_output=True, text=True)
        if check:
            assert res.returncode == 0, res.stderr
        return res

    return render


@pytest.fixture(scope="session")
def kustomized(cluster):
    """deploy/ as kustomize builds it (kubectl's built-in kustomize)."""
    return docs(cluster.kubectl("kustomize", str(DEPLOY)))


@pytest.fixture(scope="module")
def kustomize_applied(cluster):
    """deploy/ applied for real (after a server-side dry run) into the test
    control plane; deleted again at the end of the module. Returns the
    stderr and stdout of both applies."""
    ensure_restricted_namespace(cluster, "monitoring")
    results = {}
    for mode, extra in (("dry-run", ["--dry-run=server"]), ("real", [])):
        res = subprocess.run([cluster.kubectl_bin, "--kubeconfig", cluster.kubeconfig, "apply", "-k", str(DEPLOY),
                              *extra], capture_output=True, text=True)
        assert res.returncode == 0, f"kubectl apply -k deploy/ ({mode}) failed:\n{res.stderr}"
        results[mode] = res
    yield results
    cluster.kubectl("delete", "-k", str(DEPLOY), "--wait=false", "--ignore-not-found", check=False)
