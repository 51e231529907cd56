// The watcher's durable state, so a restart resumes where the last run
// stopped: the resume point (a resourceVersion), the emitted set (what was
// already sent, so a relist re-sends nothing), and the sequence number of
// the last event handed to the receivers' spools.
//
// A Checkpointer keeps it as a snapshot in a CheckpointStore plus a local
// append-only journal of the changes since (one short line per event), and
// folds the journal into a new snapshot every so often. app::Pipeline calls
// it on the watcher thread for every change the watcher reports.
//
// Ordering, which is what makes "nothing lost, nothing doubled" hold: for an
// emitted event the pipeline (1) appends it to every matching spool, unseen
// by their workers, (2) writes its journal line (Seen), then (3) lets the
// workers see it. A crash before (2) leaves records that
// TruncateAfter(committed_event_seq()) removes at the next start — the
// event is not in the emitted set, so it comes again from the API server.
// A crash after (2) leaves the event spooled and remembered.
//
// The invariant, under every fsync policy and crash point, power loss
// included: the checkpoint on disk (snapshot + journal) never covers an
// event that is not durably in every spool it was routed to. How it holds:
//  - fsync always: the spools are synced before the journal line is
//    written, and the line is synced before the commit returns;
//  - fsync interval: the syncer syncs the spools, then the journal, with no
//    commit in between (delivery::Hub::LockCommits);
//  - a snapshot is written only after the spools were synced (the pipeline's
//    Compact), atomically (temp file, fsync, rename, directory fsync), and
//    only then is the journal emptied;
//  - a journal line that cannot be written or synced is cut off again at
//    once and reported (kIo): the caller rolls the event's spool records
//    back and tries later; nothing after it is written until the cut
//    succeeds, so no line ever follows a torn one.
// Recovery: the snapshot, then the journal lines after its journalSeq up to
// the first unreadable one (cut off); the spools then drop records past the
// recovered eventSeq (Spool::TruncateAfter). Under fsync never, a power loss
// may lose events (documented); a process crash never does.
//
// Every file operation (journal, snapshot) goes through an injected Env.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kube/emitted_set.h"
#include "util/clock.h"
#include "util/env.h"
#include "util/result.h"

namespace kv::kube {

class CheckpointMirror;

struct Checkpoint {
  std::string resource_version;  // resume point; "" = list first
  uint64_t event_seq = 0;        // last event committed to the spools
  uint64_t journal_seq = 0;      // journal lines up to this one are folded in
  EmittedSet::Map emitted;
  // Which data directory wrote it (its replica id): event_seq and
  // journal_seq mean something only there.
  std::string writer;
  // Under leader election, the last few leaders this state was taken over
  // from, oldest first: {writer, event_seq of its last cluster checkpoint}.
  // A replica that comes back after a fail-over finds here how far its own
  // spooled events were covered (see CheckpointMirror).
  struct Handover {
    std::string writer;
    uint64_t event_seq = 0;
  };
  std::vector<Handover> handovers;
  static constexpr size_t kMaxHandovers = 8;
  // The first start's maxEventAge cutoff (wall micros): listed events last
  // seen before it were skipped then, and a list without a resume point
  // skips them again. Set by the first start of a lineage and carried by
  // every checkpoint after it; 0 = none or unknown (such a list emits
  // everything the emitted set does not know: at-least-once).
  int64_t skip_before_micros = 0;
};

// The resourceVersion as a number, or nullopt. Versions are etcd revisions
// (decimal integers that grow with every write; Kubernetes 1.34 made them
// comparable, KEP-5504), which is what lets a resume point also be a
// watermark: every object version at or below it was observed.
std::optional<uint64_t> NumericVersion(std::string_view rv);

// What the cluster's copy of `cp` needs to keep (the full state stays in
// the local checkpoint), so its size does not grow with the events the
// cluster holds: the emitted entries above the watermark
// (cp.resource_version; every entry when a version is not numeric, or
// there is no resume point yet), minus those the skip_before cutoff
// re-derives, plus the `recent` entries with the highest versions (so a
// new leader still tells most count bumps from new events).
Checkpoint ClusterView(const Checkpoint& cp, size_t recent);

// JSON: {"version":1,"resourceVersion":..,"eventSeq":..,"journalSeq":..,
// "writer":.., "handovers":[[writer, eventSeq], ...], "skipBeforeMicros":..,
// "emitted":[[uid, rv, count, seriesCount, lastSeenMicros], ...]}
// (writer, handovers and skipBeforeMicros optional).
std::string EncodeCheckpoint(const Checkpoint& cp);
// kCorrupt with a reason for anything that is not such a document.
Result<Checkpoint> DecodeCheckpoint(std::string_view json);

// Where snapshots live: a local file now; a ConfigMap when leader election
// lets another replica take over.
class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  // nullopt when there is no checkpoint yet (a first start).
  virtual Result<std::optional<Checkpoint>> Load() = 0;
  virtual Result<void> Save(const Checkpoint& cp) = 0;
  virtual std::string Describe() const = 0;  // for logs
};

// A JSON file replaced atomically (temp file, fsync, rename; see
// files::WriteAtomic) through `env`, which must outlive the store.
class FileCheckpointStore final : public CheckpointStore {
 public:
  FileCheckpointStore(Env& env, std::filesystem::path path) : env_(env), path_(std::move(path)) {}
  Result<std::optional<Checkpoint>> Load() override;
  Result<void> Save(const Checkpoint& cp) override;
  std::string Describe() const override { return path_.string(); }

 private:
  Env& env_;
  const std::filesystem::path path_;
};

struct CheckpointerOptions {
  std::filesystem::path journal;  // the journal file (created if absent)
  bool fsync_every_line = false;  // fdatasync after each journal line
  // Fold the journal into a snapshot after this many lines or this long.
  uint64_t compact_lines = 50000;
  std::chrono::seconds compact_interval{30};
};

class Checkpointer final {
 public:
  // Loads the snapshot and replays the journal over it (a torn last line
  // is cut off). kIo / kCorrupt when either cannot be used. The journal is
  // reached through `env`; `env` and `clock` must outlive the Checkpointer.
  static Result<std::unique_ptr<Checkpointer>> Open(std::unique_ptr<CheckpointStore> store,
                                                    CheckpointerOptions options, Env& env,
                                                    Clock& clock);
  ~Checkpointer();

  // The recovered state (empty resource_version and emitted set on a first
  // start). Moves it out; call once, before the watcher starts.
  Checkpoint TakeRecovered();
  bool had_state() const { return had_state_; }
  // The last event sequence number known committed (for Spool::TruncateAfter).
  uint64_t committed_event_seq() const { return event_seq_; }

  // The watcher's changes (watcher thread), one journal line each.
  // The sequence number to stamp on the next event handed to the spools.
  uint64_t NextEventSeq() { return ++event_seq_; }
  // `uid` is now remembered as `state` (emitted, or skipped as too old);
  // this line commits every event numbered so far. `position` is the
  // resume point that is safe once it is durable. kIo when the line cannot
  // be written (or synced, with fsync_every_line): nothing was committed,
  // and the call may be repeated.
  Result<void> Seen(const std::string& uid, const EmittedSet::State& state,
                    const std::string& position);
  Result<void> Forgotten(const std::string& uid, const std::string& position);
  // The resume point moved.
  Result<void> Position(const std::string& position);
  // A snapshot is due (so many lines or so long since the last one, or
  // since a failed try).
  bool SnapshotDue() const;

  // The event in hand could not be wholly spooled (shutdown ended a wait
  // for room): write nothing more, so neither it nor anything after it is
  // committed. Watcher thread.
  void Abandon() { abandoned_ = true; }

  // fdatasync of the journal (the fsync=interval syncer; any thread).
  Result<void> Sync();
  // Writes a snapshot now and empties the journal. The caller has made the
  // spools durable first (see the invariant above). Watcher thread, or
  // after it stopped. On failure the next one is due only after
  // compact_interval.
  Result<void> Snapshot(const std::string& position, const EmittedSet& all);

  // Under leader election: also keep `mirror` (the cluster's copy, which
  // gates publishing) up to date at every journal line. Watcher thread,
  // before it starts; null turns it off.
  void SetMirror(CheckpointMirror* mirror) { mirror_ = mirror; }
  // Carried in every checkpoint written from now on (see Checkpoint).
  void set_handovers(std::vector<Checkpoint::Handover> h) { handovers_ = std::move(h); }
  void set_writer(std::string writer) { writer_ = std::move(writer); }
  void set_skip_before(int64_t micros) { skip_before_micros_ = micros; }

  // The state as a snapshot would write it, with `position` and `all`.
  // Watcher thread, or while it does not run.
  Checkpoint Current(const std::string& position, const EmittedSet& all) const;

  // Wall time (micros) of the last journal line: how fresh the durable
  // resume point is. Any thread.
  int64_t last_commit_micros() const { return last_commit_micros_.load(); }

 private:
  Checkpointer(std::unique_ptr<CheckpointStore> store, CheckpointerOptions options, Env& env,
               Clock& clock);
  Result<void> Replay(const std::string& text);
  // Writes `line` (numbered `jseq`); `mirror_update` (may be null) then
  // tells the mirror what changed, before it hears the new position.
  Result<void> Append(uint64_t jseq, const std::string& line, const std::string& position,
                      const std::function<void()>& mirror_update);

  // Constant after construction.
  const std::unique_ptr<CheckpointStore> store_;
  const CheckpointerOptions options_;
  Env& env_;
  Clock& clock_;

  // Owned by the watcher thread.
  Checkpoint recovered_;
  bool had_state_ = false;
  bool abandoned_ = false;
  uint64_t event_seq_ = 0;
  uint64_t committed_seq_ = 0;  // event_seq_ at the last journal line
  uint64_t journal_seq_ = 0;
  uint64_t lines_since_snapshot_ = 0;
  std::chrono::steady_clock::time_point last_snapshot_;
  std::chrono::system_clock::time_point last_snapshot_wall_;
  CheckpointMirror* mirror_ = nullptr;
  std::string writer_;
  std::vector<Checkpoint::Handover> handovers_;
  int64_t skip_before_micros_ = 0;
  std::atomic<int64_t> last_commit_micros_{0};
  std::unique_ptr<File> journal_;
  uint64_t journal_bytes_ = 0;  // the journal's whole lines; beyond it is a failed write
  bool journal_torn_ = false;   // a failed write could not be cut off yet
};

}  // namespace kv::kube
