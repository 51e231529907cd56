#include "delivery/options.h"

#include <algorithm>
#include <limits>

namespace kv::delivery {

DeliveryConfig ParseDeliveryConfig(const config::Node& node, DeliveryConfig d, bool top_level) {
  if (!node.Defined()) return d;
  if (!node.IsMap()) {
    node.Report("expected a map of delivery settings");
    return d;
  }
  std::vector<std::string_view> keys = {"maxSpoolBytes",
                                        "memoryBytes",
                                        "segmentBytes",
                                        "overflow",
                                        "batchMaxEvents",
                                        "batchMaxBytes",
                                        "batchLingerMilliseconds",
                                        "retryInitialBackoffMilliseconds",
                                        "retryMaxBackoffMilliseconds",
                                        "retryMaxAgeSeconds",
                                        "logDeliveries"};
  if (top_level) {
    keys.push_back("fsync");
    keys.push_back("fsyncIntervalMilliseconds");
  }
  node.RejectUnknownKeys(keys);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  auto u64 = [&](std::string_view key, uint64_t def, int64_t min) {
    return static_cast<uint64_t>(node.Int(key, static_cast<int64_t>(def), min, kMax));
  };
  d.max_spool_bytes = u64("maxSpoolBytes", d.max_spool_bytes, 1 << 16);
  d.memory_bytes = u64("memoryBytes", d.memory_bytes, 0);
  d.segment_bytes = u64("segmentBytes", d.segment_bytes, 1 << 12);
  if (node.Has("overflow")) {
    std::string o = node.String("overflow");
    if (o == "block") {
      d.overflow = OverflowPolicy::kBlock;
    } else if (o == "drop-oldest") {
      d.overflow = OverflowPolicy::kDropOldest;
    } else {
      node.Report("expected block or drop-oldest, got '" + o + "'", "overflow");
    }
  }
  if (top_level && node.Has("fsync")) {
    std::string f = node.String("fsync");
    if (f == "always") {
      d.fsync = FsyncPolicy::kAlways;
    } else if (f == "interval") {
      d.fsync = FsyncPolicy::kInterval;
    } else if (f == "never") {
      d.fsync = FsyncPolicy::kNever;
    } else {
      node.Report("expected always, interval or never, got '" + f + "'", "fsync");
    }
  }
  if (top_level) {
    d.fsync_interval = std::chrono::milliseconds(
        node.Int("fsyncIntervalMilliseconds", d.fsync_interval.count(), 10, 3600000));
  }
  if (node.Has("batchMaxEvents")) {
    d.batch_max_events = static_cast<size_t>(node.Int("batchMaxEvents", 1, 1, 1000000));
  }
  if (node.Has("batchMaxBytes")) {
    d.batch_max_bytes = static_cast<size_t>(node.Int("batchMaxBytes", 1 << 20, 1, 1ll << 32));
  }
  if (node.Has("batchLingerMilliseconds")) {
    d.batch_linger = std::chrono::milliseconds(node.Int("batchLingerMilliseconds", 0, 0, 3600000));
  }
  d.retry_initial = std::chrono::milliseconds(
      node.Int("retryInitialBackoffMilliseconds", d.retry_initial.count(), 1, 3600000));
  d.retry_max = std::chrono::milliseconds(
      node.Int("retryMaxBackoffMilliseconds", d.retry_max.count(), 1, 86400000));
  if (d.retry_max < d.retry_initial) {
    node.Report("must not be below retryInitialBackoffMilliseconds", "retryMaxBackoffMilliseconds");
  }
  d.retry_max_age =
      std::chrono::seconds(node.Int("retryMaxAgeSeconds", d.retry_max_age.count(), 0, kMax / 1000));
  d.log_deliveries = node.Bool("logDeliveries", d.log_deliveries);
  return d;
}

sinks::BatchLimits ResolveBatch(const DeliveryConfig& config, sinks::BatchLimits kind) {
  // A capped kind's limit is a ceiling: the user's key may only lower it.
  auto apply = [&](std::optional<size_t> set, size_t& limit) {
    if (set) limit = kind.capped ? std::min(limit, *set) : *set;
  };
  apply(config.batch_max_events, kind.max_events);
  apply(config.batch_max_bytes, kind.max_bytes);
  if (config.batch_linger) kind.linger = *config.batch_linger;
  return kind;
}

}  // namespace kv::delivery
