// `sns` receiver: each event becomes one SNS message (the full event JSON
// or the layout's), published with PublishBatch (Query protocol). See
// README.md for limits, FIFO topics and deviations from the reference.
#pragma once

#include <memory>

#include "sinks/aws/client.h"
#include "sinks/aws/sns/config.h"
#include "sinks/sink.h"

namespace kv::sinks::aws::sns {

// Validates the block (no I/O); the Builder resolves region and
// credentials at `run`.
Builder Parse(const config::Node& node);

// The sink over an already-connected client (tests use this).
std::unique_ptr<Sink> Make(SnsConfig config, std::unique_ptr<aws::Client> client);

}  // namespace kv::sinks::aws::sns
