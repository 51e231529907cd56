// The receiver interface. A Sink turns a batch of events into whatever its
// peer wants and reports what happened; it never sleeps or retries itself:
// delivery/ decides retry timing, backoff and what to do with rejects.
//
// Each Sink is driven by its receiver's one worker thread: Send() and
// Close() are never called concurrently.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/node.h"
#include "event/event.h"
#include "util/clock.h"
#include "util/result.h"

namespace kv::sinks {

enum class Verdict {
  kDelivered,  // the peer has it
  kRetry,      // try again later (peer down, throttled, 5xx)
  kReject,     // the peer will never take it (bad document): dead-letter
};

struct SendOutcome {
  Verdict request = Verdict::kDelivered;  // the batch as a whole
  std::vector<Verdict> items;             // per event, when the peer answers per item
  std::string reason;                     // safe to log: no secrets, no event bodies
  std::optional<std::chrono::seconds> retry_after;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual SendOutcome Send(std::span<const event::EventPtr> batch) = 0;
  // Flushes and releases resources; the sink is not used afterwards.
  virtual void Close() {}
};

// What a sink may use, passed in at build time.
struct SinkContext {
  std::string receiver_name;
  Clock* clock = nullptr;
};

// Parse validates a receiver block without I/O and returns the Builder that
// connects at `run`. Problems go to the node's diagnostics.
using Builder = std::function<Result<std::unique_ptr<Sink>>(const SinkContext&)>;

}  // namespace kv::sinks
