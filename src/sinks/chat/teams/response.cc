#include "sinks/chat/teams/response.h"

#include "sinks/common/http_outcome.h"

namespace kv::sinks::chat::teams {

SendOutcome ClassifyConnector(const Result<http::Response>& response, std::string_view what) {
  SendOutcome out = common::ClassifyHttp(response, what);
  if (response && out.request == Verdict::kDelivered &&
      response->body.find(kConnectorThrottled) != std::string::npos) {
    out.request = Verdict::kRetry;
    out.reason = std::string(what) + ": rate limited (" + std::string(kConnectorThrottled) + ")";
  }
  return out;
}

}  // namespace kv::sinks::chat::teams
