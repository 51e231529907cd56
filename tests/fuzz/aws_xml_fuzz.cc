// The small XML reader behind every Query-protocol answer (STS, SNS, SQS
// XML, error bodies). Property: the non-empty elements it returns are views
// into the document it was given.
//
// Input: <tag>\0<document>; without a NUL byte the whole input is the
// document and a fixed set of tags AWS answers use is looked up.
#include <cstdint>
#include <string_view>

#include "aws/xml.h"
#include "fuzz_check.h"

namespace {

void Look(std::string_view doc, std::string_view tag) {
  (void)kv::aws::xml::Text(doc, tag);
  for (std::string_view e : kv::aws::xml::Elements(doc, tag)) {
    // <tag/> yields an empty view that points nowhere in particular.
    FUZZ_CHECK(e.empty() ||
               (e.data() >= doc.data() && e.data() + e.size() <= doc.data() + doc.size()));
    (void)kv::aws::xml::Text(e, "Code");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nul = in.find('\0');
  if (nul != std::string_view::npos) {
    Look(in.substr(nul + 1), in.substr(0, nul));
  } else {
    for (std::string_view tag : {"Code", "Message", "member", "Error", "Credentials", "Id",
                                 "SessionToken", "Expiration"}) {
      Look(in, tag);
    }
  }
  (void)kv::aws::xml::DecodeEntities(in);
  return 0;
}
