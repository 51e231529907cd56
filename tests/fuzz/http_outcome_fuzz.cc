// The status/Retry-After mapping every HTTP receiver starts from
// (webhook, chat, search...): any answer yields a verdict, and a
// Retry-After (seconds or an HTTP date) is never negative.
// Input: an answer as fuzz_response.h reads it; the body is also parsed as
// a Retry-After value on its own.
#include <chrono>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "fuzz_response.h"
#include "sinks/common/http_outcome.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto response = kv::fuzz::ResponseFromInput(in);
  auto out = kv::sinks::common::ClassifyHttp(response, "POST https://peer.example/hook", 64);
  FUZZ_CHECK(!out.retry_after || out.retry_after->count() >= 0);
  // 2024-05-01T10:00:00Z: dates in seeds lie around it.
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1714557600));
  auto after = kv::sinks::common::ParseRetryAfter(response ? response->body : std::string(in), now);
  FUZZ_CHECK(!after || after->count() >= 0);
  return 0;
}
