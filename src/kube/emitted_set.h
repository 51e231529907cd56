// What the watcher has already emitted: uid -> the version it last emitted
// and the fields that make a change worth re-emitting. It decides, for each
// observed event, whether it is new, an update, or a repeat; a relist
// reconciles it with the server's list so it never outgrows the API
// server's own event set. Not thread-safe (the watcher thread owns it).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "event/event.h"

namespace kv::kube {

enum class Novelty {
  kNew,        // never emitted: emit
  kUpdate,     // emitted before, and count/series/lastTimestamp changed: emit as update
  kUnchanged,  // emitted before and nothing a user cares about changed: skip
};

class EmittedSet {
 public:
  // What is remembered per uid (also what the checkpoint stores).
  struct State {
    std::string resource_version;
    int32_t count = 0;
    int32_t series_count = 0;
    int64_t last_seen_micros = 0;
    bool operator==(const State&) const = default;
  };
  using Map = std::unordered_map<std::string, State>;

  EmittedSet() = default;
  explicit EmittedSet(Map seen) : seen_(std::move(seen)) {}

  // Classifies `ev` and records it as seen (whether or not it is emitted).
  Novelty Observe(const event::Event& ev);

  // Records `ev` as seen without emitting it (events skipped by age).
  void Remember(const event::Event& ev);

  void Forget(const std::string& uid) { seen_.erase(uid); }

  // Relist reconciliation: drops every uid not in `present`.
  void RetainOnly(const std::unordered_set<std::string>& present);

  size_t size() const { return seen_.size(); }
  const Map& entries() const { return seen_; }
  // The state recorded for `uid`, or null.
  const State* Find(const std::string& uid) const {
    auto it = seen_.find(uid);
    return it == seen_.end() ? nullptr : &it->second;
  }

  static State Summarize(const event::Event& ev);

 private:
  Map seen_;
};

}  // namespace kv::kube
