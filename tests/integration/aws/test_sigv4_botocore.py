"""kubevents' SigV4 signer against botocore (the official Python SDK) and
against moto's signature check.

1. 200 random requests (methods, paths with special and non-ASCII characters,
   dot segments and double slashes, query strings with repeated and encoded
   keys, headers with odd whitespace and repeats, binary bodies, session
   tokens, unsigned payloads) are signed by tests/tools/sign_tool and by
   botocore's SigV4Auth at the same instant; every Authorization header must
   be identical.
2. moto, with its IAM enforcement on, accepts a request signed by sign_tool
   with an IAM user's key and rejects the same request with one byte changed.

The seed is random per run and printed on failure; set KUBEVENTS_SIGV4_SEED
to replay one."""

import base64
import json
import os
import random
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

BOTOCORE_SIGNER = r'''
import base64, datetime, hashlib, json, sys
from unittest import mock
import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

for line in sys.stdin:
    r = json.loads(line)
    body = base64.b64decode(r["body_b64"])
    req = AWSRequest(method=r["method"], url=r["url"], data=body)
    for name, value in r["headers"]:
        req.headers[name] = value  # HTTPHeaders appends: repeats are kept
    if r.get("add_content_sha256"):
        req.headers["X-Amz-Content-SHA256"] = hashlib.sha256(body).hexdigest()
    if r.get("unsigned_payload"):
        req.context["payload_signing_enabled"] = False
    creds = Credentials(r["access_key"], r["secret_key"], r["session_token"] or None)
    now = datetime.datetime.fromtimestamp(r["time"], datetime.timezone.utc)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=now):
        SigV4Auth(creds, r["service"], r["region"]).add_auth(req)
    print(json.dumps({"headers": list(req.headers.items())}), flush=True)
'''

SEGMENT_CHARS = "abcXYZ019-_.~ !$&'()*+,;=:@%/?#[]\"<>^`{|}\\é漢🙂"
HEADER_VALUE_CHARS = "abc XYZ 0-9 \t  ,;:=/\"'()[]{}<>@!#$%^&*~`|\\"
QUERY_CHARS = "abcXYZ019-_.~ !$&'()*+,;=:@/?%é"


def rand_text(rng, chars, lo, hi):
    return "".join(rng.choice(chars) for _ in range(rng.randint(lo, hi)))


def rand_path(rng):
    segments = []
    for _ in range(rng.randint(0, 5)):
        kind = rng.random()
        if kind < 0.1:
            segments.append(rng.choice([".", "..", ""]))
        else:
            raw = rand_text(rng, SEGMENT_CHARS, 1, 8)
            # Either fully encoded, or with the sub-delims a client leaves as they are.
            safe = rng.choice(["", "~!$&'()*+,;=:@"])
            segments.append(urllib.parse.quote(raw, safe=safe))
    path = "/" + "/".join(segments)
    if rng.random() < 0.2:
        path += "/"
    return path


def rand_query(rng):
    if rng.random() < 0.25:
        return ""
    names = [rand_text(rng, QUERY_CHARS, 1, 6) for _ in range(rng.randint(1, 3))]
    pairs = []
    for _ in range(rng.randint(1, 6)):
        name = rng.choice(names)  # repeated keys are likely
        enc = urllib.parse.quote(name, safe="-_.~")
        r = rng.random()
        if r < 0.15:
            pairs.append(enc)  # a bare key
        elif r < 0.25:
            pairs.append(enc + "=")
        else:
            pairs.append(enc + "=" + urllib.parse.quote(rand_text(rng, QUERY_CHARS, 0, 10), safe="-_.~"))
    return "&".join(pairs)


def rand_headers(rng):
    headers = []
    names = ["Content-Type", "X-Amz-Target", "x-custom-Header", "X-Amz-Meta-Thing", "accept",
             "X-Repeat", "content-md5", "x-amz-content-sha256-x"]
    for _ in range(rng.randint(0, 6)):
        name = rng.choice(names)
        value = rand_text(rng, HEADER_VALUE_CHARS, 0, 20)
        if rng.random() < 0.3:
            value = "  " + value + " \t "
        headers.append([name, value])
    if rng.random() < 0.2:
        headers.append(["Host", "example.amazonaws.com"])
    return headers


def rand_request(rng, i):
    host = rng.choice(["sns.eu-west-1.amazonaws.com", "example.amazonaws.com",
                       "127.0.0.1:4566", "search-x.us-east-1.es.amazonaws.com:443",
                       "sqs.us-west-2.amazonaws.com:80"])
    scheme = rng.choice(["https", "http"])
    url = f"{scheme}://{host}{rand_path(rng)}"
    query = rand_query(rng)
    if query:
        url += "?" + query
    body = bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 0, 1, 17, 300])))
    unsigned_payload = scheme == "https" and rng.random() < 0.15
    add_content_sha256 = rng.random() < 0.2
    headers = rand_headers(rng)
    if not unsigned_payload and not add_content_sha256 and rng.random() < 0.1:
        # A payload hash the caller set itself (precomputed, or a streaming marker).
        headers.append(["X-Amz-Content-SHA256", rng.choice(
            ["STREAMING-UNSIGNED-PAYLOAD-TRAILER", "%064x" % rng.getrandbits(256)])])
    return {
        "method": rng.choice(["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"]),
        "url": url,
        "headers": headers,
        "body_b64": base64.b64encode(body).decode(),
        "access_key": "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
        "secret_key": base64.b64encode(rng.randbytes(30)).decode(),
        "session_token": rng.choice(["", base64.b64encode(rng.randbytes(60)).decode()]),
        "region": rng.choice(["us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1"]),
        "service": rng.choice(["sns", "sqs", "es", "aoss", "sts", "execute-api"]),
        "time": rng.randint(1_400_000_000, 2_000_000_000),
        "unsigned_payload": unsigned_payload,
        "add_content_sha256": add_content_sha256,
    }


def run_lines(cmd, requests):
    stdin = "".join(json.dumps(r) + "\n" for r in requests)
    out = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    assert len(lines) == len(requests), out.stdout[-2000:] + out.stderr[-2000:]
    return lines


def header(result, name):
    values = [v for n, v in result["headers"] if n.lower() == name]
    return values[0] if values else None


def test_random_requests_sign_exactly_as_botocore(sign_tool, aws_python):
    seed = int(os.environ.get("KUBEVENTS_SIGV4_SEED", random.SystemRandom().randrange(1 << 32)))
    rng = random.Random(seed)
    requests = [rand_request(rng, i) for i in range(200)]
    ours = run_lines([sign_tool], requests)
    theirs = run_lines([aws_python, "-c", BOTOCORE_SIGNER], requests)
    mismatches = []
    for i, (req, a, b) in enumerate(zip(requests, ours, theirs)):
        assert "error" not in a, (seed, i, a)
        for name in ["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"]:
            if header(a, name) != header(b, name):
                mismatches.append((i, name, req, header(a, name), header(b, name)))
    assert not mismatches, f"seed {seed}: {len(mismatches)} mismatches, first: {mismatches[0]}"
    # The comparison is not vacuous: every request got a real signature.
    assert all(header(a, "authorization").startswith("AWS4-HMAC-SHA256 Credential=") for a in ours)


def test_documented_iam_example_matches_botocore(sign_tool, aws_python):
    # The IAM user guide's example request (ListUsers, 2015-08-30T12:36:00Z).
    req = {
        "method": "GET",
        "url": "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
        "headers": [["Content-Type", "application/x-www-form-urlencoded; charset=utf-8"]],
        "body_b64": "",
        "access_key": "AKIDEXAMPLE",
        "secret_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "session_token": "",
        "region": "us-east-1",
        "service": "iam",
        "time": 1440938160,
    }
    ours = run_lines([sign_tool], [req])[0]
    theirs = run_lines([aws_python, "-c", BOTOCORE_SIGNER], [req])[0]
    expected = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                "SignedHeaders=content-type;host;x-amz-date, "
                "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
    assert header(ours, "authorization") == expected
    assert header(theirs, "authorization") == expected


def _boto_client(moto, aws_python, script):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1", MOTO_URL=moto.url,
               TEST_USER="signer-test-" + uuid.uuid4().hex[:8])
    env.pop("AWS_PROFILE", None)
    out = subprocess.run([aws_python, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


CREATE_USER = r'''
import json, os, boto3
iam = boto3.client("iam", endpoint_url=os.environ["MOTO_URL"])
name = os.environ["TEST_USER"]
try:
    iam.create_user(UserName=name)
except iam.exceptions.EntityAlreadyExistsException:
    pass
iam.put_user_policy(UserName=name, PolicyName="sns", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sns:*", "Resource": "*"}]}))
key = iam.create_access_key(UserName=name)["AccessKey"]
print(json.dumps({"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}))
'''


def _send(req):
    body = base64.b64decode(req["body_b64"])
    r = urllib.request.Request(req["url"], data=body or None, method=req["method"])
    for name, value in req["headers"]:
        r.add_header(name, value)
    try:
        with urllib.request.urlopen(r, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_moto_verifies_our_signatures(moto, aws_python, sign_tool):
    key = _boto_client(moto, aws_python, CREATE_USER)
    body = "Action=ListTopics&Version=2010-03-31"
    req = {
        "method": "POST",
        "url": f"{moto.url}/",
        "headers": [["Content-Type", "application/x-www-form-urlencoded; charset=utf-8"]],
        "body_b64": base64.b64encode(body.encode()).decode(),
        "access_key": key["id"],
        "secret_key": key["secret"],
        "session_token": "",
        "region": "us-east-1",
        "service": "sns",
        "time": 0,
    }
    moto.set_auth(True)
    try:
        req["time"] = int(time.time())
        signed = run_lines([sign_tool], [req])[0]
        sent = dict(req, headers=[h for h in signed["headers"] if h[0].lower() != "host"])
        status, text = _send(sent)
        assert status == 200, text
        assert "ListTopicsResponse" in text

        # Same signature, one byte of the body changed: moto must refuse it.
        tampered = dict(sent, body_b64=base64.b64encode(b"Action=ListTopics&Version=2010-03-32").decode())
        status, text = _send(tampered)
        assert status == 403, text
        assert "SignatureDoesNotMatch" in text

        # A key moto's IAM does not know.
        stranger = dict(req, access_key="AKIAIOSFODNN7EXAMPLE")
        signed = run_lines([sign_tool], [stranger])[0]
        status, text = _send(dict(req, headers=[h for h in signed["headers"] if h[0].lower() != "host"]))
        assert status == 403, text
        assert "InvalidClientTokenId" in text
    finally:
        moto.set_auth(False)
