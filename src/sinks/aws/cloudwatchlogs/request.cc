#include "sinks/aws/cloudwatchlogs/request.h"

#include <algorithm>
#include <numeric>

#include "util/json_writer.h"

namespace kv::sinks::aws::cloudwatchlogs {

std::vector<size_t> ChronologicalOrder(std::span<const LogEvent> events) {
  std::vector<size_t> order(events.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return events[a].timestamp_ms < events[b].timestamp_ms;
  });
  return order;
}

std::vector<aws::Chunk> SplitLogEvents(std::span<const LogEvent> sorted) {
  std::vector<size_t> costs;
  costs.reserve(sorted.size());
  for (const auto& e : sorted) costs.push_back(e.cost);
  return aws::Split(costs, kLimits, [&](size_t first, size_t i) {
    return sorted[i].timestamp_ms - sorted[first].timestamp_ms >= kMaxSpan.count();
  });
}

std::string EncodePutLogEvents(std::string_view group, std::string_view stream,
                               std::span<const LogEvent> events) {
  std::string out;
  json::Writer w(&out);
  w.BeginObject();
  w.Key("logGroupName");
  w.String(group);
  w.Key("logStreamName");
  w.String(stream);
  w.Key("logEvents");
  w.BeginArray();
  for (const LogEvent& e : events) {
    w.BeginObject();
    w.Key("timestamp");
    w.Int(e.timestamp_ms);
    w.Key("message");
    w.String(e.message);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

std::string EncodeCreateLogGroup(std::string_view group) {
  std::string out;
  json::Writer w(&out);
  w.BeginObject();
  w.Key("logGroupName");
  w.String(group);
  w.EndObject();
  return out;
}

std::string EncodeCreateLogStream(std::string_view group, std::string_view stream) {
  std::string out;
  json::Writer w(&out);
  w.BeginObject();
  w.Key("logGroupName");
  w.String(group);
  w.Key("logStreamName");
  w.String(stream);
  w.EndObject();
  return out;
}

}  // namespace kv::sinks::aws::cloudwatchlogs
