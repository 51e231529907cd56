// Firehose PutRecordBatch answers: any answer yields per-request or
// per-entry verdicts, never a crash. Properties: per-entry verdicts and
// reasons, when given, cover exactly the entries sent.
//
// Input: an answer as fuzz_response.h reads it, with the harness header
// x-fuzz-entries (entries in the request; default 10).
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "fuzz_response.h"
#include "sinks/aws/firehose/response.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto response =
      kv::fuzz::ResponseFromInput(std::string_view(reinterpret_cast<const char*>(data), size));
  size_t n = kv::fuzz::TakeFuzzCount(&response, "entries", 10, 1000);
  auto out = kv::sinks::aws::firehose::ParsePutRecordBatch(response, n);
  FUZZ_CHECK(out.items.empty() || out.items.size() == n);
  FUZZ_CHECK(out.item_reasons.empty() || out.item_reasons.size() == n);
  FUZZ_CHECK(!out.retry_after || out.retry_after->count() >= 0);
  return 0;
}
