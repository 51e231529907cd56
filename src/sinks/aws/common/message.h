// What the AWS receivers share about one event's payload and keys:
// rendering (the full event in the reference shape, or the receiver's
// `layout`, with `deDot`), the involved object's key (for Kinesis partition
// keys and FIFO group ids), the FIFO deduplication id, and the event time.
// Pure.
#pragma once

#include <cstdint>
#include <string>

#include "event/event.h"
#include "sinks/common/json_lines.h"
#include "util/result.h"

namespace kv::sinks::aws_common {

// The event as one JSON text (no trailing newline): the layout's output,
// else the full event. Error kInvalidConfig (reason "layout: ...") when the
// layout cannot render this event.
Result<std::string> Render(const event::EventPtr& ev, const common::LineFormat& format);

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

}  // namespace kv::sinks::aws_common
