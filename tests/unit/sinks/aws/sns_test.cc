#include <gtest/gtest.h>

#include "fixtures.h"
#include "sinks/aws/sns/config.h"
#include "sinks/aws/sns/encoder.h"
#include "sinks/aws/sns/request.h"
#include "sinks/aws/sns/response.h"

namespace kv::sinks::aws::sns {
namespace {

using aws_test::Answer;
using aws_test::MakeEvent;

SnsConfig Parse(const std::string& yaml, std::string* problems = nullptr) {
  auto diag = std::make_shared<config::Diagnostics>();
  SnsConfig c = ParseConfig(config::ParseYaml(yaml, "r.yaml", diag));
  if (problems) {
    for (const auto& p : diag->problems()) *problems += p.ToString() + "\n";
  }
  return c;
}

TEST(SnsConfig, RegionComesFromTheTopicArn) {
  std::string problems;
  auto c = Parse("topicARN: arn:aws:sns:eu-central-1:123456789012:events.fifo\n", &problems);
  EXPECT_EQ(problems, "");
  EXPECT_EQ(c.aws.region, "eu-central-1");
  EXPECT_TRUE(c.fifo);
  EXPECT_TRUE(c.message_attributes);
}

TEST(SnsConfig, MissingOrMalformedArnIsReported) {
  std::string problems;
  Parse("region: x\n", &problems);
  EXPECT_NE(problems.find("topicARN: missing required key"), std::string::npos) << problems;
  problems.clear();
  Parse("topicARN: my-topic\n", &problems);
  EXPECT_NE(problems.find("expected an SNS topic ARN"), std::string::npos) << problems;
  problems.clear();
  Parse("topicARN: arn:aws:sns:us-east-1:1:t\nqueueName: q\n", &problems);
  EXPECT_NE(problems.find("unknown key"), std::string::npos) << problems;
}

TEST(SnsRequest, PublishBatchIsFormEncodedExactly) {
  SnsConfig c;
  c.topic_arn = "arn:aws:sns:us-east-1:123456789012:t";
  c.message_attributes = false;
  c.format = aws_test::MessageLayout();
  auto a = Encode(MakeEvent("hi there"), c);
  auto b = Encode(MakeEvent("a&b=c+d"), c);
  ASSERT_TRUE(a && b);
  std::vector<aws::QueueMessage> messages{*a, *b};
  EXPECT_EQ(
      EncodePublishBatch(c.topic_arn, messages),
      "Action=PublishBatch&Version=2010-03-31"
      "&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3At"
      "&PublishBatchRequestEntries.member.1.Id=0"
      "&PublishBatchRequestEntries.member.1.Message=%7B%22msg%22%3A%22hi+there%22%7D"
      "&PublishBatchRequestEntries.member.2.Id=1"
      "&PublishBatchRequestEntries.member.2.Message=%7B%22msg%22%3A%22a%5Cu0026b%3Dc%2Bd%22%7D");
}

TEST(SnsRequest, AttributesAndFifoIdsAreOnTheWire) {
  SnsConfig c;
  c.fifo = true;
  c.format = aws_test::MessageLayout();
  auto m = Encode(MakeEvent("x"), c);
  ASSERT_TRUE(m);
  std::vector<aws::QueueMessage> messages{*m};
  std::string body = EncodePublishBatch("arn", messages);
  EXPECT_NE(body.find("&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Name=type"
                      "&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value."
                      "DataType=String"
                      "&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value."
                      "StringValue=Normal"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("&PublishBatchRequestEntries.member.1.MessageDeduplicationId=" +
                      m->deduplication_id),
            std::string::npos);
  EXPECT_NE(body.find("&PublishBatchRequestEntries.member.1.MessageGroupId=obj-1"),
            std::string::npos);
}

TEST(SnsResponse, PartialFailureGivesPerEntryVerdicts) {
  auto r = ParsePublishBatch(
      Answer(200, R"(<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <PublishBatchResult>
    <Successful>
      <member><Id>0</Id><MessageId>m0</MessageId></member>
      <member><Id>2</Id><MessageId>m2</MessageId></member>
    </Successful>
    <Failed>
      <member><Id>1</Id><Code>InvalidParameter</Code><Message>Invalid parameter: Message too long</Message><SenderFault>true</SenderFault></member>
      <member><Id>3</Id><Code>InternalError</Code><Message>oops</Message><SenderFault>false</SenderFault></member>
    </Failed>
  </PublishBatchResult>
  <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
</PublishBatchResponse>)"),
      4);
  EXPECT_EQ(r.request, Verdict::kDelivered);
  EXPECT_EQ(r.items, (std::vector<Verdict>{Verdict::kDelivered, Verdict::kReject,
                                           Verdict::kDelivered, Verdict::kRetry}));
  EXPECT_EQ(
      r.item_reasons[1],
      "sns PublishBatch: entry failed: InvalidParameter: Invalid parameter: Message too long");
}

TEST(SnsResponse, AllSuccessfulAndEmptyFailedList) {
  auto r = ParsePublishBatch(
      Answer(200,
             "<PublishBatchResponse><PublishBatchResult><Successful><member><Id>0</Id>"
             "</member></Successful><Failed/></PublishBatchResult></PublishBatchResponse>"),
      1);
  EXPECT_EQ(r.items, std::vector<Verdict>{Verdict::kDelivered});
}

TEST(SnsResponse, AuthErrorRejectsAndStops) {
  auto r = ParsePublishBatch(
      Answer(403,
             "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>"
             "<Message>The security token included in the request is invalid.</Message>"
             "</Error></ErrorResponse>"),
      2);
  EXPECT_EQ(r.request, Verdict::kReject);
  EXPECT_TRUE(r.stop);
  EXPECT_NE(r.reason.find("InvalidClientTokenId"), std::string::npos);
}

TEST(SnsResponse, ThrottledRequestIsRetried) {
  auto r = ParsePublishBatch(
      Answer(400,
             "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message>"
             "</Error></ErrorResponse>"),
      2);
  EXPECT_EQ(r.request, Verdict::kRetry);
  EXPECT_TRUE(r.stop);
}

}  // namespace
}  // namespace kv::sinks::aws::sns
