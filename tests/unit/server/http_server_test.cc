#include "server/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

#include "http/client.h"

namespace kv::server {
namespace {

http::Response Fetch(int port, const std::string& path, const std::string& method = "GET") {
  http::Client client;
  http::Request req;
  req.method = method;
  req.url = "http://127.0.0.1:" + std::to_string(port) + path;
  req.timeout = std::chrono::milliseconds(10000);
  auto resp = client.Do(req, {});
  EXPECT_TRUE(resp) << (resp ? "" : resp.error().message);
  return resp ? *resp : http::Response{};
}

HttpServerOptions Ephemeral() {
  HttpServerOptions o;
  o.address = "127.0.0.1:0";
  return o;
}

TEST(ListenAddress, AcceptsTheGoForms) {
  EXPECT_EQ(*ParseListenAddress(":2112"), std::make_pair(std::string(), 2112));
  EXPECT_EQ(*ParseListenAddress("127.0.0.1:0"), std::make_pair(std::string("127.0.0.1"), 0));
  EXPECT_EQ(*ParseListenAddress("[::1]:9090"), std::make_pair(std::string("::1"), 9090));
  EXPECT_EQ(*ParseListenAddress("localhost:80"), std::make_pair(std::string("localhost"), 80));
  EXPECT_FALSE(ParseListenAddress("2112"));
  EXPECT_FALSE(ParseListenAddress(":"));
  EXPECT_FALSE(ParseListenAddress(":70000"));
  EXPECT_FALSE(ParseListenAddress(":12a"));
  EXPECT_FALSE(ParseListenAddress("::1:80"));
  EXPECT_FALSE(ParseListenAddress("[::1]80"));
}

TEST(HttpServer, ServesMetricsWithTheTextFormatContentType) {
  Registry reg({"kv_", 10});
  (*reg.AddCounter("hits_total", "Hits."))->Inc(3);
  HttpServer server(Ephemeral(), reg);
  ASSERT_TRUE(server.Start());
  ASSERT_GT(server.port(), 0);
  http::Response r = Fetch(server.port(), "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("kv_hits_total 3\n"), std::string::npos) << r.body;
  server.Stop();
}

TEST(HttpServer, HealthIsOkAndUnknownPathsAre404) {
  Registry reg;
  HttpServer server(Ephemeral(), reg);
  ASSERT_TRUE(server.Start());
  for (const char* path : {"/healthz", "/-/healthy"}) {
    http::Response r = Fetch(server.port(), path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, "ok\n") << path;
  }
  EXPECT_EQ(Fetch(server.port(), "/nope").status, 404);
  EXPECT_EQ(Fetch(server.port(), "/").status, 404);
  EXPECT_NE(Fetch(server.port(), "/metrics", "POST").status, 200);
}

TEST(HttpServer, ReadinessFollowsTheChecks) {
  Registry reg;
  HttpServer server(Ephemeral(), reg);
  std::atomic<bool> synced{false};
  server.AddReadinessCheck("informer", [&] {
    return CheckResult{synced.load(), synced ? "" : "initial list not done"};
  });
  server.AddReadinessCheck("receivers", [] { return CheckResult{true, "2 running"}; });
  ASSERT_TRUE(server.Start());
  for (const char* path : {"/readyz", "/-/ready"}) {
    http::Response r = Fetch(server.port(), path);
    EXPECT_EQ(r.status, 503) << path;
    EXPECT_EQ(r.body,
              "[-]informer failed: initial list not done\n[+]receivers ok: 2 running\nnot ready\n");
  }
  synced = true;
  http::Response r = Fetch(server.port(), "/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "[+]informer ok\n[+]receivers ok: 2 running\nready\n");
  // A check added while serving counts at once.
  server.AddReadinessCheck("leader", [] { return CheckResult{false, "not leading"}; });
  EXPECT_EQ(Fetch(server.port(), "/-/ready").status, 503);
}

TEST(HttpServer, ReadyWithoutChecks) {
  Registry reg;
  HttpServer server(Ephemeral(), reg);
  EXPECT_EQ(server.Readiness().first, 200);
}

TEST(HttpServer, StopReturnsPromptlyAndFreesThePort) {
  Registry reg;
  auto server = std::make_unique<HttpServer>(Ephemeral(), reg);
  ASSERT_TRUE(server->Start());
  int port = server->port();
  EXPECT_EQ(Fetch(port, "/healthz").status, 200);  // leaves a keep-alive connection behind
  server->Stop();
  server->Stop();  // idempotent
  http::Client client;
  http::Request req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/healthz";
  req.timeout = std::chrono::milliseconds(2000);
  EXPECT_FALSE(client.Do(req, {}));  // refused: nobody listens any more

  // The same port can be bound again.
  HttpServerOptions again;
  again.address = "127.0.0.1:" + std::to_string(port);
  HttpServer second(again, reg);
  EXPECT_TRUE(second.Start());
}

TEST(HttpServer, StopEndsWhileAClientHoldsAKeepAliveConnection) {
  Registry reg;
  HttpServer server(Ephemeral(), reg);
  ASSERT_TRUE(server.Start());
  http::Client client;  // kept open: its connection stays idle in the pool
  http::Request req;
  req.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/healthz";
  ASSERT_EQ(client.Do(req, {})->status, 200);
  server.Stop();  // returns once the idle connection times out (options.idle_timeout)
  EXPECT_FALSE(client.Do(req, {}));
}

TEST(HttpServer, StopRightAfterStartDoesNotHang) {
  Registry reg;
  for (int i = 0; i < 20; ++i) {
    HttpServer server(Ephemeral(), reg);
    ASSERT_TRUE(server.Start());
    server.Stop();
  }
}

TEST(HttpServer, AnAddressInUseFailsStart) {
  Registry reg;
  HttpServer first(Ephemeral(), reg);
  ASSERT_TRUE(first.Start());
  HttpServerOptions same;
  same.address = "127.0.0.1:" + std::to_string(first.port());
  HttpServer second(same, reg);
  auto r = second.Start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  HttpServerOptions bad;
  bad.address = "nonsense";
  EXPECT_EQ(HttpServer(bad, reg).Start().error().code, ErrorCode::kInvalidConfig);
}

TEST(HttpServer, EveryAddressFormServesLoopback) {
  Registry reg;
  HttpServerOptions any;
  any.address = ":0";
  HttpServer server(any, reg);
  ASSERT_TRUE(server.Start());
  EXPECT_EQ(Fetch(server.port(), "/healthz").status, 200);
}

}  // namespace
}  // namespace kv::server
