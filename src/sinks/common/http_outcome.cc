#include "sinks/common/http_outcome.h"

#include <charconv>
#include <ctime>

namespace kv::sinks {

namespace {

std::string Quote(std::string_view body, size_t max) {
  std::string out;
  for (char c : body.substr(0, max)) out += (c == '\n' || c == '\r') ? ' ' : c;
  if (body.size() > max) out += "...";
  return out;
}

}  // namespace

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  int64_t secs = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
  if (ec == std::errc() && end == value.data() + value.size()) {
    return std::chrono::seconds(secs < 0 ? 0 : secs);
  }
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm tm{};
  std::string text(value);
  const char* rest = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (rest == nullptr || *rest != '\0') return std::nullopt;
  auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  auto delta = std::chrono::duration_cast<std::chrono::seconds>(at - now);
  return delta.count() < 0 ? std::chrono::seconds(0) : delta;
}

SendOutcome ClassifyHttp(const Result<http::Response>& response, std::string_view what,
                         size_t max_body) {
  SendOutcome out;
  if (!response) {
    out.request = Verdict::kRetry;
    out.reason = std::string(what) + ": " + response.error().message;
    return out;
  }
  long status = response->status;
  if (status >= 200 && status < 300) return out;
  out.reason = std::string(what) + ": HTTP " + std::to_string(status);
  if (!response->body.empty()) out.reason += ": " + Quote(response->body, max_body);
  if (status == 408 || status == 425 || status == 429 || status >= 500) {
    out.request = Verdict::kRetry;
    out.retry_after =
        ParseRetryAfter(response->Header("retry-after"), std::chrono::system_clock::now());
    return out;
  }
  if (status == 401 || status == 403) out.reason += " (authentication or authorization failed)";
  out.request = Verdict::kReject;
  return out;
}

}  // namespace kv::sinks
