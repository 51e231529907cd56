// Under leader election the checkpoint's home is the cluster (a ConfigMap),
// and the receivers see an event only once the cluster's copy covers it.
//
// Why: a new leader resumes from the cluster checkpoint. If the old leader
// delivered events the cluster copy did not cover yet, the new leader would
// emit them again; with a copy written once a second that is a second of
// duplicates at every fail-over. Holding an event back until the copy that
// covers it is saved makes the old leader's deliveries a subset of what the
// new leader skips; what it spooled past its last saved copy, it drops when
// it comes back (`CoveredUpTo`), because the new leader re-emits exactly
// that. What is left doubled is the batch a receiver had in flight at the
// kill, sent again from the spool with the same idempotency key.
//
// The mirror keeps a shadow of the committed checkpoint state, updated by
// the Checkpointer on the watcher thread at every journal line (cheap: one
// map update), and a thread that saves the newest shadow, then publishes
// the spools up to the event sequence number it covers. Saves are spaced by
// at least `min_interval` (and by twice the last save's duration, so a large
// emitted set does not keep the API server busy), which bounds both the API
// load and the delay an event waits before it is delivered.
//
// What is saved is the checkpoint's ClusterView: the resume point, the
// first start's cutoff and the emitted entries above the watermark plus the
// newest few, so a save's size and cost do not grow with the number of
// events the cluster holds.
//
// Failures: a failed save is retried at the next turn and nothing more is
// published meanwhile (the API server is unreachable or another replica
// leads). A save refused for good (403, or too large for a ConfigMap:
// kRejected, not a conflict) is logged and published anyway, and retried
// every refused_retry: delivery goes on, and a new leader then finds an
// older copy or none, so it re-sends (duplicates), never skips.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kube/checkpoint.h"
#include "util/clock.h"
#include "util/result.h"

namespace kv::kube {

struct CheckpointMirrorOptions {
  std::chrono::milliseconds min_interval{250};
  // Entries at or below the watermark kept in each save (see ClusterView).
  size_t recent_entries = 256;
  // Between tries of a save the API server refused for good (403, too
  // large), while events are delivered without it.
  std::chrono::milliseconds refused_retry{10000};
};

class CheckpointMirror {
 public:
  using SaveFn = std::function<Result<void>(const Checkpoint&)>;
  using PublishFn = std::function<void(uint64_t event_seq)>;

  // `save` writes to the cluster (any error: not saved); `publish` makes
  // the spools' records up to that event sequence number visible. Saves are
  // paced, and stamped (last_saved_micros), on `clock`, which must outlive
  // the mirror.
  CheckpointMirror(CheckpointMirrorOptions options, SaveFn save, PublishFn publish, Clock& clock);
  ~CheckpointMirror();  // Stop()
  CheckpointMirror(const CheckpointMirror&) = delete;
  CheckpointMirror& operator=(const CheckpointMirror&) = delete;

  // Sets the shadow to `state` (adopted or recovered) and starts the thread.
  void Start(Checkpoint state);

  // Watcher thread, after the journal line of the change.
  void Seen(const std::string& uid, const EmittedSet::State& state);
  void Forgotten(const std::string& uid);
  void Replace(const EmittedSet::Map& all);  // after a relist
  void Committed(const std::string& position, uint64_t event_seq, uint64_t journal_seq);

  // Stops the thread, then saves the final state and publishes everything
  // it covers (published even when the save fails: the process is ending,
  // and the spools deliver it after a restart either way).
  Result<void> Flush();
  void Stop();

  // The event sequence number the last successful save covered.
  uint64_t saved_event_seq() const;
  // Wall time (micros since the epoch) of the last successful save, 0
  // before the first; and how many saves failed. Any thread.
  int64_t last_saved_micros() const { return last_saved_micros_.load(); }
  uint64_t failed_saves() const { return failed_saves_.load(); }

  // Which of a replica's spooled events a cluster checkpoint `cp` covers,
  // for the replica `writer` coming back: the event_seq of the last copy it
  // saved, if `cp` is its own or a successor took over from it; nullopt when
  // `cp` says nothing about it (keep everything it journaled).
  static std::optional<uint64_t> CoveredUpTo(const Checkpoint& cp, const std::string& writer);

 private:
  void Loop();
  // One save of the current shadow; publishes on success. Returns whether
  // there was anything new to save.
  bool SaveOnce(bool final);
  void NoteSave(bool ok);

  // Constant after construction.
  const CheckpointMirrorOptions options_;
  const SaveFn save_;
  const PublishFn publish_;
  Clock& clock_;

  mutable std::mutex mu_;
  std::condition_variable changed_;
  Checkpoint shadow_;           // guarded by mu_
  uint64_t dirty_journal_ = 0;  // shadow_.journal_seq at the last save; guarded
  uint64_t saved_event_seq_ = 0;
  bool stop_ = false;
  bool too_large_logged_ = false;
  bool failing_ = false;
  bool refused_ = false;  // the last save was refused for good (mirror thread)
  std::atomic<int64_t> last_saved_micros_{0};
  std::atomic<uint64_t> failed_saves_{0};
  std::thread thread_;
};

}  // namespace kv::kube
