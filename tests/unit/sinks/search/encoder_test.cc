#include "sinks/search/encoder.h"

#include <gtest/gtest.h>

#include "test_events.h"

namespace kv::sinks::search {
namespace {

using testing::MakeEvent;
using testing::ParseBody;

const auto kNow =
    std::chrono::system_clock::time_point(std::chrono::seconds(1717200000));  // 2024-06-01

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

TEST(SearchEncoder, DefaultIdIsUidAndResourceVersion) {
  std::string problems;
  SearchConfig c = ParseBody("hosts: [http://h]\nindex: kubernetes-events\n", &problems);
  ASSERT_EQ(problems, "");
  std::vector<event::EventPtr> batch{MakeEvent("6f1c2a7e-0000-4000-8000-000000000001", "4711")};
  BulkBody body;
  EncodeBulk(batch, c, true, kNow, &body);
  auto lines = Lines(body.ndjson);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(
      lines[0],
      R"({"index":{"_index":"kubernetes-events","_id":"6f1c2a7e-0000-4000-8000-000000000001_4711"}})");
  EXPECT_EQ(lines[1].front(), '{');
  EXPECT_NE(lines[1].find(R"("message":"hello")"), std::string::npos);
  EXPECT_EQ(body.ndjson.back(), '\n');
  EXPECT_EQ(body.sent, std::vector<size_t>{0});
}

TEST(SearchEncoder, UseEventIdKeepsTheReferenceUidWithExternalVersion) {
  std::string problems;
  SearchConfig c = ParseBody("hosts: [http://h]\nindex: ev\nuseEventID: true\n", &problems);
  ASSERT_EQ(problems, "");
  std::vector<event::EventPtr> batch{MakeEvent("u-1", "99")};
  BulkBody body;
  EncodeBulk(batch, c, true, kNow, &body);
  EXPECT_EQ(Lines(body.ndjson)[0],
            R"({"index":{"_index":"ev","_id":"u-1","version":99,"version_type":"external_gte"}})");
}

TEST(SearchEncoder, AutoIdsSendNoId) {
  std::string problems;
  SearchConfig c = ParseBody("hosts: [http://h]\nindex: ev\ndocumentId: auto\n", &problems);
  ASSERT_EQ(problems, "");
  std::vector<event::EventPtr> batch{MakeEvent("u-1", "99")};
  BulkBody body;
  EncodeBulk(batch, c, true, kNow, &body);
  EXPECT_EQ(Lines(body.ndjson)[0], R"({"index":{"_index":"ev"}})");
}

TEST(SearchEncoder, CreateAddsTimestampForDataStreams) {
  std::string problems;
  SearchConfig c = ParseBody("hosts: [http://h]\nindex: logs-kube\nopType: create\n", &problems);
  ASSERT_EQ(problems, "");
  std::vector<event::EventPtr> batch{MakeEvent("u-1", "5")};
  BulkBody body;
  EncodeBulk(batch, c, true, kNow, &body);
  auto lines = Lines(body.ndjson);
  EXPECT_EQ(lines[0], R"({"create":{"_index":"logs-kube","_id":"u-1_5"}})");
  EXPECT_NE(lines[1].find(R"(,"@timestamp":"2024-05-01T10:00:00.123Z"})"), std::string::npos)
      << lines[1];
}

TEST(SearchEncoder, IndexFormatUsesProcessingTimeByDefaultAndEventTimeWhenAsked) {
  std::string problems;
  SearchConfig c =
      ParseBody("hosts: [http://h]\nindexFormat: kube-events-{2006-01-02}\n", &problems);
  ASSERT_EQ(problems, "");
  std::vector<event::EventPtr> batch{MakeEvent("u-1", "5")};
  BulkBody body;
  EncodeBulk(batch, c, true, kNow, &body);
  EXPECT_NE(body.ndjson.find(R"("_index":"kube-events-2024-06-01")"), std::string::npos);
  c = ParseBody("hosts: [http://h]\nindexFormat: kube-events-{2006-01-02}\nindexTime: event\n",
                &problems);
  ASSERT_EQ(problems, "");
  EncodeBulk(batch, c, true, kNow, &body);
  EXPECT_NE(body.ndjson.find(R"("_index":"kube-events-2024-05-01")"), std::string::npos);
}

TEST(SearchEncoder, LegacyTypeIsSentUntilDropped) {
  std::string problems;
  SearchConfig c = ParseBody("hosts: [http://h]\nindex: ev\ntype: _doc\n", &problems);
  std::vector<event::EventPtr> batch{MakeEvent("u", "1")};
  BulkBody body;
  EncodeBulk(batch, c, true, kNow, &body);
  EXPECT_NE(body.ndjson.find(R"("_type":"_doc")"), std::string::npos);
  EncodeBulk(batch, c, false, kNow, &body);
  EXPECT_EQ(body.ndjson.find("_type"), std::string::npos);
}

TEST(SearchEncoder, DeDotAndLayoutShapeTheDocument) {
  std::string problems;
  SearchConfig c = ParseBody(
      "hosts: [http://h]\nindex: ev\ndeDot: true\nlayout:\n  msg: \"{{ .Message }}\"\n"
      "  labels: \"{{ toJson .Labels }}\"\n",
      &problems);
  ASSERT_EQ(problems, "");
  std::vector<event::EventPtr> batch{MakeEvent("u", "1", "boom")};
  BulkBody body;
  EncodeBulk(batch, c, true, kNow, &body);
  EXPECT_EQ(Lines(body.ndjson)[1], R"({"labels":{"app_kubernetes_io/name":"web"},"msg":"boom"})");
}

TEST(SearchEncoder, EventItsLayoutCannotRenderIsRejectedAlone) {
  std::string problems;
  SearchConfig c = ParseBody(
      "hosts: [http://h]\nindex: ev\nlayout:\n  x: '{{ (index .InvolvedObject.OwnerReferences "
      "0).Kind }}'\n",
      &problems);
  ASSERT_EQ(problems, "");
  std::vector<event::EventPtr> batch{MakeEvent("u", "1")};
  BulkBody body;
  EncodeBulk(batch, c, true, kNow, &body);
  EXPECT_TRUE(body.ndjson.empty());
  EXPECT_EQ(body.items[0], Verdict::kReject);
  EXPECT_EQ(body.rejected, 1u);
  EXPECT_NE(body.item_reasons[0].find("layout"), std::string::npos);
}

TEST(SearchEncoder, TimestampHasMilliseconds) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(1714557600123456), "2024-05-01T10:00:00.123Z");
}

}  // namespace
}  // namespace kv::sinks::search
