// The INI dialect of the AWS shared config and credentials files, as the
// AWS SDKs read it. Pure; thread-safe.
//
//   [section]            whitespace inside the brackets is trimmed; text
//                        after ']' is ignored
//   key = value          key lower-cased and trimmed, value trimmed; a
//                        value's " #…" or " ;…" tail is a comment
//   # / ; at line start  comment lines
//     indented line      after "key = value": continues the value (joined
//                        with "\n"); after "key =" (empty): a sub-property
//                        "sub = v" stored as "key.sub"
// Repeated sections merge; a repeated key keeps its last value. Lines that
// fit none of these (and properties before any section) are skipped.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace kv::aws {

using IniSection = std::map<std::string, std::string>;
using IniFile = std::map<std::string, IniSection>;  // by section name, as written

IniFile ParseIni(std::string_view text);

}  // namespace kv::aws
