// SNS answers -> verdicts. Pure.
#pragma once

#include "http/client.h"
#include "sinks/aws/common/batch.h"
#include "util/result.h"

namespace kv::sinks::sns {

// A PublishBatch answer for `n` entries: per-entry verdicts from
// <PublishBatchResult><Successful><member><Id>… and <Failed><member>
// <Id><Code><Message><SenderFault>; request-level errors (<Error><Code>)
// as aws_common::ClassifyCall says.
aws_common::ChunkResult ParsePublishBatch(const Result<http::Response>& response, size_t n);

}  // namespace kv::sinks::sns
