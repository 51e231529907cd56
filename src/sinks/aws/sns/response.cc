#include "sinks/aws/sns/response.h"

#include <vector>

#include "aws/xml.h"
#include "sinks/aws/entry_results.h"
#include "sinks/aws/errors.h"

namespace kv::sinks::aws::sns {

namespace {
constexpr std::string_view kWhat = "sns PublishBatch";
}

aws::ChunkResult ParsePublishBatch(const Result<http::Response>& response, size_t n) {
  namespace xml = ::kv::aws::xml;
  if (auto failed = aws::CallFailure(response, kWhat)) return std::move(*failed);
  auto results = xml::Elements(response->body, "PublishBatchResult");
  if (results.empty()) {
    aws::ChunkResult r;
    r.request = Verdict::kRetry;
    r.reason = std::string(kWhat) + ": answer has no PublishBatchResult";
    return r;
  }
  std::vector<size_t> ok;
  std::vector<aws::EntryFailure> failed;
  auto text = [](std::string_view doc, std::string_view tag) {
    return xml::Text(doc, tag).value_or("");
  };
  for (auto list : xml::Elements(results.front(), "Successful")) {
    for (auto member : xml::Elements(list, "member")) {
      ok.push_back(aws::ParseEntryId(text(member, "Id"), n));
    }
  }
  for (auto list : xml::Elements(results.front(), "Failed")) {
    for (auto member : xml::Elements(list, "member")) {
      failed.push_back({aws::ParseEntryId(text(member, "Id"), n), text(member, "Code"),
                        text(member, "Message"), text(member, "SenderFault") == "true"});
    }
  }
  return aws::FromEntryResults(n, ok, failed, kWhat);
}

}  // namespace kv::sinks::aws::sns
