// Opsgenie Alert API. Documented format: POST /v2/alerts with
// "Authorization: GenieKey <key>" and a JSON body (message required,
// 130 characters; alias 512; description 15000; priority P1..P5); the API
// answers 202 Accepted {"result":"Request will be processed",...}, 422 for
// an invalid request, 401 for a bad key and 429 when rate limited. The
// local server answers those ways.
#include <gtest/gtest.h>

#include "local_server.h"
#include "sinks/chat/opsgenie/config.h"
#include "sinks/chat/opsgenie/request.h"
#include "sinks/chat/opsgenie/sink.h"

namespace kv::sinks::chat::opsgenie {
namespace {

using kv::testing::Block;
using kv::testing::MakeEvent;

TEST(OpsgenieRequest, ReferenceExampleBecomesTheDocumentedAlert) {
  // The reference README's example block.
  Block b(
      "apiKey: xxx\npriority: P3\n"
      "message: 'Event {{ .Reason }} for {{ .InvolvedObject.Namespace }}/{{ .InvolvedObject.Name "
      "}} "
      "on K8s cluster'\nalias: '{{ .UID }}'\ndescription: '<pre>{{ .Message }}</pre>'\n"
      "tags: [event, '{{ .Reason }}', '{{ .InvolvedObject.Kind }}', '{{ .InvolvedObject.Name }}']\n"
      "details: {team: '{{ .InvolvedObject.Labels.team }}', cluster: '{{ .ClusterName }}'}\n");
  OpsgenieConfig cfg = ParseConfig(b.node);
  ASSERT_FALSE(b.HasErrors()) << b.Problems();
  auto r = BuildRequest(cfg, MakeEvent());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->url, "https://api.opsgenie.com/v2/alerts");
  EXPECT_EQ(r->headers[1], (std::pair<std::string, std::string>{"Authorization", "GenieKey xxx"}));
  EXPECT_EQ(
      r->body,
      R"({"message":"Event BackOff for default/web-1 on K8s cluster","alias":"u-1",)"
      R"("description":"\u003cpre\u003eBack-off restarting failed container\u003c/pre\u003e",)"
      R"("tags":["event","BackOff","Pod","web-1"],)"
      R"("details":{"cluster":"prod","team":"payments"},"priority":"P3"})");
}

TEST(OpsgenieRequest, DefaultsAreTheTextTheIdempotencyAliasAndP3) {
  Block b("apiKey: k\nURL: api.eu.opsgenie.com\n");
  auto r = BuildRequest(ParseConfig(b.node), MakeEvent("u-9", "77"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->url, "https://api.eu.opsgenie.com/v2/alerts");
  EXPECT_EQ(
      r->body,
      R"({"message":"[prod] Warning BackOff Pod default/web-1: Back-off restarting failed container",)"
      R"("alias":"u-9/77","priority":"P3"})");
}

TEST(OpsgenieRequest, DocumentedLimitsAreApplied) {
  Alert a;
  a.message = std::string(200, 'm');
  a.alias = std::string(600, 'a');
  for (int i = 0; i < 25; ++i) a.tags.push_back(std::string(60, 't'));
  std::string body = EncodeAlert(a);
  EXPECT_NE(body.find("\"" + std::string(129, 'm') + "\xE2\x80\xA6\""), std::string::npos);
  EXPECT_NE(body.find("\"" + std::string(511, 'a') + "\xE2\x80\xA6\""), std::string::npos);
  // Commas: after message, after alias, 19 between the 20 tags kept.
  EXPECT_EQ(std::count(body.begin(), body.end(), ','), 21);
}

TEST(OpsgenieRequest, EmptyMessageRejectsTheEvent) {
  Block b("apiKey: k\nmessage: '{{ .Action }}'\n");
  auto r = BuildRequest(ParseConfig(b.node), MakeEvent());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("message rendered empty"), std::string::npos);
}

TEST(OpsgenieConfig, MistakesAreNamed) {
  Block b("priority: P9\nURL: ftp://x\n");
  ParseConfig(b.node);
  EXPECT_NE(b.Problems().find("apiKey: missing required key"), std::string::npos);
  EXPECT_NE(b.Problems().find("priority: expected P1"), std::string::npos);
  EXPECT_NE(b.Problems().find("URL: expected a host"), std::string::npos) << b.Problems();
}

TEST(OpsgenieSink, AgainstARealServer) {
  kv::testing::LocalServer server;
  Block b("apiKey: SECRETKEY\nURL: " + server.Url("") + "\n");
  FakeClock clock;
  auto sink = std::move(*Parse(b.node)(SinkContext{"opsgenie", &clock}));
  server.Script(
      {{202, R"({"result":"Request will be processed","took":0.302,"requestId":"r1"})"},
       {422, R"({"message":"Request body is not processable","took":0.0,"requestId":"r2"})"},
       {429, R"({"message":"You are making too many requests!","took":0.0,"requestId":"r3"})"}});
  std::vector<event::EventPtr> batch{MakeEvent("a"), MakeEvent("b"), MakeEvent("c")};
  SendOutcome out = sink->Send(batch);
  EXPECT_EQ(out.items,
            (std::vector<Verdict>{Verdict::kDelivered, Verdict::kReject, Verdict::kRetry}));
  EXPECT_EQ(out.reason.find("SECRETKEY"), std::string::npos);
  auto reqs = server.Requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].path, "/v2/alerts");
  EXPECT_EQ(reqs[0].Header("Authorization"), "GenieKey SECRETKEY");
  EXPECT_NE(reqs[2].body.find(R"("alias":"c/42")"), std::string::npos);
}

}  // namespace
}  // namespace kv::sinks::chat::opsgenie
