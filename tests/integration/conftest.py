"""Shared fixtures for the integration tests: the real control plane from
testenv/, fresh namespaces, and kubevents processes.

Every test here talks to a real kube-apiserver (with etcd, the controller
manager and the scheduler) started by testenv/start.sh on loopback."""

import os
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from harness import Cluster, Kubevents, REPO, unique_name  # noqa: E402


@pytest.fixture(scope="session")
def cluster():
    return Cluster.start()


@pytest.fixture
def namespace(cluster):
    ns = unique_name("kv")
    cluster.kubectl("create", "namespace", ns)
    yield ns
    cluster.kubectl("delete", "namespace", ns, "--wait=false", check=False)


@pytest.fixture
def kubevents_factory(cluster, tmp_path):
    started = []

    def start(config_text, **kwargs):
        kv = Kubevents(cluster, tmp_path / f"kv{len(started)}", config_text, **kwargs)
        kv.start()
        started.append(kv)
        return kv

    yield start
    for kv in started:
        kv.stop()


def pytest_report_header(config):
    return f"kubevents binary: {Kubevents.binary()}  repo: {REPO}"
