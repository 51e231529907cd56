// One receiver's worker: the thread that takes batches from the receiver's
// durable Spool, sends them through its Sink, and acknowledges them once
// every event in the batch is delivered or dead-lettered. What the sink
// says to retry is retried — only those events — with capped exponential
// backoff and full jitter, honouring Retry-After (capped at the backoff
// cap, so a peer cannot stall its receiver for longer), forever by default
// or up to `max_retry_age` (then dead-lettered). All waiting is on the
// injected Clock. A slow or dead receiver only
// fills its own spool.
//
// What it logs (every reason through log::ShortReason: one line, short, no
// HTML page). An outage — sends that deliver nothing and leave events to
// retry — is three kinds of line, not one per retry:
//   warn  receiver R: delivery failing: REASON; N events waiting, retrying with backoff
//   warn  receiver R: delivery still failing after 60s: K failed attempts, N events
//         waiting, the oldest for 75s: REASON            (every kOutageReportEvery)
//   info  receiver R: delivery recovered after 63s (K failed attempts); N events
//         delivered by the first good send, M still waiting
// With `log_deliveries`, one info line per send that delivered something:
//   info  receiver R: delivered N events, keys UID/RV .. UID/RV
//
// Shutdown: Stop(grace) lets the worker deliver what is spooled until the
// grace runs out; whatever is left (including a batch in flight) stays in
// the spool for the next start.
//
// Threads: the worker thread is private; Start()/Stop() from the owner;
// stats() from anywhere.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "delivery/dead_letter.h"
#include "delivery/spool.h"
#include "delivery/storage_health.h"
#include "event/event.h"
#include "sinks/sink.h"
#include "util/backoff.h"
#include "util/clock.h"
#include "util/rng.h"

namespace kv::delivery {

struct WorkerOptions {
  sinks::BatchLimits batch;
  std::chrono::milliseconds backoff_base{500};
  std::chrono::milliseconds backoff_cap{60000};
  // Give up on an event after retrying it this long (dead-letter it); 0 = never.
  std::chrono::seconds max_retry_age{0};
  // Called after every Send with the batch size and how long it took.
  std::function<void(size_t events, std::chrono::nanoseconds took)> on_send;
  // Told when acknowledgements or dead letters cannot be written (may be null).
  StorageHealth* storage = nullptr;
  // One info line per send that delivered events (`logDeliveries`).
  bool log_deliveries = false;
};

struct WorkerStats {
  std::atomic<uint64_t> delivered{0};
  std::atomic<uint64_t> retried{0};       // events sent again
  std::atomic<uint64_t> failed_sends{0};  // Send calls that did not deliver everything
  std::atomic<uint64_t> dead_lettered{0};
  std::atomic<uint64_t> batches{0};
  std::atomic<int64_t> stuck_since_micros{0};  // wall time of the first failed try of the
                                               // batch now retried; 0 when not stuck
};

class Worker {
 public:
  // How often a lasting outage is logged again, on the worker's clock.
  static constexpr std::chrono::seconds kOutageReportEvery{60};

  // `spool`, `dead_letter`, `stats`, `rng` and `clock` must outlive the
  // worker. `stats` may outlive it and be handed to its successor (config
  // reload).
  Worker(std::string receiver, std::unique_ptr<sinks::Sink> sink, Spool& spool,
         DeadLetter& dead_letter, WorkerOptions options, WorkerStats& stats, Rng& rng,
         Clock& clock);
  ~Worker();

  void Start();
  // Delivers what is spooled for up to `grace`, then aborts a send still
  // waiting on its peer (Sink::Abort: a slow or stuck answer must not hold
  // shutdown or a reload past the grace), closes the sink and joins the
  // thread. The spool is closed for appends.
  void Stop(std::chrono::milliseconds grace);

  const std::string& receiver() const { return receiver_; }
  const WorkerStats& stats() const { return stats_; }

 private:
  void Loop();
  // Sends `batch` until every event is delivered or dead-lettered (true),
  // or the shutdown deadline passes (false).
  bool Deliver(std::vector<Entry>& batch);
  // Queues `ev` for the dead-letter file (written by WriteDeadLetters).
  void DeadLetterEvent(const event::EventPtr& ev, const std::string& reason);
  // Writes the queued dead letters; while the file cannot be written, waits
  // and tries again (the batch is not acknowledged before they are in it).
  // False once the shutdown deadline passes with some unwritten: the batch
  // then stays spooled.
  bool WriteDeadLetters();
  // Acknowledges the batch handed out last, telling `storage` how it went.
  void Ack();
  // What one send did with its batch.
  struct Sorted {
    std::vector<event::EventPtr> again;  // to retry
    size_t delivered = 0;
    event::EventPtr first_delivered, last_delivered;
  };
  // Applies `out`'s verdicts to `batch`: counts the delivered, queues the
  // rejected for the dead-letter file, and returns the events to retry.
  Sorted Sort(const std::vector<event::EventPtr>& batch, const sinks::SendOutcome& out);
  // The outage lines (see the top of this file): a send that delivered
  // nothing and left events to retry, whose oldest waiting event was
  // spooled at `oldest`; and a send that delivered `sorted.delivered`.
  void NoteFailedSend(const std::string& reason, Clock::SteadyTime oldest);
  void NoteDelivered(const Sorted& sorted);
  // The wait before the next retry after `out`: `backoff`'s next step, or
  // the peer's Retry-After if longer (up to the backoff cap).
  std::chrono::milliseconds RetryWait(Backoff& backoff, const sinks::SendOutcome& out);
  // Sleeps `wait`, or less if Stop's deadline comes first; false once the
  // deadline has passed.
  bool SleepBeforeRetry(std::chrono::milliseconds wait);

  // Constant after construction.
  const std::string receiver_;
  const std::unique_ptr<sinks::Sink> sink_;
  Spool& spool_;
  DeadLetter& dead_letter_;
  const WorkerOptions options_;
  Rng& rng_;
  Clock& clock_;
  std::thread thread_;

  std::mutex mu_;                 // guards the members below
  std::condition_variable wake_;  // interrupts backoff sleeps at shutdown
  bool closing_ = false;
  bool finished_ = false;  // Loop returned
  Clock::SteadyTime deadline_ = Clock::SteadyTime::max();

  // Worker thread only.
  std::vector<std::pair<event::EventPtr, std::string>> dead_letters_;  // event, reason
  // The outage under way: set by the first send that delivers nothing and
  // leaves events to retry, cleared (with the "recovered" line) by the
  // first send that delivers. Kept across batches: events given up after
  // retryMaxAgeSeconds do not end it.
  struct Outage {
    Clock::SteadyTime since;
    Clock::SteadyTime next_report;
    uint64_t failed_sends = 0;
  };
  std::optional<Outage> outage_;

  WorkerStats& stats_;
};

}  // namespace kv::delivery
