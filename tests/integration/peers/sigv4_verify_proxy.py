"""A reverse proxy that lets through only requests signed with AWS SigV4 by
the known test credentials, checked by botocore (the official Python SDK),
not by kubevents' own code. It stands between kubevents and a local
OpenSearch, the way Amazon OpenSearch Service (service `es`) or OpenSearch
Serverless (service `aoss`) would check a request.

For each request it:
  1. parses the Authorization header (AWS4-HMAC-SHA256 Credential=AKID/DATE/
     REGION/SERVICE/aws4_request, SignedHeaders=..., Signature=...); the key
     id, region and service must be the expected ones;
  2. for `aoss`, requires x-amz-content-sha256 and checks it is the SHA-256
     of the body received (Serverless requires the header);
  3. rebuilds the request with botocore's AWSRequest from exactly what was
     received (method, raw path and query, the signed headers, the body)
     and signs it with botocore.auth.SigV4Auth at the request's X-Amz-Date
     with the known secret; the Authorization header must be identical;
  4. forwards a request that passes to the upstream and relays the answer;
     answers 403 (AWS's error shape) otherwise.

GET /__sigv4_proxy/stats answers {"accepted": N, "rejected": N, "reasons": [...],
"sessions": [...]} (unsigned; never forwarded).

With --moto-url, a request signed by another key is also checked when that
key is session credentials moto's STS issued (AssumeRole): its secret and
session token are read from moto's state (/moto-api/data.json), and the
RoleSessionName moto recorded for it is appended to "sessions" when the
request passes. A real role assumption can so be followed end to end.

Run with the venv that has botocore (testenv/moto.sh install):
  python sigv4_verify_proxy.py --upstream http://127.0.0.1:9200 \
      --access-key AKID --secret-key SECRET --region eu-west-1 --service es
Prints "PORT=<port>" on stdout once listening on 127.0.0.1."""

import argparse
import datetime
import hashlib
import http.server
import json
import re
import sys
import threading
import urllib.error
import urllib.request
from unittest import mock

import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
    r"SignedHeaders=([a-z0-9;\-]+), Signature=([0-9a-f]{64})$")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailers", "transfer-encoding", "upgrade", "host", "content-length"}


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.accepted = 0
        self.rejected = 0
        self.reasons = []
        self.sessions = []

    def count(self, ok, reason=None, session=None):
        with self.lock:
            if ok:
                self.accepted += 1
                if session is not None:
                    self.sessions.append(session)
            else:
                self.rejected += 1
                self.reasons.append(reason)


def moto_session(moto_url, key_id):
    """(secret, token, session_name) of the STS session moto issued for
    `key_id`, or None."""
    with urllib.request.urlopen(moto_url + "/moto-api/data.json", timeout=10) as r:
        data = json.loads(r.read())
    for role in (data.get("sts") or {}).get("AssumedRole", []):
        if role.get("access_key_id") == key_id:
            return role["secret_access_key"], role["session_token"], role["session_name"]
    return None


def verify(state, method, raw_path, headers, body):
    """Returns (None, session name or None) when the signature is valid,
    else (the reason, None)."""
    args = state.args
    auth = headers.get("authorization", "")
    m = AUTH_RE.match(auth)
    if not m:
        return "missing or malformed Authorization header", None
    key_id, date, region, service, signed, _ = m.groups()
    secret, session = args.secret_key, None
    if key_id != args.access_key:
        found = moto_session(args.moto_url, key_id) if args.moto_url else None
        if found is None:
            return f"unknown access key {key_id}", None
        secret, token, session = found
        if headers.get("x-amz-security-token") != token:
            return "x-amz-security-token is not the session's token", None
    reason = check_signature(args, method, raw_path, headers, body, secret)
    return reason, (session if reason is None else None)


def check_signature(args, method, raw_path, headers, body, secret):
    """None when the Authorization header is botocore's for `secret`."""
    auth = headers["authorization"]
    key_id, date, region, service, signed, _ = AUTH_RE.match(auth).groups()
    if region != args.region or service != args.service:
        return f"credential scope {region}/{service}, expected {args.region}/{args.service}"
    amz_date = headers.get("x-amz-date", "")
    if not amz_date.startswith(date):
        return "x-amz-date does not match the credential date"
    signed_names = signed.split(";")
    if args.service == "aoss":
        sha = headers.get("x-amz-content-sha256")
        if sha is None or "x-amz-content-sha256" not in signed_names:
            return "aoss requires a signed x-amz-content-sha256 header"
        if sha != hashlib.sha256(body).hexdigest():
            return "x-amz-content-sha256 is not the SHA-256 of the body"
    host = headers.get("host")
    if host is None:
        return "no Host header"
    request = AWSRequest(method=method, url=f"http://{host}{raw_path}", data=body)
    for name in signed_names:
        if name in ("host",):
            continue
        if name not in headers:
            return f"signed header {name} is missing"
        request.headers[name] = headers[name]
    request.headers["host"] = host
    token = headers.get("x-amz-security-token")
    creds = Credentials(key_id, secret, token)
    now = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
        tzinfo=datetime.timezone.utc)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=now):
        SigV4Auth(creds, args.service, args.region).add_auth(request)
    expected = request.headers["Authorization"]
    expected_signed = re.search(r"SignedHeaders=([^,]+)", expected).group(1)
    if expected_signed != signed:
        return f"signed headers {signed}, botocore signs {expected_signed}"
    if expected != auth:
        return "signature mismatch (botocore computed a different signature)"
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):  # quiet; the stats endpoint tells the tests
        pass

    def _reply(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self):
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/__sigv4_proxy/stats":
            with state.lock:
                data = {"accepted": state.accepted, "rejected": state.rejected,
                        "reasons": list(state.reasons), "sessions": list(state.sessions)}
            self._reply(200, json.dumps(data).encode(), [("Content-Type", "application/json")])
            return
        # Header names are case-insensitive; SigV4 joins repeats with commas.
        headers = {}
        for name, value in self.headers.items():
            name = name.lower()
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        reason, session = verify(state, self.command, self.path, headers, body)
        if reason is not None:
            state.count(False, reason)
            msg = {"message": "The request signature we calculated does not match the signature "
                              "you provided. " + reason}
            self._reply(403, json.dumps(msg).encode(), [("Content-Type", "application/json"),
                                                        ("x-amzn-ErrorType",
                                                         "InvalidSignatureException")])
            return
        state.count(True, session=session)
        req = urllib.request.Request(state.args.upstream + self.path, data=body or None,
                                     method=self.command)
        for name, value in self.headers.items():
            if name.lower() not in HOP_BY_HOP and name.lower() != "authorization" \
                    and not name.lower().startswith("x-amz-"):
                req.add_header(name, value)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                status, data, rh = resp.status, resp.read(), resp.headers
        except urllib.error.HTTPError as e:
            status, data, rh = e.code, e.read(), e.headers
        keep = [(k, v) for k, v in rh.items() if k.lower() not in HOP_BY_HOP]
        self._reply(status, data, keep)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--upstream", required=True)
    p.add_argument("--access-key", required=True)
    p.add_argument("--secret-key", required=True)
    p.add_argument("--region", required=True)
    p.add_argument("--service", required=True, choices=["es", "aoss"])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--moto-url", default="", help="also accept STS sessions this moto issued")
    args = p.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.state = State(args)
    print(f"PORT={server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
