// `eventbridge` receiver configuration. Reference keys: detailType,
// details, source, eventBusName, region. New: endpoint, roleArn.
#pragma once

#include <optional>
#include <string>

#include "config/node.h"
#include "sinks/aws/config.h"
#include "sinks/common/document.h"

namespace kv::sinks::aws::eventbridge {

struct EventBridgeConfig {
  aws::AwsConfig aws;
  std::string detail_type;     // each entry's DetailType; required
  std::string source;          // each entry's Source; required
  std::string event_bus_name;  // name or ARN; "" = the account's default bus
  // `details`: a layout rendering each entry's Detail (a JSON object);
  // none: the full event.
  common::LineFormat format;
};

EventBridgeConfig ParseConfig(const config::Node& node);

}  // namespace kv::sinks::aws::eventbridge
