#include "sinks/aws/sqs/response.h"

#include <simdjson.h>

#include <vector>

#include "sinks/aws/entry_results.h"
#include "sinks/aws/errors.h"
#include "sinks/aws/json_read.h"

namespace kv::sinks::aws::sqs {

namespace {
constexpr std::string_view kWhat = "sqs SendMessageBatch";
}

aws::ChunkResult ParseSendMessageBatch(const Result<http::Response>& response, size_t n) {
  if (auto failed = aws::CallFailure(response, kWhat)) return std::move(*failed);
  aws::ChunkResult r;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(response->body).get(doc) != simdjson::SUCCESS) {
    r.request = Verdict::kRetry;
    r.reason = std::string(kWhat) + ": answer is not JSON";
    return r;
  }
  std::vector<size_t> ok;
  std::vector<aws::EntryFailure> failed;
  simdjson::dom::array list;
  if (doc["Successful"].get_array().get(list) == simdjson::SUCCESS) {
    for (auto item : list) {
      std::string_view id;
      if (item["Id"].get_string().get(id) == simdjson::SUCCESS) {
        ok.push_back(aws::ParseEntryId(id, n));
      }
    }
  }
  if (doc["Failed"].get_array().get(list) == simdjson::SUCCESS) {
    for (auto item : list) {
      namespace jr = aws::json_read;
      failed.push_back({aws::ParseEntryId(jr::String(item, "Id"), n),
                        std::string(jr::String(item, "Code")),
                        std::string(jr::String(item, "Message")), jr::Bool(item, "SenderFault")});
    }
  }
  return aws::FromEntryResults(n, ok, failed, kWhat);
}

Result<std::string> ParseGetQueueUrl(const Result<http::Response>& response) {
  aws::ErrorKind kind = aws::ErrorKind::kClient;
  SendOutcome call = aws::ClassifyCall(response, "sqs GetQueueUrl", &kind);
  if (call.request == Verdict::kRetry) return Fail(ErrorCode::kUnavailable, call.reason);
  if (call.request == Verdict::kReject) {
    return Fail(kind == aws::ErrorKind::kAuth ? ErrorCode::kUnauthorized : ErrorCode::kRejected,
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

}  // namespace kv::sinks::aws::sqs
