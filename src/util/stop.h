// StopSignal: how long-running loops learn that the process is shutting
// down, and how they sleep without delaying that shutdown.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "util/clock.h"

namespace kv {

class StopSignal {
 public:
  // Any thread; idempotent. Wakes every WaitFor().
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopped_.store(true);
    }
    cv_.notify_all();
  }
  bool Stopped() const { return stopped_.load(); }
  // Sleeps up to `d`; returns true if Stop() was called (before or during).
  bool WaitFor(std::chrono::nanoseconds d) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, d, [this] { return stopped_.load(); });
  }
  // The same on `clock`'s time (a FakeClock in tests).
  bool WaitFor(std::chrono::nanoseconds d, Clock& clock) {
    std::unique_lock lock(mu_);
    return clock.WaitFor(lock, cv_, d, [this] { return stopped_.load(); });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stopped_{false};
};

}  // namespace kv
