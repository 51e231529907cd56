// Time comes through a Clock so tests can replace it. Wall time (for event
// ages and file names) and monotonic time (for rate limits and backoff) are
// kept apart because a wall clock may jump.
//
// Waiting is part of the clock too: a thread that sleeps until a moment (a
// backoff, a linger, a shutdown deadline) does it with WaitUntil, so under a
// FakeClock the wait ends when the test moves time past that moment, and no
// test sleeps in real time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

namespace kv {

class Clock {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using WallTime = std::chrono::system_clock::time_point;

  virtual ~Clock() = default;
  virtual WallTime WallNow() = 0;
  virtual SteadyTime SteadyNow() = 0;

  // Blocks on `cv`, whose mutex `lock` holds, until `done()` is true or
  // this clock's steady time reaches `deadline`; returns done(). `done` is
  // evaluated with the lock held, as std::condition_variable::wait_until's
  // predicate is; whoever makes it true must notify `cv`.
  virtual bool WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                         SteadyTime deadline, const std::function<bool()>& done) = 0;

  // WaitUntil for a span of time from now.
  bool WaitFor(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
               std::chrono::nanoseconds d, const std::function<bool()>& done) {
    return WaitUntil(lock, cv, Later(SteadyNow(), d), done);
  }
  // Sleeps until `deadline` (nothing can end it earlier).
  void SleepUntil(SteadyTime deadline) {
    std::mutex mu;
    std::condition_variable cv;
    std::unique_lock lock(mu);
    WaitUntil(lock, cv, deadline, [] { return false; });
  }
  void SleepFor(std::chrono::nanoseconds d) { SleepUntil(Later(SteadyNow(), d)); }

  // `t + d` without overflowing past the clock's last moment (a "forever"
  // deadline is time_point::max()).
  static SteadyTime Later(SteadyTime t, std::chrono::nanoseconds d) {
    auto room = SteadyTime::max() - t;
    if (d >= room) return SteadyTime::max();
    return t + std::chrono::duration_cast<SteadyTime::duration>(d);
  }
};

// The real clocks. Thread-safe; stateless.
class SystemClock final : public Clock {
 public:
  WallTime WallNow() override { return std::chrono::system_clock::now(); }
  SteadyTime SteadyNow() override { return std::chrono::steady_clock::now(); }
  bool WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 SteadyTime deadline, const std::function<bool()>& done) override {
    if (deadline == SteadyTime::max()) {
      cv.wait(lock, done);
      return true;
    }
    return cv.wait_until(lock, deadline, done);
  }
};

// A clock tests move by hand. Thread-safe. A WaitUntil on it ends when
// done() turns true (and its cv is notified) or when Advance() moves the
// steady time to its deadline; it never ends because real time passed.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(WallTime start = {}) : wall_(start) {}

  WallTime WallNow() override {
    std::lock_guard lock(mu_);
    return wall_;
  }
  SteadyTime SteadyNow() override {
    std::lock_guard lock(mu_);
    return steady_;
  }

  // Moves both clocks forward and wakes every waiter whose deadline passed.
  void Advance(std::chrono::nanoseconds d) {
    {
      std::lock_guard lock(mu_);
      wall_ += std::chrono::duration_cast<WallTime::duration>(d);
      steady_ += std::chrono::duration_cast<SteadyTime::duration>(d);
    }
    // Each waiter's own mutex is taken before notifying it, so a waiter
    // that has just found its deadline not yet reached cannot miss this.
    std::lock_guard lock(waiters_mu_);
    for (const Waiter& w : waiters_) {
      std::lock_guard wl(*w.mu);
      w.cv->notify_all();
    }
  }

  // Blocks (in real time, without polling) until at least `n` threads wait
  // on this clock: lets a test advance time only once a thread sleeps.
  void AwaitWaiters(size_t n) {
    std::unique_lock lock(waiters_mu_);
    waiters_changed_.wait(lock, [&] { return waiters_.size() >= n; });
  }
  // The same, but gives up after `limit` of real time (false): for tests
  // where a regression would otherwise hang instead of failing.
  [[nodiscard]] bool AwaitWaitersFor(size_t n, std::chrono::milliseconds limit) {
    std::unique_lock lock(waiters_mu_);
    return waiters_changed_.wait_for(lock, limit, [&] { return waiters_.size() >= n; });
  }
  size_t waiters() {
    std::lock_guard lock(waiters_mu_);
    return waiters_.size();
  }
  // Waits begun so far: a test that changed what a thread waits for can
  // tell when it waits anew (AwaitWaitsBegun(n + 1)).
  uint64_t waits_begun() {
    std::lock_guard lock(waiters_mu_);
    return waits_begun_;
  }
  void AwaitWaitsBegun(uint64_t n) {
    std::unique_lock lock(waiters_mu_);
    waiters_changed_.wait(lock, [&] { return waits_begun_ >= n; });
  }

  bool WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 SteadyTime deadline, const std::function<bool()>& done) override {
    // Registered with the caller's mutex released: Advance() takes
    // waiters_mu_ before a waiter's mutex, so nobody may hold them the
    // other way round.
    lock.unlock();
    Register(lock.mutex(), &cv);
    lock.lock();
    while (!done() && SteadyNow() < deadline) cv.wait(lock);
    lock.unlock();
    Unregister(&cv);
    lock.lock();
    return done();
  }

 private:
  struct Waiter {
    std::mutex* mu;
    std::condition_variable* cv;
  };
  void Register(std::mutex* mu, std::condition_variable* cv) {
    {
      std::lock_guard lock(waiters_mu_);
      waiters_.push_back({mu, cv});
      ++waits_begun_;
    }
    waiters_changed_.notify_all();
  }
  void Unregister(std::condition_variable* cv) {
    std::lock_guard lock(waiters_mu_);
    for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
      if (it->cv == cv) {
        waiters_.erase(it);
        break;
      }
    }
  }

  std::mutex mu_;  // guards the two times; taken last
  WallTime wall_;
  SteadyTime steady_{};

  std::mutex waiters_mu_;  // guards waiters_; taken before any waiter's mutex
  std::condition_variable waiters_changed_;
  std::vector<Waiter> waiters_;
  uint64_t waits_begun_ = 0;
};

}  // namespace kv
