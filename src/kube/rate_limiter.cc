#include "kube/rate_limiter.h"

#include <algorithm>

namespace kv::kube {

RateLimiter::RateLimiter(double qps, int burst, Clock& clock)
    : qps_(qps),
      burst_(std::max(1, burst)),
      clock_(clock),
      tokens_(std::max(1, burst)),
      last_(clock.SteadyNow()) {}

std::chrono::nanoseconds RateLimiter::Reserve() {
  if (qps_ <= 0) return std::chrono::nanoseconds(0);
  std::lock_guard lock(mu_);
  auto now = clock_.SteadyNow();
  double elapsed = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
  tokens_ -= 1.0;
  if (tokens_ >= 0) return std::chrono::nanoseconds(0);
  return std::chrono::nanoseconds(static_cast<int64_t>(-tokens_ / qps_ * 1e9));
}

bool RateLimiter::Acquire(StopSignal* stop) {
  auto wait = Reserve();
  if (wait.count() == 0) return stop == nullptr || !stop->Stopped();
  if (stop != nullptr) return !stop->WaitFor(wait, clock_);
  clock_.SleepFor(wait);
  return true;
}

}  // namespace kv::kube
