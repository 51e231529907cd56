#include "sinks/aws/sns/config.h"

namespace kv::sinks::aws::sns {

namespace {

// Field `i` (0-based) of a colon-separated ARN, or "".
std::string ArnField(const std::string& arn, int i) {
  size_t start = 0;
  for (int k = 0; k < i; ++k) {
    start = arn.find(':', start);
    if (start == std::string::npos) return {};
    ++start;
  }
  size_t end = arn.find(':', start);
  return arn.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

SnsConfig ParseConfig(const config::Node& node) {
  std::vector<std::string_view> keys = aws::AwsKeys();
  keys.insert(keys.end(), {"topicARN", "layout", "messageAttributes"});
  node.RejectUnknownKeys(keys);
  SnsConfig c;
  c.aws = aws::ParseAwsConfig(node);
  c.topic_arn = node.String("topicARN");
  if (c.topic_arn.empty()) {
    node.Report("missing required key", "topicARN");
  } else if (c.topic_arn.rfind("arn:", 0) != 0 || ArnField(c.topic_arn, 2) != "sns" ||
             ArnField(c.topic_arn, 5).empty()) {
    node.Report("expected an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)", "topicARN");
  }
  if (c.aws.region.empty()) c.aws.region = ArnField(c.topic_arn, 3);
  c.fifo = c.topic_arn.ends_with(".fifo");
  c.message_attributes = node.Bool("messageAttributes", c.message_attributes);
  c.format = common::ParseLineFormat(node);
  return c;
}

}  // namespace kv::sinks::aws::sns
