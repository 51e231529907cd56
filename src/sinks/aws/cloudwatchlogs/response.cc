#include "sinks/aws/cloudwatchlogs/response.h"

#include "sinks/aws/errors.h"
#include "sinks/aws/json_read.h"

namespace kv::sinks::aws::cloudwatchlogs {

namespace {
constexpr std::string_view kWhat = "cloudwatchlogs PutLogEvents";

std::string ErrorCodeOf(const Result<http::Response>& response) {
  if (!response || (response->status >= 200 && response->status < 300)) return {};
  return aws::ParseError(*response).code;
}
}  // namespace

aws::ChunkResult ParsePutLogEvents(const Result<http::Response>& response, size_t n) {
  namespace jr = aws::json_read;
  if (auto failed = aws::CallFailure(response, kWhat)) return std::move(*failed);
  aws::ChunkResult r;
  simdjson::dom::parser parser;
  simdjson::dom::element doc, info;
  if (parser.parse(response->body).get(doc) != simdjson::SUCCESS) {
    r.request = Verdict::kRetry;
    r.reason = std::string(kWhat) + ": answer is not JSON";
    return r;
  }
  if (doc["rejectedLogEventsInfo"].get(info) != simdjson::SUCCESS) return r;  // all taken
  r.items.assign(n, Verdict::kDelivered);
  r.item_reasons.assign(n, "");
  auto reject = [&](int64_t from, int64_t to, const char* why) {
    for (int64_t i = std::max<int64_t>(from, 0); i <= to && i < static_cast<int64_t>(n); ++i) {
      r.items[i] = Verdict::kReject;
      r.item_reasons[i] = std::string(kWhat) + ": event rejected: " + why;
    }
  };
  if (jr::Has(info, "tooOldLogEventEndIndex")) {
    reject(0, jr::Int(info, "tooOldLogEventEndIndex", -1), "timestamp too old");
  }
  if (jr::Has(info, "expiredLogEventEndIndex")) {
    reject(0, jr::Int(info, "expiredLogEventEndIndex", -1), "older than the log group's retention");
  }
  if (jr::Has(info, "tooNewLogEventStartIndex")) {
    reject(jr::Int(info, "tooNewLogEventStartIndex", static_cast<int64_t>(n)),
           static_cast<int64_t>(n) - 1, "timestamp too far in the future");
  }
  return r;
}

bool IsResourceNotFound(const Result<http::Response>& response) {
  return ErrorCodeOf(response) == "ResourceNotFoundException";
}

bool CreatedOrExists(const Result<http::Response>& response) {
  if (response && response->status >= 200 && response->status < 300) return true;
  return ErrorCodeOf(response) == "ResourceAlreadyExistsException";
}

}  // namespace kv::sinks::aws::cloudwatchlogs
