// `firehose` receiver: each event becomes one newline-terminated record
// (the full event JSON or the layout's), sent with PutRecordBatch; failed
// records are retried one by one. See README.md.
#pragma once

#include <memory>

#include "sinks/aws/client.h"
#include "sinks/aws/firehose/config.h"
#include "sinks/sink.h"

namespace kv::sinks::aws::firehose {

// Validates the block (no I/O); the Builder resolves region and
// credentials at `run`.
Builder Parse(const config::Node& node);

// The sink over an already-connected client (tests use this).
std::unique_ptr<Sink> Make(FirehoseConfig config, std::unique_ptr<aws::Client> client);

}  // namespace kv::sinks::aws::firehose
