// Kinesis PutRecords answers -> verdicts. Pure.
#pragma once

#include "http/client.h"
#include "sinks/aws/common/batch.h"
#include "util/result.h"

namespace kv::sinks::kinesis {

// {"FailedRecordCount":k,"Records":[{"SequenceNumber","ShardId"} or
// {"ErrorCode","ErrorMessage"}]}: see aws_common::ParseRecordResults.
aws_common::ChunkResult ParsePutRecords(const Result<http::Response>& response, size_t n);

}  // namespace kv::sinks::kinesis
