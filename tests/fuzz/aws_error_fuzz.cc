// AWS error answers come from AWS, from proxies and from whatever answers
// on a misconfigured endpoint: reading the code out of them and turning it
// into an Error must take any body and header.
//
// Input: <x-amzn-ErrorType header>\0<body>; without a NUL byte the whole
// input is the body and the header is absent.
#include <cstdint>
#include <string_view>

#include "aws/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nul = in.find('\0');
  std::string_view header = nul == std::string_view::npos ? std::string_view() : in.substr(0, nul);
  std::string_view body = nul == std::string_view::npos ? in : in.substr(nul + 1);
  auto error = kv::aws::ParseAwsError(body, header);
  if (error) {
    (void)kv::aws::IsRetryableAwsCode(error->code);
    (void)kv::aws::IsAuthAwsCode(error->code);
  }
  for (int status : {400, 403, 429, 503}) (void)kv::aws::ToError("fuzz call", status, error);
  return 0;
}
