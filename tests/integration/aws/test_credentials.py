"""kubevents' AWS credential chain, source by source and in combination,
driven through tests/tools/aws_creds_tool.

Peers: STS is moto (testenv/moto.sh). IMDSv2, the ECS agent and the EKS Pod
Identity agent cannot run here; tests/integration/peers/aws_metadata_peer.py
stands in for them, and every test that uses it first points botocore (the
official Python SDK) at it and checks botocore gets credentials from it, so
the peer is known to speak the protocol the SDKs speak before kubevents is
judged against it.

Each case runs the tool and botocore with an environment built from nothing
(no AWS_* from the caller, HOME an empty folder), so only what the test sets
up is visible."""

import json
import os
import pathlib
import subprocess
import sys
import textwrap
import uuid

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "peers"))

from aws_metadata_peer import MetadataPeer  # noqa: E402

ENV_KEY = "AKIAENVIRONMENT00001"
ENV_SECRET = "env-secret-0123456789abcdefghijklmnopqrstuv"
PROFILE_KEY = "AKIAPROFILESTATIC001"
PROFILE_SECRET = "profile-secret-abcdefghijklmnopqrstuvwxyz01"
PROCESS_KEY = "AKIAPROCESS000000001"
PROCESS_SECRET = "process-secret-abcdefghijklmnopqrstuvwxyz"
ROLE_ARN = "arn:aws:iam::123456789012:role/kubevents-irsa"
SECRETS = [ENV_SECRET, PROFILE_SECRET, PROCESS_SECRET]


@pytest.fixture
def peer():
    p = MetadataPeer().start()
    yield p
    p.stop()


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    h.mkdir()
    return h


def base_env(home, **extra):
    """An environment with no AWS configuration but what `extra` adds. IMDS is
    off unless a test turns it on: nothing may reach 169.254.169.254."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["HOME"] = str(home)
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = str(v)
    return env


def run_tool(creds_tool, env, *args, expect_ok=True):
    out = subprocess.run([creds_tool, *args], env=env, capture_output=True, text=True, timeout=120)
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    for secret in SECRETS:
        assert secret not in out.stdout and secret not in out.stderr, "a secret was printed"
    if expect_ok:
        assert out.returncode == 0, (out.stdout, out.stderr)
    return lines, out


def one(creds_tool, env, *args):
    lines, out = run_tool(creds_tool, env, *args)
    creds = [line for line in lines if "ok" in line]
    assert len(creds) == 1 and creds[0]["ok"], (lines, out.stderr)
    return creds[0]


BOTOCORE_CREDS = r'''
import json, os, sys
import botocore.session, botocore.utils
if os.environ.get("TEST_ECS_HOST"):
    # The ECS agent's address is fixed in botocore; point it at the peer.
    botocore.utils.ContainerMetadataFetcher.IP_ADDRESS = os.environ["TEST_ECS_HOST"]
creds = botocore.session.get_session().get_credentials()
if creds is None:
    print(json.dumps(None))
else:
    frozen = creds.get_frozen_credentials()
    print(json.dumps({"method": creds.method, "access_key": frozen.access_key,
                      "has_token": bool(frozen.token)}))
'''


def botocore_creds(aws_python, env):
    out = subprocess.run([aws_python, "-c", BOTOCORE_CREDS], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


# ------------------------------------------------------------ one at a time

def test_environment_keys(creds_tool, aws_python, home):
    env = base_env(home, AWS_ACCESS_KEY_ID=ENV_KEY, AWS_SECRET_ACCESS_KEY=ENV_SECRET,
                   AWS_SESSION_TOKEN="env-session-token")
    assert botocore_creds(aws_python, env)["method"] == "env"
    got = one(creds_tool, env)
    assert got["source"] == "environment"
    assert got["access_key_id"] == ENV_KEY
    assert got["has_session_token"] is True
    assert got["expiration"] is None


def test_environment_with_only_the_key_id_is_an_error(creds_tool, home):
    env = base_env(home, AWS_ACCESS_KEY_ID=ENV_KEY)
    lines, out = run_tool(creds_tool, env, expect_ok=False)
    assert out.returncode == 1
    assert lines[-1]["ok"] is False and lines[-1]["code"] == "invalid config"


def test_nothing_configured_is_not_found(creds_tool, home):
    lines, out = run_tool(creds_tool, base_env(home), expect_ok=False)
    assert out.returncode == 1
    assert lines[-1]["code"] == "not found"
    assert "AWS_EC2_METADATA_DISABLED" in lines[-1]["message"]


def write_profiles(home, config="", credentials=""):
    aws = home / ".aws"
    aws.mkdir(exist_ok=True)
    (aws / "config").write_text(textwrap.dedent(config))
    (aws / "credentials").write_text(textwrap.dedent(credentials))


def test_profile_static_keys_with_aws_profile(creds_tool, aws_python, home):
    write_profiles(home, config="""
        [default]
        region = eu-west-1
        [profile team]
        region = us-west-2
        """, credentials=f"""
        # comment
        [default]
        aws_access_key_id = AKIADEFAULT000000001
        aws_secret_access_key = default-secret
        [team]
        aws_access_key_id =   {PROFILE_KEY}
        aws_secret_access_key={PROFILE_SECRET}
        """)
    env = base_env(home, AWS_PROFILE="team")
    assert botocore_creds(aws_python, env) == {
        "method": "shared-credentials-file", "access_key": PROFILE_KEY, "has_token": False}
    got = one(creds_tool, env)
    assert (got["source"], got["access_key_id"]) == ("shared-profile", PROFILE_KEY)
    # Without AWS_PROFILE the default profile answers.
    assert one(creds_tool, base_env(home))["access_key_id"] == "AKIADEFAULT000000001"
    # Files elsewhere, named by the variables.
    moved = home / "elsewhere"
    (home / ".aws").rename(moved)
    env = base_env(home, AWS_PROFILE="team", AWS_CONFIG_FILE=moved / "config",
                   AWS_SHARED_CREDENTIALS_FILE=moved / "credentials")
    assert one(creds_tool, env)["access_key_id"] == PROFILE_KEY


def test_named_profile_that_does_not_exist_is_an_error(creds_tool, home):
    write_profiles(home, credentials="[default]\naws_access_key_id = A\naws_secret_access_key = B\n")
    lines, out = run_tool(creds_tool, base_env(home, AWS_PROFILE="nope"), expect_ok=False)
    assert lines[-1]["code"] == "invalid config" and "nope" in lines[-1]["message"]


def test_profile_credential_process(creds_tool, aws_python, home, tmp_path):
    script = tmp_path / "creds helper.py"
    script.write_text(textwrap.dedent(f"""
        import json, sys
        assert sys.argv[1:] == ["--role", "reader x"], sys.argv
        print(json.dumps({{"Version": 1, "AccessKeyId": "{PROCESS_KEY}",
                          "SecretAccessKey": "{PROCESS_SECRET}", "SessionToken": "tok",
                          "Expiration": "2099-01-01T00:00:00Z"}}))
        """))
    write_profiles(home, config=f"""
        [profile proc]
        credential_process = {sys.executable} "{script}" --role 'reader x'
        """)
    env = base_env(home, AWS_PROFILE="proc")
    assert botocore_creds(aws_python, env) == {
        "method": "custom-process", "access_key": PROCESS_KEY, "has_token": True}
    got = one(creds_tool, env)
    assert (got["source"], got["access_key_id"]) == ("credential-process", PROCESS_KEY)
    assert got["expiration"] == "2099-01-01T00:00:00Z"


IAM_SETUP = r'''
import json, os, boto3
iam = boto3.client("iam", endpoint_url=os.environ["MOTO_URL"])
user = os.environ["TEST_USER"]
try:
    arn = iam.create_user(UserName=user)["User"]["Arn"]
except iam.exceptions.EntityAlreadyExistsException:
    arn = iam.get_user(UserName=user)["User"]["Arn"]
role = os.environ["TEST_ROLE"]
trust = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"}]}
try:
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
except iam.exceptions.EntityAlreadyExistsException:
    role_arn = iam.get_role(RoleName=role)["Role"]["Arn"]
iam.put_user_policy(UserName=user, PolicyName="assume", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}]}))
key = iam.create_access_key(UserName=user)["AccessKey"]
print(json.dumps({"id": key["AccessKeyId"], "secret": key["SecretAccessKey"], "role_arn": role_arn}))
'''


def iam_user_and_role(moto, aws_python, user, role):
    # Unique names: a shared moto may have seen this test before (IAM allows
    # two keys per user).
    suffix = uuid.uuid4().hex[:8]
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1", MOTO_URL=moto.url, TEST_USER=f"{user}-{suffix}",
               TEST_ROLE=f"{role}-{suffix}")
    out = subprocess.run([aws_python, "-c", IAM_SETUP], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    made = json.loads(out.stdout)
    SECRETS.append(made["secret"])
    return made


def test_profile_role_arn_with_source_profile_assumes_the_role_at_moto(
        creds_tool, aws_python, moto, home):
    made = iam_user_and_role(moto, aws_python, "profile-user", "profile-role")
    write_profiles(home, config=f"""
        [profile deploy]
        role_arn = {made["role_arn"]}
        source_profile = base
        role_session_name = kubevents-test
        region = us-east-1
        """, credentials=f"""
        [base]
        aws_access_key_id = {made["id"]}
        aws_secret_access_key = {made["secret"]}
        """)
    env = base_env(home, AWS_PROFILE="deploy", AWS_ENDPOINT_URL_STS=moto.url)
    # moto checks the AssumeRole call's signature and the role's trust policy.
    moto.set_auth(True)
    try:
        theirs = botocore_creds(aws_python, env)
        got = one(creds_tool, env)
    finally:
        moto.set_auth(False)
    assert theirs["method"] == "assume-role" and theirs["access_key"].startswith("ASIA")
    assert got["source"] == "assume-role"
    assert got["access_key_id"].startswith("ASIA") and got["has_session_token"]
    assert got["access_key_id"] != theirs["access_key"]


def test_assume_role_rejected_by_trust_policy_is_unauthorized(creds_tool, aws_python, moto, home):
    made = iam_user_and_role(moto, aws_python, "untrusted-user", "untrusted-role")
    other = iam_user_and_role(moto, aws_python, "other-user", "other-role")
    # The user may call sts:AssumeRole on its own role only; other-role trusts other-user.
    env = base_env(home, AWS_ACCESS_KEY_ID=made["id"], AWS_SECRET_ACCESS_KEY=made["secret"],
                   AWS_ENDPOINT_URL_STS=moto.url, AWS_REGION="us-east-1")
    moto.set_auth(True)
    try:
        ok = one(creds_tool, env, "--assume-role", made["role_arn"], "--session-name", "s1")
        lines, out = run_tool(creds_tool, env, "--assume-role", other["role_arn"], expect_ok=False)
    finally:
        moto.set_auth(False)
    assert ok["source"] == "assume-role" and ok["access_key_id"].startswith("ASIA")
    assert out.returncode == 1
    assert lines[-1]["code"] == "unauthorized" and "AccessDenied" in lines[-1]["message"]


def test_irsa_web_identity_against_moto_sts(creds_tool, aws_python, moto, home, tmp_path):
    token = tmp_path / "token"
    token.write_text("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2ln\n")
    env = base_env(home, AWS_ROLE_ARN=ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE=token,
                   AWS_ROLE_SESSION_NAME="kubevents-irsa", AWS_ENDPOINT_URL_STS=moto.url,
                   AWS_REGION="us-east-1")
    theirs = botocore_creds(aws_python, env)
    assert theirs["method"] == "assume-role-with-web-identity"
    got = one(creds_tool, env)
    assert got["source"] == "web-identity"
    assert got["access_key_id"].startswith("ASIA") and got["has_session_token"]
    assert got["expiration"] is not None
    # AWS_ENDPOINT_URL is honoured as well when no STS-specific one is set.
    env2 = base_env(home, AWS_ROLE_ARN=ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE=token,
                    AWS_ENDPOINT_URL=moto.url)
    assert one(creds_tool, env2)["source"] == "web-identity"
    # A missing token file is an error, not a silent fall-through to another source.
    env3 = base_env(home, AWS_ROLE_ARN=ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE=tmp_path / "missing",
                    AWS_ENDPOINT_URL_STS=moto.url, AWS_ACCESS_KEY_ID=None)
    lines, out = run_tool(creds_tool, env3, expect_ok=False)
    assert lines[-1]["code"] == "unavailable" and "token file" in lines[-1]["message"]


def test_eks_pod_identity(creds_tool, aws_python, peer, home, tmp_path):
    token_file = tmp_path / "eks-pod-identity-token"
    token_file.write_text(peer.pod_identity_token)
    env = base_env(home, AWS_CONTAINER_CREDENTIALS_FULL_URI=peer.url + peer.pod_identity_path,
                   AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=token_file)
    theirs = botocore_creds(aws_python, env)
    assert theirs["method"] == "container-role" and theirs["access_key"] == peer.issued[-1]
    got = one(creds_tool, env)
    assert got["source"] == "eks-pod-identity"
    assert got["access_key_id"] == peer.issued[-1] and got["has_session_token"]
    sent = [r for r in peer.requests if r["path"] == peer.pod_identity_path]
    assert len(sent) == 2 and all(r["headers"]["authorization"] == peer.pod_identity_token for r in sent)
    # A token the agent does not accept: refused, and said so.
    token_file.write_text("not-the-token")
    lines, out = run_tool(creds_tool, env, expect_ok=False)
    assert lines[-1]["code"] == "unauthorized"
    # Plain http to a host that is neither loopback nor the agent is refused
    # before any request is made (the token would leak).
    env_bad = dict(env, AWS_CONTAINER_CREDENTIALS_FULL_URI="http://example.invalid/v1/credentials")
    lines, out = run_tool(creds_tool, env_bad, expect_ok=False)
    assert lines[-1]["code"] == "invalid config"


def test_ecs_task_role(creds_tool, aws_python, peer, home):
    env = base_env(home, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=peer.ecs_path,
                   TEST_ECS_HOST=peer.url.removeprefix("http://"))
    theirs = botocore_creds(aws_python, env)
    assert theirs["method"] == "container-role" and theirs["access_key"] == peer.issued[-1]
    got = one(creds_tool, env, "--ecs-endpoint", peer.url)
    assert (got["source"], got["access_key_id"]) == ("ecs", peer.issued[-1])


def imds_env(home, peer, **extra):
    settings = dict(AWS_EC2_METADATA_DISABLED=None, AWS_EC2_METADATA_SERVICE_ENDPOINT=peer.url)
    settings.update(extra)
    return base_env(home, **settings)


BOTOCORE_IMDS_REGION = r'''
import os
from botocore.utils import InstanceMetadataRegionFetcher
print(InstanceMetadataRegionFetcher(
    config={"ec2_metadata_service_endpoint": os.environ["AWS_EC2_METADATA_SERVICE_ENDPOINT"]}
).retrieve_region())
'''


def test_imds_v2(creds_tool, aws_python, peer, home):
    env = imds_env(home, peer)
    theirs = botocore_creds(aws_python, env)
    assert theirs["method"] == "iam-role" and theirs["access_key"] == peer.issued[-1]
    region = subprocess.run([aws_python, "-c", BOTOCORE_IMDS_REGION], env=env, capture_output=True,
                            text=True, timeout=60)
    assert region.stdout.strip() == peer.region, region.stderr

    before = len(peer.requests)
    lines, out = run_tool(creds_tool, env, "--print-region")
    assert lines[0] == {"region": peer.region}
    got = lines[1]
    assert got["ok"] and got["source"] == "imds" and got["access_key_id"] == peer.issued[-1]
    ours = peer.requests[before:]
    assert ours[0]["method"] == "PUT" and ours[0]["path"] == "/latest/api/token"
    assert all("x-aws-ec2-metadata-token" in r["headers"] for r in ours if r["method"] == "GET")


def test_imds_v1_fallback_is_off_unless_asked(creds_tool, aws_python, peer, home):
    peer.imds_tokens_enabled = False  # an IMDS that only speaks v1
    peer.imds_v1 = True
    env = imds_env(home, peer)
    assert botocore_creds(aws_python, env)["method"] == "iam-role"  # botocore falls back
    lines, out = run_tool(creds_tool, env, expect_ok=False)
    assert lines[-1]["ok"] is False and "IMDSv1 fallback is off" in lines[-1]["message"]
    got = one(creds_tool, env, "--imds-v1-fallback")
    assert got["source"] == "imds" and got["access_key_id"] == peer.issued[-1]


def test_imds_disabled_asks_nothing(creds_tool, peer, home):
    env = imds_env(home, peer, AWS_EC2_METADATA_DISABLED="true")
    lines, out = run_tool(creds_tool, env, expect_ok=False)
    assert lines[-1]["code"] == "not found"
    assert peer.requests == []


def test_region_from_environment_then_profile(creds_tool, home, peer):
    write_profiles(home, config="[default]\nregion = ap-south-1\n")
    env = imds_env(home, peer, AWS_ACCESS_KEY_ID=ENV_KEY, AWS_SECRET_ACCESS_KEY=ENV_SECRET)
    assert run_tool(creds_tool, dict(env, AWS_REGION="eu-north-1"), "--print-region")[0][0] == {
        "region": "eu-north-1"}
    assert run_tool(creds_tool, dict(env, AWS_DEFAULT_REGION="sa-east-1"), "--print-region")[0][0] == {
        "region": "sa-east-1"}
    assert run_tool(creds_tool, env, "--print-region")[0][0] == {"region": "ap-south-1"}
    assert not [r for r in peer.requests if "placement" in r["path"]]


# --------------------------------------------------------------- the chain

def test_chain_order_with_every_source_configured(creds_tool, aws_python, moto, peer, home, tmp_path):
    """All five sources set up at once; removing the winner each time hands
    over to the next, in the SDKs' order. botocore agrees at each step."""
    token = tmp_path / "irsa-token"
    token.write_text("header.payload.signature")
    pod_token = tmp_path / "pod-token"
    pod_token.write_text(peer.pod_identity_token)
    write_profiles(home, credentials=f"[default]\naws_access_key_id = {PROFILE_KEY}\n"
                                     f"aws_secret_access_key = {PROFILE_SECRET}\n")
    env = imds_env(home, peer,
                   AWS_ACCESS_KEY_ID=ENV_KEY, AWS_SECRET_ACCESS_KEY=ENV_SECRET,
                   AWS_ROLE_ARN=ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE=token,
                   AWS_ENDPOINT_URL_STS=moto.url, AWS_REGION="us-east-1",
                   AWS_CONTAINER_CREDENTIALS_FULL_URI=peer.url + peer.pod_identity_path,
                   AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=pod_token)
    steps = [
        ("environment", "env", ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]),
        ("web-identity", "assume-role-with-web-identity", ["AWS_WEB_IDENTITY_TOKEN_FILE"]),
        ("shared-profile", "shared-credentials-file", ["HOME_AWS"]),
        ("eks-pod-identity", "container-role", ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]),
        ("imds", "iam-role", []),
    ]
    for source, method, remove in steps:
        assert botocore_creds(aws_python, env)["method"] == method, source
        got = one(creds_tool, env)
        assert got["source"] == source
        for name in remove:
            if name == "HOME_AWS":
                (home / ".aws" / "credentials").unlink()
            else:
                env.pop(name)


def test_a_broken_earlier_source_is_reported_not_skipped(creds_tool, peer, home):
    # IRSA configured without a role: an error, even though IMDS would answer.
    env = imds_env(home, peer, AWS_WEB_IDENTITY_TOKEN_FILE="/nonexistent/token")
    lines, out = run_tool(creds_tool, env, expect_ok=False)
    assert lines[-1]["code"] == "invalid config" and "AWS_ROLE_ARN" in lines[-1]["message"]
    assert peer.requests == []


# ----------------------------------------------------------------- refresh

def test_expiring_credentials_are_refreshed_without_a_failed_request(creds_tool, aws_python, peer, home):
    # Credentials that enter the 5-minute refresh window 3 s after they are
    # issued: every Get() must succeed, and the key must change as they are
    # renewed ahead of expiry.
    peer.lifetime = 300 + 3
    env = imds_env(home, peer)
    lines, out = run_tool(creds_tool, env, "--watch", "14", "--interval-ms", "1000")
    assert all(line["ok"] for line in lines)
    keys = [line["access_key_id"] for line in lines]
    assert len(set(keys)) >= 2, keys
    # Each key came from the peer, in the order it issued them.
    assert [k for i, k in enumerate(keys) if i == 0 or k != keys[i - 1]] == peer.issued[:len(set(keys))]


def test_failed_refresh_keeps_the_valid_credentials(creds_tool, peer, home):
    peer.lifetime = 300 + 2
    env = imds_env(home, peer)
    proc = subprocess.Popen([creds_tool, "--watch", "8", "--interval-ms", "1000"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = json.loads(proc.stdout.readline())
    assert first["ok"]
    peer.fail_next = 10**6  # every refresh from now on fails with 500
    rest = [json.loads(line) for line in proc.stdout.read().splitlines() if line.strip()]
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0, err
    assert len(rest) == 7 and all(r["ok"] and r["access_key_id"] == first["access_key_id"] for r in rest)
    # It did try: the peer saw refresh attempts after the first fetch, and
    # the tool said the refresh failed (without any secret).
    creds_path = f"/latest/meta-data/iam/security-credentials/{peer.role}"
    assert peer.paths("GET").count(creds_path) >= 2
    assert "refresh from imds failed" in err
