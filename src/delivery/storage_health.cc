#include "delivery/storage_health.h"

#include <spdlog/spdlog.h>

namespace kv::delivery {

namespace {
constexpr auto kLogEvery = std::chrono::minutes(1);
}  // namespace

void StorageHealth::Failed(Writer writer, const std::string& error) {
  errors_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  reason_ = error;
  ++errors_since_log_;
  const bool began = failing_.fetch_or(writer) == 0;
  const auto now = clock_.SteadyNow();
  if (!began && now - last_log_ < kLogEvery) return;
  last_log_ = now;
  spdlog::error(
      "data dir cannot be written ({} failures in the last minute; last: {}): the watcher "
      "pauses and nothing is lost; it resumes when the disk takes writes again",
      errors_since_log_, error);
  errors_since_log_ = 0;
}

void StorageHealth::Succeeded(Writer writer) {
  if ((failing_.load(std::memory_order_relaxed) & writer) == 0) return;
  std::lock_guard lock(mu_);
  if (failing_.fetch_and(~writer) != writer) return;  // others still fail (or it was not failing)
  reason_.clear();
  errors_since_log_ = 0;
  spdlog::info("data dir can be written again: resuming");
}

std::string StorageHealth::reason() const {
  std::lock_guard lock(mu_);
  return reason_;
}

}  // namespace kv::delivery
