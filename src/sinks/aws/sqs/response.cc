#include "sinks/aws/sqs/response.h"

#include <simdjson.h>

#include <vector>

#include "sinks/aws/common/entry_results.h"
#include "sinks/aws/common/errors.h"
#include "sinks/aws/common/json_read.h"

namespace kv::sinks::sqs {

namespace {
constexpr std::string_view kWhat = "sqs SendMessageBatch";
}

aws_common::ChunkResult ParseSendMessageBatch(const Result<http::Response>& response, size_t n) {
  if (auto failed = aws_common::CallFailure(response, kWhat)) return std::move(*failed);
  aws_common::ChunkResult r;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(response->body).get(doc) != simdjson::SUCCESS) {
    r.request = Verdict::kRetry;
    r.reason = std::string(kWhat) + ": answer is not JSON";
    return r;
  }
  std::vector<size_t> ok;
  std::vector<aws_common::EntryFailure> failed;
  simdjson::dom::array list;
  if (doc["Successful"].get_array().get(list) == simdjson::SUCCESS) {
    for (auto item : list) {
      std::string_view id;
      if (item["Id"].get_string().get(id) == simdjson::SUCCESS) {
        ok.push_back(aws_common::ParseEntryId(id, n));
      }
    }
  }
  if (doc["Failed"].get_array().get(list) == simdjson::SUCCESS) {
    for (auto item : list) {
      namespace jr = aws_common::json_read;
      failed.push_back({aws_common::ParseEntryId(jr::String(item, "Id"), n),
                        std::string(jr::String(item, "Code")),
                        std::string(jr::String(item, "Message")), jr::Bool(item, "SenderFault")});
    }
  }
  return aws_common::FromEntryResults(n, ok, failed, kWhat);
}

Result<std::string> ParseGetQueueUrl(const Result<http::Response>& response) {
  aws_common::ErrorKind kind = aws_common::ErrorKind::kClient;
  SendOutcome call = aws_common::ClassifyCall(response, "sqs GetQueueUrl", &kind);
  if (call.request == Verdict::kRetry) return Fail(ErrorCode::kUnavailable, call.reason);
  if (call.request == Verdict::kReject) {
    return Fail(
        kind == aws_common::ErrorKind::kAuth ? ErrorCode::kUnauthorized : ErrorCode::kRejected,
        call.reason);
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view url;
  if (parser.parse(response->body).get(doc) != simdjson::SUCCESS ||
      doc["QueueUrl"].get_string().get(url) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kUnavailable, "sqs GetQueueUrl: answer has no QueueUrl");
  }
  return std::string(url);
}

}  // namespace kv::sinks::sqs
