#include "util/clock.h"

#include <gtest/gtest.h>

#include <thread>

#include "util/stop.h"

namespace kv {
namespace {

TEST(FakeClock, AWaitEndsWhenTimeIsAdvancedToItsDeadline) {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  bool woke = false;
  std::thread waiter([&] {
    std::unique_lock lock(mu);
    bool done = clock.WaitFor(lock, cv, std::chrono::seconds(10), [] { return false; });
    EXPECT_FALSE(done);
    woke = true;
  });
  clock.AwaitWaiters(1);
  clock.Advance(std::chrono::seconds(9));
  {
    std::lock_guard lock(mu);
    EXPECT_FALSE(woke);  // 9 of 10 seconds: still waiting
  }
  clock.Advance(std::chrono::seconds(1));
  waiter.join();
  EXPECT_TRUE(woke);
  EXPECT_EQ(clock.waiters(), 0u);
}

TEST(FakeClock, AWaitEndsWhenItsConditionIsMetWithoutTimeMoving) {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  bool ready = false;
  std::thread waiter([&] {
    std::unique_lock lock(mu);
    EXPECT_TRUE(clock.WaitUntil(lock, cv, Clock::SteadyTime::max(), [&] { return ready; }));
  });
  clock.AwaitWaiters(1);
  {
    std::lock_guard lock(mu);
    ready = true;
  }
  cv.notify_all();
  waiter.join();
}

TEST(FakeClock, SleepForAndStopSignalRunOnIt) {
  FakeClock clock;
  StopSignal stop;
  std::thread sleeper([&] { clock.SleepFor(std::chrono::minutes(5)); });
  std::thread stopper([&] { EXPECT_TRUE(stop.WaitFor(std::chrono::hours(1), clock)); });
  clock.AwaitWaiters(2);
  clock.Advance(std::chrono::minutes(5));
  sleeper.join();
  stop.Stop();
  stopper.join();
}

TEST(Clock, LaterSaturatesInsteadOfOverflowing) {
  auto t = Clock::SteadyTime(std::chrono::hours(1));
  EXPECT_EQ(Clock::Later(Clock::SteadyTime::max(), std::chrono::seconds(1)),
            Clock::SteadyTime::max());
  EXPECT_EQ(Clock::Later(t, std::chrono::nanoseconds::max()), Clock::SteadyTime::max());
  EXPECT_EQ(Clock::Later(t, std::chrono::seconds(1)), t + std::chrono::seconds(1));
}

TEST(SystemClock, WaitUntilReturnsAtOnceForADeadlineInThePast) {
  SystemClock clock;
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock lock(mu);
  EXPECT_FALSE(
      clock.WaitUntil(lock, cv, clock.SteadyNow() - std::chrono::seconds(1), [] { return false; }));
}

}  // namespace
}  // namespace kv
