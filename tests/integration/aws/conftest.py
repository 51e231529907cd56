"""Fixtures for the AWS tests: a moto server for the session (testenv/moto.sh),
the venv python that has botocore, and the C++ test tools.

Nothing here skips: if moto cannot start or a tool is not built, the tests
fail with the reason."""

import os
import pathlib

import pytest

from peer_clients import moto_server

REPO = pathlib.Path(__file__).resolve().parents[3]


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
    try:
        with moto_server() as env:
            yield Moto(env)
    except RuntimeError as e:
        pytest.fail(str(e))


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
