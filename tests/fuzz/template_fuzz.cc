// Parses arbitrary template text and, when it parses, executes it against a
// small event-shaped value: neither step may crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tmpl/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using kv::tmpl::Value;
  static const Value dot =
      Value::FromMap({{"Message", Value("m <&>")},
                      {"Count", Value(int64_t{2})},
                      {"Items", Value::FromList({Value("a"), Value(1.5), Value()})},
                      {"Labels", Value::FromStringMap({{"app", "web"}})}});
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto t = kv::tmpl::Template::Parse(text);
  if (!t) return 0;
  // `range` over big integers could run long; the seeds avoid them and
  // libFuzzer's timeout reports them.
  (void)t->Execute(dot);
  return 0;
}
