// Enrichment of each event's involved object, as the reference exporter
// does: its labels, annotations and owner references, and `deleted` when
// the object is gone (404, or the name now belongs to an object with
// another uid).
//
// One metadata-only GET per object (PartialObjectMetadata), cached by the
// involved object's uid (LRU of `cache_size` entries, each kept `ttl`); a
// 404 is cached too, so a deleted object costs one lookup, not one per
// event. A 403 is warned once per kind and that kind is not asked again for
// `forbidden_retry`. Other failures are counted, cached for `error_ttl`,
// and the event goes on unenriched.
//
// Threading: Enrich() is called by the watcher thread. Lookups run on the
// Enricher's own lookup thread (so the fetcher, and the kube::Client inside
// it, belong to that thread); Enrich() waits for its lookup at most
// `deadline`, then lets the event go on unenriched while the lookup
// finishes and fills the cache for the next events. Concurrent events
// about one object share one lookup. stats() may be read from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>

#include "event/event.h"
#include "kube/client.h"
#include "util/clock.h"

namespace kv::kube {

// What one metadata lookup found.
struct Lookup {
  enum class Outcome { kFound, kNotFound, kForbidden, kUnknownKind, kError };
  Outcome outcome = Outcome::kError;
  event::ObjectMeta meta;  // kFound: uid, labels, annotations, ownerReferences
  std::string detail;      // failures: one line for an operator (no secrets)
};

// Fetches one object's metadata. Called on the lookup thread only.
using MetadataFetcher = std::function<Lookup(const event::ObjectReference& ref)>;

struct EnricherOptions {
  size_t cache_size = 1024;  // the reference's default
  std::chrono::seconds ttl{300};
  std::chrono::seconds error_ttl{10};
  std::chrono::seconds forbidden_retry{600};
  std::chrono::milliseconds deadline{2000};  // how long an event waits for its lookup
  size_t max_queued = 1024;                  // lookups waiting beyond this are skipped
};

struct EnricherStats {
  std::atomic<uint64_t> hits{0};       // answered from the cache (found or not)
  std::atomic<uint64_t> misses{0};     // lookups started
  std::atomic<uint64_t> shared{0};     // events that joined a lookup in flight
  std::atomic<uint64_t> found{0};      // lookups that found the object
  std::atomic<uint64_t> not_found{0};  // lookups answered 404 or by an object with another uid
  std::atomic<uint64_t> forbidden{0};  // lookups answered 403
  std::atomic<uint64_t> errors{0};     // other failures, unknown kinds included
  std::atomic<uint64_t> timeouts{0};   // events that went on before their lookup ended
  std::atomic<uint64_t> deferred{0};   // events that did not wait for their lookup (a list)
  std::atomic<uint64_t> skipped{0};    // not looked up: kind forbidden, or queue full
};

class Enricher {
 public:
  // Starts the lookup thread. `clock` must outlive the Enricher.
  Enricher(EnricherOptions options, MetadataFetcher fetcher, Clock& clock);
  ~Enricher();  // Stop()
  Enricher(const Enricher&) = delete;
  Enricher& operator=(const Enricher&) = delete;

  // Fills ev.involved_object's labels, annotations, owner_references and
  // deleted from the cache or a lookup; leaves them as they are when the
  // lookup fails or misses the deadline (measured on the clock). Never
  // throws. With `wait` false (events of a list, which must not go at the
  // lookups' pace), only the cache is used: a missing object's lookup is
  // queued for the events after it, and this one goes on at once.
  void Enrich(event::Event& ev, bool wait = true);

  // Waits up to `timeout` (real time: a bound for tests and shutdown, not
  // a deadline the exporter keeps) until no lookup is queued or running;
  // true if so.
  bool WaitIdle(std::chrono::milliseconds timeout);

  // Ends the lookup thread (a lookup in progress finishes first). Enrich()
  // afterwards only uses the cache. Idempotent.
  void Stop();

  const EnricherStats& stats() const { return stats_; }

 private:
  struct Entry {
    Lookup::Outcome outcome = Lookup::Outcome::kError;
    bool deleted = false;
    event::StringMap labels;
    event::StringMap annotations;
    std::vector<event::OwnerReference> owner_references;
    std::chrono::steady_clock::time_point expires{};
  };
  struct Pending {
    event::ObjectReference ref;
    bool done = false;
    bool have_entry = false;
    Entry entry;
  };
  using LruList = std::list<std::pair<std::string, Entry>>;

  void Loop();
  Entry Complete(const event::ObjectReference& ref, Lookup lookup);
  void LogLookup(const event::ObjectReference& ref, const Lookup& lookup, const Entry& entry);
  const Entry* FindLocked(const std::string& key, std::chrono::steady_clock::time_point now);
  void StoreLocked(const std::string& key, Entry entry);
  static void Apply(const Entry& entry, event::InvolvedObject* obj);

  // Constant after construction.
  const EnricherOptions options_;
  const MetadataFetcher fetcher_;
  Clock& clock_;

  std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  LruList lru_;  // most recent first
  std::unordered_map<std::string, LruList::iterator> index_;
  std::unordered_map<std::string, std::shared_ptr<Pending>> pending_;  // queued or running
  std::deque<std::string> queue_;
  std::map<std::string, std::chrono::steady_clock::time_point> forbidden_until_;  // by kind
  std::set<std::string> warned_kinds_;
  std::chrono::steady_clock::time_point last_error_warning_{};
  bool stopping_ = false;

  EnricherStats stats_;
  std::thread thread_;  // last: starts after everything above exists
};

// The fetcher kubevents runs with: resolves the kind through Discovery,
// then GETs the object's PartialObjectMetadata through `client` (used only
// on the lookup thread from then on) with `timeout` per request.
MetadataFetcher MakeApiFetcher(std::unique_ptr<Client> client, Clock& clock,
                               std::chrono::milliseconds timeout);

}  // namespace kv::kube
