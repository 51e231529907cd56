// EventBridge PutEvents answers -> verdicts. Pure.
#pragma once

#include "http/client.h"
#include "sinks/aws/batch.h"
#include "util/result.h"

namespace kv::sinks::aws::eventbridge {

// A PutEvents answer for `n` entries. A 200 answer may still carry
// failures: {"FailedEntryCount":k,"Entries":[{"EventId":...} or
// {"ErrorCode":...,"ErrorMessage":...}]}, one result per entry in request
// order. A failed entry with a throttling or internal code
// (ThrottlingException, InternalFailure) is retried alone; any other code
// (MalformedDetail, InvalidArgument, AccessDeniedException, ...) rejects
// that entry. An entry the answer does not account for is retried.
// Request-level errors as aws::ClassifyCall says.
aws::ChunkResult ParsePutEvents(const Result<http::Response>& response, size_t n);

}  // namespace kv::sinks::aws::eventbridge
