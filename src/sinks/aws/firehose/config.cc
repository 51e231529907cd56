#include "sinks/aws/firehose/config.h"

namespace kv::sinks::aws::firehose {

FirehoseConfig ParseConfig(const config::Node& node) {
  std::vector<std::string_view> keys = aws::AwsKeys();
  keys.insert(keys.end(), {"deliveryStreamName", "layout", "deDot"});
  node.RejectUnknownKeys(keys);
  FirehoseConfig c;
  c.aws = aws::ParseAwsConfig(node);
  c.delivery_stream_name = node.String("deliveryStreamName");
  if (c.delivery_stream_name.empty()) node.Report("missing required key", "deliveryStreamName");
  c.format = common::ParseLineFormat(node);
  return c;
}

}  // namespace kv::sinks::aws::firehose
