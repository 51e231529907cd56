// `sqs` receiver: each event becomes one SQS message (the full event JSON
// or the layout's), sent with SendMessageBatch (JSON protocol). See
// README.md for limits, FIFO queues and deviations from the reference.
#pragma once

#include <memory>

#include "sinks/aws/client.h"
#include "sinks/aws/sqs/config.h"
#include "sinks/sink.h"

namespace kv::sinks::aws::sqs {

// Validates the block (no I/O); the Builder resolves region and
// credentials at `run`. The queue URL is looked up on first Send.
Builder Parse(const config::Node& node);

// The sink over an already-connected client (tests use this).
std::unique_ptr<Sink> Make(SqsConfig config, std::unique_ptr<aws::Client> client);

}  // namespace kv::sinks::aws::sqs
