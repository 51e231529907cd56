// The `delivery:` settings: spool, batching and retry for a receiver. The
// top-level `delivery:` block sets defaults for every receiver; a
// receiver's own `delivery:` block overrides them key by key. Batch limits
// start from the receiver's kind (Sink::limits()); the batch* keys set here
// lower a capped kind's limits and replace an uncapped kind's (ResolveBatch).
//
//   delivery:
//     maxSpoolBytes: 268435456       # pending bytes per receiver
//     memoryBytes: 16777216          # decoded events kept in memory per receiver
//     segmentBytes: 16777216
//     overflow: block | drop-oldest
//     fsync: interval | always | never        (top level only)
//     fsyncIntervalMilliseconds: 1000         (top level only)
//     batchMaxEvents: N
//     batchMaxBytes: N
//     batchLingerMilliseconds: N
//     retryInitialBackoffMilliseconds: 500
//     retryMaxBackoffMilliseconds: 60000
//     retryMaxAgeSeconds: 0          # 0 = retry forever
//     logDeliveries: false           # one info line per delivered batch
//
// `logDeliveries` is also a top-level key (app/config.cc): the default the
// `delivery:` blocks start from.
#pragma once

#include <chrono>
#include <optional>

#include "config/node.h"
#include "delivery/spool.h"
#include "delivery/worker.h"

namespace kv::delivery {

struct DeliveryConfig {
  uint64_t max_spool_bytes = 256ull << 20;
  uint64_t memory_bytes = 16ull << 20;
  uint64_t segment_bytes = 16ull << 20;
  OverflowPolicy overflow = OverflowPolicy::kBlock;
  FsyncPolicy fsync = FsyncPolicy::kInterval;
  std::chrono::milliseconds fsync_interval{1000};
  std::optional<size_t> batch_max_events;
  std::optional<size_t> batch_max_bytes;
  std::optional<std::chrono::milliseconds> batch_linger;
  std::chrono::milliseconds retry_initial{500};
  std::chrono::milliseconds retry_max{60000};
  std::chrono::seconds retry_max_age{0};
  bool log_deliveries = false;
  // Not a key: the dead-letter file's cap, from the disk budget
  // (delivery/disk_budget.h); 0 = none.
  uint64_t dead_letter_max_bytes = 0;
};

// Reads a `delivery:` block over `defaults`; problems go to the node's
// diagnostics. `top_level` allows the process-wide keys (fsync).
DeliveryConfig ParseDeliveryConfig(const config::Node& node, DeliveryConfig defaults,
                                   bool top_level);

// The batch limits for a receiver's worker: its kind's, with the batch*
// keys set in `config` applied as sinks::BatchLimits says (the smaller for
// a capped kind's max_events and max_bytes, else the key's value).
sinks::BatchLimits ResolveBatch(const DeliveryConfig& config, sinks::BatchLimits kind);

}  // namespace kv::delivery
