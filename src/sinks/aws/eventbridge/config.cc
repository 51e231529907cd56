#include "sinks/aws/eventbridge/config.h"

namespace kv::sinks::aws::eventbridge {

EventBridgeConfig ParseConfig(const config::Node& node) {
  std::vector<std::string_view> keys = aws::AwsKeys();
  keys.insert(keys.end(), {"detailType", "details", "source", "eventBusName"});
  node.RejectUnknownKeys(keys);
  EventBridgeConfig c;
  c.aws = aws::ParseAwsConfig(node);
  c.detail_type = node.String("detailType");
  if (c.detail_type.empty()) node.Report("missing required key", "detailType");
  c.source = node.String("source");
  if (c.source.empty()) node.Report("missing required key", "source");
  c.event_bus_name = node.String("eventBusName");
  config::Node details = node.Child("details");
  if (details.Defined() && !details.IsMap()) {
    node.Report("expected a map (a layout whose output is the event's Detail object)", "details");
  } else {
    c.format.layout = common::ParseLayout(node, "details");
  }
  return c;
}

}  // namespace kv::sinks::aws::eventbridge
