// Capped exponential backoff with full jitter (the AWS architecture blog's
// "full jitter"): the n-th wait (n from 0) is uniform in
// [0, min(cap, base * 2^n)). The one implementation for every retry loop:
// the watcher's reconnects and the delivery worker's retries.
//
// Floor::kQuarterBase (the default) never waits less than base/4, so a loop
// against a dead server never spins; Floor::kNone keeps pure full jitter
// (a wait may be 0), for a caller that enforces its own minimum, as the
// delivery worker does with Retry-After.
//
// Not thread-safe: one Backoff per retry loop. Pure apart from `rng`; it
// does not sleep (callers wait on their Clock).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "util/rng.h"

namespace kv {

class Backoff {
 public:
  enum class Floor {
    kQuarterBase,  // never below base/4
    kNone,         // full jitter down to 0
  };

  // `rng` must outlive the Backoff.
  Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, Rng& rng,
          Floor floor = Floor::kQuarterBase)
      : base_(base), cap_(cap), rng_(rng), floor_(floor) {}

  // The wait before the next attempt; counts the attempt.
  std::chrono::milliseconds Next() {
    auto ceiling = Ceiling();
    ++attempt_;
    auto wait = std::chrono::milliseconds(
        static_cast<int64_t>(rng_.Uniform() * static_cast<double>(ceiling.count())));
    if (floor_ == Floor::kQuarterBase) wait = std::max(wait, base_ / 4);
    return wait;
  }
  // The bound the next wait is drawn under: min(cap, base * 2^attempts()).
  std::chrono::milliseconds Ceiling() const {
    auto ceiling = base_ * (int64_t{1} << std::min(attempt_, 20));
    return std::min<std::chrono::milliseconds>(ceiling, cap_);
  }
  // After progress: the next wait starts from `base` again.
  void Reset() { attempt_ = 0; }
  // Next() calls since construction or the last Reset().
  int attempts() const { return attempt_; }

 private:
  const std::chrono::milliseconds base_;
  const std::chrono::milliseconds cap_;
  Rng& rng_;
  const Floor floor_;
  int attempt_ = 0;
};

}  // namespace kv
