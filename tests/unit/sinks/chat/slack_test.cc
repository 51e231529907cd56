// Slack, both styles. Documented formats: Web API chat.postMessage
// (https://api.slack.com/methods/chat.postMessage) takes form-encoded
// arguments, answers HTTP 200 {"ok":true,...} or {"ok":false,"error":...},
// and 429 with Retry-After when rate limited; incoming webhooks take JSON
// {"text":..., "attachments":[...]} and answer 200 "ok" or an error status
// with a plain-text code (400 invalid_payload, 404 channel_not_found, 410
// channel_is_archived, 429). The local server answers those ways.
#include <gtest/gtest.h>

#include "local_server.h"
#include "sinks/chat/slack/config.h"
#include "sinks/chat/slack/request.h"
#include "sinks/chat/slack/response.h"
#include "sinks/chat/slack/sink.h"
#include "util/url.h"

namespace kv::sinks::chat::slack {
namespace {

using kv::testing::Block;
using kv::testing::MakeEvent;

constexpr char kReferenceBlock[] =
    "token: xoxb-1\nchannel: '#{{ .InvolvedObject.Labels.team }}'\nmessage: '{{ .Message }} <&>'\n"
    "color: danger\nfooter: '{{ .ClusterName }}'\ntitle: '{{ .Reason }}'\nauthor_name: kubevents\n"
    "fields: {reason: '{{ .Reason }}', namespace: '{{ .Namespace }}', object: "
    "'{{ .InvolvedObject.Name }}'}\n";

std::string HeaderOf(const http::Request& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

TEST(SlackRequest, WebApiIsAFormPostOfChatPostMessage) {
  Block b(kReferenceBlock);
  SlackConfig cfg = ParseConfig(b.node);
  ASSERT_FALSE(b.HasErrors()) << b.Problems();
  auto r = BuildRequest(cfg, MakeEvent());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->url, "https://slack.com/api/chat.postMessage");
  EXPECT_EQ(HeaderOf(*r, "Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(HeaderOf(*r, "Authorization"), "Bearer xoxb-1");
  std::string attachments =
      R"([{"color":"danger","author_name":"kubevents","title":"BackOff","fields":[)"
      R"({"title":"namespace","value":"default","short":false},)"
      R"({"title":"object","value":"web-1","short":false},)"
      R"({"title":"reason","value":"BackOff","short":false}],"footer":"prod"}])";
  EXPECT_EQ(r->body, "attachments=" + url::PercentEncode(attachments) +
                         "&channel=%23payments&text=" +
                         url::PercentEncode("Back-off restarting failed container &lt;&amp;&gt;"));
}

TEST(SlackRequest, WithoutAttachmentKeysOnlyTextAndChannelAreSent) {
  Block b("token: t\nchannel: C123\n");
  auto r = BuildRequest(ParseConfig(b.node), MakeEvent());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "channel=C123&text=" +
                         url::PercentEncode("[prod] Warning BackOff Pod default/web-1: Back-off "
                                            "restarting failed container"));
}

TEST(SlackRequest, IncomingWebhookIsJsonTextAndAttachments) {
  Block b(
      "webhookURL: https://hooks.slack.com/services/T/B/X\nmessage: '{{ .Reason }} <b>'\n"
      "color: '#36a64f'\nfields: {kind: '{{ .InvolvedObject.Kind }}'}\n");
  SlackConfig cfg = ParseConfig(b.node);
  ASSERT_FALSE(b.HasErrors()) << b.Problems();
  auto r = BuildRequest(cfg, MakeEvent());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->url, "https://hooks.slack.com/services/T/B/X");
  EXPECT_EQ(HeaderOf(*r, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderOf(*r, "Authorization"), "<absent>");
  EXPECT_EQ(r->body, R"({"text":"BackOff \u0026lt;b\u0026gt;","attachments":[{"color":"#36a64f",)"
                     R"("fields":[{"title":"kind","value":"Pod","short":false}]}]})");
}

TEST(SlackConfig, StylesExcludeEachOther) {
  Block both("token: t\nwebhookURL: https://h/x\n");
  ParseConfig(both.node);
  EXPECT_NE(both.Problems().find("exclude each other"), std::string::npos) << both.Problems();
  Block none("message: m\n");
  ParseConfig(none.node);
  EXPECT_NE(none.Problems().find("set token"), std::string::npos) << none.Problems();
  Block channel("webhookURL: https://h/x\nchannel: '#c'\n");
  ParseConfig(channel.node);
  EXPECT_NE(channel.Problems().find("remove channel"), std::string::npos) << channel.Problems();
  Block emptyurl("webhookURL: ''\n");
  ParseConfig(emptyurl.node);
  EXPECT_NE(emptyurl.Problems().find("webhookURL: missing required key"), std::string::npos)
      << emptyurl.Problems();
  Block nochannel("token: t\n");
  ParseConfig(nochannel.node);
  EXPECT_NE(nochannel.Problems().find("channel: missing required key"), std::string::npos);
}

Result<http::Response> Answer(long status, std::string body, http::Headers headers = {}) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(SlackResponse, OkTrueIsDeliveredAndOkFalseDependsOnTheError) {
  EXPECT_EQ(ClassifyApi(Answer(200, R"({"ok":true,"channel":"C1","ts":"1.2"})"), "POST x").request,
            Verdict::kDelivered);
  SendOutcome gone = ClassifyApi(Answer(200, R"({"ok":false,"error":"channel_not_found"})"), "x");
  EXPECT_EQ(gone.request, Verdict::kReject);
  EXPECT_NE(gone.reason.find("channel_not_found"), std::string::npos);
  EXPECT_EQ(ClassifyApi(Answer(200, R"({"ok":false,"error":"invalid_auth"})"), "x").request,
            Verdict::kReject);
  EXPECT_EQ(ClassifyApi(Answer(200, R"({"ok":false,"error":"ratelimited"})"), "x").request,
            Verdict::kRetry);
  EXPECT_EQ(ClassifyApi(Answer(200, "<html>proxy</html>"), "x").request, Verdict::kRetry);
  SendOutcome limited = ClassifyApi(Answer(429, "", {{"retry-after", "30"}}), "x");
  EXPECT_EQ(limited.request, Verdict::kRetry);
  EXPECT_EQ(limited.retry_after, std::chrono::seconds(30));
}

TEST(SlackSink, WebApiAgainstARealServer) {
  kv::testing::LocalServer server;
  Block b(std::string(kReferenceBlock) + "apiURL: " + server.Url("/api/") + "\n");
  FakeClock clock;
  auto builder = Parse(b.node);
  ASSERT_FALSE(b.HasErrors()) << b.Problems();
  auto sink = std::move(*builder(SinkContext{"slack", &clock}));
  server.Script({{200, R"({"ok":true,"channel":"C1","ts":"1.2"})"},
                 {200, R"({"ok":false,"error":"not_in_channel"})"},
                 {429, "", "text/plain", {{"Retry-After", "4"}}}});
  std::vector<event::EventPtr> batch{MakeEvent("a"), MakeEvent("b"), MakeEvent("c")};
  SendOutcome out = sink->Send(batch);
  EXPECT_EQ(out.items,
            (std::vector<Verdict>{Verdict::kDelivered, Verdict::kReject, Verdict::kRetry}));
  EXPECT_EQ(out.retry_after, std::chrono::seconds(4));
  EXPECT_EQ(out.reason.find("xoxb"), std::string::npos) << out.reason;
  auto reqs = server.Requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].path, "/api/chat.postMessage");
  EXPECT_EQ(reqs[0].Header("Authorization"), "Bearer xoxb-1");
  // What the server decoded from the form is what Slack reads.
  EXPECT_EQ(reqs[0].body.find("token="), std::string::npos);
}

TEST(SlackSink, IncomingWebhookAgainstARealServer) {
  kv::testing::LocalServer server;
  Block b("webhookURL: " + server.Url("/services/T/B/SECRET") + "\n");
  FakeClock clock;
  auto sink = std::move(*Parse(b.node)(SinkContext{"slack", &clock}));
  server.Script({{200, "ok", "text/plain"}, {404, "channel_not_found", "text/plain"}});
  std::vector<event::EventPtr> batch{MakeEvent("a"), MakeEvent("b")};
  SendOutcome out = sink->Send(batch);
  EXPECT_EQ(out.items, (std::vector<Verdict>{Verdict::kDelivered, Verdict::kReject}));
  EXPECT_NE(out.reason.find("channel_not_found"), std::string::npos);
  EXPECT_EQ(out.reason.find("SECRET"), std::string::npos) << out.reason;
  EXPECT_EQ(
      server.Requests()[0].body,
      R"({"text":"[prod] Warning BackOff Pod default/web-1: Back-off restarting failed container"})");
}

}  // namespace
}  // namespace kv::sinks::chat::slack
