// Per-entry answers of the SNS/SQS batch APIs (Successful / Failed lists
// keyed by entry Id) folded into a ChunkResult. Pure.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "sinks/aws/batch.h"

namespace kv::sinks::aws {

struct EntryFailure {
  size_t index = 0;  // the entry's Id, which kubevents sets to its position
  std::string code;
  std::string message;
  bool sender_fault = false;
};

// Entries listed as failed: retry when the code is a throttling or server
// one, or the fault is AWS's (SenderFault false); reject otherwise (the
// message itself is wrong). Entries in neither list: retry (AWS did not
// say it took them). `what` names the call in reasons.
ChunkResult FromEntryResults(size_t n, std::span<const size_t> successful,
                             std::span<const EntryFailure> failed, std::string_view what);

// An entry Id ("0".."n-1") back to its position; nullopt-like npos when
// it is not one kubevents sent.
size_t ParseEntryId(std::string_view id, size_t n);

}  // namespace kv::sinks::aws
