// CloudWatch Logs requests (JSON protocol 1.1, X-Amz-Target
// Logs_20140328.<Operation>) and PutLogEvents' batch rules. Pure.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sinks/aws/batch.h"
#include "sinks/aws/cloudwatchlogs/encoder.h"

namespace kv::sinks::aws::cloudwatchlogs {

// PutLogEvents' limits: 10,000 events and 1,048,576 bytes per request,
// counting each event's message in UTF-8 plus 26 bytes; one event at most
// 256 KiB (the same count); the events of one request in chronological
// order and spanning less than 24 hours.
inline constexpr size_t kMaxEntries = 10000;
inline constexpr size_t kMaxRequestBytes = 1048576;
inline constexpr size_t kEventOverheadBytes = 26;
inline constexpr size_t kMaxEventBytes = 262144;
inline constexpr std::chrono::milliseconds kMaxSpan = std::chrono::hours(24);
inline constexpr aws::RequestLimits kLimits{kMaxEntries, kMaxRequestBytes, kMaxEventBytes};

inline constexpr std::string_view kJsonVersion = "1.1";
inline constexpr std::string_view kPutLogEventsTarget = "Logs_20140328.PutLogEvents";
inline constexpr std::string_view kCreateLogGroupTarget = "Logs_20140328.CreateLogGroup";
inline constexpr std::string_view kCreateLogStreamTarget = "Logs_20140328.CreateLogStream";

// The order to send `events` in: their positions sorted by timestamp,
// stable (same-time events keep the order they came in).
std::vector<size_t> ChronologicalOrder(std::span<const LogEvent> events);

// Splits events already in chronological order into requests within
// kLimits and kMaxSpan.
std::vector<aws::Chunk> SplitLogEvents(std::span<const LogEvent> sorted);

// {"logGroupName":...,"logStreamName":...,"logEvents":[{"timestamp":...,"message":...}]}
std::string EncodePutLogEvents(std::string_view group, std::string_view stream,
                               std::span<const LogEvent> events);
// {"logGroupName":...}
std::string EncodeCreateLogGroup(std::string_view group);
// {"logGroupName":...,"logStreamName":...}
std::string EncodeCreateLogStream(std::string_view group, std::string_view stream);

}  // namespace kv::sinks::aws::cloudwatchlogs
