#include "sinks/search/response.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "util/files.h"

namespace kv::sinks::search {
namespace {

// Answers recorded from OpenSearch 2.19.6 (testenv/opensearch.sh) for the
// bulk bodies described in testdata/README.md.
std::string Recorded(const std::string& name) {
  auto text = files::Read(std::string(KV_SEARCH_TESTDATA) + "/" + name);
  EXPECT_TRUE(text) << name;
  return text ? *text : std::string();
}

BulkBody Sent(size_t n) {
  BulkBody body;
  body.items.assign(n, Verdict::kDelivered);
  body.item_reasons.assign(n, "");
  for (size_t i = 0; i < n; ++i) body.sent.push_back(i);
  return body;
}

Result<http::Response> Answer(long status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(SearchResponse, AllItemsCreatedIsDeliveredWithoutPerItemVerdicts) {
  SendOutcome out =
      ClassifyBulk(Answer(200, Recorded("opensearch-2.19.6-bulk-ok.json")), "POST x", Sent(2));
  EXPECT_EQ(out.request, Verdict::kDelivered);
  EXPECT_TRUE(out.items.empty());
}

TEST(SearchResponse, MappingErrorIsRejectedAloneAndConflictsCountAsDelivered) {
  // index a (201), index b with a string for an integer (400), create a
  // again (409), index c v5 external_gte (201), index c v4 (409).
  SendOutcome out =
      ClassifyBulk(Answer(200, Recorded("opensearch-2.19.6-bulk-mixed.json")), "POST x", Sent(5));
  EXPECT_EQ(out.request, Verdict::kDelivered);
  ASSERT_EQ(out.items.size(), 5u);
  EXPECT_EQ(out.items[0], Verdict::kDelivered);
  EXPECT_EQ(out.items[1], Verdict::kReject);
  EXPECT_EQ(out.items[2], Verdict::kDelivered);
  EXPECT_EQ(out.items[3], Verdict::kDelivered);
  EXPECT_EQ(out.items[4], Verdict::kDelivered);
  EXPECT_NE(out.item_reasons[1].find("HTTP 400 mapper_parsing_exception"), std::string::npos)
      << out.item_reasons[1];
  // The value preview is event content: it stays out of reasons.
  EXPECT_EQ(out.item_reasons[1].find("notanumber"), std::string::npos) << out.item_reasons[1];
  EXPECT_EQ(out.reason.find("notanumber"), std::string::npos) << out.reason;
  EXPECT_NE(out.reason.find("4 delivered, 1 rejected"), std::string::npos) << out.reason;
}

TEST(SearchResponse, RejectedExecutionAndServerErrorsAreRetriedAlone) {
  // Shape of an item refused by a full write queue (status 429).
  std::string body =
      R"({"took":3,"errors":true,"items":[)"
      R"({"index":{"_index":"i","_id":"1","status":201}},)"
      R"({"index":{"_index":"i","_id":"2","status":429,"error":{"type":"es_rejected_execution_exception","reason":"rejected execution of coordinating operation"}}},)"
      R"({"index":{"_index":"i","_id":"3","status":503,"error":{"type":"unavailable_shards_exception","reason":"primary shard is not active"}}}]})";
  SendOutcome out = ClassifyBulk(Answer(200, body), "POST x", Sent(3));
  ASSERT_EQ(out.items.size(), 3u);
  EXPECT_EQ(out.items[0], Verdict::kDelivered);
  EXPECT_EQ(out.items[1], Verdict::kRetry);
  EXPECT_EQ(out.items[2], Verdict::kRetry);
  EXPECT_NE(out.reason.find("2 to retry (HTTP 429 es_rejected_execution_exception"),
            std::string::npos)
      << out.reason;
}

TEST(SearchResponse, RecordedWriteQueueRejectionsAreRetriedAndTheRestDelivered) {
  // 16 documents over 8 shards sent to a node with one write thread and a
  // queue of 1: OpenSearch answered 429 for 12 of them.
  SendOutcome out =
      ClassifyBulk(Answer(200, Recorded("opensearch-2.19.6-bulk-429.json")), "POST x", Sent(16));
  ASSERT_EQ(out.items.size(), 16u);
  size_t retry = std::count(out.items.begin(), out.items.end(), Verdict::kRetry);
  size_t delivered = std::count(out.items.begin(), out.items.end(), Verdict::kDelivered);
  EXPECT_EQ(retry, 12u);
  EXPECT_EQ(delivered, 4u);
  EXPECT_EQ(out.items[4], Verdict::kDelivered);
  EXPECT_EQ(out.items[0], Verdict::kRetry);
  EXPECT_NE(out.item_reasons[0].find("HTTP 429 rejected_execution_exception"), std::string::npos)
      << out.item_reasons[0];
}

TEST(SearchResponse, ItemsMapBackPastEventsTheEncoderRejected) {
  BulkBody body;
  body.items = {Verdict::kReject, Verdict::kDelivered, Verdict::kDelivered};
  body.item_reasons = {"layout: boom", "", ""};
  body.rejected = 1;
  body.sent = {1, 2};
  std::string answer =
      R"({"errors":true,"items":[{"index":{"status":400,"error":{"type":"mapper_parsing_exception","reason":"bad"}}},{"index":{"status":201}}]})";
  SendOutcome out = ClassifyBulk(Answer(200, answer), "POST x", body);
  EXPECT_EQ(out.items,
            (std::vector<Verdict>{Verdict::kReject, Verdict::kReject, Verdict::kDelivered}));
  EXPECT_EQ(out.item_reasons[0], "layout: boom");
}

TEST(SearchResponse, WholeRequestStatusesFollowTheHttpRules) {
  EXPECT_EQ(ClassifyBulk(Answer(401, "{}"), "POST x", Sent(1)).request, Verdict::kReject);
  EXPECT_EQ(ClassifyBulk(Answer(403, "{}"), "POST x", Sent(1)).request, Verdict::kReject);
  EXPECT_EQ(ClassifyBulk(Answer(404, "{}"), "POST x", Sent(1)).request, Verdict::kReject);
  SendOutcome too_big = ClassifyBulk(Answer(413, ""), "POST x", Sent(1));
  EXPECT_EQ(too_big.request, Verdict::kReject);
  EXPECT_NE(too_big.reason.find("lower the batch size"), std::string::npos);
  http::Response throttled;
  throttled.status = 429;
  throttled.headers = {{"retry-after", "7"}};
  SendOutcome t = ClassifyBulk(Result<http::Response>(throttled), "POST x", Sent(1));
  EXPECT_EQ(t.request, Verdict::kRetry);
  EXPECT_EQ(t.retry_after, std::chrono::seconds(7));
  EXPECT_EQ(ClassifyBulk(Answer(500, ""), "POST x", Sent(1)).request, Verdict::kRetry);
  EXPECT_EQ(ClassifyBulk(Answer(503, ""), "POST x", Sent(1)).request, Verdict::kRetry);
  Result<http::Response> refused = Fail(ErrorCode::kUnavailable, "connection refused");
  EXPECT_EQ(ClassifyBulk(refused, "POST x", Sent(1)).request, Verdict::kRetry);
}

TEST(SearchResponse, AnswerThatIsNotABulkAnswerIsRetried) {
  EXPECT_EQ(ClassifyBulk(Answer(200, "<html>proxy</html>"), "POST x", Sent(1)).request,
            Verdict::kRetry);
  EXPECT_EQ(ClassifyBulk(Answer(200, R"({"errors":false,"items":[]})"), "POST x", Sent(1)).request,
            Verdict::kRetry);
}

TEST(SearchResponse, RecognisesServersThatRefuseMappingTypes) {
  auto r = Answer(400, Recorded("opensearch-2.19.6-bulk-type-400.json"));
  EXPECT_TRUE(RejectsMappingType(*r));
  EXPECT_FALSE(RejectsMappingType(*Answer(400, R"({"error":"other"})")));
}

TEST(SearchResponse, ItemStatusTable) {
  EXPECT_EQ(ClassifyItemStatus(200), Verdict::kDelivered);
  EXPECT_EQ(ClassifyItemStatus(201), Verdict::kDelivered);
  EXPECT_EQ(ClassifyItemStatus(409), Verdict::kDelivered);
  EXPECT_EQ(ClassifyItemStatus(408), Verdict::kRetry);
  EXPECT_EQ(ClassifyItemStatus(429), Verdict::kRetry);
  EXPECT_EQ(ClassifyItemStatus(500), Verdict::kRetry);
  EXPECT_EQ(ClassifyItemStatus(400), Verdict::kReject);
  EXPECT_EQ(ClassifyItemStatus(403), Verdict::kReject);
  EXPECT_EQ(ClassifyItemStatus(404), Verdict::kReject);
}

}  // namespace
}  // namespace kv::sinks::search
