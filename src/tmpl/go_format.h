// Go's fmt, strconv and time formatting, as far as templates need them:
// %v of floats, strconv.Quote, time.Time.Format layouts (always UTC) and
// fmt.Sprintf with the common verbs. Pure functions, thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "tmpl/value.h"

namespace kv::tmpl {

// strconv.FormatFloat(f, 'g', -1, 64), which is fmt's %v of a float64.
void AppendGoFloat(std::string* out, double f);
// encoding/json's float encoding ('f' unless the exponent is < -6 or >= 21).
void AppendJsonFloat(std::string* out, double f);
// strconv.Quote: a double-quoted Go string literal.
void AppendQuoted(std::string* out, std::string_view s);
// time.Time.Format(layout) in UTC, with Go's reference-time layout tokens.
void AppendTimeFormat(std::string* out, const Time& t, std::string_view layout);
// fmt.Sprintf with verbs v s d q x X f F e g t c %, flags - + 0 space #,
// width and precision (also `*`; both clamped to 1e6). Wrong verbs print
// %!x(type=value) as Go. Stops early once the output is longer than
// kMaxValueBytes (functions.h), so the result is then only that long plus
// one verb's output; printf refuses it.
std::string Sprintf(std::string_view format, std::span<const Value> args);
// fmt.Sprint (spaces only between operands when neither is a string) and
// fmt.Sprintln (always spaces, then a newline).
std::string Sprint(std::span<const Value> args);
std::string Sprintln(std::span<const Value> args);

}  // namespace kv::tmpl
