// A client-side token bucket, like client-go's: `qps` tokens a second, at
// most `burst` saved up. kubeQPS/kubeBurst configure it. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>

#include "util/clock.h"
#include "util/stop.h"

namespace kv::kube {

class RateLimiter {
 public:
  // qps <= 0 disables limiting. `clock` must outlive the limiter.
  RateLimiter(double qps, int burst, Clock& clock);

  // How long the caller must wait before its request may go, having taken
  // a token (the bucket may go negative: waiters queue in time order).
  std::chrono::nanoseconds Reserve();

  // Reserve() and sleep for it on the clock; returns false if `stop`
  // (may be null) fired meanwhile.
  bool Acquire(StopSignal* stop);

 private:
  const double qps_;
  const double burst_;
  Clock& clock_;
  std::mutex mu_;
  double tokens_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace kv::kube
