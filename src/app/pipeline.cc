#include "app/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace kv::app {

std::shared_ptr<const Routing> MakeRouting(const Config& config, const delivery::Hub& hub) {
  auto r = std::make_shared<Routing>();
  r->tree = config.route;
  r->emit_updates = config.emit_updates;
  for (const auto& rc : config.receivers) {
    r->hub_index.push_back(hub.Find(rc.name));
    r->names.push_back(rc.name);
    r->updates.push_back(rc.updates);
  }
  return r;
}

Pipeline::Pipeline(kube::Enricher* enricher, delivery::Hub& hub, kube::Checkpointer& checkpointer,
                   PipelineStats& stats, Clock& clock)
    : enricher_(enricher), hub_(hub), checkpointer_(checkpointer), stats_(stats), clock_(clock) {}

void Pipeline::Emit(event::Event ev, bool update, const kube::EmittedSet::State& remembered,
                    const std::string& position, const kube::EmittedSet& all) {
  const std::string uid = ev.metadata.uid;
  const uint64_t event_seq = checkpointer_.NextEventSeq();
  std::shared_ptr<const Routing> routing = routing_.load();
  targets_.clear();
  if (update && !routing->emit_updates) {
    stats_.updates_skipped.fetch_add(1, std::memory_order_relaxed);
  } else {
    if (enricher_) {
      enricher_->Enrich(ev, !(listing_ && listing_->load(std::memory_order_relaxed)));
    }
    BindThrottles(routing);
    Route(ev, update, *routing);
  }
  event::EventPtr shared;
  if (!targets_.empty()) {
    CountEmitted(ev);
    shared = std::make_shared<const event::Event>(std::move(ev));
  }
  Commit([&] { return TryEmit(shared, event_seq, uid, remembered, position); }, position, all);
}

Result<bool> Pipeline::TryEmit(const event::EventPtr& ev, uint64_t event_seq,
                               const std::string& uid, const kube::EmittedSet::State& remembered,
                               const std::string& position) {
  if (ev) {
    auto staged = hub_.Stage(ev, targets_, event_seq);
    // Shutdown ended a wait for spool room: the event is not wholly
    // spooled, so it must not be committed; it comes again next start.
    if (staged && !*staged) return false;
    Result<void> synced;
    if (!staged) {
      synced = tl::unexpected(staged.error());
    } else {
      synced = hub_.SyncStaged();
    }
    if (!synced) {
      hub_.Unstage(event_seq);
      return tl::unexpected(synced.error());
    }
  }
  if (auto c = checkpointer_.Seen(uid, remembered, position); !c) {  // the commit
    if (ev) hub_.Unstage(event_seq);
    return tl::unexpected(c.error());
  }
  hub_.PublishStaged();
  return true;
}

void Pipeline::Commit(const std::function<Result<bool>()>& attempt, const std::string& position,
                      const kube::EmittedSet& all) {
  auto& storage = hub_.storage();
  for (;;) {
    {
      auto commits = hub_.LockCommits();
      auto r = attempt();
      if (r) {
        storage.Succeeded(delivery::StorageHealth::kCommit);
        if (!*r) {
          checkpointer_.Abandon();
        } else if (checkpointer_.SnapshotDue()) {
          if (auto c = CompactLocked(position, all); !c) {
            spdlog::warn("cannot write the checkpoint snapshot: {}", c.error().message);
          }
        }
        return;
      }
      storage.Failed(delivery::StorageHealth::kCommit, r.error().message);
    }
    if (!hub_.WaitForDisk(kDiskRetry)) {
      checkpointer_.Abandon();  // shutdown: nothing more is committed
      return;
    }
  }
}

Result<void> Pipeline::Compact(const std::string& position, const kube::EmittedSet& all) {
  auto commits = hub_.LockCommits();
  return CompactLocked(position, all);
}

Result<void> Pipeline::CompactLocked(const std::string& position, const kube::EmittedSet& all) {
  // The snapshot covers every committed event: their records must be on
  // disk first (under fsync interval they may not be yet).
  if (auto r = hub_.SyncSpools(); !r) return r;
  return checkpointer_.Snapshot(position, all);
}

void Pipeline::Route(const event::Event& ev, bool update, const Routing& routing) {
  size_t n = routing.hub_index.size();
  if (!reached_ || reached_size_ != n) {
    reached_ = std::make_unique<route::ReceiverSet>(n);
    reached_size_ = n;
  }
  routing.tree->Evaluate(ev, reached_.get());
  bool reached = false;
  const Clock::SteadyTime now = clock_.SteadyNow();
  for (int i : reached_->hits()) {
    auto r = static_cast<size_t>(i);
    int h = routing.hub_index[r];
    if (h < 0) continue;
    reached = true;
    if (r < routing.updates.size() &&
        !AdmitUpdate(routing.updates[r], throttle_of_[r], ev.metadata.uid, update, now)) {
      stats_.updates_suppressed.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    targets_.push_back(h);
  }
  if (!reached) stats_.no_route.fetch_add(1, std::memory_order_relaxed);
}

void Pipeline::BindThrottles(const std::shared_ptr<const Routing>& routing) {
  if (routing == bound_) return;
  bound_ = routing;
  throttle_of_.assign(routing->updates.size(), nullptr);
  std::unordered_map<std::string, UpdateThrottle> kept;
  const size_t n = std::min(routing->updates.size(), routing->names.size());
  for (size_t i = 0; i < n; ++i) {
    if (routing->updates[i].policy != UpdatePolicy::kThrottled) continue;
    const std::string& name = routing->names[i];
    auto old = throttles_.find(name);
    auto [it, added] = kept.try_emplace(name);
    if (added && old != throttles_.end()) it->second = std::move(old->second);
  }
  throttles_ = std::move(kept);
  for (size_t i = 0; i < n; ++i) {
    auto it = throttles_.find(routing->names[i]);
    if (it != throttles_.end() && routing->updates[i].policy == UpdatePolicy::kThrottled) {
      throttle_of_[i] = &it->second;
    }
  }
}

void Pipeline::CountEmitted(const event::Event& ev) {
  auto& counter = ev.type == "Normal"    ? stats_.emitted_normal
                  : ev.type == "Warning" ? stats_.emitted_warning
                                         : stats_.emitted_other;
  counter.fetch_add(1, std::memory_order_relaxed);
}

void Pipeline::Remember(const std::string& uid, const kube::EmittedSet::State& state,
                        const std::string& position, const kube::EmittedSet& all) {
  Commit(
      [&]() -> Result<bool> {
        if (auto r = checkpointer_.Seen(uid, state, position); !r) return tl::unexpected(r.error());
        return true;
      },
      position, all);
}

void Pipeline::Forget(const std::string& uid, const std::string& position,
                      const kube::EmittedSet& all) {
  Commit(
      [&]() -> Result<bool> {
        if (auto r = checkpointer_.Forgotten(uid, position); !r) return tl::unexpected(r.error());
        return true;
      },
      position, all);
}

void Pipeline::Position(const std::string& position, const kube::EmittedSet& all, bool snapshot) {
  Commit(
      [&]() -> Result<bool> {
        // After a relist reconciled the set: the whole state, else a line.
        if (snapshot && CompactLocked(position, all)) return true;
        if (auto r = checkpointer_.Position(position); !r) return tl::unexpected(r.error());
        return true;
      },
      position, all);
}

}  // namespace kv::app
