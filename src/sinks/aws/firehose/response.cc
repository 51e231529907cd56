#include "sinks/aws/firehose/response.h"

#include "sinks/aws/common/record_results.h"

namespace kv::sinks::firehose {

aws_common::ChunkResult ParsePutRecordBatch(const Result<http::Response>& response, size_t n) {
  return aws_common::ParseRecordResults(
      response, n, {"firehose PutRecordBatch", "RequestResponses", "RecordId"});
}

}  // namespace kv::sinks::firehose
