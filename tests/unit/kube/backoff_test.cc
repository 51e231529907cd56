#include "kube/backoff.h"

#include <gtest/gtest.h>

namespace kv::kube {
namespace {

class FixedRng final : public Rng {
 public:
  explicit FixedRng(double v) : v_(v) {}
  double Uniform() override { return v_; }

 private:
  double v_;
};

TEST(Backoff, GrowsExponentiallyUpToTheCap) {
  FixedRng rng(0.999);
  Backoff b(std::chrono::milliseconds(100), std::chrono::milliseconds(1000), rng);
  EXPECT_EQ(b.Next().count(), 99);
  EXPECT_EQ(b.Next().count(), 199);
  EXPECT_EQ(b.Next().count(), 399);
  EXPECT_EQ(b.Next().count(), 799);
  EXPECT_EQ(b.Next().count(), 999);
  EXPECT_EQ(b.Next().count(), 999);
}

TEST(Backoff, JitterNeverGoesBelowAQuarterOfTheBase) {
  FixedRng rng(0.0);
  Backoff b(std::chrono::milliseconds(100), std::chrono::milliseconds(1000), rng);
  EXPECT_EQ(b.Next().count(), 25);
}

TEST(Backoff, ResetStartsOver) {
  FixedRng rng(0.999);
  Backoff b(std::chrono::milliseconds(100), std::chrono::milliseconds(1000), rng);
  b.Next();
  b.Next();
  b.Reset();
  EXPECT_EQ(b.Next().count(), 99);
}

}  // namespace
}  // namespace kv::kube
