// The Kinesis/Firehose family's per-record answers (PutRecords,
// PutRecordBatch): a 200 answer with a failure count and one result per
// record, in request order, each either a success (SequenceNumber /
// RecordId) or {"ErrorCode","ErrorMessage"}. Pure.
#pragma once

#include <cstddef>
#include <string_view>

#include "http/client.h"
#include "sinks/aws/batch.h"
#include "util/result.h"

namespace kv::sinks::aws {

struct RecordAnswerShape {
  std::string_view what;           // "kinesis PutRecords"
  std::string_view list;           // "Records" / "RequestResponses"
  std::string_view success_field;  // "SequenceNumber" / "RecordId"
};

// Failed records with a throttling or internal code
// (ProvisionedThroughputExceededException, ServiceUnavailableException,
// InternalFailure, KMS throttling) are retried alone; other codes (KMS
// access denied, disabled keys...) reject that record. A record the answer
// does not account for is retried. Request-level errors as ClassifyCall.
ChunkResult ParseRecordResults(const Result<http::Response>& response, size_t n,
                               const RecordAnswerShape& shape);

}  // namespace kv::sinks::aws
