// `eventbridge` receiver: each event becomes one EventBridge entry (Detail:
// the full event JSON or the `details` layout's), sent with PutEvents;
// failed entries (FailedEntryCount) are retried or rejected one by one.
// See README.md.
#pragma once

#include <memory>

#include "sinks/aws/client.h"
#include "sinks/aws/eventbridge/config.h"
#include "sinks/sink.h"

namespace kv::sinks::aws::eventbridge {

// Validates the block (no I/O); the Builder resolves region and
// credentials at `run`.
Builder Parse(const config::Node& node);

// The sink over an already-connected client (tests use this). `clock`
// (for events without a time) must outlive the sink.
std::unique_ptr<Sink> Make(EventBridgeConfig config, std::unique_ptr<aws::Client> client,
                           Clock& clock);

}  // namespace kv::sinks::aws::eventbridge
