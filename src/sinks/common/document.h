// How one event becomes one document, for every receiver with `deDot` and
// `layout` (stdout, file, pipe, the AWS receivers, opensearch and
// elasticsearch): the full event in the reference JSON shape, or the
// receiver's `layout` rendered over it. Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/node.h"
#include "event/encode.h"
#include "event/event.h"
#include "tmpl/layout.h"
#include "util/result.h"

namespace kv::sinks::common {

struct LineFormat {
  event::EncodeOptions encode;         // `deDot`
  std::optional<tmpl::Layout> layout;  // `layout`, compiled at load; none: the full event
};

// Compiles the layout at `key` (a map or a list of templates); nullopt when
// the key is absent or null, or when a template does not compile (reported
// with the key path, line and column).
std::optional<tmpl::Layout> ParseLayout(const config::Node& node, std::string_view key);

// Reads `deDot` and `layout` (ParseLayout).
LineFormat ParseLineFormat(const config::Node& node);

// Appends `ev`'s document to `out` (no trailing newline): the layout's
// output, else the full event. As the reference does, `deDot` applies to
// the event before the layout sees it. Error kInvalidConfig (message
// "layout: ...") when the layout cannot render this event; nothing is
// appended then. `ev` is only borrowed.
Result<void> AppendDocument(const event::EventPtr& ev, const LineFormat& format, std::string* out);

// The same document as a string of its own.
Result<std::string> RenderDocument(const event::EventPtr& ev, const LineFormat& format);

}  // namespace kv::sinks::common
