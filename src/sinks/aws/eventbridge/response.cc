#include "sinks/aws/eventbridge/response.h"

#include "sinks/aws/errors.h"
#include "sinks/aws/json_read.h"

namespace kv::sinks::aws::eventbridge {

namespace {
constexpr std::string_view kWhat = "eventbridge PutEvents";
}

aws::ChunkResult ParsePutEvents(const Result<http::Response>& response, size_t n) {
  namespace jr = aws::json_read;
  if (auto failed = aws::CallFailure(response, kWhat)) return std::move(*failed);
  aws::ChunkResult r;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(response->body).get(doc) != simdjson::SUCCESS) {
    r.request = Verdict::kRetry;
    r.reason = std::string(kWhat) + ": answer is not JSON";
    return r;
  }
  r.items.assign(n, Verdict::kRetry);
  r.item_reasons.assign(n, std::string(kWhat) + ": entry missing from the answer");
  simdjson::dom::array entries;
  if (doc["Entries"].get_array().get(entries) != simdjson::SUCCESS) {
    // Without per-entry results only a FailedEntryCount of 0 says all went in.
    if (jr::Has(doc, "FailedEntryCount") && jr::Int(doc, "FailedEntryCount", -1) == 0) {
      r.items.clear();
      r.item_reasons.clear();
    }
    return r;
  }
  size_t i = 0;
  for (auto entry : entries) {
    if (i >= n) break;
    std::string_view code = jr::String(entry, "ErrorCode");
    if (code.empty() && !jr::String(entry, "EventId").empty()) {
      r.items[i] = Verdict::kDelivered;
      r.item_reasons[i].clear();
    } else if (!code.empty()) {
      bool retry = aws::IsRetryable(aws::ClassifyCode(code, 0));
      r.items[i] = retry ? Verdict::kRetry : Verdict::kReject;
      r.item_reasons[i] = std::string(kWhat) + ": entry failed: " + std::string(code);
      std::string_view message = jr::String(entry, "ErrorMessage");
      if (!message.empty()) r.item_reasons[i] += ": " + aws::Shorten(message);
    }
    ++i;
  }
  return r;
}

}  // namespace kv::sinks::aws::eventbridge
