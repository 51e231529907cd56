// Event -> SQS message (body, attributes, FIFO ids). Pure.
#pragma once

#include "event/event.h"
#include "sinks/aws/queue_message.h"
#include "sinks/aws/sqs/config.h"

namespace kv::sinks::aws::sqs {

// Error kInvalidConfig when the layout cannot render the event.
Result<aws::QueueMessage> Encode(const event::EventPtr& ev, const SqsConfig& config);

}  // namespace kv::sinks::aws::sqs
