#include "sinks/aws/sns/encoder.h"

namespace kv::sinks::sns {

Result<aws_common::QueueMessage> Encode(const event::EventPtr& ev, const SnsConfig& config) {
  aws_common::QueueMessageOptions options{config.format, config.message_attributes, config.fifo};
  return aws_common::EncodeQueueMessage(ev, options);
}

}  // namespace kv::sinks::sns
