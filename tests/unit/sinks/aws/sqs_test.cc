#include <gtest/gtest.h>

#include "fixtures.h"
#include "sinks/aws/sqs/config.h"
#include "sinks/aws/sqs/encoder.h"
#include "sinks/aws/sqs/request.h"
#include "sinks/aws/sqs/response.h"

namespace kv::sinks::aws::sqs {
namespace {

using aws_test::Answer;
using aws_test::MakeEvent;

TEST(SqsConfig, UnsetKeysKeepTheStructsDefaults) {
  auto diag = std::make_shared<config::Diagnostics>();
  auto c = ParseConfig(config::ParseYaml("queueName: q\nregion: us-east-1\n", "r", diag));
  EXPECT_TRUE(diag->problems().empty());
  EXPECT_EQ(c.message_attributes, SqsConfig{}.message_attributes);
  EXPECT_EQ(c.format.encode.dedot, SqsConfig{}.format.encode.dedot);
}

TEST(SqsConfig, FifoFromTheQueueName) {
  auto diag = std::make_shared<config::Diagnostics>();
  auto c = ParseConfig(config::ParseYaml("queueName: events.fifo\nregion: us-east-1\n", "r", diag));
  EXPECT_TRUE(diag->problems().empty());
  EXPECT_TRUE(c.fifo);
  auto d = ParseConfig(config::ParseYaml("region: us-east-1\n", "r", diag));
  ASSERT_EQ(diag->problems().size(), 1u);
  EXPECT_EQ(diag->problems()[0].message, "missing required key");
}

TEST(SqsRequest, SendMessageBatchJsonExactly) {
  SqsConfig c;
  c.format = aws_test::MessageLayout();
  c.message_attributes = true;
  auto m = Encode(MakeEvent("hi"), c);
  ASSERT_TRUE(m);
  std::vector<aws::QueueMessage> messages{*m};
  messages[0].attributes.resize(1);
  EXPECT_EQ(EncodeSendMessageBatch("http://127.0.0.1:5000/123456789012/q", messages),
            R"({"QueueUrl":"http://127.0.0.1:5000/123456789012/q","Entries":[{"Id":"0",)"
            R"("MessageBody":"{\"msg\":\"hi\"}","MessageAttributes":{"type":{"DataType":"String",)"
            R"("StringValue":"Normal"}}}]})");
  EXPECT_EQ(EncodeGetQueueUrl("q"), R"({"QueueName":"q"})");
}

TEST(SqsRequest, FifoIdsAreSent) {
  SqsConfig c;
  c.fifo = true;
  c.message_attributes = false;
  c.format = aws_test::MessageLayout();
  auto m = Encode(MakeEvent("hi"), c);
  ASSERT_TRUE(m);
  std::vector<aws::QueueMessage> messages{*m};
  std::string body = EncodeSendMessageBatch("u", messages);
  EXPECT_NE(body.find(R"("MessageDeduplicationId":")" + m->deduplication_id +
                      R"(","MessageGroupId":"obj-1"})"),
            std::string::npos)
      << body;
}

TEST(SqsResponse, PartialFailure) {
  auto r = ParseSendMessageBatch(
      Answer(200, R"({"Successful":[{"Id":"1","MessageId":"m","MD5OfMessageBody":"x"}],
                      "Failed":[{"Id":"0","SenderFault":true,"Code":"InvalidMessageContents","Message":"bad"},
                                {"Id":"2","SenderFault":false,"Code":"InternalError"}]})"),
      3);
  EXPECT_EQ(r.items,
            (std::vector<Verdict>{Verdict::kReject, Verdict::kDelivered, Verdict::kRetry}));
}

TEST(SqsResponse, GetQueueUrl) {
  auto url = ParseGetQueueUrl(Answer(200, R"({"QueueUrl":"http://h/1/q"})"));
  ASSERT_TRUE(url);
  EXPECT_EQ(*url, "http://h/1/q");
  auto missing = ParseGetQueueUrl(Answer(
      400,
      R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."})"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kRejected);
  EXPECT_NE(missing.error().message.find("QueueDoesNotExist"), std::string::npos);
  auto auth = ParseGetQueueUrl(
      Answer(400, R"({"__type":"com.amazon.coral.service#UnrecognizedClientException"})"));
  ASSERT_FALSE(auth);
  EXPECT_EQ(auth.error().code, ErrorCode::kUnauthorized);
  auto throttled = ParseGetQueueUrl(Answer(503, ""));
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace kv::sinks::aws::sqs
