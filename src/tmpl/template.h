// A compiled Go text/template, as the reference exporter's layouts use it
// (text/template + sprig). Parse once, Execute many times: a Template is
// immutable after Parse and Execute may run on many threads at once.
//
// Supported: text and actions, {{- -}} trimming, comments, field chains
// (struct fields, map keys, methods), `$` and variables (`:=`, `=`),
// pipelines, parenthesized pipelines, if/else if/else, range (lists, maps,
// integers; one or two variables; else; break/continue), with/else,
// literals, and the functions listed in functions.h's tables. Not
// supported: define/template/block, custom delimiters, `call`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tmpl/value.h"
#include "util/result.h"

namespace kv::tmpl {

namespace ast {
struct Node;
}

// What one rendering may spend, so that no template loops or grows without
// end on event data (`{{ range 1000000000 }}`, nested ranges, a string
// doubled in a loop). Exceeding either limit ends the execution with an
// error, which the receivers turn into a rejection of that event alone.
// A Layout shares one Budget among all its templates.
struct Budget {
  // A step is an action or other node walked, a range iteration or a
  // function call; a function's result also costs one step per list or map
  // element and per 64 bytes of string it holds (making it copied about
  // that much), so building a large value in a loop is bounded too.
  static constexpr int64_t kMaxSteps = 1000000;
  // Bytes written to the output; also the largest string a function may
  // return (kMaxValueBytes in functions.h).
  static constexpr size_t kMaxOutputBytes = size_t{1} << 20;  // 1 MiB

  int64_t max_steps = kMaxSteps;
  size_t max_output_bytes = kMaxOutputBytes;
  int64_t steps = 0;        // spent so far
  size_t output_bytes = 0;  // written so far
};

class Template {
 public:
  // Error kInvalidConfig, message "template: LINE:COL: <Go's message>",
  // e.g. `template: 1:12: function "foo" not defined`.
  static Result<Template> Parse(std::string_view text);

  // Renders against `dot` within a fresh Budget. Error kInvalidConfig,
  // message "template: LINE:COL: executing: <message>" (Go's wording where
  // it has one; over budget: "template exceeded 1000000 steps" or "output
  // larger than 1048576 bytes"; a function's result over the cap:
  // "error calling NAME: value larger than 1048576 bytes").
  Result<std::string> Execute(const Value& dot) const;
  // Appends to `out` instead; on error `out` holds the partial output.
  Result<void> Execute(const Value& dot, std::string* out) const;
  // Spends from `budget` (shared with other executions of one rendering).
  Result<void> Execute(const Value& dot, std::string* out, Budget* budget) const;

  const std::string& text() const { return *text_; }

 private:
  std::shared_ptr<const std::string> text_;
  std::shared_ptr<const std::vector<ast::Node>> root_;
};

// "LINE:COL" (1-based) of byte offset `pos` of `text`.
std::string LineColumn(std::string_view text, size_t pos);

}  // namespace kv::tmpl
