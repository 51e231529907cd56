#include "delivery/disk_budget.h"

#include <sys/statvfs.h>

#include <algorithm>

namespace kv::delivery {

namespace {
constexpr uint64_t kMaxCheckpointReserve = 64ull << 20;
constexpr uint64_t kMinSpoolBytes = 64ull << 10;  // as ParseDeliveryConfig's minimum
constexpr uint64_t kMinSegmentBytes = 4ull << 10;
constexpr uint64_t kMinDeadLetterBytes = 64ull << 10;
}  // namespace

uint64_t DefaultDiskBudget(const std::filesystem::path& dir) {
  struct statvfs st;
  if (::statvfs(dir.c_str(), &st) != 0) return 0;
  const uint64_t size = static_cast<uint64_t>(st.f_blocks) * st.f_frsize;
  return size / 10 * 9;
}

bool ShareDiskBudget(uint64_t budget, size_t receivers, DeliveryConfig* config) {
  if (budget == 0 || receivers == 0) return false;
  const uint64_t reserve = std::min(budget / 10, kMaxCheckpointReserve);
  const uint64_t share = (budget - reserve) / receivers;
  config->dead_letter_max_bytes = std::max(share / 8, kMinDeadLetterBytes);
  const uint64_t segment = std::max(std::min(config->segment_bytes, share / 8), kMinSegmentBytes);
  const uint64_t used = config->dead_letter_max_bytes + 2 * segment;
  const uint64_t spool = std::max(share > used ? share - used : 0, kMinSpoolBytes);
  bool lowered = segment < config->segment_bytes || spool < config->max_spool_bytes;
  config->segment_bytes = std::min(config->segment_bytes, segment);
  config->max_spool_bytes = std::min(config->max_spool_bytes, spool);
  return lowered;
}

}  // namespace kv::delivery
