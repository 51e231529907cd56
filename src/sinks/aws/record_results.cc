#include "sinks/aws/record_results.h"

#include "sinks/aws/errors.h"
#include "sinks/aws/json_read.h"

namespace kv::sinks::aws {

ChunkResult ParseRecordResults(const Result<http::Response>& response, size_t n,
                               const RecordAnswerShape& shape) {
  namespace jr = json_read;
  if (auto failed = CallFailure(response, shape.what)) return std::move(*failed);
  ChunkResult r;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array records;
  if (parser.parse(response->body).get(doc) != simdjson::SUCCESS ||
      doc[shape.list].get_array().get(records) != simdjson::SUCCESS) {
    r.request = Verdict::kRetry;
    r.reason = std::string(shape.what) + ": answer has no " + std::string(shape.list);
    return r;
  }
  r.items.assign(n, Verdict::kRetry);
  r.item_reasons.assign(n, std::string(shape.what) + ": record missing from the answer");
  size_t i = 0;
  for (auto record : records) {
    if (i >= n) break;
    std::string_view code = jr::String(record, "ErrorCode");
    if (code.empty() && !jr::String(record, shape.success_field).empty()) {
      r.items[i] = Verdict::kDelivered;
      r.item_reasons[i].clear();
    } else if (!code.empty()) {
      bool retry = IsRetryable(ClassifyCode(code, 0));
      r.items[i] = retry ? Verdict::kRetry : Verdict::kReject;
      r.item_reasons[i] = std::string(shape.what) + ": record failed: " + std::string(code);
      std::string_view message = jr::String(record, "ErrorMessage");
      if (!message.empty()) r.item_reasons[i] += ": " + Shorten(message);
    }
    ++i;
  }
  return r;
}

}  // namespace kv::sinks::aws
