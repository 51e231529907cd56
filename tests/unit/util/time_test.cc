#include "util/time.h"

#include <gtest/gtest.h>

namespace kv::timeutil {
namespace {

TEST(ParseRfc3339, UtcSecondsAsKubernetesWritesThem) {
  EXPECT_EQ(ParseRfc3339Micros("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339Micros("2024-02-29T12:34:56Z"), int64_t{1709210096} * 1000000);
}

TEST(ParseRfc3339, MicroTimeKeepsMicroseconds) {
  EXPECT_EQ(ParseRfc3339Micros("2024-02-29T12:34:56.123456Z"),
            int64_t{1709210096} * 1000000 + 123456);
  EXPECT_EQ(ParseRfc3339Micros("2024-02-29T12:34:56.5Z"), int64_t{1709210096} * 1000000 + 500000);
}

TEST(ParseRfc3339, OffsetsAreApplied) {
  EXPECT_EQ(ParseRfc3339Micros("2024-02-29T14:34:56+02:00"),
            ParseRfc3339Micros("2024-02-29T12:34:56Z"));
  EXPECT_EQ(ParseRfc3339Micros("2024-02-29T10:34:56-02:00"),
            ParseRfc3339Micros("2024-02-29T12:34:56Z"));
}

TEST(ParseRfc3339, MalformedIsRejected) {
  for (const char* bad : {"", "2024-02-29", "2024-02-29T12:34:56", "2024-13-01T00:00:00Z",
                          "2024-02-29T12:34:56Zjunk", "2024-02-29T12:34:56.Z", "null"}) {
    EXPECT_FALSE(ParseRfc3339Micros(bad).has_value()) << bad;
  }
}

TEST(FormatRfc3339, RoundTrips) {
  auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1709210096));
  EXPECT_EQ(FormatRfc3339(t), "2024-02-29T12:34:56Z");
}

TEST(FromMicros, SaturatesFarFutureExpiryInsteadOfOverflowing) {
  // "2999-01-01T00:00:00Z" is past what nanosecond ticks can hold.
  auto micros = ParseRfc3339Micros("2999-01-01T00:00:00Z");
  ASSERT_TRUE(micros);
  EXPECT_EQ(FromMicros(*micros), std::chrono::system_clock::time_point::max());
  EXPECT_GT(FromMicros(*micros), std::chrono::system_clock::now());
  EXPECT_EQ(ToMicros(FromMicros(1709210096000000)), 1709210096000000);
}

}  // namespace
}  // namespace kv::timeutil
