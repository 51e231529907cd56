#include "delivery/disk_budget.h"

#include <gtest/gtest.h>

#include "../support/temp_dir.h"

namespace kv::delivery {
namespace {

TEST(DiskBudget, NoBudgetChangesNothing) {
  DeliveryConfig c;
  EXPECT_FALSE(ShareDiskBudget(0, 3, &c));
  EXPECT_EQ(c.max_spool_bytes, DeliveryConfig{}.max_spool_bytes);
  EXPECT_EQ(c.dead_letter_max_bytes, 0u);
}

TEST(DiskBudget, EachReceiverGetsAShareThatFitsWithItsDeadLettersAndSegmentSlack) {
  const uint64_t budget = 966367641;  // deploy/: 90% of a 1 GiB emptyDir
  const size_t receivers = 4;
  DeliveryConfig c;
  EXPECT_TRUE(ShareDiskBudget(budget, receivers, &c));
  EXPECT_LT(c.max_spool_bytes, DeliveryConfig{}.max_spool_bytes);
  EXPECT_GT(c.dead_letter_max_bytes, 0u);
  const uint64_t per_receiver = c.max_spool_bytes + 2 * c.segment_bytes + c.dead_letter_max_bytes;
  EXPECT_LE(per_receiver * receivers, budget);
}

TEST(DiskBudget, ALargeBudgetNeverRaisesConfiguredSizes) {
  DeliveryConfig c;
  c.max_spool_bytes = 1 << 20;
  c.segment_bytes = 1 << 16;
  EXPECT_FALSE(ShareDiskBudget(1ull << 40, 2, &c));
  EXPECT_EQ(c.max_spool_bytes, 1u << 20);
  EXPECT_EQ(c.segment_bytes, 1u << 16);
  EXPECT_GT(c.dead_letter_max_bytes, 0u);  // capped all the same
}

TEST(DiskBudget, TheDefaultIsNinetyPercentOfTheFilesystem) {
  kv::testing::TempDir tmp;
  uint64_t b = DefaultDiskBudget(tmp.path());
  EXPECT_GT(b, 0u);
  EXPECT_EQ(DefaultDiskBudget(tmp.path() / "missing" / "dir"), 0u);
}

}  // namespace
}  // namespace kv::delivery
