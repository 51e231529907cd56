// `firehose` receiver: each event becomes one newline-terminated record
// (the full event JSON or the layout's), sent with PutRecordBatch; failed
// records are retried one by one. See README.md.
#pragma once

#include <memory>

#include "sinks/aws/common/client.h"
#include "sinks/aws/firehose/config.h"
#include "sinks/sink.h"

namespace kv::sinks::firehose {

// Validates the block (no I/O); the Builder resolves region and
// credentials at `run`.
Builder Parse(const config::Node& node);

// The sink over an already-connected client (tests use this).
std::unique_ptr<Sink> Make(FirehoseConfig config, std::unique_ptr<aws_common::Client> client);

}  // namespace kv::sinks::firehose
