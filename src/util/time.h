// RFC 3339 timestamps as Kubernetes writes them: "2024-05-01T10:00:00Z"
// (metav1.Time) and "2024-05-01T10:00:00.123456Z" (metav1.MicroTime).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kv::timeutil {

using Micros = std::chrono::microseconds;

// Parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)". nullopt if malformed.
// Returns microseconds since the Unix epoch.
std::optional<int64_t> ParseRfc3339Micros(std::string_view s);

// "2006-01-02T15:04:05Z" for the given time, UTC.
std::string FormatRfc3339(std::chrono::system_clock::time_point t);

// Micros since epoch of a system_clock time point.
inline int64_t ToMicros(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<Micros>(t.time_since_epoch()).count();
}

// The time point of `micros` since the epoch, saturated to what
// system_clock can hold (its nanosecond ticks end in the year 2262).
std::chrono::system_clock::time_point FromMicros(int64_t micros);

}  // namespace kv::timeutil
