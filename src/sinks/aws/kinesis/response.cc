#include "sinks/aws/kinesis/response.h"

#include "sinks/aws/common/record_results.h"

namespace kv::sinks::kinesis {

aws_common::ChunkResult ParsePutRecords(const Result<http::Response>& response, size_t n) {
  return aws_common::ParseRecordResults(response, n,
                                        {"kinesis PutRecords", "Records", "SequenceNumber"});
}

}  // namespace kv::sinks::kinesis
