#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <utility>

#include "fixtures.h"
#include "sinks/aws/batch.h"
#include "sinks/aws/client.h"
#include "sinks/aws/config.h"
#include "sinks/aws/entry_results.h"
#include "sinks/aws/errors.h"
#include "sinks/aws/message.h"
#include "sinks/aws/queue_message.h"
#include "sinks/aws/record_results.h"

namespace kv::sinks::aws {
namespace {

using aws_test::Answer;
using aws_test::MakeEvent;

TEST(AwsSplit, CutsByCountAndBytesKeepingOrder) {
  std::vector<size_t> costs{4, 4, 4, 4, 4};
  auto chunks = Split(costs, {2, 100, 100});
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].begin, 0u);
  EXPECT_EQ(chunks[0].end, 2u);
  EXPECT_EQ(chunks[2].begin, 4u);
  EXPECT_EQ(chunks[2].end, 5u);
  chunks = Split(costs, {10, 9, 9});
  ASSERT_EQ(chunks.size(), 3u);  // 4+4, 4+4, 4
  EXPECT_EQ(chunks[1].size(), 2u);
}

TEST(AwsSplit, AnEntryExactlyAtTheByteLimitFitsAlone) {
  std::vector<size_t> costs{10, 1, 9};
  auto chunks = Split(costs, {10, 10, 10});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].size(), 1u);
  EXPECT_EQ(chunks[1].size(), 2u);
}

TEST(AwsSplit, CustomRuleStartsANewChunk) {
  std::vector<size_t> costs{1, 1, 1, 1};
  auto chunks = Split(costs, {10, 100, 100}, [](size_t first, size_t i) { return i - first >= 3; });
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].size(), 3u);
}

TEST(AwsOutcome, UniformVerdictIsRequestLevel) {
  OutcomeBuilder b(3);
  for (size_t i = 0; i < 3; ++i) b.Set(i, Verdict::kRetry, "throttled");
  SendOutcome o = b.Finish();
  EXPECT_EQ(o.request, Verdict::kRetry);
  EXPECT_TRUE(o.items.empty());
  EXPECT_EQ(o.reason, "throttled");
}

TEST(AwsOutcome, MixedVerdictsArePerItem) {
  OutcomeBuilder b(3);
  b.Set(1, Verdict::kReject, "bad");
  SendOutcome o = b.Finish();
  EXPECT_EQ(o.request, Verdict::kDelivered);
  ASSERT_EQ(o.items.size(), 3u);
  EXPECT_EQ(o.items[0], Verdict::kDelivered);
  EXPECT_EQ(o.items[1], Verdict::kReject);
  EXPECT_EQ(o.item_reasons[1], "bad");
  EXPECT_EQ(o.reason, "bad");
}

TEST(AwsSendChunks, AfterAThrottledRequestTheRestIsNotSent) {
  std::vector<Chunk> chunks{{0, 2}, {2, 4}, {4, 5}};
  std::vector<size_t> index{4, 3, 2, 1, 0};
  int calls = 0;
  OutcomeBuilder b(5);
  SendChunks(
      chunks, index,
      [&](const Chunk& c) {
        ++calls;
        ChunkResult r;
        if (c.begin == 2) {
          r.request = Verdict::kRetry;
          r.reason = "slow down";
          r.stop = true;
          r.retry_after = std::chrono::seconds(3);
        }
        return r;
      },
      &b);
  EXPECT_EQ(calls, 2);
  SendOutcome o = b.Finish();
  ASSERT_EQ(o.items.size(), 5u);
  EXPECT_EQ(o.items[4], Verdict::kDelivered);  // entry 0
  EXPECT_EQ(o.items[3], Verdict::kDelivered);  // entry 1
  EXPECT_EQ(o.items[2], Verdict::kRetry);
  EXPECT_EQ(o.items[0], Verdict::kRetry);  // entry 4, never sent
  EXPECT_EQ(o.retry_after, std::chrono::seconds(3));
}

TEST(AwsSendChunks, PartialRetryWithStopHoldsBackLaterRequests) {
  std::vector<Chunk> chunks{{0, 2}, {2, 3}};
  std::vector<size_t> index{0, 1, 2};
  int calls = 0;
  OutcomeBuilder b(3);
  SendChunks(
      chunks, index,
      [&](const Chunk&) {
        ++calls;
        ChunkResult r;
        r.items = {Verdict::kRetry, Verdict::kDelivered};
        r.item_reasons = {"throttled", ""};
        r.stop = true;
        return r;
      },
      &b);
  EXPECT_EQ(calls, 1);
  SendOutcome o = b.Finish();
  EXPECT_EQ(o.items, (std::vector<Verdict>{Verdict::kRetry, Verdict::kDelivered, Verdict::kRetry}));
}

TEST(AwsErrors, JsonTypeWithPrefixAndSuffix) {
  auto e = ParseError(*Answer(
      400,
      R"({"__type":"com.amazonaws.kinesis.v20131202#ProvisionedThroughputExceededException","message":"Rate exceeded"})"));
  EXPECT_EQ(e.code, "ProvisionedThroughputExceededException");
  EXPECT_EQ(e.message, "Rate exceeded");
}

TEST(AwsErrors, XmlQueryProtocolError) {
  auto e =
      ParseError(*Answer(403, R"(<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error>
  <RequestId>abc</RequestId></ErrorResponse>)"));
  EXPECT_EQ(e.code, "SignatureDoesNotMatch");
  EXPECT_NE(e.message.find("does not match"), std::string::npos);
}

TEST(AwsErrors, SqsQueryErrorHeaderNamesTheCode) {
  auto e = ParseError(
      *Answer(400, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"x"})",
              {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}}));
  EXPECT_EQ(e.code, "AWS.SimpleQueueService.NonExistentQueue");
}

TEST(AwsErrors, Classification) {
  EXPECT_EQ(ClassifyCode("ThrottlingException", 400), ErrorKind::kThrottling);
  EXPECT_EQ(ClassifyCode("ProvisionedThroughputExceededException", 400), ErrorKind::kThrottling);
  EXPECT_EQ(ClassifyCode("SignatureDoesNotMatch", 403), ErrorKind::kAuth);
  EXPECT_EQ(ClassifyCode("InvalidClientTokenId", 403), ErrorKind::kAuth);
  EXPECT_EQ(ClassifyCode("AuthorizationError", 403), ErrorKind::kAuth);
  EXPECT_EQ(ClassifyCode("ExpiredToken", 400), ErrorKind::kAuth);
  EXPECT_EQ(ClassifyCode("AccessDeniedException", 400), ErrorKind::kAuth);
  EXPECT_EQ(ClassifyCode("RequestTimeTooSkewed", 403), ErrorKind::kClockSkew);
  EXPECT_EQ(ClassifyCode("", 503), ErrorKind::kServer);
  EXPECT_EQ(ClassifyCode("", 429), ErrorKind::kThrottling);
  EXPECT_EQ(ClassifyCode("ValidationException", 400), ErrorKind::kClient);
  EXPECT_EQ(ClassifyCode("ResourceNotFoundException", 400), ErrorKind::kClient);
}

TEST(AwsErrors, WrongSecretIsRejectedWithAClearReason) {
  auto o = ClassifyCall(Answer(403,
                               "<ErrorResponse><Error><Code>SignatureDoesNotMatch</"
                               "Code><Message>bad sig</Message></Error></ErrorResponse>"),
                        "sns PublishBatch");
  EXPECT_EQ(o.request, Verdict::kReject);
  EXPECT_NE(o.reason.find("sns PublishBatch: HTTP 403 SignatureDoesNotMatch: bad sig"),
            std::string::npos)
      << o.reason;
  EXPECT_NE(o.reason.find("not retried"), std::string::npos);
  auto f = CallFailure(Answer(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>"), "x");
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->stop);
}

TEST(AwsErrors, ThrottlingAndServerErrorsAreRetriedWithRetryAfter) {
  auto o = ClassifyCall(Answer(400, R"({"__type":"ThrottlingException","message":"Rate exceeded"})",
                               {{"retry-after", "7"}}),
                        "x");
  EXPECT_EQ(o.request, Verdict::kRetry);
  EXPECT_EQ(o.retry_after, std::chrono::seconds(7));
  EXPECT_EQ(ClassifyCall(Answer(500, ""), "x").request, Verdict::kRetry);
  EXPECT_EQ(ClassifyCall(Answer(200, "{}"), "x").request, Verdict::kDelivered);
}

TEST(AwsErrors, TransportAndCredentialFailures) {
  Result<http::Response> down = Fail(ErrorCode::kUnavailable, "connection refused");
  EXPECT_EQ(ClassifyCall(down, "x").request, Verdict::kRetry);
  Result<http::Response> refused = Fail(ErrorCode::kUnauthorized, "AWS credentials: STS said no");
  EXPECT_EQ(ClassifyCall(refused, "x").request, Verdict::kReject);
  Result<http::Response> none = Fail(ErrorCode::kNotFound, "AWS credentials: none found");
  EXPECT_EQ(ClassifyCall(none, "x").request, Verdict::kReject);
}

TEST(AwsErrors, OtherClientErrorsAreRejected) {
  auto o = ClassifyCall(
      Answer(400, R"({"__type":"ResourceNotFoundException","message":"Stream s not found"})"),
      "kinesis PutRecords");
  EXPECT_EQ(o.request, Verdict::kReject);
  auto f = CallFailure(Answer(400, R"({"__type":"ValidationException"})"), "x");
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->stop);  // the next request may be fine
}

TEST(AwsEntryResults, FailedEntriesBySenderFault) {
  std::vector<size_t> ok{0};
  std::vector<EntryFailure> failed{{1, "InvalidParameterValue", "bad", true},
                                   {2, "InternalError", "oops", false},
                                   {3, "Throttling", "slow", true}};
  auto r = FromEntryResults(5, ok, failed, "sqs SendMessageBatch");
  EXPECT_EQ(r.items, (std::vector<Verdict>{Verdict::kDelivered, Verdict::kReject, Verdict::kRetry,
                                           Verdict::kRetry, Verdict::kRetry}));
  EXPECT_EQ(r.item_reasons[1], "sqs SendMessageBatch: entry failed: InvalidParameterValue: bad");
  EXPECT_NE(r.item_reasons[4].find("missing"), std::string::npos);
  EXPECT_EQ(ParseEntryId("7", 5), std::string_view::npos);
  EXPECT_EQ(ParseEntryId("x", 5), std::string_view::npos);
  EXPECT_EQ(ParseEntryId("4", 5), 4u);
}

// An environment of exactly `vars`.
::kv::aws::Getenv EnvOf(std::map<std::string, std::string> vars) {
  return [vars](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(AwsConfig, EndpointIsTheOverrideElseTheRegionalOne) {
  const auto none = EnvOf({});
  EXPECT_EQ(EndpointUrl("", "sns", "eu-west-1", none), "https://sns.eu-west-1.amazonaws.com");
  EXPECT_EQ(EndpointUrl("", "logs", "cn-north-1", none),
            "https://logs.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(EndpointUrl("http://127.0.0.1:5000", "sns", "eu-west-1", none),
            "http://127.0.0.1:5000");
}

TEST(AwsConfig, EndpointFromTheEnvironmentAsTheSdksReadIt) {
  // The receiver's endpoint, else AWS_ENDPOINT_URL_<SERVICE>, else
  // AWS_ENDPOINT_URL, else the regional one.
  const auto global = EnvOf({{"AWS_ENDPOINT_URL", "http://all:4566/"}});
  EXPECT_EQ(EndpointUrl("", "sqs", "eu-west-1", global), "http://all:4566");
  const auto both =
      EnvOf({{"AWS_ENDPOINT_URL", "http://all"}, {"AWS_ENDPOINT_URL_SQS", "http://sqs"}});
  EXPECT_EQ(EndpointUrl("", "sqs", "eu-west-1", both), "http://sqs");
  EXPECT_EQ(EndpointUrl("", "sns", "eu-west-1", both), "http://all");  // SQS's is not SNS's
  EXPECT_EQ(EndpointUrl("http://mine", "sqs", "eu-west-1", both), "http://mine");
  const auto ignored = EnvOf(
      {{"AWS_ENDPOINT_URL_SQS", "http://sqs"}, {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}});
  EXPECT_EQ(EndpointUrl("", "sqs", "eu-west-1", ignored), "https://sqs.eu-west-1.amazonaws.com");

  // Each receiver's variable: the SDK service id upper-cased, spaces to '_'.
  const std::pair<const char*, const char*> kinds[] = {
      {"sns", "AWS_ENDPOINT_URL_SNS"},
      {"sqs", "AWS_ENDPOINT_URL_SQS"},
      {"kinesis", "AWS_ENDPOINT_URL_KINESIS"},
      {"firehose", "AWS_ENDPOINT_URL_FIREHOSE"},
      {"events", "AWS_ENDPOINT_URL_EVENTBRIDGE"},
      {"logs", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"},
  };
  for (const auto& [prefix, variable] : kinds) {
    EXPECT_EQ(EndpointUrl("", prefix, "eu-west-1",
                          EnvOf({{"AWS_ENDPOINT_URL", "http://all"}, {variable, "http://own"}})),
              "http://own")
        << variable;
  }
}

TEST(AwsConfig, BadEndpointAndRoleAreReported) {
  auto diag = std::make_shared<config::Diagnostics>();
  auto node = config::ParseYaml("endpoint: 127.0.0.1:5000\nroleArn: nope\n", "r.yaml", diag);
  auto c = ParseAwsConfig(node);
  ASSERT_EQ(diag->problems().size(), 2u);
  EXPECT_EQ(diag->problems()[0].key_path, "endpoint");
  EXPECT_EQ(diag->problems()[1].key_path, "roleArn");
  auto ok =
      config::ParseYaml("endpoint: http://127.0.0.1:5000/\nregion: us-east-1\n", "r.yaml", diag);
  EXPECT_EQ(ParseAwsConfig(ok).endpoint, "http://127.0.0.1:5000");
}

TEST(AwsMessage, ObjectKeyFallsBackToKindNamespaceName) {
  auto ev = MakeEvent("m", "u1", 0, "");
  EXPECT_EQ(ObjectKey(*ev), "Pod/default/web-0");
  EXPECT_EQ(ObjectKey(*MakeEvent("m")), "obj-1");
}

TEST(AwsMessage, CutNeverSplitsAUtf8Sequence) {
  EXPECT_EQ(CutUtf8("aé", 2), "a");  // é is 2 bytes
  EXPECT_EQ(CutUtf8("aé", 3), "aé");
}

TEST(AwsMessage, EventTimeFallsBackToNow) {
  EXPECT_EQ(EventTimeMillis(*MakeEvent("m"), 5), 1700000000123);
  EXPECT_EQ(EventTimeMillis(*MakeEvent("m", "u", 0), 5), 5);
}

TEST(AwsQueueMessage, AttributesAndFifoIds) {
  QueueMessageOptions options{aws_test::MessageLayout(), true, true};
  auto m = EncodeQueueMessage(MakeEvent("hello"), options);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->body, R"({"msg":"hello"})");
  ASSERT_EQ(m->attributes.size(), 4u);  // no cluster name: skipped
  EXPECT_EQ(m->attributes[0].name, "type");
  EXPECT_EQ(m->attributes[0].value, "Normal");
  EXPECT_EQ(m->group_id, "obj-1");
  EXPECT_EQ(m->deduplication_id.size(), 64u);
  EXPECT_EQ(m->deduplication_id, DeduplicationId(*MakeEvent("other text")));  // same uid/rv
  size_t cost = m->body.size();
  for (const auto& a : m->attributes) cost += a.name.size() + 6 + a.value.size();
  EXPECT_EQ(m->cost, cost);
}

TEST(AwsQueueMessage, LayoutFailureIsAnError) {
  common::LineFormat f;
  auto layout = tmpl::Layout::Parse(YAML::Load("{x: '{{ upper .Count }}'}"));
  ASSERT_TRUE(layout);
  f.layout = std::move(*layout);
  auto m = EncodeQueueMessage(MakeEvent("x"), {f, false, false});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message.rfind("layout: ", 0), 0u);
}

TEST(AwsRecordResults, RecordsFailedAloneAreRetriedOrRejected) {
  auto r = ParseRecordResults(
      Answer(200, R"({"FailedRecordCount":2,"Records":[{"SequenceNumber":"1","ShardId":"s"},
        {"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded"},
        {"ErrorCode":"KMSAccessDeniedException","ErrorMessage":"no"}]})"),
      4, {"kinesis PutRecords", "Records", "SequenceNumber"});
  EXPECT_EQ(r.request, Verdict::kDelivered);
  EXPECT_EQ(r.items, (std::vector<Verdict>{Verdict::kDelivered, Verdict::kRetry, Verdict::kReject,
                                           Verdict::kRetry}));
  EXPECT_EQ(
      r.item_reasons[1],
      "kinesis PutRecords: record failed: ProvisionedThroughputExceededException: Rate exceeded");
}

}  // namespace
}  // namespace kv::sinks::aws
