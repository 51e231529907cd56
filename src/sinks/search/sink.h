// The search receivers' sink: a batch becomes one `_bulk` request (see
// encoder.h), sent to the next host in turn (hosts.h), authenticated by a
// header or signed with SigV4 (service es or aoss), and its answer is
// classified per event (response.h). With `sniff`, the hosts are first
// replaced by the cluster's own node list when a sniff is due (sniff.h);
// that never changes a batch's verdict. Wiring only; the logic is in the
// pure files beside it. Driven by its receiver's one worker thread.
#pragma once

#include <memory>

#include "sinks/search/config.h"
#include "sinks/sink.h"
#include "util/result.h"

namespace kv::sinks::search {

// Builds the sink at `run`: sets up the AWS credential chain (and region)
// when config.aws is set. kInvalidConfig when no region can be found for
// SigV4, kUnavailable when the credential chain cannot be set up.
Result<std::unique_ptr<Sink>> BuildSearchSink(const SearchConfig& config, const SinkContext& ctx);

}  // namespace kv::sinks::search
