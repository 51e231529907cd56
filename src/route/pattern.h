// One field of a route rule: an RE2 regular expression (Go syntax) matched
// unanchored, as the reference's regexp.MatchString does. Patterns that are
// plain text ("Warning"), or plain text anchored ("^kube-system$", "^prod",
// "-canary$"), are matched with string operations instead: the same answer,
// several times faster, and most real rules look like that.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>

#include "util/result.h"

namespace kv::route {

class Pattern {
 public:
  // kInvalidConfig with RE2's message if `pattern` does not compile.
  static Result<Pattern> Compile(const std::string& pattern);

  bool Match(std::string_view value) const;

  const std::string& text() const { return text_; }

 private:
  enum class Kind { kContains, kEquals, kPrefix, kSuffix, kRegex };
  Kind kind_ = Kind::kRegex;
  std::string text_;     // the pattern as written
  std::string literal_;  // for the string kinds
  std::shared_ptr<const RE2> re_;
};

}  // namespace kv::route
