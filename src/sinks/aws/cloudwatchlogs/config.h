// `cloudwatchlogs` receiver configuration (no reference counterpart).
// Keys: logGroupName, logStreamName, layout, deDot, region, endpoint, roleArn.
#pragma once

#include <string>

#include "config/node.h"
#include "sinks/aws/config.h"
#include "sinks/common/document.h"

namespace kv::sinks::aws::cloudwatchlogs {

struct CloudWatchLogsConfig {
  aws::AwsConfig aws;
  std::string log_group_name;                 // required; created if missing
  std::string log_stream_name = "kubevents";  // created if missing
  common::LineFormat format;                  // `layout`, `deDot`
};

CloudWatchLogsConfig ParseConfig(const config::Node& node);

}  // namespace kv::sinks::aws::cloudwatchlogs
