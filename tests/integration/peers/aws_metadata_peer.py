"""A local stand-in for the AWS credential endpoints that cannot run here:
the EC2 instance metadata service (IMDSv2), the ECS container agent and the
EKS Pod Identity agent. Standard library only.

It follows the documented protocols strictly, so a client that cuts corners
fails against it:
  IMDS   PUT /latest/api/token needs X-aws-ec2-metadata-token-ttl-seconds
         (1..21600, else 400) and is refused (403) with X-Forwarded-For;
         every GET needs a live X-aws-ec2-metadata-token (401 otherwise)
         unless `imds_v1` is on. /latest/meta-data/iam/security-credentials/
         lists the role; .../ROLE gives {"Code":"Success","AccessKeyId",…};
         /latest/meta-data/placement/region gives the region, and
         .../placement/availability-zone the region + "a".
  ECS    GET <ecs_path> (the value of AWS_CONTAINER_CREDENTIALS_RELATIVE_URI).
  EKS    GET <pod_identity_path> with "Authorization: <token>" exactly
         (401 without, 403 with another), as the Pod Identity agent does.
Container answers are {"AccessKeyId","SecretAccessKey","Token","Expiration"}.

Every credentials answer is a new key ("ASIAPEER" + counter) expiring
`lifetime` seconds later, so a client that refreshes gets a new key id.
`fail_next` makes the next N credential answers a 500. The peer records
each request (method, path, headers) in `requests`. Tests check it against
botocore's own providers before pointing kubevents at it.

Use from pytest: `peer = MetadataPeer(); peer.start(); ...; peer.stop()`,
or run `python3 aws_metadata_peer.py [--port N]` to try it by hand."""

import datetime
import http.server
import json
import secrets
import threading

TOKEN_TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "x-aws-ec2-metadata-token"


class MetadataPeer:
    def __init__(self, role="kubevents-node-role", region="eu-central-1",
                 ecs_path="/v2/credentials/7f3e1c2a-ecs", pod_identity_path="/v1/credentials",
                 pod_identity_token="pod-identity-token-1", lifetime=3600):
        self.role = role
        self.region = region
        self.ecs_path = ecs_path
        self.pod_identity_path = pod_identity_path
        self.pod_identity_token = pod_identity_token
        self.lifetime = lifetime
        self.imds_v1 = False
        self.imds_tokens_enabled = True
        self.fail_next = 0
        self.requests = []
        self.issued = []  # access key ids handed out, in order
        self._tokens = {}  # token -> expiry (datetime)
        self._counter = 0
        self._lock = threading.Lock()
        self._server = None

    # ------------------------------------------------------------ control
    def start(self, port=0):
        peer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                peer._handle(self, "GET")

            def do_PUT(self):
                peer._handle(self, "PUT")

            def do_POST(self):
                peer._handle(self, "POST")

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def paths(self, method=None):
        with self._lock:
            return [r["path"] for r in self.requests if method is None or r["method"] == method]

    # ----------------------------------------------------------- handling
    def _reply(self, h, status, body, content_type="text/plain"):
        data = body.encode() if isinstance(body, str) else body
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(data)

    def _new_credentials(self):
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return None
            self._counter += 1
            key = f"ASIAPEER{self._counter:012d}"
            self.issued.append(key)
        expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=self.lifetime)
        return {
            "AccessKeyId": key,
            "SecretAccessKey": secrets.token_urlsafe(30),
            "Token": secrets.token_urlsafe(60),
            "Expiration": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    def _handle(self, h, method):
        length = int(h.headers.get("Content-Length") or 0)
        if length:
            h.rfile.read(length)
        headers = {k.lower(): v for k, v in h.headers.items()}
        path = h.path
        with self._lock:
            self.requests.append({"method": method, "path": path, "headers": headers})
        if path == "/latest/api/token":
            return self._imds_token(h, method, headers)
        if path.startswith("/latest/"):
            return self._imds_get(h, method, headers, path)
        if path == self.ecs_path and method == "GET":
            return self._container(h, None, headers)
        if path == self.pod_identity_path and method == "GET":
            return self._container(h, self.pod_identity_token, headers)
        self._reply(h, 404, "not found")

    def _imds_token(self, h, method, headers):
        if method != "PUT":
            return self._reply(h, 405, "")
        if not self.imds_tokens_enabled:
            return self._reply(h, 403, "")
        if "x-forwarded-for" in headers:
            return self._reply(h, 403, "")
        try:
            ttl = int(headers.get(TOKEN_TTL_HEADER, ""))
        except ValueError:
            return self._reply(h, 400, "")
        if not 1 <= ttl <= 21600:
            return self._reply(h, 400, "")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = datetime.datetime.now() + datetime.timedelta(seconds=ttl)
        h.send_response(200)
        h.send_header("Content-Type", "text/plain")
        h.send_header(TOKEN_TTL_HEADER, str(ttl))
        h.send_header("Content-Length", str(len(token)))
        h.end_headers()
        h.wfile.write(token.encode())

    def _imds_get(self, h, method, headers, path):
        if method != "GET":
            return self._reply(h, 405, "")
        token = headers.get(TOKEN_HEADER)
        if token is not None:
            with self._lock:
                expiry = self._tokens.get(token)
            if expiry is None or expiry < datetime.datetime.now():
                return self._reply(h, 401, "")
        elif not self.imds_v1:
            return self._reply(h, 401, "")
        base = "/latest/meta-data/iam/security-credentials/"
        if path == "/latest/meta-data/placement/region":
            return self._reply(h, 200, self.region)
        if path.rstrip("/") == "/latest/meta-data/placement/availability-zone":
            return self._reply(h, 200, self.region + "a")  # botocore derives the region from it
        if path == base:
            return self._reply(h, 200, self.role)
        if path == base + self.role:
            creds = self._new_credentials()
            if creds is None:
                return self._reply(h, 500, "")
            now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            doc = dict(Code="Success", LastUpdated=now, Type="AWS-HMAC", **creds)
            return self._reply(h, 200, json.dumps(doc, indent=2), "text/plain")
        self._reply(h, 404, "")

    def _container(self, h, required_token, headers):
        if required_token is not None:
            got = headers.get("authorization")
            if got is None:
                return self._reply(h, 401, json.dumps({"message": "missing authorization"}),
                                   "application/json")
            if got != required_token:
                return self._reply(h, 403, json.dumps({"message": "bad authorization"}),
                                   "application/json")
        creds = self._new_credentials()
        if creds is None:
            return self._reply(h, 500, json.dumps({"message": "agent error"}), "application/json")
        if required_token is not None:
            creds["AccountId"] = "123456789012"
        else:
            creds["RoleArn"] = "arn:aws:iam::123456789012:role/ecs-task"
        self._reply(h, 200, json.dumps(creds), "application/json")


if __name__ == "__main__":
    import argparse
    import time

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    peer = MetadataPeer()
    peer.start(args.port)
    print(f"listening on {peer.url}; ECS path {peer.ecs_path}; pod identity path "
          f"{peer.pod_identity_path} (token {peer.pod_identity_token})", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        peer.stop()
