#include "sinks/aws/cloudwatchlogs/encoder.h"

#include "sinks/aws/cloudwatchlogs/request.h"
#include "sinks/aws/message.h"
#include "sinks/common/document.h"

namespace kv::sinks::aws::cloudwatchlogs {

Result<LogEvent> Encode(const event::EventPtr& ev, const CloudWatchLogsConfig& config,
                        int64_t now_ms) {
  auto message = common::RenderDocument(ev, config.format);
  if (!message) return tl::unexpected(message.error());
  LogEvent e;
  e.timestamp_ms = aws::EventTimeMillis(*ev, now_ms);
  e.message = std::move(*message);
  e.cost = e.message.size() + kEventOverheadBytes;
  return e;
}

}  // namespace kv::sinks::aws::cloudwatchlogs
