// `firehose` receiver configuration. Reference keys: deliveryStreamName,
// region, layout, deDot. New: endpoint, roleArn.
#pragma once

#include <string>

#include "config/node.h"
#include "sinks/aws/config.h"
#include "sinks/common/document.h"

namespace kv::sinks::aws::firehose {

struct FirehoseConfig {
  aws::AwsConfig aws;
  std::string delivery_stream_name;  // required
  common::LineFormat format;         // `layout`, `deDot`
};

FirehoseConfig ParseConfig(const config::Node& node);

}  // namespace kv::sinks::aws::firehose
