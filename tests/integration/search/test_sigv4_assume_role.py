"""`aws.roleArn` on a search receiver: kubevents assumes the role at moto's
STS (`aws.stsEndpoint`) with its own keys, then signs the bulk requests with
the session moto issued. The botocore-verifying proxy checks each request
against that session's secret and token (read from moto) and reports the
RoleSessionName moto recorded for it.

The receiver's name holds a space: STS allows only [\\w+=,.@-]{2,64} in a
RoleSessionName (real STS refuses anything else; moto checks the length
only), so the proxy's report is what shows the name kubevents sent is one
AWS would accept. No OpenSearch here: a stub answers the bulk requests."""

import re

from search_helpers import make_events

REGION = "eu-west-1"
ROLE_ARN = "arn:aws:iam::123456789012:role/kubevents-search"
STS_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")


def base_env():
    """kubevents' own credentials: the ones moto accepts while auth is off."""
    return {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "", "AWS_REGION": REGION, "AWS_CONFIG_FILE": "/nonexistent",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_STS": "", "AWS_ENDPOINT_URL": ""}


def test_role_arn_with_a_spaced_receiver_name_assumes_the_role_and_delivers(
        moto, moto_sigv4_proxy, sink_tool):
    proxy, stub = moto_sigv4_proxy("es", REGION)
    cfg = (f"name: prod logs\nopensearch:\n  hosts: [{proxy.url}]\n  index: kv-assume-role\n"
           f"  aws: {{region: {REGION}, service: es, roleArn: '{ROLE_ARN}', "
           f"stsEndpoint: '{moto['MOTO_URL']}'}}\n")
    out, = sink_tool(cfg, make_events(5), env=base_env())
    stats = proxy.stats()
    assert out["request"] == "delivered", (out, stats)
    assert "retry" not in out["items"] and "reject" not in out["items"], out
    assert stats["accepted"] >= 1 and stats["rejected"] == 0, stats
    # Every accepted request was signed by the assumed role's session, and
    # that session's name is the receiver's, in STS's charset.
    assert stats["sessions"] and len(stats["sessions"]) == stats["accepted"], stats
    assert set(stats["sessions"]) == {"kubevents-prod-logs"}, stats
    assert STS_SESSION_NAME.fullmatch(stats["sessions"][0])
    assert len(stub.actions) == 5
