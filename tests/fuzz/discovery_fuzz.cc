// Discovery answers (APIResourceList) come from the API server or whatever
// proxies it: parsing them must never crash.
#include <cstdint>
#include <string_view>

#include "kube/discovery.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)kv::kube::ParseResourceList("apps/v1",
                                    std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
