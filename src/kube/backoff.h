// Capped exponential backoff with full jitter (AWS architecture blog's
// "full jitter"): the n-th wait is uniform in [0, min(cap, base * 2^n)).
#pragma once

#include <algorithm>
#include <chrono>

#include "util/rng.h"

namespace kv::kube {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, Rng& rng)
      : base_(base), cap_(cap), rng_(rng) {}

  std::chrono::milliseconds Next() {
    auto ceiling = base_ * (int64_t{1} << std::min(attempt_, 20));
    ceiling = std::min<std::chrono::milliseconds>(ceiling, cap_);
    ++attempt_;
    // Never zero: a tight loop against a dead server helps nobody.
    auto wait = std::chrono::milliseconds(static_cast<int64_t>(rng_.Uniform() * ceiling.count()));
    return std::max(wait, base_ / 4);
  }
  void Reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  std::chrono::milliseconds base_;
  std::chrono::milliseconds cap_;
  Rng& rng_;
  int attempt_ = 0;
};

}  // namespace kv::kube
