// Event -> CloudWatch Logs log event. Pure.
#pragma once

#include <cstdint>
#include <string>

#include "event/event.h"
#include "sinks/aws/cloudwatchlogs/config.h"
#include "util/result.h"

namespace kv::sinks::aws::cloudwatchlogs {

struct LogEvent {
  int64_t timestamp_ms = 0;  // when the Kubernetes event last happened
  std::string message;       // the event JSON
  size_t cost = 0;           // message bytes + 26, as CloudWatch Logs counts
};

// `now_ms` stands in for events without a time. Error kInvalidConfig when
// the layout cannot render the event.
Result<LogEvent> Encode(const event::EventPtr& ev, const CloudWatchLogsConfig& config,
                        int64_t now_ms);

}  // namespace kv::sinks::aws::cloudwatchlogs
