// The receivers of `kubevents run`: building each one's sink from the
// config (it connects then), adding it to the Hub with its spool and
// worker, exporting its metrics, and applying a reloaded config's changes
// (new, changed and removed receivers) all or nothing.
//
// Threads: the owner (main) thread; the send observer it installs on the
// Hub runs on the workers' threads.
#pragma once

#include <chrono>
#include <mutex>
#include <vector>

#include "app/config.h"
#include "app/observability.h"
#include "delivery/hub.h"
#include "server/metrics.h"
#include "sinks/common/aws_access.h"
#include "util/clock.h"
#include "util/result.h"

namespace kv::app {

class Receivers {
 public:
  // `hub`, `registry` and `clock` must outlive it.
  Receivers(delivery::Hub& hub, server::Registry& registry, Clock& clock);

  // The data dir's disk budget (delivery/disk_budget.h) the receivers added
  // from now on share; 0 = none. Before AddAll.
  void SetDiskBudget(uint64_t bytes) { disk_budget_ = bytes; }

  // Builds every receiver of `config`, in order. The first failure is
  // returned as "receiver NAME: why" and nothing after it is built.
  Result<void> AddAll(const Config& config);

  // A reload: builds every receiver of `next` that is new or changed
  // against `running` (or was retired) first, and if one fails returns
  // that error with nothing changed. Otherwise swaps them in (a changed
  // receiver keeps its spool; its old worker gets `grace` to finish its
  // batch), adds the new ones and retires those `next` no longer has.
  Result<void> Apply(const Config& running, const Config& next, std::chrono::milliseconds grace);

  // At shutdown: one line per receiver with what it did.
  void LogSummary() const;

 private:
  Result<std::unique_ptr<sinks::Sink>> Build(const ReceiverConfig& rc);
  // Adds receiver `rc` (one of `count` in its config, for its share of the
  // disk budget) with `sink` to the hub and exports its metrics.
  Result<void> Add(const ReceiverConfig& rc, size_t count, std::unique_ptr<sinks::Sink> sink);
  bool Unchanged(const Config& running, const ReceiverConfig& rc) const;
  void ObserveSend(size_t index, size_t events, std::chrono::nanoseconds took);

  delivery::Hub& hub_;
  server::Registry& registry_;
  Clock& clock_;
  sinks::common::AwsAccessPool aws_;  // shared by every receiver's build
  uint64_t disk_budget_ = 0;
  ReceiverHistograms histograms_;
  server::CounterFamily* reshaped_;  // receiver_documents_reshaped_total; null if refused

  std::mutex mu_;  // guards the two vectors (grown by reloads, read by workers)
  std::vector<server::Histogram*> batch_size_;
  std::vector<server::Histogram*> send_seconds_;
};

}  // namespace kv::app
