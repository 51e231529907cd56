"""Authentication and TLS through nginx in front of the real OpenSearch
(testenv/nginx-search.sh): basic auth over TLS with a test CA, client
certificates, bearer tokens. A refused credential is a whole-request
kReject (dead-letter), never a retry."""

import uuid

from search_helpers import make_events


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def make_index(search):
    index = unique("kv-auth")
    search.ok("PUT", f"/{index}", {"settings": {"number_of_shards": 1, "number_of_replicas": 0}})
    return index


def block(url, index, lines):
    return f"name: os\nopensearch:\n  hosts: [{url}]\n  index: {index}\n" + "".join(
        f"  {line}\n" for line in lines)


def test_basic_auth_with_the_right_password_delivers(search, nginx, sink_tool):
    index = make_index(search)
    cfg = block(nginx["NGINX_BASIC_URL"], index, [
        f"username: {nginx['NGINX_USER']}", f"password: {nginx['NGINX_PASSWORD']}",
        f"tls: {{caFile: {nginx['NGINX_CA_FILE']}}}"])
    out, = sink_tool(cfg, make_events(5))
    assert out["request"] == "delivered", out
    assert search.count(index) == 5


def test_password_file_is_read(search, nginx, sink_tool, tmp_path):
    index = make_index(search)
    pw = tmp_path / "password"
    pw.write_text(nginx["NGINX_PASSWORD"] + "\n")
    cfg = block(nginx["NGINX_BASIC_URL"], index, [
        f"username: {nginx['NGINX_USER']}", f"passwordFile: {pw}",
        f"tls: {{caFile: {nginx['NGINX_CA_FILE']}}}"])
    out, = sink_tool(cfg, make_events(2))
    assert out["request"] == "delivered", out


def test_wrong_password_is_rejected_whole_with_a_clear_reason(search, nginx, sink_tool):
    index = make_index(search)
    cfg = block(nginx["NGINX_BASIC_URL"], index, [
        f"username: {nginx['NGINX_USER']}", "password: not-the-password",
        f"tls: {{caFile: {nginx['NGINX_CA_FILE']}}}"])
    out, = sink_tool(cfg, make_events(3))
    assert out["request"] == "reject", out
    assert "HTTP 401" in out["reason"] and "authentication" in out["reason"], out["reason"]
    assert "not-the-password" not in out["reason"] + sink_tool.last_stderr
    assert search.count(index) == 0


def test_server_certificate_is_verified_against_the_configured_ca(search, nginx, sink_tool):
    index = make_index(search)
    creds = [f"username: {nginx['NGINX_USER']}", f"password: {nginx['NGINX_PASSWORD']}"]
    # System CAs only: the test CA is unknown, the TLS handshake fails: retry later.
    out, = sink_tool(block(nginx["NGINX_BASIC_URL"], index, creds), make_events(1))
    assert out["request"] == "retry", out
    # insecureSkipVerify (the reference's escape hatch) accepts it.
    out, = sink_tool(block(nginx["NGINX_BASIC_URL"], index,
                           creds + ["tls: {insecureSkipVerify: true}"]), make_events(1))
    assert out["request"] == "delivered", out


def test_client_certificate(search, nginx, sink_tool):
    index = make_index(search)
    tls = (f"tls: {{caFile: {nginx['NGINX_CA_FILE']}, certFile: {nginx['NGINX_CLIENT_CERT']}, "
           f"keyFile: {nginx['NGINX_CLIENT_KEY']}}}")
    out, = sink_tool(block(nginx["NGINX_CLIENTCERT_URL"], index, [tls]), make_events(2))
    assert out["request"] == "delivered", out
    out, = sink_tool(block(nginx["NGINX_CLIENTCERT_URL"], index,
                           [f"tls: {{caFile: {nginx['NGINX_CA_FILE']}}}"]), make_events(2))
    assert out["request"] == "reject", out  # nginx: 400 no required SSL certificate
    assert search.count(index) == 2


def test_bearer_token_and_token_file(search, nginx, sink_tool, tmp_path):
    index = make_index(search)
    out, = sink_tool(block(nginx["NGINX_BEARER_URL"], index,
                           [f"bearerToken: {nginx['NGINX_TOKEN']}"]), make_events(2))
    assert out["request"] == "delivered", out
    token = tmp_path / "token"
    token.write_text(nginx["NGINX_TOKEN"])
    out, = sink_tool(block(nginx["NGINX_BEARER_URL"], index, [f"bearerTokenFile: {token}"]),
                     make_events(2))
    assert out["request"] == "delivered", out
    out, = sink_tool(block(nginx["NGINX_BEARER_URL"], index, ["bearerToken: wrong"]),
                     make_events(2))
    assert out["request"] == "reject" and "HTTP 401" in out["reason"], out
    assert search.count(index) == 4


def test_elasticsearch_api_key_header(search, nginx, sink_tool):
    # Elasticsearch's `Authorization: ApiKey <base64 id:key>`, checked by
    # nginx in front of OpenSearch (the ES test zip cannot mint API keys).
    index = make_index(search)
    cfg = (f"name: es\nelasticsearch:\n  hosts: [{nginx['NGINX_BEARER_URL']}]\n  index: {index}\n"
           f"  apiKey: {nginx['NGINX_API_KEY']}\n  headers: {{X-Opaque-Id: kubevents-test}}\n")
    out, = sink_tool(cfg, make_events(3))
    assert out["request"] == "delivered", out
    bad = cfg.replace(nginx["NGINX_API_KEY"], "a3YtaWQ6d3Jvbmc=")
    out, = sink_tool(bad, make_events(3))
    assert out["request"] == "reject" and "HTTP 401" in out["reason"], out
    assert search.count(index) == 3
