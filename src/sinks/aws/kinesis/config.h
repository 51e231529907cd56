// `kinesis` receiver configuration. Reference keys: streamName, region,
// layout. New: endpoint, roleArn.
#pragma once

#include <string>

#include "config/node.h"
#include "sinks/aws/config.h"
#include "sinks/common/document.h"

namespace kv::sinks::aws::kinesis {

struct KinesisConfig {
  aws::AwsConfig aws;
  std::string stream_name;    // required
  common::LineFormat format;  // `layout`
};

KinesisConfig ParseConfig(const config::Node& node);

}  // namespace kv::sinks::aws::kinesis
