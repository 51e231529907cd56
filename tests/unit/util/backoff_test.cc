#include "util/backoff.h"

#include <gtest/gtest.h>

namespace kv {
namespace {

using std::chrono::milliseconds;

class FixedRng final : public Rng {
 public:
  explicit FixedRng(double v) : v_(v) {}
  double Uniform() override { return v_; }

 private:
  double v_;
};

TEST(Backoff, GrowsExponentiallyUpToTheCap) {
  FixedRng rng(0.999);
  Backoff b(milliseconds(100), milliseconds(1000), rng);
  EXPECT_EQ(b.Next().count(), 99);
  EXPECT_EQ(b.Next().count(), 199);
  EXPECT_EQ(b.Next().count(), 399);
  EXPECT_EQ(b.Next().count(), 799);
  EXPECT_EQ(b.Next().count(), 999);
  EXPECT_EQ(b.Next().count(), 999);
  EXPECT_EQ(b.attempts(), 6);
}

TEST(Backoff, JitterNeverGoesBelowAQuarterOfTheBase) {
  FixedRng rng(0.0);
  Backoff b(milliseconds(100), milliseconds(1000), rng);
  EXPECT_EQ(b.Next().count(), 25);
}

TEST(Backoff, WithoutAFloorJitterReachesZero) {
  FixedRng rng(0.0);
  Backoff b(milliseconds(100), milliseconds(1000), rng, Backoff::Floor::kNone);
  EXPECT_EQ(b.Next().count(), 0);
  EXPECT_EQ(b.Next().count(), 0);
}

// What delivery/worker.cc computes inline today:
// min(cap, base * 2^attempt) * rng.Uniform(), attempt counted from 0.
TEST(Backoff, WithoutAFloorItIsTheWorkersFullJitter) {
  FixedRng rng(0.5);
  Backoff b(milliseconds(500), milliseconds(60000), rng, Backoff::Floor::kNone);
  for (int attempt = 0; attempt < 30; ++attempt) {
    auto ceiling = std::min<milliseconds>(
        milliseconds(60000), milliseconds(500) * (int64_t{1} << std::min(attempt, 20)));
    EXPECT_EQ(b.Ceiling(), ceiling) << attempt;
    EXPECT_EQ(b.Next().count(), static_cast<int64_t>(0.5 * static_cast<double>(ceiling.count())))
        << attempt;
  }
}

TEST(Backoff, ResetStartsOver) {
  FixedRng rng(0.999);
  Backoff b(milliseconds(100), milliseconds(1000), rng);
  b.Next();
  b.Next();
  b.Reset();
  EXPECT_EQ(b.attempts(), 0);
  EXPECT_EQ(b.Next().count(), 99);
}

TEST(Backoff, HugeAttemptCountsStayAtTheCap) {
  FixedRng rng(0.5);
  Backoff b(milliseconds(3600000), milliseconds(86400000), rng);
  for (int i = 0; i < 100; ++i) b.Next();
  EXPECT_EQ(b.Next().count(), 43200000);
}

}  // namespace
}  // namespace kv
