// Amazon Chime incoming webhooks. Documented format: POST JSON
// {"Content": "..."} to the room's webhook URL; messages up to 4096
// characters. The local server answers as Chime documents: 200 on
// success, 429 when the webhook is throttled.
#include <gtest/gtest.h>

#include "local_server.h"
#include "sinks/chat/chime/config.h"
#include "sinks/chat/chime/request.h"
#include "sinks/chat/chime/sink.h"

namespace kv::sinks::chat::chime {
namespace {

using kv::testing::Block;
using kv::testing::MakeEvent;

TEST(ChimeRequest, BodyIsContentWithTheDefaultText) {
  Block b("endpoint: https://hooks.chime.aws/incomingwebhooks/ID?token=T\n");
  ChimeConfig cfg = ParseConfig(b.node);
  ASSERT_FALSE(b.HasErrors()) << b.Problems();
  auto r = BuildRequest(cfg, MakeEvent());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->url, "https://hooks.chime.aws/incomingwebhooks/ID?token=T");
  EXPECT_EQ(
      r->body,
      R"({"Content":"[prod] Warning BackOff Pod default/web-1: Back-off restarting failed container"})");
}

TEST(ChimeRequest, TemplateAndEscaping) {
  Block b("endpoint: https://h/x\nmessage: '@Present {{ .Reason }} \"<{{ .Message }}>\"'\n");
  ChimeConfig cfg = ParseConfig(b.node);
  auto r = BuildRequest(cfg, MakeEvent());
  ASSERT_TRUE(r);
  // Go's encoding/json escaping (HTML-safe), which Chime decodes as JSON.
  EXPECT_EQ(
      r->body,
      R"({"Content":"@Present BackOff \"\u003cBack-off restarting failed container\u003e\""})");
}

TEST(ChimeRequest, ContentIsCutTo4096CharactersWithAnEllipsis) {
  std::string body = EncodeBody(std::string(5000, 'x'));
  std::string expected = R"({"Content":")" + std::string(4095, 'x') + "\xE2\x80\xA6\"}";
  EXPECT_EQ(body, expected);
  EXPECT_EQ(EncodeBody(std::string(4096, 'y')), R"({"Content":")" + std::string(4096, 'y') + "\"}");
}

TEST(ChimeConfig, EndpointRequiredAndUnknownKeysNamed) {
  Block b("mesage: x\n");
  ParseConfig(b.node);
  EXPECT_NE(b.Problems().find("endpoint: missing required key"), std::string::npos);
  EXPECT_NE(b.Problems().find("did you mean 'message'"), std::string::npos) << b.Problems();
}

TEST(ChimeSink, PostsToARealServerAndRetriesWhenThrottled) {
  kv::testing::LocalServer server;
  Block b("endpoint: " + server.Url("/incomingwebhooks/ID") + "?token=SECRET\n");
  FakeClock clock;
  auto sink = std::move(*Parse(b.node)(SinkContext{"chime", &clock}));
  server.Script(
      {{200, ""},
       {429, R"({"Message":"Too Many Requests"})", "application/json", {{"Retry-After", "1"}}}});
  std::vector<event::EventPtr> batch{MakeEvent("a"), MakeEvent("b")};
  SendOutcome out = sink->Send(batch);
  EXPECT_EQ(out.items, (std::vector<Verdict>{Verdict::kDelivered, Verdict::kRetry}));
  EXPECT_EQ(out.retry_after, std::chrono::seconds(1));
  EXPECT_EQ(out.reason.find("SECRET"), std::string::npos) << out.reason;
  auto reqs = server.Requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].query, "token=SECRET");
  EXPECT_EQ(reqs[0].Header("Content-Type"), "application/json");
  EXPECT_EQ(reqs[0].body.rfind(R"({"Content":"[prod] Warning BackOff)", 0), 0u) << reqs[0].body;
}

}  // namespace
}  // namespace kv::sinks::chat::chime
