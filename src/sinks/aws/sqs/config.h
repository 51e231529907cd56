// `sqs` receiver configuration. Reference keys: queueName, region, layout.
// New: endpoint, roleArn (aws/common/config.h), messageAttributes.
#pragma once

#include <string>

#include "config/node.h"
#include "sinks/aws/config.h"
#include "sinks/common/document.h"

namespace kv::sinks::aws::sqs {

struct SqsConfig {
  aws::AwsConfig aws;
  // The queue's name (looked up with GetQueueUrl on first use), or its
  // full URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME). Required.
  std::string queue_name;
  // A queue whose name ends in ".fifo": messages carry
  // MessageDeduplicationId and MessageGroupId.
  bool fifo = false;
  // Send type/reason/kind/namespace/cluster as message attributes.
  bool message_attributes = true;
  // `layout` (and, as with every AWS receiver, no deDot: the reference has none here).
  common::LineFormat format;
};

SqsConfig ParseConfig(const config::Node& node);

}  // namespace kv::sinks::aws::sqs
