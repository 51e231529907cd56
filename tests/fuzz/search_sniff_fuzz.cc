// The `_nodes/http` answer a sniffing search receiver parses (sniff.h):
// any body yields a node list or an error, never a crash. Properties: every
// URL starts with the base it was given, ends in ":<port>" with a port in
// 1..65535, holds no character that would break or extend a URL (space,
// '/', '@', '?', '#' after the base), and no URL appears twice.
//
// Input: the answer body, as is. It is parsed under two bases, a plain one
// and one carrying user:password@, as the sink would.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "sinks/search/sniff.h"

namespace {

void Check(std::string_view body, std::string_view base) {
  auto nodes = kv::sinks::search::ParseSniffedNodes(body, base);
  if (!nodes) {
    FUZZ_CHECK(!nodes.error().message.empty());
    return;
  }
  for (size_t i = 0; i < nodes->urls.size(); ++i) {
    const std::string& url = nodes->urls[i];
    FUZZ_CHECK(url.compare(0, base.size(), base) == 0);
    std::string_view authority = std::string_view(url).substr(base.size());
    FUZZ_CHECK(authority.find_first_of(" /@?#\\\r\n\t") == std::string_view::npos);
    size_t colon = authority.rfind(':');
    FUZZ_CHECK(colon != std::string_view::npos && colon > 0);
    std::string_view port = authority.substr(colon + 1);
    FUZZ_CHECK(!port.empty() && port.size() <= 5 && port.front() != '0');
    unsigned n = 0;
    for (char c : port) {
      FUZZ_CHECK(c >= '0' && c <= '9');
      n = n * 10 + static_cast<unsigned>(c - '0');
    }
    FUZZ_CHECK(n >= 1 && n <= 65535);
    for (size_t j = 0; j < i; ++j) FUZZ_CHECK(nodes->urls[j] != url);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  Check(body, "http://");
  Check(body, "https://kube:secret@");
  return 0;
}
