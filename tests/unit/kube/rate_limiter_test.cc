#include "kube/rate_limiter.h"

#include <gtest/gtest.h>

namespace kv::kube {
namespace {

using std::chrono::milliseconds;

TEST(RateLimiter, BurstPassesThenRequestsWaitOneIntervalEach) {
  FakeClock clock;
  RateLimiter limiter(10, 3, clock);  // 10 QPS: one token per 100 ms
  EXPECT_EQ(limiter.Reserve().count(), 0);
  EXPECT_EQ(limiter.Reserve().count(), 0);
  EXPECT_EQ(limiter.Reserve().count(), 0);
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(limiter.Reserve()).count(), 100);
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(limiter.Reserve()).count(), 200);
}

TEST(RateLimiter, TokensRefillWithTimeUpToBurst) {
  FakeClock clock;
  RateLimiter limiter(10, 2, clock);
  limiter.Reserve();
  limiter.Reserve();
  clock.Advance(std::chrono::seconds(10));  // would be 100 tokens; capped at 2
  EXPECT_EQ(limiter.Reserve().count(), 0);
  EXPECT_EQ(limiter.Reserve().count(), 0);
  EXPECT_GT(limiter.Reserve().count(), 0);
}

TEST(RateLimiter, ZeroQpsDisablesLimiting) {
  FakeClock clock;
  RateLimiter limiter(0, 1, clock);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(limiter.Reserve().count(), 0);
}

}  // namespace
}  // namespace kv::kube
