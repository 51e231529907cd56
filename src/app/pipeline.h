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
// Threads: Emit/Remember/Forget/Position on the watcher thread only;
// SetRouting from any thread (a config reload swaps routing while events
// flow; each event reads the routing once).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "app/config.h"
#include "app/observability.h"
#include "delivery/hub.h"
#include "kube/checkpoint.h"
#include "kube/enricher.h"
#include "kube/watcher.h"
#include "route/tree.h"

namespace kv::app {

// The route tree and, for each receiver index of the tree, the Hub index
// of that receiver (-1: not in the hub).
struct Routing {
  std::shared_ptr<const route::Tree> tree;
  std::vector<int> hub_index;
  bool emit_updates = true;
};

// The Routing of `config` over the receivers of `hub`.
std::shared_ptr<const Routing> MakeRouting(const Config& config, const delivery::Hub& hub);

class Pipeline final : public kube::WatchConsumer {
 public:
  // `enricher` may be null (omitLookup). Every reference must outlive the
  // Pipeline.
  Pipeline(kube::Enricher* enricher, delivery::Hub& hub, kube::Checkpointer& checkpointer,
           PipelineStats& stats);

  void SetRouting(std::shared_ptr<const Routing> routing) { routing_.store(std::move(routing)); }

  // kube::WatchConsumer (watcher thread).
  void Emit(event::Event ev, bool update, const kube::EmittedSet::State& remembered,
            const std::string& position, const kube::EmittedSet& all) override;
  void Remember(const std::string& uid, const kube::EmittedSet::State& state,
                const std::string& position, const kube::EmittedSet& all) override;
  void Forget(const std::string& uid, const std::string& position,
              const kube::EmittedSet& all) override;
  void Position(const std::string& position, const kube::EmittedSet& all, bool snapshot) override;

 private:
  // The hub indices of the receivers `ev` reaches under `routing` (into
  // targets_; empty: none).
  void Route(const event::Event& ev, const Routing& routing);
  void CountEmitted(const event::Event& ev);

  // Constant after construction.
  kube::Enricher* const enricher_;
  delivery::Hub& hub_;
  kube::Checkpointer& checkpointer_;
  PipelineStats& stats_;
  std::atomic<std::shared_ptr<const Routing>> routing_;

  // Watcher thread only: reused per event so routing allocates nothing.
  std::unique_ptr<route::ReceiverSet> reached_;
  size_t reached_size_ = 0;
  std::vector<int> targets_;
};

}  // namespace kv::app
