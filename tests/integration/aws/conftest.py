"""Fixtures for the AWS tests: a moto server for the session (testenv/moto.sh),
the venv python that has botocore, and the C++ test tools.

Nothing here skips: if moto cannot start or a tool is not built, the tests
fail with the reason."""

import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
MOTO_SH = REPO / "testenv" / "moto.sh"


def read_env_file(path):
    env = {}
    for line in pathlib.Path(path).read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep:
            env[key] = value
    return env


class Moto:
    """A running moto_server: `url`, `python` (venv with botocore/boto3)."""

    def __init__(self, env):
        self.env = env
        self.url = env["MOTO_URL"]
        self.python = env["KUBEVENTS_AWS_PYTHON"]

    def set_auth(self, enforce):
        """Switches moto's SigV4 + IAM enforcement on or off (global)."""
        import urllib.request
        body = b"0" if enforce else b"inf"
        # Not a form content type: moto reads the raw body, which Flask
        # leaves empty for a form.
        req = urllib.request.Request(f"{self.url}/moto-api/reset-auth", data=body, method="POST",
                                     headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200

    def reset(self):
        import urllib.request
        req = urllib.request.Request(f"{self.url}/moto-api/reset", data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200


@pytest.fixture(scope="session")
def moto():
    """Reuses the moto of $KUBEVENTS_MOTO_STATE when scripts/test.sh started
    one; otherwise starts one for this session and stops it afterwards."""
    shared = os.environ.get("KUBEVENTS_MOTO_STATE")
    if shared and (pathlib.Path(shared) / "moto.env").exists():
        r = subprocess.run([str(MOTO_SH), "status", shared], capture_output=True, text=True)
        if r.returncode == 0:
            yield Moto(read_env_file(pathlib.Path(shared) / "moto.env"))
            return
    state = tempfile.mkdtemp(prefix="kv-moto-")
    r = subprocess.run([str(MOTO_SH), "start", state], capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        pytest.fail(f"testenv/moto.sh start failed (exit {r.returncode}):\n{r.stderr[-3000:]}")
    try:
        yield Moto(read_env_file(pathlib.Path(state) / "moto.env"))
    finally:
        subprocess.run([str(MOTO_SH), "stop", state], capture_output=True, timeout=60)
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="session")
def aws_python(moto):
    """The venv python with botocore and boto3 (pinned by testenv/moto.sh)."""
    return moto.python


def _tool(name):
    build = pathlib.Path(os.environ.get("KUBEVENTS_BUILD_DIR", REPO / "build"))
    path = build / "tests" / "tools" / name
    if not path.exists():
        pytest.fail(f"{path} is not built: ninja -C {build} {name} (or set KUBEVENTS_BUILD_DIR)")
    return str(path)


@pytest.fixture(scope="session")
def sign_tool():
    return _tool("sign_tool")


@pytest.fixture(scope="session")
def creds_tool():
    return _tool("aws_creds_tool")
