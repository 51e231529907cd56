// SNS answers -> verdicts. Pure.
#pragma once

#include "http/client.h"
#include "sinks/aws/batch.h"
#include "util/result.h"

namespace kv::sinks::aws::sns {

// A PublishBatch answer for `n` entries: per-entry verdicts from
// <PublishBatchResult><Successful><member><Id>… and <Failed><member>
// <Id><Code><Message><SenderFault>; request-level errors (<Error><Code>)
// as aws::ClassifyCall says.
aws::ChunkResult ParsePublishBatch(const Result<http::Response>& response, size_t n);

}  // namespace kv::sinks::aws::sns
