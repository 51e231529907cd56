#include "app/pipeline.h"

namespace kv::app {

std::shared_ptr<const Routing> MakeRouting(const Config& config, const delivery::Hub& hub) {
  auto r = std::make_shared<Routing>();
  r->tree = config.route;
  r->emit_updates = config.emit_updates;
  for (const auto& rc : config.receivers) r->hub_index.push_back(hub.Find(rc.name));
  return r;
}

Pipeline::Pipeline(kube::Enricher* enricher, delivery::Hub& hub, kube::Checkpointer& checkpointer,
                   PipelineStats& stats)
    : enricher_(enricher), hub_(hub), checkpointer_(checkpointer), stats_(stats) {}

void Pipeline::Emit(event::Event ev, bool update, const kube::EmittedSet::State& remembered,
                    const std::string& position, const kube::EmittedSet& all) {
  const std::string uid = ev.metadata.uid;
  const uint64_t event_seq = checkpointer_.NextEventSeq();
  std::shared_ptr<const Routing> routing = routing_.load();
  targets_.clear();
  if (update && !routing->emit_updates) {
    stats_.updates_skipped.fetch_add(1, std::memory_order_relaxed);
  } else {
    if (enricher_) enricher_->Enrich(ev);
    Route(ev, *routing);
  }
  if (!targets_.empty()) {
    CountEmitted(ev);
    auto shared = std::make_shared<const event::Event>(std::move(ev));
    if (!hub_.Stage(shared, targets_, event_seq)) {
      // Shutdown ended a wait for spool room: the event is not wholly
      // spooled, so it must not be committed; it comes again next start.
      checkpointer_.Abandon();
      return;
    }
    hub_.SyncStaged();  // under fsync: always, the records are on disk first
  }
  checkpointer_.Seen(uid, remembered, position, all);  // the commit
  hub_.PublishStaged();
}

void Pipeline::Route(const event::Event& ev, const Routing& routing) {
  size_t n = routing.hub_index.size();
  if (!reached_ || reached_size_ != n) {
    reached_ = std::make_unique<route::ReceiverSet>(n);
    reached_size_ = n;
  }
  routing.tree->Evaluate(ev, reached_.get());
  for (int i : reached_->hits()) {
    int h = routing.hub_index[static_cast<size_t>(i)];
    if (h >= 0) targets_.push_back(h);
  }
  if (targets_.empty()) stats_.no_route.fetch_add(1, std::memory_order_relaxed);
}

void Pipeline::CountEmitted(const event::Event& ev) {
  auto& counter = ev.type == "Normal"    ? stats_.emitted_normal
                  : ev.type == "Warning" ? stats_.emitted_warning
                                         : stats_.emitted_other;
  counter.fetch_add(1, std::memory_order_relaxed);
}

void Pipeline::Remember(const std::string& uid, const kube::EmittedSet::State& state,
                        const std::string& position, const kube::EmittedSet& all) {
  checkpointer_.Seen(uid, state, position, all);
}

void Pipeline::Forget(const std::string& uid, const std::string& position,
                      const kube::EmittedSet& all) {
  checkpointer_.Forgotten(uid, position, all);
}

void Pipeline::Position(const std::string& position, const kube::EmittedSet& all, bool snapshot) {
  checkpointer_.Position(position, all, snapshot);
}

}  // namespace kv::app
