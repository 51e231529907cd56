// The JSON credentials document of EC2 instance metadata
// (/latest/meta-data/iam/security-credentials/ROLE): anything that answers
// on that address must not crash the credential chain.
#include <cstdint>
#include <string_view>

#include "aws/imds.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)kv::aws::ParseImdsCredentials(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
