// `kinesis` receiver: each event becomes one record (the full event JSON
// or the layout's) with the involved object as partition key, sent with
// PutRecords; failed records are retried one by one. See README.md.
#pragma once

#include <memory>

#include "sinks/aws/client.h"
#include "sinks/aws/kinesis/config.h"
#include "sinks/sink.h"

namespace kv::sinks::aws::kinesis {

// Validates the block (no I/O); the Builder resolves region and
// credentials at `run`.
Builder Parse(const config::Node& node);

// The sink over an already-connected client (tests use this).
std::unique_ptr<Sink> Make(KinesisConfig config, std::unique_ptr<aws::Client> client);

}  // namespace kv::sinks::aws::kinesis
