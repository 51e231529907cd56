// How the main thread of `kubevents run` learns what to do next: SIGTERM,
// SIGINT and SIGHUP are blocked in every thread and taken by one signal
// thread with sigwait, which turns them into Wake items; the leader
// callbacks and the config poller push theirs into the same queue.
#pragma once

#include <signal.h>

#include <condition_variable>
#include <deque>
#include <mutex>

namespace kv::app {

enum class Wake { kTerminate, kReloadSignal, kConfigChanged, kStartedLeading };

// Thread-safe.
class WakeQueue {
 public:
  void Push(Wake w);
  // Blocks until an item is there.
  Wake Pop();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Wake> q_;
};

// Blocks SIGTERM/SIGINT/SIGHUP in the calling thread and in every thread
// it starts afterwards (call it before starting any), and ignores SIGPIPE
// (a closed pipe receiver is an error, not a death). Returns the set.
sigset_t BlockSignals();

// Starts the detached signal thread: SIGHUP pushes kReloadSignal; SIGTERM
// or SIGINT pushes kTerminate and ends it. `wake` must live until the
// process ends.
void StartSignalThread(sigset_t signals, WakeQueue& wake);

}  // namespace kv::app
