// A receiver's `layout`: a YAML tree whose string leaves are templates,
// rendered per event into one JSON object.
//
// Rules (documented differences from the reference exporter, which turns
// every leaf into a string):
// - Maps become JSON objects (keys sorted, as Go's json.Marshal of a map
//   writes them), sequences become arrays.
// - Plain (unquoted) YAML scalars that read as a number, a boolean or null
//   stay typed: `replicas: 3` renders as 3, not "3". Quoted scalars and
//   everything else are templates.
// - A leaf that is one action whose pipeline ends in toJson, toRawJson or
//   toPrettyJson (`{{ toJson .InvolvedObject.Labels }}`,
//   `{{ .Labels | toJson }}`) is embedded as JSON when its output is valid
//   JSON (`{"app":"web"}` rather than "{\"app\":\"web\"}"). Every other
//   leaf is a JSON string.
// Immutable after Parse; Render may run on many threads.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>

#include "tmpl/template.h"
#include "tmpl/value.h"
#include "util/result.h"

namespace kv::tmpl {

class Layout {
 public:
  // Compiles every leaf. Error kInvalidConfig naming the key path, the
  // YAML line:column and the template's own position, e.g.
  // `layout.details.kind (line 4, column 9): template: 1:4: function "nope" not defined`.
  static Result<Layout> Parse(const YAML::Node& node, std::string_view path = "layout");

  // The JSON object (or array/scalar if the YAML root is one). All leaves
  // share one Budget (template.h); a document longer than
  // Budget::kMaxOutputBytes is an error too ("layout output larger than
  // 1048576 bytes"), as is any leaf's execution error.
  Result<std::string> Render(const Value& event) const;

  struct Item;  // the compiled tree (layout.cc)

 private:
  std::shared_ptr<const Item> root_;
};

}  // namespace kv::tmpl
