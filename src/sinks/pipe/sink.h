// `pipe` receiver: one JSON line per event written to an existing file or
// FIFO at `path` (opened for appending when the first batch comes). Keys:
// path, deDot, layout.
//
// Never blocks for long: `path` is opened non-blocking, so a FIFO without
// a reader is a retry ("no reader"), not a hang; a write waits for the
// reader to make room at most the write timeout, and what it could not
// write by then is retried. So a stuck reader delays shutdown by at most
// one write timeout.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "sinks/common/document.h"
#include "sinks/sink.h"

namespace kv::sinks::pipe {

// How long one batch may wait for a FIFO's reader to take its lines.
inline constexpr std::chrono::milliseconds kWriteTimeout{5000};

Builder Parse(const config::Node& node);

// The sink Parse builds, with any write timeout (tests use short ones).
std::unique_ptr<Sink> MakeSink(std::string path, common::LineFormat format,
                               std::chrono::milliseconds write_timeout = kWriteTimeout);

}  // namespace kv::sinks::pipe
