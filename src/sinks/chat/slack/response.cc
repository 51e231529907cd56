#include "sinks/chat/slack/response.h"

#include <simdjson.h>

#include "sinks/common/http_outcome.h"

namespace kv::sinks::chat::slack {

namespace {

bool Retryable(std::string_view error) {
  for (std::string_view e : {"ratelimited", "rate_limited", "service_unavailable", "fatal_error",
                             "internal_error", "request_timeout"}) {
    if (error == e) return true;
  }
  return false;
}

}  // namespace

SendOutcome ClassifyApi(const Result<http::Response>& response, std::string_view what) {
  SendOutcome out = common::ClassifyHttp(response, what);
  if (!response || out.request != Verdict::kDelivered) return out;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool ok = false;
  if (parser.parse(response->body).get(root) != simdjson::SUCCESS ||
      root["ok"].get_bool().get(ok) != simdjson::SUCCESS) {
    out.request = Verdict::kRetry;
    out.reason = std::string(what) + ": HTTP " + std::to_string(response->status) +
                 " without Slack's {\"ok\":…} answer";
    return out;
  }
  if (ok) return out;
  std::string_view error;
  if (root["error"].get_string().get(error) != simdjson::SUCCESS) error = "unknown";
  out.reason = std::string(what) + ": slack error " + std::string(error);
  if (Retryable(error)) {
    out.request = Verdict::kRetry;
    out.retry_after = common::RetryAfter(*response);
  } else {
    out.request = Verdict::kReject;
  }
  return out;
}

}  // namespace kv::sinks::chat::slack
