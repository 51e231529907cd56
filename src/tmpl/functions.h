// The functions templates may call: text/template's builtins and the sprig
// functions kubevents supports, with Go's and sprig's semantics. Internal
// to src/tmpl; templates reach them by name at parse time.
#pragma once

#include <span>
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

// nullptr when no function has that name.
const Function* LookupFunction(std::string_view name);

// The tables, one per file (builtins.cc, sprig_*.cc).
std::span<const Function> BuiltinFunctions();
std::span<const Function> SprigFunctions();

}  // namespace kv::tmpl
