// A checkpoint file (or the ConfigMap copy another replica wrote) may be
// damaged or hand-edited: decoding it must fail cleanly, and whatever it
// accepts must survive its own encoding unchanged.
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "kube/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto cp = kv::kube::DecodeCheckpoint(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!cp) return 0;
  auto again = kv::kube::DecodeCheckpoint(kv::kube::EncodeCheckpoint(*cp));
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->resource_version == cp->resource_version);
  FUZZ_CHECK(again->event_seq == cp->event_seq);
  FUZZ_CHECK(again->journal_seq == cp->journal_seq);
  FUZZ_CHECK(again->writer == cp->writer);
  FUZZ_CHECK(again->emitted == cp->emitted);
  return 0;
}
