// The event source of `kubevents run`: its Kubernetes client, the
// involved-object enricher (its own lookup thread), the watcher and the
// watcher's thread, which drives every event through the Pipeline. It
// exists while this replica exports: always without leader election, only
// while leading with it (a standby never watches).
//
// Threads: constructed, started and stopped by the owner (main) thread;
// the watcher thread is private; stats accessors from any thread.
#pragma once

#include <memory>
#include <thread>

#include "app/config.h"
#include "app/observability.h"
#include "app/pipeline.h"
#include "delivery/hub.h"
#include "kube/checkpoint.h"
#include "kube/client.h"
#include "kube/enricher.h"
#include "kube/watcher.h"
#include "util/clock.h"
#include "util/rng.h"
#include "util/stop.h"

namespace kv::app {

class Source {
 public:
  // Every reference must outlive the Source. `limiter` paces the lookups;
  // the watch (list pages, watch requests) has a bucket of its own with the
  // same kubeQPS/kubeBurst, so at most twice kubeQPS goes to the API server.
  Source(const Config& config, std::shared_ptr<kube::Credentials> credentials,
         std::shared_ptr<kube::RateLimiter> limiter, Clock& clock, Rng& rng, delivery::Hub& hub,
         kube::Checkpointer& checkpointer, PipelineStats& stats);
  ~Source();

  // Any thread (config reload).
  void SetRouting(std::shared_ptr<const Routing> routing) {
    pipeline_.SetRouting(std::move(routing));
  }

  // Resumes from `state` (a checkpoint; without a resume point, a list
  // that skips events last seen before its skip_before_micros), connects
  // synchronously (one clear error if it cannot) and starts the watch thread.
  Result<void> Start(const kube::Checkpoint& state);
  // Stops the watch and the lookups and writes the final checkpoint.
  void Stop();

  const kube::WatcherStats& watcher_stats() const { return watcher_->stats(); }
  const kube::EnricherStats* enricher_stats() const {
    return enricher_ ? &enricher_->stats() : nullptr;
  }

 private:
  delivery::Hub& hub_;
  kube::Checkpointer& checkpointer_;
  StopSignal stop_;
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<kube::Enricher> enricher_;  // null with omitLookup
  Pipeline pipeline_;
  std::unique_ptr<kube::Watcher> watcher_;
  std::thread thread_;
  bool stopped_ = false;  // owner thread
};

}  // namespace kv::app
