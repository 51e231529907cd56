// Kinesis PutRecords answers -> verdicts. Pure.
#pragma once

#include "http/client.h"
#include "sinks/aws/batch.h"
#include "util/result.h"

namespace kv::sinks::aws::kinesis {

// {"FailedRecordCount":k,"Records":[{"SequenceNumber","ShardId"} or
// {"ErrorCode","ErrorMessage"}]}: see aws::ParseRecordResults.
aws::ChunkResult ParsePutRecords(const Result<http::Response>& response, size_t n);

}  // namespace kv::sinks::aws::kinesis
