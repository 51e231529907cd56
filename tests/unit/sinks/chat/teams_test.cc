// Microsoft Teams, both styles. Documented formats: Office 365 connectors
// take a legacy MessageCard and answer 200 "1"; when the connector itself
// is throttled it answers 200 with "Microsoft Teams endpoint returned HTTP
// error 429" in the body (the reference checks for that text). Power
// Automate Workflows ("When a Teams webhook request is received") take a
// message whose attachment is an Adaptive Card and answer 202 Accepted.
// The local server answers those ways.
#include <gtest/gtest.h>

#include "local_server.h"
#include "sinks/chat/teams/config.h"
#include "sinks/chat/teams/request.h"
#include "sinks/chat/teams/response.h"
#include "sinks/chat/teams/sink.h"

namespace kv::sinks::chat::teams {
namespace {

using kv::testing::Block;
using kv::testing::MakeEvent;

TEST(TeamsRequest, ConnectorSendsTheReferenceTextInAMessageCard) {
  Block b(
      "endpoint: https://outlook.office.com/webhook/X\nheaders: {X-Cluster: '{{ .ClusterName "
      "}}'}\n");
  TeamsConfig cfg = ParseConfig(b.node);
  ASSERT_FALSE(b.HasErrors()) << b.Problems();
  auto r = BuildRequest(cfg, MakeEvent());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->url, "https://outlook.office.com/webhook/X");
  EXPECT_EQ(
      r->body,
      R"({"@type":"MessageCard","@context":"https://schema.org/extensions","summary":"event",)"
      R"("text":"Event: Back-off restarting failed container \nStatus: BackOff \nMetadata: )"
      R"({\"name\":\"web-1.17a\",\"namespace\":\"default\",\"uid\":\"u-1\",)"
      R"(\"resourceVersion\":\"42\",\"creationTimestamp\":null}"})");
  EXPECT_EQ(r->headers.back(), (std::pair<std::string, std::string>{"X-Cluster", "prod"}));
}

TEST(TeamsRequest, ConnectorTextComesFromTheLayout) {
  Block b(
      "endpoint: https://h/x\nlayout: {message: 'in {{ .Namespace }}', reason: '{{ .Reason }}', "
      "metadata: {n: 1}}\n");
  auto r = BuildRequest(ParseConfig(b.node), MakeEvent());
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find(R"("text":"Event: in default \nStatus: BackOff \nMetadata: {\"n\":1}")"),
            std::string::npos)
      << r->body;
  EXPECT_EQ(ConnectorText("{}"), "Event:  \nStatus:  \nMetadata: ");
}

TEST(TeamsRequest, WorkflowSendsAnAdaptiveCard) {
  Block b(
      "workflowURL: https://prod.westeurope.logic.azure.com/workflows/W/triggers/manual/paths/"
      "invoke?sig=S\ntitle: '{{ .Reason }}'\nfacts: {Object: '{{ .InvolvedObject.Name }}', "
      "Cluster: '{{ .ClusterName }}'}\n");
  TeamsConfig cfg = ParseConfig(b.node);
  ASSERT_FALSE(b.HasErrors()) << b.Problems();
  auto r = BuildRequest(cfg, MakeEvent());
  ASSERT_TRUE(r);
  EXPECT_EQ(
      r->body,
      R"({"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive",)"
      R"("contentUrl":null,"content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json",)"
      R"("type":"AdaptiveCard","version":"1.4","body":[)"
      R"({"type":"TextBlock","text":"BackOff","weight":"Bolder","size":"Medium","wrap":true},)"
      R"({"type":"TextBlock","text":"[prod] Warning BackOff Pod default/web-1: Back-off restarting failed container","wrap":true},)"
      R"({"type":"FactSet","facts":[{"title":"Cluster","value":"prod"},{"title":"Object","value":"web-1"}]}]}}]})");
}

TEST(TeamsRequest, WorkflowWithoutTitleOrFactsHasOneTextBlock) {
  EXPECT_EQ(EncodeAdaptiveCard("", "hi", {}).find("FactSet"), std::string::npos);
  EXPECT_NE(EncodeAdaptiveCard("", "hi", {})
                .find(R"("body":[{"type":"TextBlock","text":"hi","wrap":true}])"),
            std::string::npos);
}

TEST(TeamsConfig, StylesExcludeEachOther) {
  Block both("endpoint: https://a/x\nworkflowURL: https://b/y\n");
  ParseConfig(both.node);
  EXPECT_NE(both.Problems().find("exclude each other"), std::string::npos);
  Block mixed("endpoint: https://a/x\ntitle: t\n");
  ParseConfig(mixed.node);
  EXPECT_NE(mixed.Problems().find("title: only for the Workflows style"), std::string::npos)
      << mixed.Problems();
}

Result<http::Response> Answer(long status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(TeamsResponse, ConnectorThrottledInsideA200IsRetried) {
  EXPECT_EQ(ClassifyConnector(Answer(200, "1"), "x").request, Verdict::kDelivered);
  SendOutcome out = ClassifyConnector(
      Answer(200,
             "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP "
             "error 429 with ContextId tcid=0"),
      "x");
  EXPECT_EQ(out.request, Verdict::kRetry);
  EXPECT_NE(out.reason.find("rate limited"), std::string::npos);
  EXPECT_EQ(ClassifyConnector(Answer(400, "Summary or Text is required."), "x").request,
            Verdict::kReject);
}

TEST(TeamsSink, WorkflowAgainstARealServerAccepts202) {
  kv::testing::LocalServer server;
  Block b("workflowURL: " + server.Url("/workflows/W/invoke") + "?sig=SECRET\n");
  FakeClock clock;
  auto sink = std::move(*Parse(b.node)(SinkContext{"teams", &clock}));
  server.Script({{202, ""}, {429, R"({"error":{"code":"WorkflowTriggerIsThrottled"}})"}});
  std::vector<event::EventPtr> batch{MakeEvent("a"), MakeEvent("b")};
  SendOutcome out = sink->Send(batch);
  EXPECT_EQ(out.items, (std::vector<Verdict>{Verdict::kDelivered, Verdict::kRetry}));
  EXPECT_EQ(out.reason.find("SECRET"), std::string::npos);
  EXPECT_EQ(server.Requests()[0].body.rfind(R"({"type":"message","attachments":[)", 0), 0u);
}

TEST(TeamsSink, ConnectorAgainstARealServer) {
  kv::testing::LocalServer server;
  Block b("endpoint: " + server.Url("/webhook/X") + "\n");
  FakeClock clock;
  auto sink = std::move(*Parse(b.node)(SinkContext{"teams", &clock}));
  server.Script({{200, "1", "text/plain"},
                 {200, "Microsoft Teams endpoint returned HTTP error 429", "text/plain"}});
  std::vector<event::EventPtr> batch{MakeEvent("a"), MakeEvent("b")};
  SendOutcome out = sink->Send(batch);
  EXPECT_EQ(out.items, (std::vector<Verdict>{Verdict::kDelivered, Verdict::kRetry}));
}

}  // namespace
}  // namespace kv::sinks::chat::teams
