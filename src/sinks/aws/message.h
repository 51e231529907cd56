// What the AWS receivers share about one event's keys: the involved
// object's key (for Kinesis partition keys and FIFO group ids), the FIFO
// deduplication id, and the event time. The payload itself is the event's
// document (sinks/common/document.h). Pure.
#pragma once

#include <cstdint>
#include <string>

#include "event/event.h"

namespace kv::sinks::aws {

// A stable key per involved object: its uid, else "Kind/namespace/name"
// (events may name an object without its uid). Cut to `max_bytes` on a
// UTF-8 boundary.
std::string ObjectKey(const event::Event& ev, size_t max_bytes = 128);

// The FIFO MessageDeduplicationId: lower-case hex SHA-256 of the event's
// idempotency key (uid/resourceVersion): 64 characters of [0-9a-f], inside
// SQS's and SNS's charset and 128-character limit, and the same for every
// delivery of this version of the event.
std::string DeduplicationId(const event::Event& ev);

// When the event last happened (lastTimestamp, series, eventTime,
// firstTimestamp) in milliseconds since the epoch; `fallback_ms` when the
// event carries no time.
int64_t EventTimeMillis(const event::Event& ev, int64_t fallback_ms);

// `s` cut to at most `max_bytes` without splitting a UTF-8 sequence.
std::string CutUtf8(std::string s, size_t max_bytes);

}  // namespace kv::sinks::aws
