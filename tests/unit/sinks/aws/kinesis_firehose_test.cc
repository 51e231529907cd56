#include <gtest/gtest.h>

#include "fixtures.h"
#include "sinks/aws/firehose/config.h"
#include "sinks/aws/firehose/encoder.h"
#include "sinks/aws/firehose/request.h"
#include "sinks/aws/firehose/response.h"
#include "sinks/aws/kinesis/config.h"
#include "sinks/aws/kinesis/encoder.h"
#include "sinks/aws/kinesis/request.h"
#include "sinks/aws/kinesis/response.h"
#include "util/base64.h"

namespace kv::sinks {
namespace {

using aws_test::Answer;
using aws_test::MakeEvent;

TEST(KinesisRequest, PutRecordsJsonExactly) {
  aws::kinesis::KinesisConfig c;
  c.stream_name = "s";
  c.format = aws_test::MessageLayout();
  auto r = aws::kinesis::Encode(MakeEvent("hi"), c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->partition_key, "obj-1");
  EXPECT_EQ(r->cost, r->data.size() + 5);
  std::vector<aws::kinesis::Record> records{*r};
  EXPECT_EQ(aws::kinesis::EncodePutRecords("s", records),
            R"({"StreamName":"s","Records":[{"Data":")" + base64::Encode(R"({"msg":"hi"})") +
                R"(","PartitionKey":"obj-1"}]})");
}

TEST(KinesisRequest, LimitsSplitAt500Records) {
  std::vector<size_t> costs(1201, 100);
  auto chunks = aws::Split(costs, aws::kinesis::kLimits);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].size(), 500u);
  EXPECT_EQ(chunks[2].size(), 201u);
  std::vector<size_t> big(6, 1024 * 1024);  // five 1 MiB records fill 5 MiB
  chunks = aws::Split(big, aws::kinesis::kLimits);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].size(), 5u);
}

TEST(KinesisResponse, FailedRecordsAreRetriedAlone) {
  auto r = aws::kinesis::ParsePutRecords(
      Answer(
          200,
          R"({"FailedRecordCount":1,"Records":[{"SequenceNumber":"49","ShardId":"shardId-000000000000"},
        {"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard"}]})"),
      2);
  EXPECT_EQ(r.items, (std::vector<Verdict>{Verdict::kDelivered, Verdict::kRetry}));
  auto missing = aws::kinesis::ParsePutRecords(
      Answer(
          400,
          R"({"__type":"ResourceNotFoundException","message":"Stream s under account 1 not found."})"),
      2);
  EXPECT_EQ(missing.request, Verdict::kReject);
  EXPECT_FALSE(missing.stop);
}

TEST(FirehoseEncoder, RecordsAreNewlineTerminated) {
  aws::firehose::FirehoseConfig c;
  c.format = aws_test::MessageLayout();
  auto r = aws::firehose::Encode(MakeEvent("hi"), c);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "{\"msg\":\"hi\"}\n");
  std::vector<std::string> records{*r};
  EXPECT_EQ(aws::firehose::EncodePutRecordBatch("ds", records),
            R"({"DeliveryStreamName":"ds","Records":[{"Data":")" +
                base64::Encode("{\"msg\":\"hi\"}\n") + R"("}]})");
}

TEST(FirehoseConfig, DeDotIsAReferenceKey) {
  auto diag = std::make_shared<config::Diagnostics>();
  auto c = aws::firehose::ParseConfig(
      config::ParseYaml("deliveryStreamName: d\nregion: r\ndeDot: true\n", "r", diag));
  EXPECT_TRUE(diag->problems().empty());
  EXPECT_TRUE(c.format.encode.dedot);
}

TEST(FirehoseRequest, LimitsSplitAt4MiB) {
  std::vector<size_t> costs(10, 1000 * 1024);
  auto chunks = aws::Split(costs, aws::firehose::kLimits);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].size(), 4u);  // 4 x 1,024,000 <= 4,194,304 < 5 x
}

TEST(FirehoseResponse, FailedPutCount) {
  auto r = aws::firehose::ParsePutRecordBatch(
      Answer(200, R"({"FailedPutCount":1,"Encrypted":false,"RequestResponses":[
        {"ErrorCode":"ServiceUnavailableException","ErrorMessage":"Slow down."},{"RecordId":"r1"}]})"),
      2);
  EXPECT_EQ(r.items, (std::vector<Verdict>{Verdict::kRetry, Verdict::kDelivered}));
}

}  // namespace
}  // namespace kv::sinks
