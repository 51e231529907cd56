#include "sinks/aws/sqs/encoder.h"

namespace kv::sinks::aws::sqs {

Result<aws::QueueMessage> Encode(const event::EventPtr& ev, const SqsConfig& config) {
  aws::QueueMessageOptions options{config.format, config.message_attributes, config.fifo};
  return aws::EncodeQueueMessage(ev, options);
}

}  // namespace kv::sinks::aws::sqs
