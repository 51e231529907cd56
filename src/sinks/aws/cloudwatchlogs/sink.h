// `cloudwatchlogs` receiver: each event becomes one log event (the full
// event JSON or the layout's, timestamped with the event's last time) in
// one log group and stream, sent with PutLogEvents in chronological order.
// The group and stream are created when PutLogEvents says they are missing.
// See README.md.
#pragma once

#include <memory>

#include "sinks/aws/client.h"
#include "sinks/aws/cloudwatchlogs/config.h"
#include "sinks/sink.h"

namespace kv::sinks::aws::cloudwatchlogs {

// Validates the block (no I/O); the Builder resolves region and
// credentials at `run`.
Builder Parse(const config::Node& node);

// The sink over an already-connected client (tests use this). `clock`
// must outlive the sink.
std::unique_ptr<Sink> Make(CloudWatchLogsConfig config, std::unique_ptr<aws::Client> client,
                           Clock& clock);

}  // namespace kv::sinks::aws::cloudwatchlogs
