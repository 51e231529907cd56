// CloudWatch Logs answers -> verdicts. Pure.
#pragma once

#include <string_view>

#include "http/client.h"
#include "sinks/aws/batch.h"
#include "util/result.h"

namespace kv::sinks::aws::cloudwatchlogs {

// A PutLogEvents answer for `n` events (in the order sent). A 200 answer
// may reject some: rejectedLogEventsInfo {tooOldLogEventEndIndex,
// expiredLogEventEndIndex: events 0..index (inclusive) are rejected;
// tooNewLogEventStartIndex: events index..n-1}. CloudWatch will never take
// those (their timestamps are out of range), so they are kReject; taking
// the end indices as inclusive dead-letters at worst one delivered event
// rather than losing one. Request-level errors as aws::ClassifyCall.
aws::ChunkResult ParsePutLogEvents(const Result<http::Response>& response, size_t n);

// The answer says the log group or stream does not exist.
bool IsResourceNotFound(const Result<http::Response>& response);

// A CreateLogGroup/CreateLogStream answer: success, or already there.
bool CreatedOrExists(const Result<http::Response>& response);

}  // namespace kv::sinks::aws::cloudwatchlogs
