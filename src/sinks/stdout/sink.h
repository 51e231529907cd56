// `stdout` receiver: one JSON line per event on standard output (logs go to
// stderr, so the two never mix). Keys: deDot, layout (as the reference).
#pragma once

#include "sinks/sink.h"

namespace kv::sinks::stdout_sink {  // `stdout` is a C macro

Builder Parse(const config::Node& node);

}  // namespace kv::sinks::stdout_sink
