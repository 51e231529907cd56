// EventBridge PutEvents (JSON protocol 1.1, X-Amz-Target
// AWSEvents.PutEvents). Pure.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "sinks/aws/batch.h"
#include "sinks/aws/eventbridge/config.h"
#include "sinks/aws/eventbridge/encoder.h"

namespace kv::sinks::aws::eventbridge {

// PutEvents' limits: 10 entries, 256 KiB for the request (sum of the
// entries' sizes as AWS counts them), so 256 KiB for one entry.
inline constexpr size_t kMaxEntries = 10;
inline constexpr size_t kMaxRequestBytes = 262144;
inline constexpr size_t kMaxEntryBytes = 262144;
inline constexpr aws::RequestLimits kLimits{kMaxEntries, kMaxRequestBytes, kMaxEntryBytes};
inline constexpr std::string_view kJsonVersion = "1.1";
inline constexpr std::string_view kTarget = "AWSEvents.PutEvents";

// {"Entries":[{"Source":...,"DetailType":...,"Detail":"<json>",
//  "EventBusName":...,"Time":<epoch seconds>}]} (EventBusName only when set;
// Time with milliseconds, e.g. 1700000000.123).
std::string EncodePutEvents(const EventBridgeConfig& config, std::span<const Entry> entries);

}  // namespace kv::sinks::aws::eventbridge
