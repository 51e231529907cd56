"""SigV4-signed bulk requests checked by botocore (the official AWS SDK for
Python) in tests/integration/peers/sigv4_verify_proxy.py, standing in front
of the real OpenSearch the way Amazon OpenSearch Service (`es`) and
OpenSearch Serverless (`aoss`) check signatures. kubevents' signer is not
involved in the check."""

import uuid

import pytest

from search_helpers import make_events

ACCESS_KEY = "AKIDKUBEVENTSTEST01"
SECRET_KEY = "kubevents/Test+Secret/Key0123456789abcdefg"
REGION = "eu-west-1"


def aws_env(secret=SECRET_KEY, token=None):
    env = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": secret,
           "AWS_REGION": REGION, "AWS_CONFIG_FILE": "/nonexistent",
           "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_SESSION_TOKEN": token or ""}
    return env


def config(url, index, service):
    return (f"name: os\nopensearch:\n  hosts: [{url}]\n  index: {index}\n"
            f"  aws: {{region: {REGION}, service: {service}}}\n")


@pytest.mark.parametrize("service", ["es", "aoss"])
def test_signed_bulk_is_accepted_by_botocore(search, sigv4_proxy, sink_tool, service):
    index = f"kv-sigv4-{service}-{uuid.uuid4().hex[:8]}"
    search.ok("PUT", f"/{index}", {"settings": {"number_of_shards": 1, "number_of_replicas": 0}})
    proxy = sigv4_proxy(service, ACCESS_KEY, SECRET_KEY, REGION)
    out, = sink_tool(config(proxy.url, index, service), make_events(20), env=aws_env())
    stats = proxy.stats()
    assert out["request"] == "delivered", (out, stats)
    assert stats["accepted"] >= 1 and stats["rejected"] == 0, stats
    assert search.count(index) == 20


def test_session_token_is_signed(search, sigv4_proxy, sink_tool):
    index = f"kv-sigv4-token-{uuid.uuid4().hex[:8]}"
    proxy = sigv4_proxy("es", ACCESS_KEY, SECRET_KEY, REGION)
    out, = sink_tool(config(proxy.url, index, "es"), make_events(3),
                     env=aws_env(token="FwoGZXIvYXdzEXAMPLE//token=="))
    assert out["request"] == "delivered", (out, proxy.stats())
    assert proxy.stats()["accepted"] >= 1


@pytest.mark.parametrize("service", ["es", "aoss"])
def test_wrong_secret_is_refused(search, sigv4_proxy, sink_tool, service):
    index = f"kv-sigv4-bad-{uuid.uuid4().hex[:8]}"
    proxy = sigv4_proxy(service, ACCESS_KEY, SECRET_KEY, REGION)
    out, = sink_tool(config(proxy.url, index, service), make_events(3),
                     env=aws_env(secret="not-the-secret-key"))
    stats = proxy.stats()
    assert out["request"] == "reject" and "HTTP 403" in out["reason"], out
    assert stats["rejected"] == 1 and stats["accepted"] == 0, stats
    assert "signature mismatch" in stats["reasons"][0]
    assert "not-the-secret-key" not in out["reason"] + sink_tool.last_stderr


def test_signing_for_the_wrong_service_is_refused(search, sigv4_proxy, sink_tool):
    index = f"kv-sigv4-svc-{uuid.uuid4().hex[:8]}"
    proxy = sigv4_proxy("aoss", ACCESS_KEY, SECRET_KEY, REGION)
    out, = sink_tool(config(proxy.url, index, "es"), make_events(1), env=aws_env())
    assert out["request"] == "reject", out
    assert "credential scope" in proxy.stats()["reasons"][0]
