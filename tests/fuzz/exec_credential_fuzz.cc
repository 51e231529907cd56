// Whatever an exec credential plugin prints must not crash kubevents.
#include <cstdint>
#include <string_view>

#include "kube/exec_credential.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)kv::kube::ParseExecCredential(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
