#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <thread>

#include "fixtures.h"
#include "sinks/aws/client.h"
#include "sinks/aws/eventbridge/config.h"
#include "sinks/aws/eventbridge/encoder.h"
#include "sinks/aws/eventbridge/request.h"
#include "sinks/aws/eventbridge/response.h"
#include "sinks/aws/eventbridge/sink.h"

namespace kv::sinks::aws::eventbridge {
namespace {

using aws_test::Answer;
using aws_test::MakeEvent;

EventBridgeConfig TestConfig() {
  EventBridgeConfig c;
  c.source = "kubevents";
  c.detail_type = "KubernetesEvent";
  c.event_bus_name = "bus";
  c.format = aws_test::MessageLayout();
  return c;
}

TEST(EventBridgeConfig, ReferenceKeysAndDetailsLayout) {
  auto diag = std::make_shared<config::Diagnostics>();
  auto c = ParseConfig(config::ParseYaml(
      "detailType: d\nsource: s\neventBusName: b\nregion: r\ndetails: {m: '{{ .Message }}'}\n", "r",
      diag));
  EXPECT_TRUE(diag->problems().empty());
  EXPECT_TRUE(c.format.layout.has_value());
  ParseConfig(config::ParseYaml("region: r\n", "r", diag));
  EXPECT_EQ(diag->problems().size(), 2u);  // detailType and source
}

TEST(EventBridgeRequest, PutEventsJsonExactly) {
  auto c = TestConfig();
  auto e = Encode(MakeEvent("hi"), c, 5);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->cost, 14 + 9 + 15 + e->detail.size());
  std::vector<Entry> entries{*e};
  EXPECT_EQ(EncodePutEvents(c, entries),
            R"({"Entries":[{"Source":"kubevents","DetailType":"KubernetesEvent",)"
            R"("Detail":"{\"msg\":\"hi\"}","EventBusName":"bus","Time":1700000000.123}]})");
  c.event_bus_name.clear();
  EXPECT_EQ(EncodePutEvents(c, entries).find("EventBusName"), std::string::npos);
}

// A documented partial-failure answer (PutEvents API reference: 200 with
// FailedEntryCount and ErrorCode on the failed entries).
constexpr const char* kPartialFailure = R"({"FailedEntryCount":2,"Entries":[
  {"EventId":"11710aed-b79e-4468-a20b-bb3c0c3b4860"},
  {"ErrorCode":"ThrottlingException","ErrorMessage":"Rate exceeded"},
  {"EventId":"d804d26a-88db-4b66-9eaf-9a11c708ae82"},
  {"ErrorCode":"MalformedDetail","ErrorMessage":"Detail is malformed."}]})";

TEST(EventBridgeResponse, FailedEntryCountGivesPerEntryVerdicts) {
  auto r = ParsePutEvents(Answer(200, kPartialFailure), 4);
  EXPECT_EQ(r.request, Verdict::kDelivered);
  EXPECT_EQ(r.items, (std::vector<Verdict>{Verdict::kDelivered, Verdict::kRetry,
                                           Verdict::kDelivered, Verdict::kReject}));
  EXPECT_EQ(r.item_reasons[3],
            "eventbridge PutEvents: entry failed: MalformedDetail: Detail is malformed.");
}

TEST(EventBridgeResponse, ShortAnswerRetriesTheRest) {
  auto r = ParsePutEvents(Answer(200, R"({"FailedEntryCount":0,"Entries":[{"EventId":"a"}]})"), 2);
  EXPECT_EQ(r.items, (std::vector<Verdict>{Verdict::kDelivered, Verdict::kRetry}));
}

TEST(EventBridgeResponse, RequestErrors) {
  EXPECT_EQ(ParsePutEvents(Answer(400, R"({"__type":"AccessDeniedException","Message":"no"})"), 1)
                .request,
            Verdict::kReject);
  EXPECT_EQ(ParsePutEvents(Answer(500, R"({"__type":"InternalException"})"), 1).request,
            Verdict::kRetry);
}

class StaticCredentials final : public ::kv::aws::CredentialProvider {
 public:
  Result<::kv::aws::Credentials> Get() override {
    ::kv::aws::Credentials c;
    c.access_key_id = "AKIDEXAMPLE";
    c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    c.source = "test";
    return c;
  }
};

// The sink against an in-process HTTP server that answers the first
// PutEvents with the partial failure above and later ones with success:
// the sink reports per-entry verdicts, and sending again only what it said
// to retry (what delivery/ does) puts only those entries on the wire.
TEST(EventBridgeSink, PartialFailureRetriesOnlyTheFailedEntries) {
  httplib::Server server;
  std::mutex mu;
  std::vector<std::string> bodies;
  server.Post("/", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    EXPECT_EQ(req.get_header_value("X-Amz-Target"), "AWSEvents.PutEvents");
    EXPECT_EQ(req.get_header_value("Content-Type"), "application/x-amz-json-1.1");
    EXPECT_NE(
        req.get_header_value("Authorization").find("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
        std::string::npos);
    bodies.push_back(req.body);
    if (bodies.size() == 1) {
      res.set_content(kPartialFailure, "application/x-amz-json-1.1");
    } else {
      res.set_content(R"({"FailedEntryCount":0,"Entries":[{"EventId":"a"}]})",
                      "application/x-amz-json-1.1");
    }
  });
  server.set_keep_alive_max_count(1);  // stop() need not wait out an idle connection
  int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread thread([&] { server.listen_after_bind(); });

  SystemClock clock;
  ::kv::aws::SignOptions sign;
  sign.region = "us-east-1";
  sign.service = "events";
  auto client = std::make_unique<aws::Client>("http://127.0.0.1:" + std::to_string(port), sign,
                                              std::make_shared<StaticCredentials>(), clock);
  auto sink = Make(TestConfig(), std::move(client), clock);
  std::vector<event::EventPtr> batch{MakeEvent("e0", "u0"), MakeEvent("e1", "u1"),
                                     MakeEvent("e2", "u2"), MakeEvent("e3", "u3")};
  SendOutcome first = sink->Send(batch);
  EXPECT_EQ(first.request, Verdict::kDelivered);
  ASSERT_EQ(first.items.size(), 4u);
  EXPECT_EQ(first.items, (std::vector<Verdict>{Verdict::kDelivered, Verdict::kRetry,
                                               Verdict::kDelivered, Verdict::kReject}));
  std::vector<event::EventPtr> again;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (first.items[i] == Verdict::kRetry) again.push_back(batch[i]);
  }
  SendOutcome second = sink->Send(again);
  EXPECT_EQ(second.request, Verdict::kDelivered);
  EXPECT_TRUE(second.items.empty());
  server.stop();
  thread.join();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_NE(bodies[0].find(R"(\"msg\":\"e3\")"), std::string::npos);
  EXPECT_NE(bodies[1].find(R"(\"msg\":\"e1\")"), std::string::npos);
  EXPECT_EQ(bodies[1].find(R"(\"msg\":\"e0\")"), std::string::npos);
  EXPECT_EQ(bodies[1].find(R"(\"msg\":\"e2\")"), std::string::npos);
  EXPECT_EQ(bodies[1].find(R"(\"msg\":\"e3\")"), std::string::npos);
}

}  // namespace
}  // namespace kv::sinks::aws::eventbridge
