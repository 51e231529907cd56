// The XML answer of STS AssumeRole / AssumeRoleWithWebIdentity (or of a
// custom STS endpoint): credentials are read out of any body or refused
// with kCorrupt.
#include <cstdint>
#include <string_view>

#include "aws/sts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)kv::aws::sts::ParseCredentials(std::string_view(reinterpret_cast<const char*>(data), size),
                                       "fuzz");
  return 0;
}
