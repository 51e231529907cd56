// RFC 3339 parsing of untrusted timestamps.
#include <cstdint>
#include <string_view>

#include "util/time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)kv::timeutil::ParseRfc3339Micros(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
