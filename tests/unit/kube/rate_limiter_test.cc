#include "kube/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

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

// Acquire sleeps on the limiter's clock: the request goes once the test
// moves time by one interval, and never because real time passed.
TEST(RateLimiter, AcquireWaitsOnTheClock) {
  FakeClock clock;
  RateLimiter limiter(10, 1, clock);
  StopSignal stop;
  ASSERT_TRUE(limiter.Acquire(&stop));  // the burst
  std::atomic<bool> acquired{false};
  std::thread t([&] { acquired = limiter.Acquire(&stop); });
  clock.AwaitWaiters(1);
  clock.Advance(milliseconds(99));
  EXPECT_FALSE(acquired.load());
  clock.Advance(milliseconds(1));
  t.join();
  EXPECT_TRUE(acquired.load());
}

TEST(RateLimiter, AcquireWithoutAStopSignalSleepsOnTheClock) {
  FakeClock clock;
  RateLimiter limiter(10, 1, clock);
  ASSERT_TRUE(limiter.Acquire(nullptr));
  std::atomic<bool> acquired{false};
  std::thread t([&] { acquired = limiter.Acquire(nullptr); });
  clock.AwaitWaiters(1);
  EXPECT_FALSE(acquired.load());
  clock.Advance(milliseconds(100));
  t.join();
  EXPECT_TRUE(acquired.load());
}

TEST(RateLimiter, StopEndsAWaitingAcquire) {
  FakeClock clock;
  RateLimiter limiter(10, 1, clock);
  StopSignal stop;
  ASSERT_TRUE(limiter.Acquire(&stop));
  std::atomic<bool> acquired{true};
  std::thread t([&] { acquired = limiter.Acquire(&stop); });
  clock.AwaitWaiters(1);
  stop.Stop();
  t.join();
  EXPECT_FALSE(acquired.load());
}

}  // namespace
}  // namespace kv::kube
