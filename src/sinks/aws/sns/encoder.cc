#include "sinks/aws/sns/encoder.h"

namespace kv::sinks::aws::sns {

Result<aws::QueueMessage> Encode(const event::EventPtr& ev, const SnsConfig& config) {
  aws::QueueMessageOptions options{config.format, config.message_attributes, config.fifo};
  return aws::EncodeQueueMessage(ev, options);
}

}  // namespace kv::sinks::aws::sns
