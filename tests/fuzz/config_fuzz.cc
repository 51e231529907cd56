// Any config text yields a Config or a config::Error, never a crash.
#include <cstdint>
#include <string>

#include "app/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    kv::app::Parse(text, "fuzz.yaml");
  } catch (const kv::config::Error&) {
  }
  return 0;
}
