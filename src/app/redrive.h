// `kubevents redrive`: queues a receiver's dead letters again, offline, so
// the next `kubevents run` delivers them (the watch has moved past those
// events; the API server will not send them again).
//
// It works on the data directory while no instance runs (it takes the
// data dir's lock, as `run` does, and refuses when another process holds
// it). The dead letters of receiver R are `deadletter/R.jsonl` and its
// rotated `R.jsonl.1` (delivery/dead_letter.h: each line has the event, its
// idempotency key and the time it was dead-lettered); the lines selected
// (all, or those dead-lettered at or after --since) are appended to R's
// spool with their original events, so their idempotency keys (uid/
// resourceVersion, derived from the event) are the same as the first time.
//
// Why the records survive the next start. `run` cuts every spool record
// whose event_seq is past the checkpoint's committed one (Hub::Recover:
// those were staged but never committed). So redrive stamps its records
// the way the watcher does, with Checkpointer::NextEventSeq(), and commits
// them the way the watcher does: the spool is synced first, then one
// journal Position line (the resume point unchanged) carries the new
// event_seq, synced. That keeps kube/checkpoint.h's invariant: the
// checkpoint never covers a record that is not durably in its spool; and
// the next watcher's events get sequence numbers above them.
//
// Crash semantics (at-least-once, never a loss). The steps:
//   1. write `R.jsonl.rest` (the lines not selected, and unreadable ones)
//      and then `R.jsonl.redrive-pending` (its time stamp and the event
//      seqs it is about to use), both synced;
//   2. append the records to the spool and sync it;
//   3. the journal line (the commit point), synced;
//   4. rename `R.jsonl` to `R.jsonl.redriven-<stamp>` and `R.jsonl.1` to
//      `R.jsonl.1.redriven-<stamp>`, then `R.jsonl.rest` to `R.jsonl`;
//      add the redrive to `redrive-history.jsonl` (RedriveRecord below);
//      then remove the pending file.
// A crash before 3 leaves records past the committed seq (cut at the next
// start, as any uncommitted record) and the dead-letter files untouched. A
// crash after 3 leaves the records committed and the rotation unfinished.
// The pending file tells the two apart exactly: the commit happened iff
// the committed event seq reaches its last seq. Both `run` and `redrive`
// settle a pending file before anything else (ResolveInterruptedRedrive),
// so no later commit can blur that test: a committed redrive's rotation is
// finished, an uncommitted one's pending and rest files are removed. So a
// dead letter is never lost and is queued at most once per redrive that
// committed; it is still sent at least once, not exactly once: a batch a
// worker sent but did not acknowledge before a crash is sent again, with
// the same idempotency key.
//
// Every file operation goes through the Env; times through the Clock.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "event/decode.h"
#include "util/clock.h"
#include "util/env.h"
#include "util/result.h"

namespace kv::kube {
class Checkpointer;
}
namespace kv::delivery {
class Hub;
}
namespace kv::server {
class Registry;
}

namespace kv::app {

struct RedriveOptions {
  std::string receiver;
  // Only lines dead-lettered at or after this wall time (micros); nullopt:
  // every line.
  std::optional<int64_t> since_micros;
  bool dry_run = false;
  // For lines without an apiGroup (written before it was recorded): the
  // config's eventsApi.
  event::ApiGroup default_api = event::ApiGroup::kCore;
};

struct RedriveReport {
  size_t selected = 0;    // lines queued again (or that would be, dry run)
  size_t kept = 0;        // lines left in the dead-letter file (not selected)
  size_t unreadable = 0;  // lines that could not be read (kept as they are)
  std::string first_key;  // idempotency keys of the first and last selected
  std::string last_key;
  uint64_t first_event_seq = 0;  // the event seqs given to them (not in a dry run)
  uint64_t last_event_seq = 0;
  std::vector<std::filesystem::path> redriven_files;  // where the old files went
};

// One committed redrive, as `deadletter/redrive-history.jsonl` keeps it
// (a line is added when its rotation finishes, once even after a crash):
// what `run` reports at its start (the counter
// deadletter_redriven_events_total, and a log line while its records are
// still in the receiver's spool).
struct RedriveRecord {
  std::string receiver_dir;  // delivery::Hub::DirName of the receiver
  std::string stamp;         // when it ran (the suffix of its .redriven- files)
  uint64_t first_event_seq = 0;
  uint64_t last_event_seq = 0;
  uint64_t events() const { return last_event_seq - first_event_seq + 1; }
};
// The records of `text` (the history file); unreadable lines are skipped.
std::vector<RedriveRecord> ParseRedriveHistory(std::string_view text);
// The history of `data_dir` (empty when there is none).
Result<std::vector<RedriveRecord>> ReadRedriveHistory(const std::filesystem::path& data_dir,
                                                      Env& env);

// At `run`'s start, after the spools are recovered: the counter
// deadletter_redriven_events_total{receiver} from the history, and one log
// line per redrive whose records are still in its receiver's spool (they
// are delivered now). A history that cannot be read is logged and skipped.
void ReportRedrives(const std::filesystem::path& data_dir, const delivery::Hub& hub,
                    server::Registry& registry, Env& env);

// Parses --since: an RFC 3339 time, or a duration back from `now` (a
// number with s, m, h or d, e.g. "90m", "2h", "7d"). nullopt when neither.
std::optional<int64_t> ParseSince(std::string_view text, Clock::WallTime now);

// Settles what an interrupted redrive of any receiver left in `data_dir`
// (see above), given the checkpoint's committed event seq. The caller holds
// the data dir's lock, before the spools are recovered. Returns how many
// pending redrives it found.
Result<size_t> ResolveInterruptedRedrives(const std::filesystem::path& data_dir,
                                          uint64_t committed_event_seq, Env& env);

// Redrives `options.receiver`'s dead letters in `data_dir` into its spool
// through `checkpointer` (opened on the same data dir). The caller holds
// the data dir's lock. Nothing is changed in a dry run.
Result<RedriveReport> Redrive(const std::filesystem::path& data_dir, const RedriveOptions& options,
                              kube::Checkpointer& checkpointer, Env& env, Clock& clock);

// The `kubevents redrive` command.
struct RedriveCommand {
  std::string receiver;
  std::string since;  // "" = every line
  bool dry_run = false;
  std::string config_file;  // "" = the embedded defaults
  std::string data_dir;     // overrides the config's dataDir
};
// Returns the exit code (0 done, 1 refused or failed, with a line on stderr).
int RunRedrive(const RedriveCommand& command);

}  // namespace kv::app
