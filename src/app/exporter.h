// The part of `kubevents run` that watches and emits: the involved-object
// enricher, the watcher and its thread, routing each emitted event into
// the receivers' spools through the Hub, with the Checkpointer making each
// step durable. It exists while this replica exports: always without
// leader election, only while leading with it (a standby never watches).
//
// Routing is swappable at run time (config reload): the handler reads the
// current Routing once per event.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "app/config.h"
#include "app/observability.h"
#include "delivery/hub.h"
#include "kube/checkpoint.h"
#include "kube/client.h"
#include "kube/enricher.h"
#include "kube/watcher.h"
#include "route/tree.h"
#include "util/clock.h"
#include "util/rng.h"
#include "util/stop.h"

namespace kv::app {

// The route tree and, for each receiver index of the tree, the Hub index
// of that receiver.
struct Routing {
  std::shared_ptr<const route::Tree> tree;
  std::vector<int> hub_index;
  bool emit_updates = true;
};

class Exporter {
 public:
  // Every reference must outlive the Exporter.
  Exporter(const Config& config, std::shared_ptr<kube::Credentials> credentials,
           std::shared_ptr<kube::RateLimiter> limiter, Clock& clock, Rng& rng, delivery::Hub& hub,
           kube::Checkpointer& checkpointer, PipelineStats& pipeline);
  ~Exporter();

  void SetRouting(std::shared_ptr<const Routing> routing) { routing_.store(std::move(routing)); }

  // Resumes from `state` (a checkpoint; empty = first start), connects
  // synchronously (one clear error if it cannot) and starts the watch thread.
  Result<void> Start(const kube::Checkpoint& state);
  // Stops the watch, the lookups, and writes the final checkpoint.
  void Stop();

  const kube::WatcherStats& watcher_stats() const { return watcher_->stats(); }
  const kube::EnricherStats* enricher_stats() const {
    return enricher_ ? &enricher_->stats() : nullptr;
  }
  std::string resource_version() const { return watcher_->resource_version(); }

 private:
  void Handle(event::Event ev, bool update, uint64_t event_seq);

  Clock& clock_;
  delivery::Hub& hub_;
  kube::Checkpointer& checkpointer_;
  PipelineStats& pipeline_;
  StopSignal stop_;
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<kube::Enricher> enricher_;
  std::unique_ptr<kube::Watcher> watcher_;
  std::thread thread_;
  bool stopped_ = false;  // owner thread
  std::atomic<std::shared_ptr<const Routing>> routing_;

  // Watcher thread only.
  std::unique_ptr<route::ReceiverSet> reached_;
  size_t reached_size_ = 0;
  std::vector<int> targets_;
};

}  // namespace kv::app
