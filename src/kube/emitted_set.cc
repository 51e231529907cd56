#include "kube/emitted_set.h"

namespace kv::kube {

EmittedSet::State EmittedSet::Summarize(const event::Event& ev) {
  State s;
  s.resource_version = ev.metadata.resource_version;
  s.count = ev.count;
  s.series_count = ev.series ? ev.series->count : 0;
  s.last_seen_micros = ev.LastSeenMicros();
  return s;
}

Novelty EmittedSet::Observe(const event::Event& ev) {
  State now = Summarize(ev);
  auto [it, inserted] = seen_.try_emplace(ev.metadata.uid, now);
  if (inserted) return Novelty::kNew;
  State& before = it->second;
  if (before.resource_version == now.resource_version) return Novelty::kUnchanged;
  bool changed = before.count != now.count || before.series_count != now.series_count ||
                 before.last_seen_micros != now.last_seen_micros;
  before = std::move(now);
  return changed ? Novelty::kUpdate : Novelty::kUnchanged;
}

void EmittedSet::Remember(const event::Event& ev) { seen_[ev.metadata.uid] = Summarize(ev); }

void EmittedSet::RetainOnly(const std::unordered_set<std::string>& present) {
  for (auto it = seen_.begin(); it != seen_.end();) {
    if (present.count(it->first) == 0) {
      it = seen_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace kv::kube
