// The event's way through kubevents, in one place. The watcher
// (kube/watcher.h) decodes the API server's stream and decides what is new;
// it hands each event to Pipeline::Emit, which takes it the rest of the way
// in the order the delivery guarantee needs:
//
//   enrich → route → stage in the receivers' spools → commit the checkpoint
//   journal line → publish to the receivers' workers
//
// Staged records are invisible to the workers until the journal line that
// remembers their event is written, so a crash at any point neither loses
// an event nor sends it twice (see kube/checkpoint.h and delivery/hub.h).
// The watcher's other changes (a uid remembered without being emitted, a
// uid forgotten, a new resume point) go straight to the checkpoint.
//
// Each commit is all or nothing, under the hub's commit lock: if a spool
// record or the journal line cannot be written (a full or failing disk),
// what was staged is rolled back, the hub's StorageHealth says so (/readyz,
// metrics, a log line a minute) and the same commit is tried again every
// second, so the watcher pauses where it is (the API server keeps events
// for an hour) until the disk takes writes or shutdown gives up on it.
// Every so often the checkpoint is compacted: the spools are synced first,
// then the snapshot is written (see kube/checkpoint.h for the invariant).
//
// Routing also applies each receiver's update policy (app/updates.h): an
// update a receiver's policy holds back is not routed to it, so nothing
// about it reaches that receiver's spool.
//
// Threads: Emit/Remember/Forget/Position on the watcher thread only;
// SetRouting from any thread (a config reload swaps routing while events
// flow; each event reads the routing once).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/config.h"
#include "app/observability.h"
#include "app/updates.h"
#include "delivery/hub.h"
#include "kube/checkpoint.h"
#include "kube/enricher.h"
#include "kube/watcher.h"
#include "route/tree.h"

namespace kv::app {

// The route tree and, for each receiver index of the tree, the Hub index
// of that receiver (-1: not in the hub), its name and its update policy.
struct Routing {
  std::shared_ptr<const route::Tree> tree;
  std::vector<int> hub_index;
  std::vector<std::string> names;
  std::vector<UpdatesConfig> updates;  // empty: every receiver gets every update
  bool emit_updates = true;
};

// The Routing of `config` over the receivers of `hub`.
std::shared_ptr<const Routing> MakeRouting(const Config& config, const delivery::Hub& hub);

class Pipeline final : public kube::WatchConsumer {
 public:
  // `enricher` may be null (omitLookup). `clock` times the throttled
  // receivers' updates (app/updates.h). Every reference must outlive the
  // Pipeline.
  Pipeline(kube::Enricher* enricher, delivery::Hub& hub, kube::Checkpointer& checkpointer,
           PipelineStats& stats, Clock& clock);

  void SetRouting(std::shared_ptr<const Routing> routing) { routing_.store(std::move(routing)); }
  // While `*listing` (the watcher's stats) is true, events do not wait for
  // their lookups (kube::Enricher::Enrich): a list of thousands of events
  // must not go at the pace of kubeQPS lookups. Before the watcher runs.
  void SetListing(const std::atomic<bool>* listing) { listing_ = listing; }

  // kube::WatchConsumer (watcher thread).
  void Emit(event::Event ev, bool update, const kube::EmittedSet::State& remembered,
            const std::string& position, const kube::EmittedSet& all) override;
  void Remember(const std::string& uid, const kube::EmittedSet::State& state,
                const std::string& position, const kube::EmittedSet& all) override;
  void Forget(const std::string& uid, const std::string& position,
              const kube::EmittedSet& all) override;
  void Position(const std::string& position, const kube::EmittedSet& all, bool snapshot) override;

  // Folds the checkpoint into a snapshot now, after syncing the spools
  // (shutdown, once the watcher stopped).
  Result<void> Compact(const std::string& position, const kube::EmittedSet& all);

  // How long a commit that failed on the disk waits before the next try.
  static constexpr std::chrono::milliseconds kDiskRetry{1000};

 private:
  // Runs `attempt` (true: committed; false: given up at shutdown) under the
  // commit lock until it commits, waiting kDiskRetry after each failure;
  // then compacts the checkpoint if that is due.
  void Commit(const std::function<Result<bool>()>& attempt, const std::string& position,
              const kube::EmittedSet& all);
  // One try at committing an emitted event: stage (`ev` null: routed
  // nowhere), sync under fsync always, journal line, publish. Rolls the
  // staged records back on failure.
  Result<bool> TryEmit(const event::EventPtr& ev, uint64_t event_seq, const std::string& uid,
                       const kube::EmittedSet::State& remembered, const std::string& position);
  // Compact with the commit lock held.
  Result<void> CompactLocked(const std::string& position, const kube::EmittedSet& all);
  // The hub indices of the receivers `ev` reaches under `routing` whose
  // update policy lets it out (into targets_; empty: none).
  void Route(const event::Event& ev, bool update, const Routing& routing);
  // The throttles_ of `routing`'s receivers into throttle_of_, once per
  // routing; forgets those of receivers no longer throttled.
  void BindThrottles(const std::shared_ptr<const Routing>& routing);
  void CountEmitted(const event::Event& ev);

  // Constant after construction.
  kube::Enricher* const enricher_;
  delivery::Hub& hub_;
  kube::Checkpointer& checkpointer_;
  PipelineStats& stats_;
  Clock& clock_;
  std::atomic<std::shared_ptr<const Routing>> routing_;
  const std::atomic<bool>* listing_ = nullptr;

  // Watcher thread only: reused per event so routing allocates nothing.
  std::unique_ptr<route::ReceiverSet> reached_;
  size_t reached_size_ = 0;
  std::vector<int> targets_;
  // Watcher thread only: each throttled receiver's memory, by name (kept
  // across reloads), and for the routing last seen, each receiver index's
  // (null: not throttled).
  std::unordered_map<std::string, UpdateThrottle> throttles_;
  std::shared_ptr<const Routing> bound_;
  std::vector<UpdateThrottle*> throttle_of_;
};

}  // namespace kv::app
