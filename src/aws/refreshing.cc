#include "aws/refreshing.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace kv::aws {

RefreshingProvider::RefreshingProvider(Fetch fetch, Clock& clock, RefreshPolicy policy)
    : fetch_(std::move(fetch)), clock_(clock), policy_(policy) {}

Result<Credentials> RefreshingProvider::Get() {
  std::lock_guard lock(mu_);
  const auto now = clock_.WallNow();
  const auto steady = clock_.SteadyNow();
  bool usable = false;
  if (cached_) {
    if (!cached_->expiration || now < *cached_->expiration - policy_.refresh_ahead) {
      return *cached_;
    }
    usable = now < *cached_->expiration - policy_.expiry_margin;
    if (usable && next_attempt_ && steady < *next_attempt_) return *cached_;
  }
  Result<Credentials> fresh = fetch_();
  next_attempt_ = steady + policy_.retry_interval;
  if (fresh) {
    cached_ = *fresh;
    return fresh;
  }
  if (usable) {
    spdlog::warn(
        "aws credentials: refresh from {} failed, using the current ones until {}s "
        "before they expire: {}",
        cached_->source, policy_.expiry_margin.count(), fresh.error().message);
    return *cached_;
  }
  return fresh;
}

}  // namespace kv::aws
