#include "sinks/aws/eventbridge/request.h"

#include <cstdio>

#include "util/json_writer.h"

namespace kv::sinks::aws::eventbridge {

std::string EncodePutEvents(const EventBridgeConfig& config, std::span<const Entry> entries) {
  std::string out;
  json::Writer w(&out);
  w.BeginObject();
  w.Key("Entries");
  w.BeginArray();
  for (const Entry& e : entries) {
    w.BeginObject();
    w.Key("Source");
    w.String(config.source);
    w.Key("DetailType");
    w.String(config.detail_type);
    w.Key("Detail");
    w.String(e.detail);
    if (!config.event_bus_name.empty()) {
      w.Key("EventBusName");
      w.String(config.event_bus_name);
    }
    w.Key("Time");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(e.time_ms / 1000),
                  static_cast<long long>(e.time_ms % 1000));
    w.Raw(buf);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

}  // namespace kv::sinks::aws::eventbridge
