// Event -> SNS message (body, attributes, FIFO ids). Pure.
#pragma once

#include "event/event.h"
#include "sinks/aws/queue_message.h"
#include "sinks/aws/sns/config.h"

namespace kv::sinks::aws::sns {

// Error kInvalidConfig when the layout cannot render the event.
Result<aws::QueueMessage> Encode(const event::EventPtr& ev, const SnsConfig& config);

}  // namespace kv::sinks::aws::sns
