// One receiver's worker: a bounded in-memory queue and the thread that
// takes batches from it, sends them through the receiver's Sink, and retries
// what the sink says to retry (capped exponential backoff with full jitter,
// honouring Retry-After). A slow or dead receiver only fills its own queue:
// when full, Enqueue() blocks, which slows the watcher (the API server keeps
// events for an hour) rather than dropping anything.
//
// The durable spool and dead-letter file come with the delivery issue; this
// queue is in memory, so what is queued at a crash is lost.
//
// Threads: Enqueue() from the watcher thread; the worker thread is private;
// Stop() from the thread that owns the worker; stats() from anywhere.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "event/event.h"
#include "sinks/sink.h"
#include "util/rng.h"

namespace kv::delivery {

struct WorkerOptions {
  size_t max_queue = 10000;  // events
  size_t max_batch = 256;    // events per Send
  std::chrono::milliseconds backoff_base{200};
  std::chrono::milliseconds backoff_cap{30000};
};

struct WorkerStats {
  std::atomic<uint64_t> enqueued{0};
  std::atomic<uint64_t> delivered{0};
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> rejected{0};
  std::atomic<uint64_t> abandoned{0};  // still queued when the shutdown grace ran out
};

class Worker {
 public:
  // `rng` must outlive the worker.
  Worker(std::string receiver, std::unique_ptr<sinks::Sink> sink, WorkerOptions options, Rng& rng);
  ~Worker();

  void Start();
  // Blocks while the queue is full. Returns false once Stop() has begun.
  bool Enqueue(event::EventPtr ev);
  // Stops taking events, delivers what is queued for up to `grace`, then
  // closes the sink and joins the thread.
  void Stop(std::chrono::milliseconds grace);

  const std::string& receiver() const { return receiver_; }
  const WorkerStats& stats() const { return stats_; }

 private:
  void Loop();
  // Sends `batch` until delivered, rejected, or the deadline passes.
  void Deliver(std::vector<event::EventPtr>& batch);

  const std::string receiver_;
  std::unique_ptr<sinks::Sink> sink_;
  const WorkerOptions options_;
  Rng& rng_;
  std::thread thread_;

  std::mutex mu_;  // guards the members below
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::condition_variable wake_;  // interrupts backoff sleeps at shutdown
  std::deque<event::EventPtr> queue_;
  bool closing_ = false;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();

  WorkerStats stats_;
};

}  // namespace kv::delivery
