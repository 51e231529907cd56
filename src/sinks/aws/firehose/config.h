// `firehose` receiver configuration. Reference keys: deliveryStreamName,
// region, layout, deDot. New: endpoint, roleArn.
#pragma once

#include <string>

#include "config/node.h"
#include "sinks/aws/common/config.h"
#include "sinks/common/document.h"

namespace kv::sinks::firehose {

struct FirehoseConfig {
  aws_common::AwsConfig aws;
  std::string delivery_stream_name;  // required
  common::LineFormat format;         // `layout`, `deDot`
};

FirehoseConfig ParseConfig(const config::Node& node);

}  // namespace kv::sinks::firehose
