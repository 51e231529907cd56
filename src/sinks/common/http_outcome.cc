#include "sinks/common/http_outcome.h"

#include <charconv>
#include <ctime>

#include "util/log.h"

namespace kv::sinks::common {

namespace {

std::string_view Trim(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}

// Retry-After's delta-seconds form; never negative.
std::optional<std::chrono::seconds> DeltaSeconds(std::string_view value) {
  int64_t secs = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
    return std::nullopt;
  }
  return std::chrono::seconds(secs < 0 ? 0 : secs);
}

// An IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::optional<std::chrono::system_clock::time_point> HttpDate(std::string_view value) {
  std::tm tm{};
  std::string text(value);
  const char* rest = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (rest == nullptr || *rest != '\0') return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::chrono::seconds Until(std::chrono::system_clock::time_point at,
                           std::chrono::system_clock::time_point now) {
  auto delta = std::chrono::duration_cast<std::chrono::seconds>(at - now);
  return delta.count() < 0 ? std::chrono::seconds(0) : delta;
}

}  // namespace

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now) {
  value = Trim(value);
  if (auto delta = DeltaSeconds(value)) return delta;
  if (auto at = HttpDate(value)) return Until(*at, now);
  return std::nullopt;
}

std::optional<std::chrono::seconds> RetryAfter(const http::Response& response) {
  std::string value = response.Header("retry-after");
  std::string_view v = Trim(value);
  if (auto delta = DeltaSeconds(v)) return delta;
  auto at = HttpDate(v);
  auto peer_now = HttpDate(Trim(response.Header("date")));
  if (!at || !peer_now) return std::nullopt;
  return Until(*at, *peer_now);
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
  // The body on one line, short; a proxy's HTML error page as its title.
  if (std::string body = log::ShortReason(response->body, max_body); !body.empty()) {
    out.reason += body.starts_with("(HTML page") ? " " + body : ": " + body;
  }
  if (status == 408 || status == 425 || status == 429 || status >= 500) {
    out.request = Verdict::kRetry;
    out.retry_after = RetryAfter(*response);
    return out;
  }
  if (status == 401 || status == 403) out.reason += " (authentication or authorization failed)";
  out.request = Verdict::kReject;
  return out;
}

}  // namespace kv::sinks::common
