// What the stdout, file and pipe receivers share: each event becomes one
// line of JSON, in the reference shape or rendered through the receiver's
// `layout`, and lines are written with as few system calls as possible.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "sinks/common/document.h"
#include "sinks/sink.h"
#include "util/result.h"

namespace kv::sinks::common {

// Appends one JSON line per event (its document, document.h) to `out` and returns one verdict per
// event: kReject for an event its layout cannot render (nothing is written
// for it), kDelivered for the rest (still to be written by the caller).
// `reason` gets the first render error.
std::vector<Verdict> AppendLines(std::span<const event::EventPtr> batch, const LineFormat& format,
                                 std::string* out, std::string* reason);

// Writes all of `data` to `fd`, retrying short writes and EINTR.
Result<void> WriteAll(int fd, std::string_view data);

// The outcome of a batch whose lines were appended and then written (or
// not, `write`): failed writes retry the whole batch; render failures
// reject only their events.
SendOutcome Outcome(std::vector<Verdict> items, const Result<void>& write, std::string reason);

}  // namespace kv::sinks::common
