// Firehose PutRecordBatch answers -> verdicts. Pure.
#pragma once

#include "http/client.h"
#include "sinks/aws/batch.h"
#include "util/result.h"

namespace kv::sinks::aws::firehose {

// {"FailedPutCount":k,"Encrypted":…,"RequestResponses":[{"RecordId"} or
// {"ErrorCode","ErrorMessage"}]}: see aws::ParseRecordResults.
aws::ChunkResult ParsePutRecordBatch(const Result<http::Response>& response, size_t n);

}  // namespace kv::sinks::aws::firehose
