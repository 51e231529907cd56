#include "kinds.h"

#include <simdjson.h>

#include <algorithm>

#include "aws/sigv4.h"
#include "sinks/aws/cloudwatchlogs/request.h"
#include "sinks/aws/eventbridge/request.h"
#include "sinks/aws/firehose/request.h"
#include "sinks/aws/kinesis/request.h"
#include "sinks/aws/sns/request.h"
#include "sinks/aws/sqs/request.h"
#include "sinks/chat/teams/response.h"
#include "sinks/chat/webhook/request.h"
#include "sinks/registry.h"
#include "util/base64.h"

namespace kv::conformance {

namespace {

// ---- shared pieces ---------------------------------------------------------

std::string Body(const Recorded& r) { return r.body; }

size_t One(const Recorded&) { return 1; }

size_t CountOf(std::span<const Fate> fates, Fate f) {
  return static_cast<size_t>(std::count(fates.begin(), fates.end(), f));
}

// The elements of the JSON array `key` of the request's body.
std::vector<simdjson::dom::element> JsonList(const Recorded& r, std::string_view key,
                                             simdjson::dom::parser& parser) {
  std::vector<simdjson::dom::element> out;
  simdjson::dom::element doc;
  simdjson::dom::array list;
  if (parser.parse(r.body).get(doc) != simdjson::SUCCESS ||
      doc[key].get_array().get(list) != simdjson::SUCCESS) {
    return out;
  }
  for (auto e : list) out.push_back(e);
  return out;
}

size_t JsonCount(const Recorded& r, std::string_view key) {
  simdjson::dom::parser parser;
  return JsonList(r, key, parser).size();
}

// The AWS JSON protocols' error answer (`__type` names the code).
std::string AwsCode(int status) {
  switch (status) {
    case 401:
      return "UnrecognizedClientException";
    case 403:
      return "AccessDeniedException";
    case 429:
      return "ThrottlingException";
    case 500:
      return "InternalFailure";
    case 502:
    case 503:
      return "ServiceUnavailableException";
    default:
      return "ValidationException";
  }
}

Answer AwsJsonError(int status) {
  return {status, R"({"__type":")" + AwsCode(status) + R"(","message":"scripted failure"})",
          "application/x-amz-json-1.1"};
}

// ---- one event per request: webhook, chime --------------------------------

Answer PlainAnswer(const Recorded&, std::span<const Fate> f) {
  if (f.empty() || f[0] == Fate::kOk) return {200, "", "text/plain"};
  if (f[0] == Fate::kReject) return {400, "invalid payload", "text/plain"};
  return {503, "busy", "text/plain"};
}

Answer PlainError(int status) { return {status, "scripted failure", "text/plain"}; }

constexpr Protocol kPlainHttp{"http", &One, &PlainAnswer, &PlainError, &Body};

// ---- webhook with batch.format: array: one answer per batch request ----

size_t ArrayCount(const Recorded& r) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array list;
  if (parser.parse(r.body).get(doc) != simdjson::SUCCESS ||
      doc.get_array().get(list) != simdjson::SUCCESS) {
    return 0;
  }
  return list.size();
}

// The whole request answers for its events: the worst fate wins.
Answer ArrayAnswer(const Recorded& r, std::span<const Fate> f) {
  Fate worst = CountOf(f, Fate::kReject) > 0  ? Fate::kReject
               : CountOf(f, Fate::kRetry) > 0 ? Fate::kRetry
                                              : Fate::kOk;
  return PlainAnswer(r, std::span<const Fate>(&worst, 1));
}

constexpr std::string_view kOneAnswerPerBatch = "a batch request has one answer for all its events";
constexpr Protocol kHttpArray{"http-array", &ArrayCount,        &ArrayAnswer,      &PlainError,
                              &Body,        kOneAnswerPerBatch, kOneAnswerPerBatch};

// ---- Slack Web API: 200 {"ok":...} -----------------------------------------

Answer SlackAnswer(const Recorded&, std::span<const Fate> f) {
  if (f.empty() || f[0] == Fate::kOk) return {200, R"({"ok":true,"channel":"C1","ts":"1.2"})"};
  if (f[0] == Fate::kReject) return {200, R"({"ok":false,"error":"channel_not_found"})"};
  return {200, R"({"ok":false,"error":"ratelimited"})"};
}

Answer SlackError(int status) { return {status, R"({"ok":false,"error":"scripted"})"}; }

constexpr Protocol kSlackApi{"slack-api", &One, &SlackAnswer, &SlackError, &Body};

// ---- Teams Office 365 connector: 200 "1", throttling inside a 200 --------

Answer TeamsAnswer(const Recorded&, std::span<const Fate> f) {
  if (f.empty() || f[0] == Fate::kOk) return {200, "1", "text/plain"};
  if (f[0] == Fate::kReject) {
    return {400, "Bad payload received by generic incoming webhook.", "text/plain"};
  }
  return {200, std::string(sinks::chat::teams::kConnectorThrottled), "text/plain"};
}

constexpr Protocol kTeamsConnector{"teams-connector", &One, &TeamsAnswer, &PlainError, &Body};

// ---- Opsgenie Alert API: 202 ----------------------------------------------

Answer OpsgenieAnswer(const Recorded&, std::span<const Fate> f) {
  if (f.empty() || f[0] == Fate::kOk) {
    return {202, R"({"result":"Request will be processed","took":0.1,"requestId":"r-1"})"};
  }
  if (f[0] == Fate::kReject) {
    return {422, R"({"message":"Request body is not processable","took":0.0,"requestId":"r"})"};
  }
  return {503, R"({"message":"busy"})"};
}

Answer OpsgenieError(int status) { return {status, R"({"message":"scripted failure"})"}; }

constexpr Protocol kOpsgenie{"opsgenie", &One, &OpsgenieAnswer, &OpsgenieError, &Body};

// ---- OpenSearch / Elasticsearch _bulk ------------------------------------

size_t BulkCount(const Recorded& r) {
  // One action line and one document line per event (op index or create).
  size_t lines = static_cast<size_t>(std::count(r.body.begin(), r.body.end(), '\n'));
  return lines / 2;
}

Answer BulkAnswer(const Recorded&, std::span<const Fate> fates) {
  std::string items;
  for (Fate f : fates) {
    if (!items.empty()) items += ",";
    if (f == Fate::kOk) {
      items += R"({"index":{"_index":"kube-events","status":201}})";
    } else if (f == Fate::kRetry) {
      items +=
          R"({"index":{"status":429,"error":{"type":"es_rejected_execution_exception","reason":"rejected execution of coordinating operation"}}})";
    } else {
      items +=
          R"({"index":{"status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse field [count] of type [long]"}}})";
    }
  }
  bool errors = CountOf(fates, Fate::kOk) != fates.size();
  return {200, std::string(R"({"took":3,"errors":)") + (errors ? "true" : "false") +
                   R"(,"items":[)" + items + "]}"};
}

Answer BulkError(int status) {
  std::string type = status == 401 || status == 403 ? "security_exception"
                     : status == 429                ? "circuit_breaking_exception"
                                                    : "cluster_block_exception";
  return {status, R"({"error":{"type":")" + type + R"(","reason":"scripted failure"},"status":)" +
                      std::to_string(status) + "}"};
}

constexpr Protocol kBulk{"_bulk", &BulkCount, &BulkAnswer, &BulkError, &Body};

// ---- SQS SendMessageBatch (JSON 1.0) -------------------------------------

size_t SqsCount(const Recorded& r) { return JsonCount(r, "Entries"); }

std::vector<std::string> JsonIds(const Recorded& r, std::string_view list) {
  simdjson::dom::parser parser;
  std::vector<std::string> ids;
  for (auto e : JsonList(r, list, parser)) {
    std::string_view id;
    ids.emplace_back(e["Id"].get_string().get(id) == simdjson::SUCCESS ? id : "");
  }
  return ids;
}

Answer SqsAnswer(const Recorded& r, std::span<const Fate> fates) {
  auto ids = JsonIds(r, "Entries");
  std::string ok, failed;
  for (size_t i = 0; i < ids.size() && i < fates.size(); ++i) {
    if (fates[i] == Fate::kOk) {
      ok += std::string(ok.empty() ? "" : ",") + R"({"Id":")" + ids[i] +
            R"(","MessageId":"m-1","MD5OfMessageBody":"d41d8cd98f00b204e9800998ecf8427e"})";
    } else {
      bool reject = fates[i] == Fate::kReject;
      failed += std::string(failed.empty() ? "" : ",") + R"({"Id":")" + ids[i] +
                R"(","SenderFault":)" + (reject ? "true" : "false") + R"(,"Code":")" +
                (reject ? "InvalidParameterValue" : "InternalError") + R"(","Message":"scripted"})";
    }
  }
  return {200, R"({"Successful":[)" + ok + R"(],"Failed":[)" + failed + "]}",
          "application/x-amz-json-1.0"};
}

Answer SqsError(int status) {
  Answer a = AwsJsonError(status);
  a.content_type = "application/x-amz-json-1.0";
  return a;
}

constexpr Protocol kSqsJson{"sqs-json", &SqsCount, &SqsAnswer, &SqsError, &Body};

// ---- SNS PublishBatch (Query protocol, XML answers) ------------------------

// The entry ids of a PublishBatch form body, in order.
std::vector<std::string> SnsIds(const Recorded& r) {
  std::vector<std::string> ids;
  constexpr std::string_view kPrefix = "PublishBatchRequestEntries.member.";
  size_t at = 0;
  while ((at = r.body.find(kPrefix, at)) != std::string::npos) {
    size_t eq = r.body.find('=', at);
    size_t amp = r.body.find('&', at);
    if (eq == std::string::npos) break;
    std::string_view name(r.body.data() + at, eq - at);
    if (name.ends_with(".Id") && name.find(".MessageAttributes.") == std::string_view::npos) {
      ids.push_back(r.body.substr(eq + 1, amp == std::string::npos ? amp : amp - eq - 1));
    }
    at = eq;
  }
  return ids;
}

size_t SnsCount(const Recorded& r) { return SnsIds(r).size(); }

Answer SnsAnswer(const Recorded& r, std::span<const Fate> fates) {
  auto ids = SnsIds(r);
  std::string ok, failed;
  for (size_t i = 0; i < ids.size() && i < fates.size(); ++i) {
    if (fates[i] == Fate::kOk) {
      ok += "<member><Id>" + ids[i] + "</Id><MessageId>m-1</MessageId></member>";
    } else {
      bool reject = fates[i] == Fate::kReject;
      failed += "<member><Id>" + ids[i] + "</Id><Code>" +
                (reject ? "InvalidParameter" : "InternalError") +
                "</Code><Message>scripted</Message><SenderFault>" + (reject ? "true" : "false") +
                "</SenderFault></member>";
    }
  }
  return {200,
          R"(<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">)"
          "<PublishBatchResult><Successful>" +
              ok + "</Successful><Failed>" + failed +
              "</Failed></PublishBatchResult><ResponseMetadata><RequestId>r-1</RequestId>"
              "</ResponseMetadata></PublishBatchResponse>",
          "text/xml"};
}

Answer SnsError(int status) {
  std::string code = status == 401   ? "InvalidClientTokenId"
                     : status == 403 ? "AuthorizationError"
                     : status == 429 ? "Throttling"
                     : status >= 500 ? "InternalError"
                                     : "InvalidParameter";
  return {status,
          R"(<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error>)"
          "<Type>Sender</Type><Code>" +
              code +
              "</Code><Message>scripted failure</Message></Error><RequestId>r-1</RequestId>"
              "</ErrorResponse>",
          "text/xml"};
}

constexpr Protocol kSnsQuery{"sns-query", &SnsCount, &SnsAnswer, &SnsError, &Body};

// ---- EventBridge PutEvents, Kinesis PutRecords, Firehose PutRecordBatch ---

// A per-record answer: {"<count_key>":k,"<list>":[{<ok_field>:...} or
// {"ErrorCode":...,"ErrorMessage":...}]}.
Answer RecordAnswer(std::span<const Fate> fates, std::string_view count_key, std::string_view list,
                    std::string_view ok_json, std::string_view retry_code,
                    std::string_view reject_code) {
  std::string items;
  for (Fate f : fates) {
    if (!items.empty()) items += ",";
    if (f == Fate::kOk) {
      items += ok_json;
    } else {
      items += R"({"ErrorCode":")" + std::string(f == Fate::kRetry ? retry_code : reject_code) +
               R"(","ErrorMessage":"scripted"})";
    }
  }
  return {200,
          "{\"" + std::string(count_key) +
              "\":" + std::to_string(fates.size() - CountOf(fates, Fate::kOk)) + ",\"" +
              std::string(list) + "\":[" + items + "]}",
          "application/x-amz-json-1.1"};
}

size_t EventBridgeCount(const Recorded& r) { return JsonCount(r, "Entries"); }

Answer EventBridgeAnswer(const Recorded&, std::span<const Fate> fates) {
  return RecordAnswer(fates, "FailedEntryCount", "Entries", R"({"EventId":"e-1"})",
                      "ThrottlingException", "MalformedDetail");
}

constexpr Protocol kEventBridge{"eventbridge", &EventBridgeCount, &EventBridgeAnswer, &AwsJsonError,
                                &Body};

// Record data, base64-decoded, one per line.
std::string DecodedRecords(const Recorded& r) {
  simdjson::dom::parser parser;
  std::string out;
  for (auto e : JsonList(r, "Records", parser)) {
    std::string_view data;
    if (e["Data"].get_string().get(data) != simdjson::SUCCESS) continue;
    out += base64::Decode(data).value_or("") + "\n";
  }
  return out;
}

size_t RecordsCount(const Recorded& r) { return JsonCount(r, "Records"); }

Answer KinesisAnswer(const Recorded&, std::span<const Fate> fates) {
  return RecordAnswer(fates, "FailedRecordCount", "Records",
                      R"({"SequenceNumber":"4959","ShardId":"shardId-000000000000"})",
                      "ProvisionedThroughputExceededException", "KMSAccessDeniedException");
}

constexpr Protocol kKinesis{"kinesis", &RecordsCount, &KinesisAnswer, &AwsJsonError,
                            &DecodedRecords};

Answer FirehoseAnswer(const Recorded&, std::span<const Fate> fates) {
  Answer a = RecordAnswer(fates, "FailedPutCount", "RequestResponses", R"({"RecordId":"rec-1"})",
                          "ServiceUnavailableException", "KMSAccessDeniedException");
  a.body.insert(1, R"("Encrypted":false,)");
  return a;
}

constexpr Protocol kFirehose{"firehose", &RecordsCount, &FirehoseAnswer, &AwsJsonError,
                             &DecodedRecords};

// ---- CloudWatch Logs PutLogEvents -------------------------------------------

size_t LogEventsCount(const Recorded& r) { return JsonCount(r, "logEvents"); }

// PutLogEvents answers per event only with rejectedLogEventsInfo: a leading
// run of rejected events (too old) and a trailing one (too new).
Answer LogsAnswer(const Recorded&, std::span<const Fate> fates) {
  size_t lead = 0, trail = 0;
  while (lead < fates.size() && fates[lead] == Fate::kReject) ++lead;
  while (trail < fates.size() - lead && fates[fates.size() - 1 - trail] == Fate::kReject) ++trail;
  std::string info;
  if (lead > 0) info += R"("tooOldLogEventEndIndex":)" + std::to_string(lead - 1);
  if (trail > 0) {
    info += std::string(info.empty() ? "" : ",") + R"("tooNewLogEventStartIndex":)" +
            std::to_string(fates.size() - trail);
  }
  std::string body = R"({"nextSequenceToken":"49")";
  if (!info.empty()) body += R"(,"rejectedLogEventsInfo":{)" + info + "}";
  return {200, body + "}", "application/x-amz-json-1.1"};
}

constexpr Protocol kCloudWatchLogs{
    "cloudwatchlogs",
    &LogEventsCount,
    &LogsAnswer,
    &AwsJsonError,
    &Body,
    "PutLogEvents answers per event only to reject (rejectedLogEventsInfo)"};

// ---- idempotency keys on the wire ------------------------------------------

bool WebhookKey(const Recorded& r, const event::Event& ev) {
  return r.Header(std::string(sinks::chat::webhook::kIdempotencyHeader)) == ev.IdempotencyKey();
}

// A batch's header carries its first event's key; every event's own key is
// in its document (metadata.uid, metadata.resourceVersion).
bool ArrayKey(const Recorded& r, const event::Event& ev) {
  return WebhookKey(r, ev) ||
         (r.body.find(R"("uid":")" + ev.metadata.uid + "\"") != std::string::npos &&
          r.body.find(R"("resourceVersion":")" + ev.metadata.resource_version + "\"") !=
              std::string::npos);
}

bool OpsgenieAlias(const Recorded& r, const event::Event& ev) {
  return r.body.find(R"("alias":")" + ev.IdempotencyKey() + "\"") != std::string::npos;
}

bool BulkDocumentId(const Recorded& r, const event::Event& ev) {
  return r.body.find(R"("_id":")" + ev.metadata.uid + "_" + ev.metadata.resource_version + "\"") !=
         std::string::npos;
}

bool SqsDedupId(const Recorded& r, const event::Event& ev) {
  return r.body.find(R"("MessageDeduplicationId":")" + aws::Sha256Hex(ev.IdempotencyKey()) +
                     "\"") != std::string::npos;
}

bool SnsDedupId(const Recorded& r, const event::Event& ev) {
  return r.body.find(".MessageDeduplicationId=" + aws::Sha256Hex(ev.IdempotencyKey())) !=
         std::string::npos;
}

constexpr std::string_view kNoChatKey =
    "the service has no dedup field; a redelivery posts the message again (receivers/chat.md)";
constexpr std::string_view kNoAwsTimeout =
    "FINDING: AWS receivers have no timeout key; http::Request's fixed 30 s applies";
constexpr std::string_view kBadLayout =
    "layout: {message: '{{ .Message }}', owner: '{{ (index .InvolvedObject.OwnerReferences 0).Kind "
    "}}'}";
constexpr std::string_view kBadMessage =
    "message: '{{ (index .InvolvedObject.OwnerReferences 0).Kind }}'";

// clang-format off
// One line per kind. Keep it sorted as sinks/registry.cc's table.
constexpr KindEntry kEntries[] = {
    {.kind = "stdout", .block = "{}", .no_peer = "writes to the process's stdout", .bad_template = kBadLayout, .output = LocalOutput::kStdout},
    {.kind = "file", .block = "{path: '{dir}/out.json'}", .no_peer = "writes a local file", .bad_template = kBadLayout, .output = LocalOutput::kFile, .output_file = "out.json"},
    {.kind = "pipe", .block = "{path: '{dir}/pipe.out'}", .no_peer = "writes to an existing file or FIFO", .bad_template = kBadLayout, .output = LocalOutput::kFile, .output_file = "pipe.out", .create_output_first = true},
    {.kind = "webhook", .block = "{endpoint: '{peer}/hooks/s3cr3t-hook-path', bearerToken: s3cr3t-bearer, timeoutSeconds: 1}", .protocol = &kPlainHttp, .bad_template = kBadLayout, .key_on_wire = &WebhookKey},
    {.kind = "webhook", .block = "{endpoint: '{peer}/hooks/s3cr3t-hook-path', basicAuth: {username: u, password: s3cr3t-basic}, batch: {format: array, maxEvents: 50, maxBytes: 262144}, timeoutSeconds: 1}", .protocol = &kHttpArray, .bad_template = kBadLayout, .key_on_wire = &ArrayKey, .own_batch_block = "{endpoint: '{peer}/hooks/s3cr3t-hook-path', basicAuth: {username: u, password: s3cr3t-basic}, batch: {format: array, maxEvents: 3}, timeoutSeconds: 1}", .variant = "array"},
    {.kind = "elasticsearch", .block = "{hosts: ['{peer}'], index: kube-events, apiKey: s3cr3t-apikey, timeoutSeconds: 1}", .protocol = &kBulk, .bad_template = kBadLayout, .key_on_wire = &BulkDocumentId},
    {.kind = "opensearch", .block = "{hosts: ['http://admin:s3cr3t-userinfo@{peer_host}'], index: kube-events, timeoutSeconds: 1}", .protocol = &kBulk, .bad_template = kBadLayout, .key_on_wire = &BulkDocumentId},
    {.kind = "kinesis", .block = "{streamName: events, endpoint: '{peer}', region: us-east-1}", .protocol = &kKinesis, .bad_template = kBadLayout, .event_limit = sinks::aws::kinesis::kMaxRecordBytes, .no_timeout = kNoAwsTimeout, .no_key = "PutRecords has no dedup id; the record data carries metadata.uid and resourceVersion"},
    {.kind = "firehose", .block = "{deliveryStreamName: events, endpoint: '{peer}', region: us-east-1}", .protocol = &kFirehose, .bad_template = kBadLayout, .event_limit = sinks::aws::firehose::kMaxRecordBytes, .no_timeout = kNoAwsTimeout, .no_key = "PutRecordBatch has no dedup id; the record data carries metadata.uid and resourceVersion"},
    {.kind = "sns", .block = "{topicARN: 'arn:aws:sns:us-east-1:000000000000:events.fifo', endpoint: '{peer}', region: us-east-1}", .protocol = &kSnsQuery, .bad_template = kBadLayout, .event_limit = sinks::aws::sns::kMaxMessageBytes, .no_timeout = kNoAwsTimeout, .key_on_wire = &SnsDedupId},
    {.kind = "sqs", .block = "{queueName: '{peer}/000000000000/events.fifo', endpoint: '{peer}', region: us-east-1}", .protocol = &kSqsJson, .bad_template = kBadLayout, .event_limit = sinks::aws::sqs::kMaxMessageBytes, .no_timeout = kNoAwsTimeout, .key_on_wire = &SqsDedupId},
    {.kind = "eventbridge", .block = "{source: kubevents, detailType: KubernetesEvent, endpoint: '{peer}', region: us-east-1}", .protocol = &kEventBridge, .bad_template = "details: {message: '{{ .Message }}', owner: '{{ (index .InvolvedObject.OwnerReferences 0).Kind }}'}", .event_limit = sinks::aws::eventbridge::kMaxEntryBytes, .no_timeout = kNoAwsTimeout, .no_key = "PutEvents has no dedup id; Detail carries metadata.uid and resourceVersion"},
    {.kind = "cloudwatchlogs", .block = "{logGroupName: /k8s/events, endpoint: '{peer}', region: us-east-1}", .protocol = &kCloudWatchLogs, .bad_template = kBadLayout, .event_limit = sinks::aws::cloudwatchlogs::kMaxEventBytes, .no_timeout = kNoAwsTimeout, .no_key = "PutLogEvents has no dedup id; the message carries metadata.uid and resourceVersion"},
    {.kind = "slack", .block = "{token: xoxb-s3cr3t-slack, channel: '#events', apiURL: '{peer}/api', timeoutSeconds: 1}", .protocol = &kSlackApi, .bad_template = kBadMessage, .no_key = kNoChatKey},
    {.kind = "slack", .block = "{webhookURL: '{peer}/services/T000/B000/s3cr3t-slack-hook', timeoutSeconds: 1}", .protocol = &kPlainHttp, .bad_template = kBadMessage, .no_key = kNoChatKey, .variant = "webhookURL"},
    {.kind = "opsgenie", .block = "{apiKey: s3cr3t-genie, URL: '{peer}', timeoutSeconds: 1}", .protocol = &kOpsgenie, .bad_template = kBadMessage, .key_on_wire = &OpsgenieAlias},
    {.kind = "teams", .block = "{endpoint: '{peer}/webhookb2/s3cr3t-teams', timeoutSeconds: 1}", .protocol = &kTeamsConnector, .bad_template = kBadLayout, .no_key = kNoChatKey},
    {.kind = "teams", .block = "{workflowURL: '{peer}/workflows/abc/triggers/manual/paths/invoke?sig=s3cr3t-sig', timeoutSeconds: 1}", .protocol = &kPlainHttp, .bad_template = kBadMessage, .no_key = kNoChatKey, .variant = "workflowURL"},
    {.kind = "chime", .block = "{endpoint: '{peer}/incomingwebhooks/room?token=s3cr3t-chime', timeoutSeconds: 1}", .protocol = &kPlainHttp, .bad_template = kBadMessage, .no_key = kNoChatKey},
};
// clang-format on

}  // namespace

std::span<const KindEntry> KindEntries() { return kEntries; }

std::vector<std::string> ShippedKinds() {
  std::vector<std::string> out;
  for (const auto& k : sinks::ReceiverKinds()) {
    if (k.parse != nullptr) out.emplace_back(k.key);
  }
  return out;
}

}  // namespace kv::conformance
