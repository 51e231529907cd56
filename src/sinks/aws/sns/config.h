// `sns` receiver configuration. Reference keys: topicARN, region, layout.
// New: endpoint, roleArn (aws/common/config.h), messageAttributes.
#pragma once

#include <string>

#include "config/node.h"
#include "sinks/aws/config.h"
#include "sinks/common/document.h"

namespace kv::sinks::aws::sns {

struct SnsConfig {
  // region defaults to the topic ARN's region, then the default chain's.
  aws::AwsConfig aws;
  std::string topic_arn;  // arn:aws:sns:REGION:ACCOUNT:NAME; required
  // A topic whose name ends in ".fifo": messages carry
  // MessageDeduplicationId and MessageGroupId.
  bool fifo = false;
  // Send type/reason/kind/namespace/cluster as message attributes.
  bool message_attributes = true;
  common::LineFormat format;  // `layout`
};

SnsConfig ParseConfig(const config::Node& node);

}  // namespace kv::sinks::aws::sns
