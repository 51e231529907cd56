#include "sinks/aws/kinesis/config.h"

namespace kv::sinks::aws::kinesis {

KinesisConfig ParseConfig(const config::Node& node) {
  std::vector<std::string_view> keys = aws::AwsKeys();
  keys.insert(keys.end(), {"streamName", "layout"});
  node.RejectUnknownKeys(keys);
  KinesisConfig c;
  c.aws = aws::ParseAwsConfig(node);
  c.stream_name = node.String("streamName");
  if (c.stream_name.empty()) node.Report("missing required key", "streamName");
  c.format = common::ParseLineFormat(node);
  return c;
}

}  // namespace kv::sinks::aws::kinesis
