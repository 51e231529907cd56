// SQS answers -> verdicts. Pure.
#pragma once

#include <string>

#include "http/client.h"
#include "sinks/aws/batch.h"
#include "util/result.h"

namespace kv::sinks::aws::sqs {

// A SendMessageBatch answer for `n` entries: per-entry verdicts from
// {"Successful":[{"Id":...}],"Failed":[{"Id","SenderFault","Code","Message"}]};
// request-level errors as aws::ClassifyCall says (throttling, 5xx
// and transport errors stop the batch's later requests).
aws::ChunkResult ParseSendMessageBatch(const Result<http::Response>& response, size_t n);

// A GetQueueUrl answer: the queue URL. Errors: kUnavailable (retry: transport,
// throttling, 5xx), kUnauthorized (credentials refused), kRejected (e.g. the
// queue does not exist), each with a reason naming the AWS code.
Result<std::string> ParseGetQueueUrl(const Result<http::Response>& response);

}  // namespace kv::sinks::aws::sqs
