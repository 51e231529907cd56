// Firehose PutRecordBatch answers -> verdicts. Pure.
#pragma once

#include "http/client.h"
#include "sinks/aws/common/batch.h"
#include "util/result.h"

namespace kv::sinks::firehose {

// {"FailedPutCount":k,"Encrypted":…,"RequestResponses":[{"RecordId"} or
// {"ErrorCode","ErrorMessage"}]}: see aws_common::ParseRecordResults.
aws_common::ChunkResult ParsePutRecordBatch(const Result<http::Response>& response, size_t n);

}  // namespace kv::sinks::firehose
