// `file` receiver: one JSON line per event appended to `path`, rotated like
// the reference (lumberjack): maxsize in megabytes (default 100), maxage in
// days and maxbackups (0 = keep all). Keys: path, layout, deDot, maxsize,
// maxage, maxbackups.
#pragma once

#include "sinks/sink.h"

namespace kv::sinks::file {

Builder Parse(const config::Node& node);

}  // namespace kv::sinks::file
