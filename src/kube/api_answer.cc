#include "kube/api_answer.h"

#include <string>

#include "kube/client.h"

namespace kv::kube {

std::optional<ErrorCode> ClassifyStatus(long status) {
  if (status >= 200 && status < 300) return std::nullopt;
  if (status == 410) return ErrorCode::kGone;
  if (status == 401 || status == 403) return ErrorCode::kUnauthorized;
  // Overload (429, API Priority and Fairness), a request timeout, a server
  // error, or no status at all: the server may answer later.
  if (status == 408 || status == 429 || status >= 500 || status < 100) {
    return ErrorCode::kUnavailable;
  }
  return ErrorCode::kRejected;
}

Result<void> CheckAnswer(const Result<http::Response>& answer, std::string_view what) {
  if (!answer) return Fail(answer.error().code, std::string(what) + ": " + answer.error().message);
  std::optional<ErrorCode> code = ClassifyStatus(answer->status);
  if (!code) return {};
  return Fail(*code, std::string(what) + ": " + DescribeFailure(*answer),
              static_cast<int>(answer->status));
}

}  // namespace kv::kube
