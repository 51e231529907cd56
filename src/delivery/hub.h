// All receivers' delivery in one place: for each receiver a Spool under
// `<data dir>/spool/<receiver>/`, a DeadLetter file
// `<data dir>/deadletter/<receiver>.jsonl` and a Worker; plus the syncer
// thread that flushes spools (and anything else registered, such as the
// checkpoint journal) every fsync interval.
//
// The watcher thread hands each emitted event to Stage() for the receivers
// its route reached, then — once the checkpoint journal has the event —
// PublishStaged() makes it visible to those workers (see kube/checkpoint.h
// for why it takes two steps).
//
// Receivers can be added and replaced while running (config reload):
// Stage() holds a shared lock, Add()/Replace()/Retire() an exclusive one,
// so no event is appended while a receiver's worker is being swapped. A
// receiver keeps its index (and its spool) for the life of the hub.
//
// Files are reached through the Env and time through the Clock given to
// the constructor; both are passed on to every spool and dead-letter file.
//
// Commits and syncs exclude each other (LockCommits): the syncer makes the
// spools durable and only then the checkpoint journal, with no commit in
// between, so a journal line on disk never covers a spool record that is not
// (under fsync: interval; under always each commit syncs its own records).
// A disk that fails is reported to storage() and never retried here: the
// caller rolls the event back (Unstage) and decides when to try again.
//
// Threads: Add/Replace/Retire/Recover/Start/Stop from the owner;
// Stage/SyncStaged/PublishStaged from the watcher thread; accessors from
// anywhere (indices below size() stay valid).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "delivery/dead_letter.h"
#include "delivery/options.h"
#include "delivery/spool.h"
#include "delivery/storage_health.h"
#include "delivery/worker.h"
#include "util/clock.h"
#include "util/env.h"
#include "util/rng.h"
#include "util/stop.h"

namespace kv::delivery {

class Hub {
 public:
  // `env`, `rng` and `clock` must outlive the hub.
  Hub(std::filesystem::path data_dir, FsyncPolicy fsync, std::chrono::milliseconds fsync_interval,
      Env& env, Rng& rng, Clock& clock);
  ~Hub();

  // Opens the receiver's spool (recovering what a previous run left) and
  // prepares its worker. Receivers are numbered in the order added. kIo if
  // the spool cannot be opened.
  Result<void> Add(const std::string& name, std::unique_ptr<sinks::Sink> sink,
                   const DeliveryConfig& config);
  // The index of the receiver `name` (retired ones included), or -1.
  int Find(const std::string& name) const;
  // Swaps receiver `index`'s sink and settings: its worker finishes (or
  // leaves spooled) its batch within `grace`, then a new worker sends the
  // same spool through `sink`. Spool size and overflow settings keep their
  // first values until a restart.
  void Replace(size_t index, std::unique_ptr<sinks::Sink> sink, const DeliveryConfig& config,
               std::chrono::milliseconds grace);
  // Stops receiver `index` (no longer in the config); what it has spooled
  // stays on disk. A later Replace() brings it back.
  void Retire(size_t index, std::chrono::milliseconds grace);
  bool retired(size_t i) const { return receivers_[i]->retired; }
  // Called after each send of any receiver: (receiver index, events, duration).
  void SetSendObserver(std::function<void(size_t, size_t, std::chrono::nanoseconds)> observer) {
    on_send_ = std::move(observer);
  }
  // Removes from every spool the records of events after `committed_event_seq`
  // (spooled, but never committed to the checkpoint).
  Result<void> Recover(uint64_t committed_event_seq);
  // Also flushed by the syncer, after the spools, and only when every spool
  // synced (the checkpoint journal). Before Start().
  void AddSyncTarget(std::function<Result<void>()> sync);
  void Start();

  // Held by whoever commits (the watcher's pipeline) around staging and the
  // checkpoint line, and by the syncer around a round; see above.
  [[nodiscard]] std::unique_lock<std::mutex> LockCommits() {
    return std::unique_lock<std::mutex>(commit_mu_);
  }

  // Watcher thread: appends `ev` to the spools of `receivers` (indices in
  // Add order). Waits while a spool is full under overflow: block (without
  // holding the hub's lock, so reloads go on). False when AbandonStaging()
  // ended a wait: the event is then not wholly spooled and must not be
  // committed (the next start cuts off what was appended). kIo when a spool
  // cannot be written: the caller rolls back with Unstage(event_seq).
  Result<bool> Stage(const event::EventPtr& ev, std::span<const int> receivers, uint64_t event_seq);
  // Removes what Stage() appended for `event_seq` (not yet published), so
  // the event can be staged again later. Watcher thread.
  void Unstage(uint64_t event_seq);
  // Shutdown, any thread: a Stage waiting for room gives up (see above),
  // and so does a commit waiting for the disk (WaitForDisk).
  void AbandonStaging() { abandon_.Stop(); }
  // Waits `d` before the next try of a commit that failed on the disk;
  // false when AbandonStaging() was called (give up).
  bool WaitForDisk(std::chrono::milliseconds d) { return !abandon_.WaitFor(d, clock_); }
  // Under fsync: always, syncs the spools Stage() wrote to since the last
  // PublishStaged (before the checkpoint commits their events). kIo when a
  // sync fails (roll back with Unstage).
  Result<void> SyncStaged();
  // Unless fsync is never: syncs every spool now (before a checkpoint
  // snapshot covers what they hold). Call with the commit lock held.
  Result<void> SyncSpools();
  // One round of the syncer (fsync: interval) now: under the commit lock,
  // the spools, then, if they all synced, the sync targets; the outcome goes
  // to storage(). Also at Stop, and for tests.
  void SyncAll();
  // Publishes what was staged (after the checkpoint committed it), unless
  // publishing is gated.
  void PublishStaged();
  // Gated (under leader election), PublishStaged publishes nothing: the
  // cluster checkpoint's mirror calls PublishUpTo once its copy covers the
  // events (kube/checkpoint_mirror.h). Any thread.
  void SetPublishGate(bool gated) { gated_.store(gated); }
  void PublishUpTo(uint64_t event_seq);

  // Stops the syncer and every worker: each delivers for up to `grace`,
  // then what is left stays spooled (and synced).
  void Stop(std::chrono::milliseconds grace);

  size_t size() const {
    std::shared_lock lock(mu_);
    return receivers_.size();
  }
  const std::string& name(size_t i) const { return receivers_[i]->name; }
  const Spool& spool(size_t i) const { return *receivers_[i]->spool; }
  const WorkerStats& worker_stats(size_t i) const { return receivers_[i]->stats; }
  const DeadLetter& dead_letter(size_t i) const { return *receivers_[i]->dead_letter; }

  // A file-system-safe form of a receiver name (for its directory).
  static std::string DirName(const std::string& receiver);

  // Whether the data dir takes writes (for /readyz and the metrics).
  StorageHealth& storage() { return storage_; }
  const StorageHealth& storage() const { return storage_; }

 private:
  struct Receiver {
    std::string name;
    std::unique_ptr<Spool> spool;
    std::unique_ptr<DeadLetter> dead_letter;
    std::unique_ptr<Worker> worker;
    WorkerStats stats;    // shared by the successive workers of this receiver
    bool staged = false;  // watcher thread: has appended, not yet published
    bool retired = false;
  };
  std::unique_ptr<Worker> MakeWorker(size_t index, std::unique_ptr<sinks::Sink> sink,
                                     const DeliveryConfig& config);
  void SyncLoop();

  // Constant after construction.
  const std::filesystem::path data_dir_;
  const FsyncPolicy fsync_;
  const std::chrono::milliseconds fsync_interval_;
  Env& env_;
  Rng& rng_;
  Clock& clock_;

  mutable std::shared_mutex mu_;  // receivers_ shape and each worker pointer
  std::vector<std::unique_ptr<Receiver>> receivers_;
  std::vector<std::function<Result<void>()>> sync_targets_;  // fixed after Start()
  std::function<void(size_t, size_t, std::chrono::nanoseconds)> on_send_;
  bool started_ = false;
  StopSignal syncer_stop_;
  std::thread syncer_;
  std::atomic<bool> gated_{false};
  StopSignal abandon_;
  std::mutex commit_mu_;  // see LockCommits
  StorageHealth storage_;
};

}  // namespace kv::delivery
