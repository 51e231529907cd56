#include "sinks/aws/kinesis/response.h"

#include "sinks/aws/record_results.h"

namespace kv::sinks::aws::kinesis {

aws::ChunkResult ParsePutRecords(const Result<http::Response>& response, size_t n) {
  return aws::ParseRecordResults(response, n, {"kinesis PutRecords", "Records", "SequenceNumber"});
}

}  // namespace kv::sinks::aws::kinesis
