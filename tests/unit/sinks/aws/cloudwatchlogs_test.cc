#include <gtest/gtest.h>

#include "fixtures.h"
#include "sinks/aws/cloudwatchlogs/config.h"
#include "sinks/aws/cloudwatchlogs/encoder.h"
#include "sinks/aws/cloudwatchlogs/request.h"
#include "sinks/aws/cloudwatchlogs/response.h"

namespace kv::sinks::aws::cloudwatchlogs {
namespace {

using aws_test::Answer;
using aws_test::MakeEvent;

LogEvent At(int64_t ms, size_t bytes = 10) {
  LogEvent e;
  e.timestamp_ms = ms;
  e.message.assign(bytes, 'x');
  e.cost = bytes + kEventOverheadBytes;
  return e;
}

TEST(CloudWatchLogsConfig, KeysAndNames) {
  auto diag = std::make_shared<config::Diagnostics>();
  auto c = ParseConfig(config::ParseYaml("logGroupName: /k8s/events\nregion: r\n", "r", diag));
  EXPECT_TRUE(diag->problems().empty());
  EXPECT_EQ(c.log_stream_name, "kubevents");
  ParseConfig(config::ParseYaml("logGroupName: 'bad group!'\nlogStreamName: 'a:b'\n", "r", diag));
  EXPECT_EQ(diag->problems().size(), 2u);
}

TEST(CloudWatchLogsEncoder, TimestampIsTheEventsLastTime) {
  CloudWatchLogsConfig c;
  c.format = aws_test::MessageLayout();
  auto e = Encode(MakeEvent("hi"), c, 99);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->timestamp_ms, 1700000000123);
  EXPECT_EQ(e->cost, e->message.size() + 26);
  EXPECT_EQ(Encode(MakeEvent("hi", "u", 0), c, 99)->timestamp_ms, 99);
}

TEST(CloudWatchLogsRequest, PutLogEventsJsonExactly) {
  std::vector<LogEvent> events{At(5, 1), At(7, 2)};
  events[0].message = "a\"b";
  EXPECT_EQ(
      EncodePutLogEvents("g", "s", events),
      R"({"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":5,"message":"a\"b"},)"
      R"({"timestamp":7,"message":"xx"}]})");
  EXPECT_EQ(EncodeCreateLogGroup("g"), R"({"logGroupName":"g"})");
  EXPECT_EQ(EncodeCreateLogStream("g", "s"), R"({"logGroupName":"g","logStreamName":"s"})");
}

TEST(CloudWatchLogsRequest, ChronologicalOrderIsStable) {
  std::vector<LogEvent> events{At(30), At(10), At(20), At(10)};
  EXPECT_EQ(ChronologicalOrder(events), (std::vector<size_t>{1, 3, 2, 0}));
}

TEST(CloudWatchLogsRequest, BatchesSpanLessThan24Hours) {
  const int64_t hour = 3600 * 1000;
  std::vector<LogEvent> sorted{At(0), At(23 * hour), At(24 * hour), At(30 * hour)};
  auto chunks = SplitLogEvents(sorted);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].size(), 2u);
  EXPECT_EQ(chunks[1].size(), 2u);
}

TEST(CloudWatchLogsRequest, BatchesStayUnderAMegabyteCountingOverhead) {
  // 1022 x (1000 + 26) = 1,048,572 <= 1,048,576 < 1023 x 1026.
  std::vector<LogEvent> sorted(2100, At(1, 1000));
  auto chunks = SplitLogEvents(sorted);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].size(), 1022u);
  std::vector<LogEvent> small(10001, At(1, 1));
  EXPECT_EQ(SplitLogEvents(small).size(), 2u);  // 10,000 events at most
}

TEST(CloudWatchLogsResponse, RejectedEventsInfo) {
  auto r = ParsePutLogEvents(
      Answer(
          200,
          R"({"nextSequenceToken":"1","rejectedLogEventsInfo":{"tooOldLogEventEndIndex":1,"tooNewLogEventStartIndex":4}})"),
      5);
  EXPECT_EQ(r.items, (std::vector<Verdict>{Verdict::kReject, Verdict::kReject, Verdict::kDelivered,
                                           Verdict::kDelivered, Verdict::kReject}));
  EXPECT_NE(r.item_reasons[0].find("too old"), std::string::npos);
  auto ok = ParsePutLogEvents(Answer(200, R"({"nextSequenceToken":"1"})"), 3);
  EXPECT_EQ(ok.request, Verdict::kDelivered);
  EXPECT_TRUE(ok.items.empty());
}

TEST(CloudWatchLogsResponse, MissingGroupAndAlreadyExists) {
  auto missing = Answer(
      400,
      R"({"__type":"ResourceNotFoundException","message":"The specified log group does not exist."})");
  EXPECT_TRUE(IsResourceNotFound(missing));
  EXPECT_FALSE(IsResourceNotFound(Answer(200, "{}")));
  EXPECT_TRUE(CreatedOrExists(Answer(200, "")));
  EXPECT_TRUE(CreatedOrExists(Answer(400, R"({"__type":"ResourceAlreadyExistsException"})")));
  EXPECT_FALSE(CreatedOrExists(Answer(400, R"({"__type":"AccessDeniedException"})")));
}

}  // namespace
}  // namespace kv::sinks::aws::cloudwatchlogs
