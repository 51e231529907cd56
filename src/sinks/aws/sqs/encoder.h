// Event -> SQS message (body, attributes, FIFO ids). Pure.
#pragma once

#include "event/event.h"
#include "sinks/aws/common/queue_message.h"
#include "sinks/aws/sqs/config.h"

namespace kv::sinks::sqs {

// Error kInvalidConfig when the layout cannot render the event.
Result<aws_common::QueueMessage> Encode(const event::EventPtr& ev, const SqsConfig& config);

}  // namespace kv::sinks::sqs
