// The search sink's answer to a mapping conflict (README "Mapping
// conflicts"): an item refused for its labels or annotations is sent again
// with the keys de-dotted, then with the maps as text, under the same _id;
// only what is still refused is rejected. Against the scripted loopback
// peer of the conformance suite.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "../conformance/peer.h"
#include "sinks/search/encoder.h"
#include "sinks/search/response.h"
#include "sinks/search/sink.h"
#include "test_events.h"
#include "util/clock.h"

namespace kv::sinks::search {
namespace {

using conformance::Answer;
using conformance::Recorded;
using conformance::ScriptedPeer;

constexpr char kObjectConflict[] =
    R"({"index":{"_index":"kube-events","status":400,"error":{"type":"mapper_parsing_exception","reason":"object mapping for [metadata.labels.app] tried to parse field [app] as object, but found a concrete value"}}})";
constexpr char kCreated[] = R"({"index":{"_index":"kube-events","status":201}})";

std::vector<std::string> DocumentLines(const std::string& body) {
  std::vector<std::string> docs;
  size_t start = 0;
  bool action = true;
  while (start < body.size()) {
    size_t nl = body.find('\n', start);
    if (nl == std::string::npos) nl = body.size();
    if (!action) docs.push_back(body.substr(start, nl - start));
    action = !action;
    start = nl + 1;
  }
  return docs;
}

std::vector<std::string> ActionLines(const std::string& body) {
  std::vector<std::string> actions;
  size_t start = 0;
  bool action = true;
  while (start < body.size()) {
    size_t nl = body.find('\n', start);
    if (nl == std::string::npos) nl = body.size();
    if (action) actions.push_back(body.substr(start, nl - start));
    action = !action;
    start = nl + 1;
  }
  return actions;
}

// Answers each document with `item(document)`.
conformance::Responder PerDocument(std::function<std::string(const std::string&)> item) {
  return [item](const Recorded& r) {
    std::string items;
    bool errors = false;
    for (const auto& doc : DocumentLines(r.body)) {
      std::string one = item(doc);
      errors = errors || one.find("\"error\"") != std::string::npos;
      items += (items.empty() ? "" : ",") + one;
    }
    return Answer(200, std::string(R"({"took":1,"errors":)") + (errors ? "true" : "false") +
                           R"(,"items":[)" + items + "]}");
  };
}

class SearchReshape : public ::testing::Test {
 protected:
  std::unique_ptr<Sink> Build(const std::string& extra = "") {
    std::string problems;
    SearchConfig config = testing::ParseBody(
        "{hosts: ['" + peer_.Url() + "'], index: kube-events" + extra + "}", &problems);
    EXPECT_EQ(problems, "");
    SinkContext ctx{"r", &clock_, nullptr, [this](uint64_t n) {
                      ++count_calls_;
                      reshaped_ += n;
                    }};
    auto sink = BuildSearchSink(config, ctx);
    EXPECT_TRUE(sink) << sink.error().message;
    return sink ? std::move(*sink) : nullptr;
  }

  static event::EventPtr Labelled(std::string uid, event::StringMap labels) {
    auto ev = std::make_shared<event::Event>(*testing::MakeEvent(std::move(uid), "7"));
    ev->metadata.labels.clear();
    ev->involved_object.labels = std::move(labels);
    return ev;
  }

  ScriptedPeer peer_;
  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1767225600))};
  int count_calls_ = 0;
  uint64_t reshaped_ = 0;
};

TEST_F(SearchReshape, ConflictIsSentAgainDeDottedUnderTheSameIdAndCounted) {
  // The index maps labels.app as an object; a dotted key fits only de-dotted.
  peer_.Respond(PerDocument([](const std::string& doc) {
    return doc.find("\"app.kubernetes.io/name\"") != std::string::npos ? kObjectConflict : kCreated;
  }));
  auto sink = Build();
  ASSERT_TRUE(sink);
  EXPECT_EQ(count_calls_, 1);  // the series is made at build
  EXPECT_EQ(reshaped_, 0u);
  std::vector<event::EventPtr> batch = {Labelled("u-1", {{"app", "web"}}),
                                        Labelled("u-2", {{"app.kubernetes.io/name", "web"}}),
                                        Labelled("u-3", {})};
  SendOutcome out = sink->Send(batch);
  ASSERT_EQ(out.items.size(), 3u) << out.reason;
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(out.items[i], Verdict::kDelivered) << i;
  EXPECT_EQ(out.item_reasons[1], "");
  auto requests = peer_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  auto docs = DocumentLines(requests[1].body);
  ASSERT_EQ(docs.size(), 1u);  // only the refused one
  EXPECT_NE(docs[0].find(R"("labels":{"app_kubernetes_io/name":"web"})"), std::string::npos)
      << docs[0];
  auto actions = ActionLines(requests[1].body);
  EXPECT_NE(actions[0].find(R"("_id":"u-2_7")"), std::string::npos) << actions[0];
  EXPECT_NE(actions[0].find(R"("_index":"kube-events")"), std::string::npos) << actions[0];
  EXPECT_EQ(reshaped_, 1u);
  EXPECT_NE(out.reason.find("1 sent again reshaped after a mapping conflict, 1 taken"),
            std::string::npos)
      << out.reason;
}

TEST_F(SearchReshape, SecondConflictSendsTheMapsAsText) {
  // The index maps labels.app as text: `app: web` fits, an object under
  // app does not, de-dotted or not (a key `app` holding a map is refused).
  peer_.Respond(PerDocument([](const std::string& doc) {
    return doc.find(R"("labels":{)") != std::string::npos &&
                   doc.find(R"("app":"web")") == std::string::npos
               ? kObjectConflict
               : kCreated;
  }));
  auto sink = Build();
  ASSERT_TRUE(sink);
  SendOutcome out =
      sink->Send(std::vector<event::EventPtr>{Labelled("u-1", {{"app.kubernetes.io/name", "x"}})});
  ASSERT_EQ(out.items.size(), 1u) << out.reason;
  EXPECT_EQ(out.items[0], Verdict::kDelivered) << out.item_reasons[0];
  auto requests = peer_.Requests();
  ASSERT_EQ(requests.size(), 3u);
  auto doc = DocumentLines(requests[2].body).at(0);
  EXPECT_EQ(doc.find(R"("labels":)"), std::string::npos) << doc;
  EXPECT_NE(doc.find(R"("labelsText":"{\"app_kubernetes_io/name\":\"x\"}")"), std::string::npos)
      << doc;
  EXPECT_NE(ActionLines(requests[2].body).at(0).find(R"("_id":"u-1_7")"), std::string::npos);
  EXPECT_EQ(reshaped_, 1u);
}

TEST_F(SearchReshape, ThirdConflictIsRejectedAsBefore) {
  peer_.Respond(PerDocument([](const std::string&) { return std::string(kObjectConflict); }));
  auto sink = Build();
  ASSERT_TRUE(sink);
  SendOutcome out = sink->Send(std::vector<event::EventPtr>{
      Labelled("u-1", {{"app.kubernetes.io/name", "x"}}), testing::MakeEvent("u-2", "8")});
  ASSERT_EQ(out.items.size(), 2u) << out.reason;
  EXPECT_EQ(out.items[0], Verdict::kReject);
  EXPECT_EQ(out.items[1], Verdict::kReject);
  EXPECT_NE(out.item_reasons[0].find("mapper_parsing_exception"), std::string::npos);
  EXPECT_EQ(peer_.Requests().size(), 3u);
  EXPECT_EQ(reshaped_, 0u);
}

TEST_F(SearchReshape, DocumentsTheReshapeDoesNotChangeAreNotSentAgain) {
  // No labels or annotations: nothing to reshape.
  peer_.Respond(PerDocument([](const std::string&) { return std::string(kObjectConflict); }));
  auto sink = Build();
  ASSERT_TRUE(sink);
  auto ev = Labelled("u-1", {});
  SendOutcome out = sink->Send(std::vector<event::EventPtr>{ev});
  ASSERT_EQ(out.items.size(), 1u);
  EXPECT_EQ(out.items[0], Verdict::kReject);
  EXPECT_EQ(peer_.Requests().size(), 1u);
}

TEST_F(SearchReshape, DeDotConfiguredGoesStraightToTheMapsAsText) {
  peer_.Respond(PerDocument([](const std::string& doc) {
    return doc.find(R"("labels":{)") != std::string::npos ? kObjectConflict : kCreated;
  }));
  auto sink = Build(", deDot: true");
  ASSERT_TRUE(sink);
  SendOutcome out =
      sink->Send(std::vector<event::EventPtr>{Labelled("u-1", {{"app.kubernetes.io/name", "x"}})});
  ASSERT_EQ(out.items.size(), 1u) << out.reason;
  EXPECT_EQ(out.items[0], Verdict::kDelivered);
  EXPECT_EQ(peer_.Requests().size(), 2u);
}

TEST_F(SearchReshape, OtherItemErrorsAreUnchanged) {
  peer_.Respond(PerDocument([](const std::string& doc) -> std::string {
    if (doc.find("u-1") != std::string::npos) {
      return R"({"index":{"status":429,"error":{"type":"es_rejected_execution_exception","reason":"rejected execution"}}})";
    }
    if (doc.find("u-2") != std::string::npos) {
      return R"({"index":{"status":400,"error":{"type":"illegal_argument_exception","reason":"pipeline with id [p] does not exist"}}})";
    }
    return R"({"index":{"status":404,"error":{"type":"index_not_found_exception","reason":"no such index [kube-events]"}}})";
  }));
  auto sink = Build();
  ASSERT_TRUE(sink);
  SendOutcome out =
      sink->Send(std::vector<event::EventPtr>{Labelled("u-1", {{"app.kubernetes.io/name", "x"}}),
                                              Labelled("u-2", {{"app.kubernetes.io/name", "x"}}),
                                              Labelled("u-3", {{"app.kubernetes.io/name", "x"}})});
  ASSERT_EQ(out.items.size(), 3u) << out.reason;
  EXPECT_EQ(out.items[0], Verdict::kRetry);
  EXPECT_EQ(out.items[1], Verdict::kReject);
  EXPECT_EQ(out.items[2], Verdict::kReject);
  EXPECT_EQ(peer_.Requests().size(), 1u);
  EXPECT_EQ(reshaped_, 0u);
}

TEST_F(SearchReshape, ATransportErrorOnTheResendLeavesTheItemToRetry) {
  int n = 0;
  peer_.Respond([&n](const Recorded& r) {
    if (n++ == 0) {
      return PerDocument([](const std::string&) { return std::string(kObjectConflict); })(r);
    }
    return Answer(503, R"({"error":"busy"})");
  });
  auto sink = Build();
  ASSERT_TRUE(sink);
  SendOutcome out =
      sink->Send(std::vector<event::EventPtr>{Labelled("u-1", {{"app.kubernetes.io/name", "x"}})});
  ASSERT_EQ(out.items.size(), 1u) << out.reason;
  EXPECT_EQ(out.items[0], Verdict::kRetry);
  EXPECT_NE(out.item_reasons[0].find("503"), std::string::npos) << out.item_reasons[0];
}

TEST(SearchMappingConflict, WhichItemErrorsCount) {
  EXPECT_TRUE(IsMappingConflict("mapper_parsing_exception", "failed to parse"));
  EXPECT_TRUE(IsMappingConflict("document_parsing_exception", "[1:20] object mapping for [a]"));
  EXPECT_TRUE(IsMappingConflict("illegal_argument_exception",
                                "mapper [involvedObject.labels.app] cannot be changed from type "
                                "[keyword] to [text]"));
  EXPECT_TRUE(IsMappingConflict("illegal_argument_exception",
                                "can't merge a non object mapping [labels.app] with an object"));
  EXPECT_FALSE(IsMappingConflict("illegal_argument_exception", "pipeline with id [p] missing"));
  EXPECT_FALSE(IsMappingConflict("version_conflict_engine_exception", "field"));
}

TEST(SearchMapsAsText, LabelsAndAnnotationsObjectsBecomeStringsAtAnyDepth) {
  EXPECT_EQ(
      MapsAsText(
          R"({"metadata":{"name":"n","labels":{"a.b":"1"},"annotations":{"x":"y"}},"involvedObject":{"labels":{"app":"web"}},"count":3,"list":[{"labels":{"k":"v"}}],"labels":"already text"})"),
      R"({"metadata":{"name":"n","labelsText":"{\"a.b\":\"1\"}","annotationsText":"{\"x\":\"y\"}"},"involvedObject":{"labelsText":"{\"app\":\"web\"}"},"count":3,"list":[{"labelsText":"{\"k\":\"v\"}"}],"labels":"already text"})");
  EXPECT_EQ(MapsAsText("not json"), "not json");
}

}  // namespace
}  // namespace kv::sinks::search
