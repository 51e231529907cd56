// The functions templates may call: text/template's builtins and the sprig
// functions kubevents supports, with Go's and sprig's semantics. Internal
// to src/tmpl; templates reach them by name at parse time.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "tmpl/value.h"
#include "util/result.h"

namespace kv::tmpl {

// A function's failure is a message; the executor adds the position.
using FunctionResult = tl::expected<Value, std::string>;

struct Function {
  std::string_view name;
  FunctionResult (*call)(std::span<const Value> args);  // null for and/or
  enum class Special { kNone, kAnd, kOr } special = Special::kNone;
};

// The largest string a function may return: no rendering may write more
// (Budget::kMaxOutputBytes in template.h), so a larger value is a runaway.
// Functions whose output can outgrow their input by more than a constant
// factor (replace, regexReplaceAll, join, printf's widths) stop and fail as
// soon as they pass it, before allocating more; the executor checks every
// other function's result.
inline constexpr size_t kMaxValueBytes = size_t{1} << 20;
inline std::string ValueTooLarge() {
  return "value larger than " + std::to_string(kMaxValueBytes) + " bytes";
}
// The most items a function may split a string into: each item costs far
// more memory than its bytes (a 1 MiB string split into runes would be a
// million map entries, over 100 MiB, before the budget could count them).
inline constexpr size_t kMaxValueItems = 100000;
inline std::string TooManyItems() {
  return "value with more than " + std::to_string(kMaxValueItems) + " items";
}

// nullptr when no function has that name.
const Function* LookupFunction(std::string_view name);

// The tables, one per file (builtins.cc, sprig_*.cc).
std::span<const Function> BuiltinFunctions();
std::span<const Function> SprigFunctions();

}  // namespace kv::tmpl
