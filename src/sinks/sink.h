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
  std::vector<std::string> item_reasons;  // per event (parallel to items) when known; may be empty
  std::string reason;                     // safe to log: no secrets, no event bodies
  std::optional<std::chrono::seconds> retry_after;
};

// How a receiver wants its batches cut: the worker sends a batch when it
// holds max_events, or max_bytes of encoded events, or when the oldest
// event has waited `linger`.
//
// Where the worker's limits come from (delivery::ResolveBatch, the one
// place): the kind's limits, with each `delivery.batch*` key the user set
// (top level or the receiver's own block) applied over them. A `capped`
// kind's max_events and max_bytes are the most one request may carry (the
// kind's own batch keys, such as webhook's batch.maxEvents/maxBytes, or its
// API's per-request limit): `delivery.batchMaxEvents`/`batchMaxBytes` may
// lower them, never raise them (the worker takes the smaller). An uncapped
// kind's are only its defaults, which those keys replace. The linger is
// always a default: `delivery.batchLingerMilliseconds` replaces it.
struct BatchLimits {
  size_t max_events = 1;
  size_t max_bytes = 1 << 20;
  std::chrono::milliseconds linger{0};
  bool capped = false;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // The receiver kind's batch shape (its own batch keys or its API's
  // limits; see BatchLimits); one event per batch unless the kind says
  // otherwise.
  virtual BatchLimits limits() const { return {}; }
  virtual SendOutcome Send(std::span<const event::EventPtr> batch) = 0;
  // Flushes and releases resources; the sink is not used afterwards.
  virtual void Close() {}
  // Any thread, while Send may run: the shutdown grace is over, so a Send
  // waiting on its peer returns soon (a retry verdict) and later ones at
  // once. Kinds that wait on a network peer implement it.
  virtual void Abort() {}
};

namespace common {
class AwsAccessPool;  // sinks/common/aws_access.h
}

// What a sink may use, passed in at build time; the sink builds none of it
// itself.
struct SinkContext {
  std::string receiver_name;
  Clock* clock = nullptr;  // all of a sink's time; must outlive the sink
  // Region and credentials for a receiver that signs with SigV4 (the AWS
  // kinds; search with `aws`), one credential chain shared by the process's
  // receivers. Null in a context that offers none: such a receiver fails
  // to build.
  common::AwsAccessPool* aws = nullptr;
  // Counts documents the receiver's peer took only after the sink changed
  // their shape (search receivers: a mapping conflict on labels or
  // annotations, sinks/search/README.md). Unset: not counted. A sink that
  // may reshape calls it with 0 when built, so the series shows 0.
  std::function<void(uint64_t)> count_reshaped = nullptr;
};

// Parse validates a receiver block without I/O and returns the Builder that
// connects at `run`. Problems go to the node's diagnostics.
using Builder = std::function<Result<std::unique_ptr<Sink>>(const SinkContext&)>;

}  // namespace kv::sinks
