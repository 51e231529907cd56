#include "sinks/aws/eventbridge/encoder.h"

#include "sinks/aws/message.h"
#include "sinks/common/document.h"

namespace kv::sinks::aws::eventbridge {

Result<Entry> Encode(const event::EventPtr& ev, const EventBridgeConfig& config, int64_t now_ms) {
  auto detail = common::RenderDocument(ev, config.format);
  if (!detail) return tl::unexpected(detail.error());
  Entry e;
  e.detail = std::move(*detail);
  e.time_ms = aws::EventTimeMillis(*ev, now_ms);
  e.cost = 14 + config.source.size() + config.detail_type.size() + e.detail.size();
  return e;
}

}  // namespace kv::sinks::aws::eventbridge
