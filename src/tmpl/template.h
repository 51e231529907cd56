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

class Template {
 public:
  // Error kInvalidConfig, message "template: LINE:COL: <Go's message>",
  // e.g. `template: 1:12: function "foo" not defined`.
  static Result<Template> Parse(std::string_view text);

  // Renders against `dot`. Error kInvalidConfig, message
  // "template: LINE:COL: executing: <message>" (Go's wording where it has one).
  Result<std::string> Execute(const Value& dot) const;
  // Appends to `out` instead; on error `out` holds the partial output.
  Result<void> Execute(const Value& dot, std::string* out) const;

  const std::string& text() const { return *text_; }

 private:
  std::shared_ptr<const std::string> text_;
  std::shared_ptr<const std::vector<ast::Node>> root_;
};

// "LINE:COL" (1-based) of byte offset `pos` of `text`.
std::string LineColumn(std::string_view text, size_t pos);

}  // namespace kv::tmpl
