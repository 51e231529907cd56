// `kinesis` receiver configuration. Reference keys: streamName, region,
// layout. New: endpoint, roleArn.
#pragma once

#include <string>

#include "config/node.h"
#include "sinks/aws/common/config.h"
#include "sinks/common/document.h"

namespace kv::sinks::kinesis {

struct KinesisConfig {
  aws_common::AwsConfig aws;
  std::string stream_name;    // required
  common::LineFormat format;  // `layout`
};

KinesisConfig ParseConfig(const config::Node& node);

}  // namespace kv::sinks::kinesis
