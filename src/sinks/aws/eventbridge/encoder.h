// Event -> EventBridge entry. Pure.
#pragma once

#include <cstdint>
#include <string>

#include "event/event.h"
#include "sinks/aws/eventbridge/config.h"
#include "util/result.h"

namespace kv::sinks::aws::eventbridge {

struct Entry {
  std::string detail;   // a JSON object
  int64_t time_ms = 0;  // when the Kubernetes event last happened
  // Bytes counted against the 256 KiB limit, as AWS counts them: 14 for
  // Time, plus Source, DetailType and Detail in UTF-8.
  size_t cost = 0;
};

// `now_ms` stands in for events without a time. Error kInvalidConfig when
// the details layout cannot render the event.
Result<Entry> Encode(const event::EventPtr& ev, const EventBridgeConfig& config, int64_t now_ms);

}  // namespace kv::sinks::aws::eventbridge
