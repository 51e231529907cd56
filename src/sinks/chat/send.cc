#include "sinks/chat/send.h"

#include <algorithm>

#include "sinks/common/http_outcome.h"

namespace kv::sinks::chat {

SendOutcome ClassifyHttpDefault(const Result<http::Response>& response, std::string_view what) {
  return common::ClassifyHttp(response, what);
}

SendOutcome SendPlanned(std::vector<PlannedRequest>& requests, std::vector<Verdict> items,
                        std::string reason, const Transport& transport,
                        const Classifier& classify) {
  SendOutcome out;
  out.reason = std::move(reason);
  for (size_t r = 0; r < requests.size(); ++r) {
    SendOutcome one = classify(transport(requests[r].request), requests[r].what);
    if (one.request == Verdict::kRetry) {
      for (size_t later = r; later < requests.size(); ++later) {
        for (size_t i : requests[later].items) items[i] = Verdict::kRetry;
      }
      out.reason = std::move(one.reason);  // the retry is what the operator must see
      out.retry_after = one.retry_after;
      break;
    }
    const std::vector<size_t>& carried = requests[r].items;
    for (size_t k = 0; k < carried.size(); ++k) {
      // A peer that answers per item refines the request's verdict.
      items[carried[k]] = k < one.items.size() ? one.items[k] : one.request;
    }
    if (one.request == Verdict::kReject && out.reason.empty()) out.reason = std::move(one.reason);
  }
  bool all_delivered =
      std::all_of(items.begin(), items.end(), [](Verdict v) { return v == Verdict::kDelivered; });
  if (!all_delivered) out.items = std::move(items);
  if (all_delivered) out.reason.clear();
  return out;
}

}  // namespace kv::sinks::chat
