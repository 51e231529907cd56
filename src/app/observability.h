// What `kubevents run` exports about itself: Prometheus metrics (families
// listed in docs/operations.md) read from the stats the modules already
// keep, plus the readiness rules of /readyz. Wiring only: every number
// comes from an atomic owned by its module.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "app/cluster_checkpoint.h"
#include "delivery/hub.h"
#include "kube/checkpoint.h"
#include "kube/enricher.h"
#include "kube/leader_election.h"
#include "kube/watcher.h"
#include "server/http_server.h"
#include "server/metrics.h"

namespace kv::app {

// Counters the run loop itself keeps (events after routing).
struct PipelineStats {
  std::atomic<uint64_t> emitted_normal{0};
  std::atomic<uint64_t> emitted_warning{0};
  std::atomic<uint64_t> emitted_other{0};
  std::atomic<uint64_t> no_route{0};            // matched no receiver
  std::atomic<uint64_t> updates_skipped{0};     // emitUpdates: false
  std::atomic<uint64_t> updates_suppressed{0};  // (update, receiver) held back by its policy
  std::atomic<uint64_t> reloads{0};
  std::atomic<uint64_t> reload_failures{0};
};

// Registers the process-wide families (build info, watcher, pipeline).
void ExportProcess(server::Registry& registry, const std::string& version,
                   const std::string& api_group, const kube::WatcherStats& watcher,
                   const PipelineStats& pipeline);
void ExportEnricher(server::Registry& registry, const kube::EnricherStats& stats);
// `is_leader` reads 1/0; leader election off reports 1 (the only replica).
void ExportLeader(server::Registry& registry, const std::atomic<bool>& is_leader,
                  const kube::LeaderElectionStats* stats);
// Per receiver: delivered, failed sends, retried, dead-lettered, dropped,
// spool events/bytes; and histograms of batch size and send latency whose
// observer is returned through Hub's on_send hook.
struct ReceiverHistograms {
  server::HistogramFamily* batch_size = nullptr;
  server::HistogramFamily* send_seconds = nullptr;
};
ReceiverHistograms RegisterReceiverHistograms(server::Registry& registry);
// receiver_documents_reshaped_total{receiver}: documents a receiver's peer
// took only after a mapping conflict made the sink reshape them
// (sinks/search/README.md). Null when the registry refuses it.
server::CounterFamily* RegisterReshapedCounter(server::Registry& registry);

void ExportReceiver(server::Registry& registry, const delivery::Hub& hub, size_t index);

// The checkpoint's freshness: the last durable watch position, and under
// leader election (`cluster` not null) the last save in the cluster and
// failed saves.
// `clock` must outlive the registry.
void ExportCheckpoint(server::Registry& registry, const kube::Checkpointer& checkpointer,
                      const ClusterCheckpoint* cluster, Clock& clock);

// Whether the data dir takes writes (delivery::StorageHealth).
void ExportStorage(server::Registry& registry, const delivery::StorageHealth& storage);

// /readyz's `watch` check: ready when not leading (a standby does not
// watch), while the API server answers, and while a LIST that has read a
// page is under way (reporting its pages and events so far: a long first
// list is progress, not a failure); else not ready, "API server not
// answering" (or the list waiting for its first page).
server::CheckResult WatchReadiness(const kube::WatcherStats& watcher, bool leading);

// /readyz: the watch is connected (WatchReadiness), the data dir takes writes, and no
// receiver has been failing the same batch for longer than `stuck_after`
// (so a dead sink shows).
void AddReadinessChecks(server::HttpServer& http, const kube::WatcherStats& watcher,
                        const delivery::Hub& hub, const std::atomic<bool>& is_leader,
                        bool leader_election, std::chrono::seconds stuck_after, Clock& clock);

}  // namespace kv::app
