#include "sinks/aws/sqs/encoder.h"

namespace kv::sinks::sqs {

Result<aws_common::QueueMessage> Encode(const event::EventPtr& ev, const SqsConfig& config) {
  aws_common::QueueMessageOptions options{config.format, config.message_attributes, config.fifo};
  return aws_common::EncodeQueueMessage(ev, options);
}

}  // namespace kv::sinks::sqs
