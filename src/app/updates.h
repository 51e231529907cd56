// Which of an event's updates a receiver gets. The watcher emits an event
// again when its count, series or last timestamp changes (an update, with
// `emitUpdates: true`); each receiver's `updates:` key decides whether that
// update is delivered to it:
//
//   all        every update (stores and streams: the default);
//   new        none: only the event's first occurrence (the reference
//              exporter's behaviour, which never exported updates);
//   throttled  at most one message per event (per uid) per interval, with
//              the count current when it goes out: an update inside the
//              interval since the event last went to the receiver is
//              dropped for it, the first one after the interval goes out
//              (the chat kinds' default, 5 minutes). A dropped update is
//              not sent later by itself (no trailing send): the next bump
//              after the interval carries the count.
//
// Only updates are ever held back; an event's first occurrence always goes
// to every receiver its route reaches. The decision is made in the
// pipeline's routing step, before the event is staged in any spool, so the
// spool and checkpoint rules (delivery/spool.h, kube/checkpoint.h) are
// untouched: a suppressed update is simply not routed to that receiver.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "config/node.h"
#include "util/clock.h"

namespace kv::app {

enum class UpdatePolicy { kAll, kNew, kThrottled };

struct UpdatesConfig {
  UpdatePolicy policy = UpdatePolicy::kAll;
  std::chrono::seconds interval{300};  // throttled only

  bool operator==(const UpdatesConfig&) const = default;
};

// The default of a receiver kind (a sinks::ReceiverKind's `chat` flag):
// throttled every 5 minutes for chat and alerting kinds, else all.
UpdatesConfig DefaultUpdates(bool chat);

// A receiver's `updates:` value over `dflt`: a policy name
// (`updates: new`), or a map `{policy: throttled, intervalSeconds: 600}`.
// Problems go to the node's diagnostics (file, line, key).
UpdatesConfig ParseUpdates(const config::Node& node, UpdatesConfig dflt);

// One throttled receiver's memory: for each event uid, when it last went
// out. Bounded: an entry is kept only for the interval (past it, the next
// update goes out anyway) and at most `max_entries` are kept; forgetting
// one early lets one more update out, never holds an event back.
// Single-threaded (the watcher thread).
class UpdateThrottle {
 public:
  static constexpr size_t kMaxEntries = 65536;

  explicit UpdateThrottle(size_t max_entries = kMaxEntries) : max_entries_(max_entries) {}

  // Whether the event `uid` goes to the receiver at `now`: a first
  // occurrence (`update` false) always, and starts the interval; an update
  // only when the interval since the uid last went out has passed (or it
  // never went out), and then starts a new interval.
  bool Admit(const std::string& uid, bool update, std::chrono::seconds interval,
             Clock::SteadyTime now);

  size_t size() const { return index_.size(); }

 private:
  struct Entry {
    std::string uid;
    Clock::SteadyTime sent;
  };
  // Drops entries whose interval is over, oldest first.
  void Expire(std::chrono::seconds interval, Clock::SteadyTime now);

  size_t max_entries_;
  std::list<Entry> order_;  // by `sent`, oldest first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

// The policy's decision for one receiver: whether `update`s of an event go
// out (`throttle` is that receiver's memory, used for kThrottled only).
bool AdmitUpdate(const UpdatesConfig& cfg, UpdateThrottle* throttle, const std::string& uid,
                 bool update, Clock::SteadyTime now);

}  // namespace kv::app
