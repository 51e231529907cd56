#include "sinks/aws/sqs/config.h"

namespace kv::sinks::aws::sqs {

SqsConfig ParseConfig(const config::Node& node) {
  std::vector<std::string_view> keys = aws::AwsKeys();
  keys.insert(keys.end(), {"queueName", "layout", "messageAttributes"});
  node.RejectUnknownKeys(keys);
  SqsConfig c;
  c.aws = aws::ParseAwsConfig(node);
  c.queue_name = node.String("queueName");
  if (c.queue_name.empty()) node.Report("missing required key", "queueName");
  c.fifo = c.queue_name.size() > 5 && c.queue_name.ends_with(".fifo");
  c.message_attributes = node.Bool("messageAttributes", c.message_attributes);
  c.format = common::ParseLineFormat(node);
  return c;
}

}  // namespace kv::sinks::aws::sqs
