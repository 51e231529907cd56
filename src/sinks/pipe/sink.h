// `pipe` receiver: one JSON line per event written to an existing file or
// FIFO at `path` (opened for appending when the first batch comes, so a
// FIFO without a reader does not stall start-up). Keys: path, deDot, layout.
#pragma once

#include "sinks/sink.h"

namespace kv::sinks::pipe {

Builder Parse(const config::Node& node);

}  // namespace kv::sinks::pipe
