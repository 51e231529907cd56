// The webhook receiver: config, the requests it plans (pure), and sends
// through a real local HTTP server. A generic webhook has no documented
// peer behaviour beyond HTTP's: the server answers 200/400/503 with
// Retry-After as any HTTP service may.
#include <gtest/gtest.h>

#include <cstdlib>

#include "../../support/temp_dir.h"
#include "../chat/local_server.h"
#include "event/encode.h"
#include "sinks/chat/webhook/config.h"
#include "sinks/chat/webhook/request.h"
#include "sinks/chat/webhook/sink.h"

namespace kv::sinks::chat::webhook {
namespace {

using kv::testing::Block;
using kv::testing::MakeEvent;

std::string HeaderOf(const http::Request& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

TEST(WebhookConfig, ReferenceBlockParses) {
  Block b(
      "endpoint: https://example.invalid/hook\nheaders: {X-Token: abc}\n"
      "tls: {insecureSkipVerify: false, serverName: example.invalid, caFile: /ca, keyFile: /k, "
      "certFile: /c}\nlayout: {message: '{{ .Message }}'}\n");
  WebhookConfig cfg = ParseConfig(b.node);
  EXPECT_FALSE(b.HasErrors()) << b.Problems();
  EXPECT_EQ(cfg.endpoint, "https://example.invalid/hook");
  EXPECT_EQ(cfg.method, "POST");
  EXPECT_EQ(cfg.tls.ca_file, "/ca");
  EXPECT_EQ(cfg.tls.client_cert_file, "/c");
  EXPECT_EQ(cfg.tls.client_key_file, "/k");
  EXPECT_EQ(cfg.tls.server_name, "example.invalid");
  EXPECT_TRUE(cfg.layout);
  EXPECT_EQ(cfg.batch, BatchFormat::kNone);
  EXPECT_EQ(cfg.timeout, std::chrono::seconds(30));
}

TEST(WebhookConfig, BatchKeysLeftOutKeepTheStructsDefaults) {
  Block b("endpoint: https://example.invalid/hook\nbatch: {}\n");
  WebhookConfig cfg = ParseConfig(b.node);
  EXPECT_FALSE(b.HasErrors()) << b.Problems();
  const WebhookConfig defaults;
  EXPECT_EQ(cfg.batch, defaults.batch);
  EXPECT_EQ(cfg.batch_max_events, defaults.batch_max_events);
  EXPECT_EQ(cfg.batch_max_bytes, defaults.batch_max_bytes);
  EXPECT_EQ(cfg.method, defaults.method);
  EXPECT_EQ(cfg.timeout, defaults.timeout);
}

// batch.maxEvents/maxBytes without a format would silently send one event
// per request: the config says so.
TEST(WebhookConfig, BatchSizesWithoutAFormatAreWarnedAbout) {
  Block b("endpoint: https://example.invalid/hook\nbatch: {maxEvents: 20, maxBytes: 4096}\n");
  ParseConfig(b.node);
  EXPECT_FALSE(b.HasErrors()) << b.Problems();
  EXPECT_NE(b.Problems().find("batch.maxEvents: has no effect without format"), std::string::npos)
      << b.Problems();
  EXPECT_NE(b.Problems().find("batch.maxBytes: has no effect without format"), std::string::npos)
      << b.Problems();
  Block ok("endpoint: https://example.invalid/hook\nbatch: {format: ndjson, maxEvents: 20}\n");
  ParseConfig(ok.node);
  EXPECT_EQ(ok.Problems(), "");
}

TEST(WebhookConfig, MistakesAreNamed) {
  Block b(
      "endpoint: ftp://x\nmethod: GET\nbatch: {format: csv}\nbearerToken: t\n"
      "basicAuth: {username: u, password: p}\ntimeoutSeconds: 0\n");
  ParseConfig(b.node);
  std::string p = b.Problems();
  EXPECT_NE(p.find("endpoint: expected an http:// or https:// URL"), std::string::npos) << p;
  EXPECT_NE(p.find("method: expected POST, PUT or PATCH"), std::string::npos) << p;
  EXPECT_NE(p.find("batch.format: expected array, ndjson or none"), std::string::npos) << p;
  EXPECT_NE(p.find("choose one of basicAuth, bearerToken"), std::string::npos) << p;
  EXPECT_NE(p.find("timeoutSeconds"), std::string::npos) << p;
}

TEST(WebhookConfig, EndpointIsRequired) {
  Block b("headers: {a: b}\n");
  ParseConfig(b.node);
  EXPECT_NE(b.Problems().find("endpoint: missing required key"), std::string::npos);
}

TEST(WebhookRequest, OneEventPerRequestWithItsIdempotencyKeyAndRenderedHeaders) {
  Block b("endpoint: http://h/x\nheaders: {X-Team: '{{ .InvolvedObject.Labels.team }}'}\n");
  WebhookConfig cfg = ParseConfig(b.node);
  std::vector<event::EventPtr> batch{MakeEvent("u-1", "1"), MakeEvent("u-2", "9")};
  chat::Plan plan = PlanRequests(batch, cfg);
  ASSERT_EQ(plan.requests.size(), 2u);
  const http::Request& r = plan.requests[1].request;
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "http://h/x");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderOf(r, "X-Team"), "payments");
  EXPECT_EQ(HeaderOf(r, "X-Kubevents-Idempotency-Key"), "u-2/9");
  EXPECT_EQ(r.body, event::EncodeJson(*batch[1]));  // the reference shape
  EXPECT_EQ(plan.requests[1].items, std::vector<size_t>{1});
}

TEST(WebhookRequest, LayoutShapesTheBodyAndAnEventItCannotRenderIsRejectedAlone) {
  Block b(
      "endpoint: http://h/x\nlayout:\n  key: '{{ .IdempotencyKey }}'\n"
      "  owner: '{{ (index .InvolvedObject.OwnerReferences 0).Kind }}'\n");
  WebhookConfig cfg = ParseConfig(b.node);
  ASSERT_FALSE(b.HasErrors()) << b.Problems();
  auto good = std::make_shared<event::Event>(*MakeEvent());
  good->involved_object.owner_references.push_back({"apps/v1", "ReplicaSet", "rs", "x", {}, {}});
  std::vector<event::EventPtr> batch{MakeEvent(), good};
  chat::Plan plan = PlanRequests(batch, cfg);
  EXPECT_EQ(plan.items, (std::vector<Verdict>{Verdict::kReject, Verdict::kDelivered}));
  ASSERT_EQ(plan.requests.size(), 1u);
  EXPECT_EQ(plan.requests[0].request.body, R"({"key":"u-1/42","owner":"ReplicaSet"})");
  EXPECT_NE(plan.reason.find("layout"), std::string::npos);
}

TEST(WebhookRequest, ArrayBatchesSplitByCountAndCarryTheFirstKey) {
  Block b(
      "endpoint: http://h/x\nlayout: {k: '{{ .UID }}'}\nbatch: {format: array, maxEvents: 2}\n");
  WebhookConfig cfg = ParseConfig(b.node);
  ASSERT_FALSE(b.HasErrors()) << b.Problems();
  std::vector<event::EventPtr> batch{MakeEvent("a"), MakeEvent("b"), MakeEvent("c")};
  chat::Plan plan = PlanRequests(batch, cfg);
  ASSERT_EQ(plan.requests.size(), 2u);
  EXPECT_EQ(plan.requests[0].request.body, R"([{"k":"a"},{"k":"b"}])");
  EXPECT_EQ(plan.requests[1].request.body, R"([{"k":"c"}])");
  EXPECT_EQ(plan.requests[0].items, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(HeaderOf(plan.requests[0].request, "X-Kubevents-Idempotency-Key"), "a/42");
  EXPECT_EQ(HeaderOf(plan.requests[1].request, "X-Kubevents-Idempotency-Key"), "c/42");
}

TEST(WebhookRequest, NdjsonBatchesSplitByBytes) {
  Block b(
      "endpoint: http://h/x\nlayout: {k: '{{ .Message }}'}\n"
      "batch: {format: ndjson, maxBytes: 1024}\n");
  WebhookConfig cfg = ParseConfig(b.node);
  ASSERT_FALSE(b.HasErrors()) << b.Problems();
  auto big = std::make_shared<event::Event>(*MakeEvent());
  big->message = std::string(600, 'x');
  std::vector<event::EventPtr> batch{big, big, MakeEvent()};
  chat::Plan plan = PlanRequests(batch, cfg);
  ASSERT_EQ(plan.requests.size(), 2u);  // 2 x ~610 bytes do not fit in 1024
  EXPECT_EQ(HeaderOf(plan.requests[0].request, "Content-Type"), "application/x-ndjson");
  EXPECT_EQ(plan.requests[1].items, (std::vector<size_t>{1, 2}));
  std::string body = plan.requests[1].request.body;
  EXPECT_EQ(std::count(body.begin(), body.end(), '\n'), 2);
  EXPECT_TRUE(body.ends_with("\n{\"k\":\"Back-off restarting failed container\"}\n")) << body;
}

TEST(WebhookRequest, AuthAndMethodAndOverriddenContentType) {
  Block b(
      "endpoint: http://h/x\nmethod: put\nbasicAuth: {username: user, password: secret}\n"
      "headers: {content-type: application/cloudevents+json}\n");
  WebhookConfig cfg = ParseConfig(b.node);
  ASSERT_FALSE(b.HasErrors()) << b.Problems();
  std::vector<event::EventPtr> batch{MakeEvent()};
  chat::Plan plan = PlanRequests(batch, cfg);
  const http::Request& r = plan.requests[0].request;
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/cloudevents+json");
  EXPECT_EQ(HeaderOf(r, "Authorization"), "Basic dXNlcjpzZWNyZXQ=");
  Block bearer("endpoint: http://h/x\nbearerToken: tok\n");
  chat::Plan plan2 = PlanRequests(batch, ParseConfig(bearer.node));
  const http::Request& r2 = plan2.requests[0].request;
  EXPECT_EQ(HeaderOf(r2, "Authorization"), "Bearer tok");
}

struct Sent {
  kv::testing::LocalServer server;
  std::unique_ptr<Sink> sink;
  explicit Sent(const std::string& extra) {
    Block b("endpoint: " + server.Url("/events") + "\n" + extra);
    Builder builder = Parse(b.node);
    EXPECT_FALSE(b.HasErrors()) << b.Problems();
    FakeClock clock;
    sink = std::move(*builder(SinkContext{"hook", &clock}));
  }
};

TEST(WebhookSink, DeliversOverHttpWithTheKeyHeader) {
  Sent s("headers: {X-Api-Key: k}\n");
  std::vector<event::EventPtr> batch{MakeEvent("u-1", "7")};
  SendOutcome out = s.sink->Send(batch);
  EXPECT_EQ(out.request, Verdict::kDelivered);
  EXPECT_TRUE(out.items.empty());
  auto reqs = s.server.Requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].path, "/events");
  EXPECT_EQ(reqs[0].Header("X-Kubevents-Idempotency-Key"), "u-1/7");
  EXPECT_EQ(reqs[0].Header("X-Api-Key"), "k");
  EXPECT_EQ(reqs[0].body, event::EncodeJson(*batch[0]));
}

TEST(WebhookSink, ServiceUnavailableIsRetriedWithRetryAfterAndBadRequestRejected) {
  Sent s("");
  s.server.Script(
      {{400, R"({"error":"bad document"})"}, {503, "busy", "text/plain", {{"Retry-After", "3"}}}});
  std::vector<event::EventPtr> batch{MakeEvent("a"), MakeEvent("b"), MakeEvent("c")};
  SendOutcome out = s.sink->Send(batch);
  EXPECT_EQ(out.items, (std::vector<Verdict>{Verdict::kReject, Verdict::kRetry, Verdict::kRetry}));
  ASSERT_TRUE(out.retry_after);
  EXPECT_EQ(out.retry_after->count(), 3);
  EXPECT_EQ(s.server.Requests().size(), 2u);
}

TEST(WebhookSink, ArrayBatchIsOneRequest) {
  Sent s("batch: {format: array}\n");
  std::vector<event::EventPtr> batch{MakeEvent("a"), MakeEvent("b")};
  EXPECT_EQ(s.sink->Send(batch).request, Verdict::kDelivered);
  auto reqs = s.server.Requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].body.front(), '[');
  EXPECT_EQ(reqs[0].Header("X-Kubevents-Idempotency-Key"), "a/42");
}

TEST(WebhookSink, BatchSettingsAreTheBatchesTheWorkerCuts) {
  Sent array("batch: {format: array, maxEvents: 50, maxBytes: 4096}\n");
  EXPECT_EQ(array.sink->limits().max_events, 50u);
  EXPECT_EQ(array.sink->limits().max_bytes, 4096u);
  // The receiver's own keys are a ceiling delivery.batch* may only lower.
  EXPECT_TRUE(array.sink->limits().capped);
  Sent ndjson("batch: {format: ndjson}\n");
  EXPECT_EQ(ndjson.sink->limits().max_events, 100u);
  EXPECT_EQ(ndjson.sink->limits().max_bytes, size_t{1} << 20);
  EXPECT_TRUE(ndjson.sink->limits().capped);
  // One event per request whatever the batch: delivery.batch* may raise it.
  Sent single("");
  EXPECT_EQ(single.sink->limits().max_events, 1u);
  EXPECT_FALSE(single.sink->limits().capped);
}

TEST(WebhookSink, RefusedConnectionIsRetried) {
  int port;
  {
    kv::testing::LocalServer gone;
    port = std::stoi(gone.Url().substr(17));
  }
  Block b("endpoint: http://127.0.0.1:" + std::to_string(port) + "/x\n");
  FakeClock clock;
  auto sink = std::move(*Parse(b.node)(SinkContext{"hook", &clock}));
  std::vector<event::EventPtr> batch{MakeEvent()};
  SendOutcome out = sink->Send(batch);
  EXPECT_EQ(out.items, std::vector<Verdict>{Verdict::kRetry});
}

// HTTPS with a certificate made now for 127.0.0.1 (openssl CLI): trusted
// through tls.caFile it delivers; without it verification fails, which is a
// transport error (retried), never a silent success.
TEST(WebhookSink, HttpsVerifiesTheServerWithCaFile) {
  kv::testing::TempDir dir;
  std::string cert = (dir.path() / "cert.pem").string();
  std::string key = (dir.path() / "key.pem").string();
  std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "openssl CLI not usable";
  kv::testing::LocalServer server(cert, key);
  std::vector<event::EventPtr> batch{MakeEvent()};
  FakeClock clock;
  Block trusted("endpoint: " + server.Url("/x") + "\ntls: {caFile: " + cert + "}\n");
  auto sink = std::move(*Parse(trusted.node)(SinkContext{"hook", &clock}));
  EXPECT_EQ(sink->Send(batch).request, Verdict::kDelivered);
  Block untrusted("endpoint: " + server.Url("/x") + "\n");
  auto sink2 = std::move(*Parse(untrusted.node)(SinkContext{"hook", &clock}));
  SendOutcome out = sink2->Send(batch);
  EXPECT_EQ(out.items, std::vector<Verdict>{Verdict::kRetry});
  EXPECT_EQ(server.Requests().size(), 1u);
}

// tls.serverName (Go's ServerName): a certificate issued only for a DNS
// name is accepted on a connection to 127.0.0.1 when serverName names it;
// without serverName, or with another name, verification fails. The
// server sees the endpoint's own Host header.
TEST(WebhookSink, ServerNameIsTheNameTheCertificateMustMatch) {
  kv::testing::TempDir dir;
  std::string cert = (dir.path() / "cert.pem").string();
  std::string key = (dir.path() / "key.pem").string();
  std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=hooks.internal.test "
      "-addext subjectAltName=DNS:hooks.internal.test -keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "openssl CLI not usable";
  kv::testing::LocalServer server(cert, key);
  std::vector<event::EventPtr> batch{MakeEvent()};
  FakeClock clock;
  auto send = [&](const std::string& tls) {
    Block b("endpoint: " + server.Url("/x?a=1") + "\ntls: {caFile: " + cert + tls + "}\n");
    EXPECT_FALSE(b.HasErrors()) << b.Problems();
    auto sink = std::move(*Parse(b.node)(SinkContext{"hook", &clock}));
    return sink->Send(batch);
  };
  EXPECT_EQ(send(", serverName: hooks.internal.test").request, Verdict::kDelivered);
  ASSERT_EQ(server.Requests().size(), 1u);
  EXPECT_EQ(server.Requests()[0].path, "/x");
  EXPECT_EQ(server.Requests()[0].query, "a=1");
  EXPECT_EQ(server.Requests()[0].Header("Host"), server.Url("").substr(8));
  EXPECT_EQ(send("").items, std::vector<Verdict>{Verdict::kRetry})
      << "127.0.0.1 is not in the cert";
  EXPECT_EQ(send(", serverName: other.internal.test").items, std::vector<Verdict>{Verdict::kRetry});
  EXPECT_EQ(server.Requests().size(), 1u);
}

}  // namespace
}  // namespace kv::sinks::chat::webhook
