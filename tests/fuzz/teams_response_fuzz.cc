// Microsoft Teams connector answers: always a verdict for the whole
// request, never a crash.
// Input: an answer as fuzz_response.h reads it.
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "fuzz_response.h"
#include "sinks/chat/teams/response.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto response =
      kv::fuzz::ResponseFromInput(std::string_view(reinterpret_cast<const char*>(data), size));
  auto out =
      kv::sinks::chat::teams::ClassifyConnector(response, "POST https://teams.example/webhook");
  FUZZ_CHECK(out.items.empty());
  FUZZ_CHECK(!out.retry_after || out.retry_after->count() >= 0);
  return 0;
}
