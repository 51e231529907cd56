// The event source: LIST (paged) then WATCH core/v1 (or events.k8s.io/v1)
// Events, resuming from the last resourceVersion after every disconnect,
// relisting when the version is gone (410, or found expired before a
// resume: see Run), and emitting
// each event once per meaningful version (see EmittedSet).
//
// Threading: Start() and Run() are called from the one watcher thread; the
// WatchConsumer runs on that thread and may block (back-pressure: the
// watcher then simply reads later). stats() may be read from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "event/decode.h"
#include "event/event.h"
#include "kube/client.h"
#include "kube/emitted_set.h"
#include "util/clock.h"
#include "util/rng.h"
#include "util/stop.h"

namespace kv::kube {

// The longest watch line (one JSON frame) the watcher buffers. An object
// is at most ~1.5 MiB in etcd, so a longer line comes from a broken or
// hostile server or proxy: the watcher then drops the connection (it
// cannot know where the frame ends without reading it all) and resumes
// from the last good resourceVersion, so it never holds more than about
// this much of one line.
inline constexpr size_t kMaxWatchLineBytes = size_t{16} << 20;

struct WatcherOptions {
  event::ApiGroup api_group = event::ApiGroup::kCore;
  std::string namespace_;                    // watch one namespace; empty = all
  std::set<std::string> include_namespaces;  // client-side filter; empty = all
  std::set<std::string> exclude_namespaces;
  std::string cluster_name;  // stamped on every event
  // On a first start (no checkpoint), listed events older than this are
  // skipped, as the reference does. <= 0 disables the filter.
  std::chrono::seconds max_event_age{5};
  int page_size = 500;
  std::chrono::seconds min_watch_timeout{300};  // the server ends each watch
  std::chrono::milliseconds backoff_base{500};
  std::chrono::milliseconds backoff_cap{30000};
  std::chrono::milliseconds request_timeout{60000};
  std::chrono::seconds watch_idle_margin{15};
  size_t max_watch_line_bytes = kMaxWatchLineBytes;
};

// Where the watcher's output goes, in order, on the watcher thread: each
// event to emit and every change of the watcher's state (what it
// remembers, where it would resume). The consumer makes each step durable
// (app::Pipeline: the receivers' spools, then the checkpoint journal); a
// call may block, and that is back-pressure (the watcher then reads later),
// not a problem.
class WatchConsumer {
 public:
  virtual ~WatchConsumer() = default;
  // An event to emit, which the consumer may change (enrichment) and keep.
  // `update`: it was emitted before with another count, series count or
  // last timestamp. `remembered`: what the emitted set now holds for its
  // uid; `position`: the resume point that is safe once this event is
  // handled; `all`: the whole emitted set (for a snapshot).
  virtual void Emit(event::Event ev, bool update, const EmittedSet::State& remembered,
                    const std::string& position, const EmittedSet& all) = 0;
  // `uid` is now remembered as `state` without being emitted (older than
  // maxEventAge on a first start).
  virtual void Remember(const std::string& uid, const EmittedSet::State& state,
                        const std::string& position, const EmittedSet& all) = 0;
  // `uid` is gone from the server (a relist no longer lists it).
  virtual void Forget(const std::string& uid, const std::string& position,
                      const EmittedSet& all) = 0;
  // The resume point moved (a bookmark, the end of a list). `snapshot`
  // asks for the whole state to be written (after a relist reconciled it).
  virtual void Position(const std::string& position, const EmittedSet& all, bool snapshot) = 0;
};

struct WatcherStats {
  std::atomic<uint64_t> received{0};  // events seen in lists and watches
  std::atomic<uint64_t> emitted_new{0};
  std::atomic<uint64_t> emitted_updates{0};
  std::atomic<uint64_t> unchanged{0};  // repeats skipped
  std::atomic<uint64_t> too_old{0};    // skipped by max_event_age
  std::atomic<uint64_t> filtered_namespace{0};
  std::atomic<uint64_t> decode_errors{0};
  std::atomic<uint64_t> lists{0};
  std::atomic<uint64_t> watches{0};
  std::atomic<uint64_t> reconnects{0};         // watch ended by an error
  std::atomic<uint64_t> gone{0};               // 410 answers
  std::atomic<uint64_t> expired_on_resume{0};  // version gone before a resumed watch
  std::atomic<uint64_t> oversized_lines{0};    // watches dropped for a line over the cap
  // True while the API server answers: set by a good list, version check
  // or watch frame, cleared when a request or watch fails (readiness).
  std::atomic<bool> connected{false};
  // The LIST under way, for readiness (a first list of many events may take
  // minutes before `connected` is set): true from its first request to its
  // end; the pages and events it has read, and the events it has handed
  // on, so far (reset when a list starts).
  std::atomic<bool> listing{false};
  std::atomic<uint64_t> list_pages{0};
  std::atomic<uint64_t> list_events{0};
  std::atomic<uint64_t> list_handled{0};
};

class Watcher {
 public:
  // `client`, `clock`, `rng`, `stop` and `consumer` must outlive the
  // Watcher.
  Watcher(WatcherOptions options, Client& client, Clock& clock, Rng& rng, StopSignal& stop,
          WatchConsumer& consumer);

  // Before Start(): resume from a checkpoint instead of a first start.
  // Listed events are then judged by the resume point, a watermark where
  // versions are numeric (at or below it: observed already, not emitted),
  // and by the emitted set; a list without a resume point skips events
  // last seen before `skip_before_micros` (the lineage's first-start
  // cutoff; 0: skips none) instead of applying maxEventAge from now.
  void Restore(std::string resource_version, EmittedSet::Map emitted,
               int64_t skip_before_micros = 0);

  // Connects synchronously so a bad kubeconfig, a dead server or missing
  // RBAC fails the start with one clear error: the first LIST, or with a
  // restored resume point a one-item LIST that checks it still exists
  // (relisting when it does not).
  Result<void> Start();

  // Watches until stop fires; reconnects and relists as needed (which
  // answer leads where: kube/api_answer.h). Backoff waits run on `clock`
  // and end early when stop fires.
  void Run();

  const WatcherStats& stats() const { return stats_; }
  // Watcher thread only (or after Run returned).
  std::string resource_version() const { return resource_version_; }
  const EmittedSet& emitted() const { return emitted_; }

 private:
  std::string CollectionPath() const;
  Result<void> List();
  enum class WatchEnd { kTimeout, kGone, kError };
  WatchEnd WatchOnce();
  // True when the server says resource_version_ is gone (410); an error
  // when it could not be asked.
  Result<bool> ResourceVersionExpired();
  // A piece of a watch body: splits it into lines for HandleFrame. False
  // ends the watch (an ERROR frame, a line over the cap, stop).
  bool OnWatchChunk(std::string_view chunk);
  // Adds to partial_line_, which the caller has checked stays within the cap.
  void AppendPartial(std::string_view piece);
  // One line of a watch stream; an ERROR frame sets frame_error_.
  void HandleFrame(std::string_view line);
  // `position`: the resume point once this event is handled; `listed`:
  // it comes from a LIST (judged by the watermark and cutoff, see Restore).
  void Offer(event::Event ev, bool listed, const std::string& position);
  bool Wanted(const event::Event& ev);

  // Constant after construction.
  const WatcherOptions options_;
  Client& client_;
  Clock& clock_;
  Rng& rng_;
  StopSignal& stop_;
  WatchConsumer& consumer_;

  // Owned by the watcher thread.
  event::Decoder decoder_;
  EmittedSet emitted_;
  std::string resource_version_;
  std::string partial_line_;
  uint64_t frames_in_watch_ = 0;
  std::optional<ErrorCode> frame_error_;  // the current watch's ERROR frame, per api_answer.h
  bool line_too_long_ = false;            // the current watch was dropped for an oversized line
  int64_t skip_before_micros_ = 0;        // see Restore; set by Start on a first start
  bool restored_ = false;
  // While a list is offered: the resume point before it, as a number
  // (nullopt: none, or not numeric), and whether there was none.
  std::optional<uint64_t> list_watermark_;
  bool list_without_position_ = false;

  WatcherStats stats_;
};

}  // namespace kv::kube
