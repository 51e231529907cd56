// One receiver's durable queue: an append-only segment log on disk in its
// own directory, with an index of the pending records in memory and, for
// the newest of them, the decoded events themselves (up to a memory budget;
// older ones are read back from disk when their turn comes).
//
// Records become readable in two steps so the watcher can make an event's
// arrival atomic across all spools and its checkpoint journal: Append()
// writes the record to the log, Publish() hands everything appended so far
// to the reader. A record that was appended but not published when the
// process died is removed at the next start by TruncateAfter() (its event
// comes again from the API server, because the checkpoint never covered it).
//
// Each record carries `event_seq`, the watcher's global sequence number of
// its event (increasing across spools), and the spool's own `seq`.
//
// On disk: `<dir>/<first seq, 20 digits>.seg` segment files of records and
// `<dir>/ack`, two checksummed slots holding the first unacknowledged seq
// (written alternately, so a torn write leaves the other one valid); the
// byte layout is delivery/spool_format.h. A torn or corrupt record ends its
// segment: the tail is cut off at open.
//
// Durability. Sync() makes every record appended so far durable: the dirty
// segments' data (fdatasync), then the directory when a segment was created
// or removed since (a new segment's name is not durable without it), then
// the ack file. A failed sync is reported and its targets stay dirty, so the
// next Sync() tries them again; the caller (delivery::Hub) never lets a
// checkpoint covering those records become durable meanwhile. The invariant
// the hub and kube::Checkpointer keep with it: a checkpoint on disk never
// covers an event that is not durably in every spool it was routed to.
//
// Failed writes. An append that fails (ENOSPC, EIO, a short write) is cut
// back off its segment at once, so the segment stays whole and the next
// append reuses it with the same sequence number; if even the cut fails the
// segment is sealed and the next append opens a new one. There are never
// two segments with one name: a new segment replaces an empty one that
// carries its name. Records cut off are never acknowledged or published.
//
// Recovery rules at Open(): records below the ack file's first unacknowledged
// seq are gone (delivered); a segment wholly behind it is removed; a torn or
// corrupt record and everything after it in its segment is cut off (it was
// never committed: a commit needs the record synced first under `always`,
// and under `interval`/`never` only a process crash, which loses no written
// byte, or a power loss with the checkpoint behind the records, can tear
// one); then TruncateAfter(the checkpoint's event seq) removes records the
// checkpoint never covered.
//
// Every file operation goes through the Env, and every wait and timestamp
// through the Clock, given to Open().
//
// Threads: the watcher thread calls Append()/Publish(); the receiver's
// worker calls Take()/Ack(); Sync() may come from a syncer thread; stats()
// and the counters from anywhere. Everything is guarded by one mutex, held
// only for bookkeeping (never across a send).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "event/decode.h"
#include "event/event.h"
#include "util/clock.h"
#include "util/env.h"
#include "util/result.h"

namespace kv::delivery {

enum class FsyncPolicy {
  kAlways,    // fdatasync before every commit (slow; survives power loss exactly)
  kInterval,  // a syncer calls Sync() every interval (power loss may cost that interval)
  kNever,     // leave it to the kernel (a process crash still loses nothing)
};

enum class OverflowPolicy {
  kBlock,       // Append waits for room: back-pressure reaches the watcher
  kDropOldest,  // the oldest records not yet handed to the worker make room, counted
};

struct SpoolOptions {
  std::filesystem::path dir;
  uint64_t max_bytes = 256ull << 20;    // pending (unacknowledged) record bytes
  uint64_t memory_bytes = 16ull << 20;  // decoded events kept in memory
  uint64_t segment_bytes = 16ull << 20;
  FsyncPolicy fsync = FsyncPolicy::kInterval;
  OverflowPolicy overflow = OverflowPolicy::kBlock;
};

struct SpoolStats {
  std::atomic<uint64_t> appended{0};
  std::atomic<uint64_t> acked{0};
  std::atomic<uint64_t> dropped{0};    // by drop-oldest
  std::atomic<uint64_t> recovered{0};  // pending records found at open
  std::atomic<uint64_t> corrupt{0};  // records cut off at open (torn / bad checksum / undecodable)
  std::atomic<uint64_t> blocked_appends{0};  // Appends that had to wait for room
  std::atomic<uint64_t> pending_events{0};
  std::atomic<uint64_t> pending_bytes{0};
};

// One record handed to the worker.
struct Entry {
  uint64_t seq = 0;
  event::EventPtr event;
  uint32_t bytes = 0;
  Clock::SteadyTime appended{};  // when it was spooled (recovered records: when the spool opened)
};

class Spool {
 public:
  // Opens (creating) `options.dir` and recovers the records a previous run
  // left unacknowledged; they come out again first, in their order.
  // kIo if the directory or a segment cannot be used. `env` and `clock`
  // must outlive the spool.
  static Result<std::unique_ptr<Spool>> Open(const SpoolOptions& options, Env& env, Clock& clock);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Removes records whose event_seq is above `event_seq`, i.e. appended but
  // never committed: at recovery (before the first Append), or to roll back
  // an event whose commit failed (its records are the unpublished tail).
  // Segments left empty are removed. Returns how many records were removed;
  // kIo if a file cannot be cut (the records before it are removed).
  Result<size_t> TruncateAfter(uint64_t event_seq);

  // Watcher thread. Writes `ev` as the record for `event_seq`; it is not
  // readable until Publish(). Under kBlock, waits while the spool is full
  // (kUnavailable if Close() is called meanwhile); under kDropOldest drops
  // the oldest records not yet taken. A record larger than max_bytes is
  // accepted alone. kIo if the write fails.
  Result<void> Append(const event::EventPtr& ev, uint64_t event_seq);
  // The same, but where Append would wait for room under kBlock, returns
  // kFull at once (counted and logged as a blocked append), so the caller
  // can wait with WaitForRoom without holding its own locks.
  Result<void> TryAppend(const event::EventPtr& ev, uint64_t event_seq);
  // Waits up to `max` (on the clock) for room for the record the last
  // TryAppend refused. True when there is room now, or the spool is closed
  // (Append says so).
  bool WaitForRoom(std::chrono::milliseconds max);
  // Makes every appended record readable.
  void Publish();
  // Makes the appended records up to `event_seq` readable (a cluster
  // checkpoint covers them; see kube/checkpoint_mirror.h). Any thread.
  void PublishUpTo(uint64_t event_seq);

  // Worker thread. Waits until a batch is ready — `max_events` records, or
  // `max_bytes` of them, or the oldest has waited `linger` — and returns it
  // (at least one record); returns early with what there is at `give_up`
  // (the clock's steady time) or after Close()/Interrupt(). The records
  // stay pending until Ack().
  std::vector<Entry> Take(size_t max_events, size_t max_bytes, std::chrono::milliseconds linger,
                          Clock::SteadyTime give_up);
  // Worker thread: every record handed out by the last Take() is done
  // (delivered or dead-lettered). Persists the new start of the queue and
  // deletes segments wholly behind it. kIo if the ack file cannot be written
  // (or synced, under `always`): the records are done all the same, and at
  // worst come out again after a restart.
  Result<void> Ack();

  // Makes everything written so far durable (see Durability above). kIo
  // with the first failure; whatever failed is tried again next time.
  Result<void> Sync();
  // Wakes blocked Append()/Take() calls; Append fails from now on.
  void Close();
  // Accepts appends again after Close() (a receiver's worker was replaced)
  // and hands out again what the previous worker took but did not Ack().
  void Reopen();
  // Wakes a waiting Take() once (shutdown deadline changed).
  void Interrupt();

  bool Empty() const;
  // The event seq of the oldest record not yet acknowledged; nullopt when
  // the spool is empty.
  std::optional<uint64_t> OldestPendingEventSeq() const;
  // No published record is left (appended but unpublished ones may be).
  bool NothingReadable() const;
  const SpoolStats& stats() const { return stats_; }
  const std::filesystem::path& dir() const { return options_.dir; }

  // Encodes/decodes a record payload (the event with its enrichment and
  // API group). Exposed for tests and the fuzz target.
  static std::string EncodePayload(const event::Event& ev);
  static Result<event::Event> DecodePayload(std::string_view payload, event::Decoder& decoder);

 private:
  struct Segment;
  struct Index {
    uint64_t seq;
    uint64_t event_seq;
    Segment* segment;
    uint64_t offset;  // of the record header in the segment file
    uint32_t bytes;   // whole record
    Clock::SteadyTime appended;
    event::EventPtr event;  // null when only on disk
  };

  Spool(SpoolOptions options, Env& env, Clock& clock);
  Result<void> DoAppend(const event::EventPtr& ev, uint64_t event_seq, bool wait);
  Result<void> Recover();
  Result<void> RecoverSegment(Segment& segment, uint64_t first_unacked);
  Result<void> OpenNewSegment();
  Result<void> WriteAckLocked();
  // Removes the emptied segments at the end of segments_ (after a cut).
  void DropEmptyTailSegmentsLocked();
  uint64_t ReadAck();
  event::EventPtr LoadLocked(const Index& index);
  void DropOldestLocked(uint64_t needed);
  void DeleteSegmentsBehindLocked();
  bool FullLocked(uint64_t bytes) const;

  // Constant after construction.
  const SpoolOptions options_;
  Env& env_;
  Clock& clock_;

  mutable std::mutex mu_;                          // guards everything below
  std::condition_variable readable_;               // Take waits
  std::condition_variable room_;                   // Append waits
  std::deque<std::unique_ptr<Segment>> segments_;  // oldest first; back() is written
  std::deque<Index> pending_;   // not acked: [taken..., readable..., appended-unpublished...]
  size_t taken_ = 0;            // the first `taken_` of pending_ are with the worker
  uint64_t refused_bytes_ = 0;  // the record the last TryAppend refused
  size_t published_ = 0;        // the first `published_` of pending_ are readable (>= taken_)
  uint64_t next_seq_ = 0;
  uint64_t first_unacked_ = 0;
  uint64_t pending_bytes_ = 0;
  uint64_t resident_bytes_ = 0;
  uint32_t ack_generation_ = 0;
  std::unique_ptr<File> ack_file_;
  bool dir_dirty_ = false;  // a segment was created or removed since the last Sync
  bool ack_dirty_ = false;  // the ack file was written since the last Sync
  bool closed_ = false;
  bool interrupted_ = false;
  int readers_waiting_ = 0;  // Take() calls blocked on readable_
  Clock::SteadyTime last_full_log_{};
  uint64_t dropped_since_log_ = 0;
  event::Decoder decoder_;  // for records read back from disk (worker side, under mu_)

  SpoolStats stats_;
};

}  // namespace kv::delivery
