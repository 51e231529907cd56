#include "sinks/aws/firehose/response.h"

#include "sinks/aws/record_results.h"

namespace kv::sinks::aws::firehose {

aws::ChunkResult ParsePutRecordBatch(const Result<http::Response>& response, size_t n) {
  return aws::ParseRecordResults(response, n,
                                 {"firehose PutRecordBatch", "RequestResponses", "RecordId"});
}

}  // namespace kv::sinks::aws::firehose
