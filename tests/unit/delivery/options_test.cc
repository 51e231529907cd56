// Where a receiver's batch limits come from (delivery::ResolveBatch): the
// kind's limits; a `delivery.batch*` key the user set lowers a capped
// kind's max_events and max_bytes (the smaller wins, never raised) and
// replaces an uncapped kind's; the linger key always replaces.
#include "delivery/options.h"

#include <gtest/gtest.h>

namespace kv::delivery {
namespace {

using std::chrono::milliseconds;

constexpr sinks::BatchLimits kCapped{20, 4096, milliseconds(0), /*capped=*/true};
constexpr sinks::BatchLimits kUncapped{500, 5 << 20, milliseconds(1000), /*capped=*/false};

TEST(ResolveBatch, NoKeySetLeavesTheKindsLimits) {
  for (sinks::BatchLimits kind : {kCapped, kUncapped}) {
    sinks::BatchLimits got = ResolveBatch(DeliveryConfig{}, kind);
    EXPECT_EQ(got.max_events, kind.max_events);
    EXPECT_EQ(got.max_bytes, kind.max_bytes);
    EXPECT_EQ(got.linger, kind.linger);
  }
}

TEST(ResolveBatch, ACappedKindsLimitsAreLoweredNeverRaised) {
  DeliveryConfig lower;
  lower.batch_max_events = 5;
  lower.batch_max_bytes = 1024;
  sinks::BatchLimits got = ResolveBatch(lower, kCapped);
  EXPECT_EQ(got.max_events, 5u);
  EXPECT_EQ(got.max_bytes, 1024u);

  DeliveryConfig higher;
  higher.batch_max_events = 100;
  higher.batch_max_bytes = 1 << 20;
  got = ResolveBatch(higher, kCapped);
  EXPECT_EQ(got.max_events, 20u);
  EXPECT_EQ(got.max_bytes, 4096u);

  // Each key on its own: the other limit stays the kind's.
  DeliveryConfig events_only;
  events_only.batch_max_events = 3;
  got = ResolveBatch(events_only, kCapped);
  EXPECT_EQ(got.max_events, 3u);
  EXPECT_EQ(got.max_bytes, 4096u);
}

TEST(ResolveBatch, AnUncappedKindsDefaultsAreReplacedEitherWay) {
  DeliveryConfig lower;
  lower.batch_max_events = 50;
  lower.batch_max_bytes = 1024;
  sinks::BatchLimits got = ResolveBatch(lower, kUncapped);
  EXPECT_EQ(got.max_events, 50u);
  EXPECT_EQ(got.max_bytes, 1024u);

  DeliveryConfig higher;
  higher.batch_max_events = 2000;
  got = ResolveBatch(higher, kUncapped);
  EXPECT_EQ(got.max_events, 2000u);
  EXPECT_EQ(got.max_bytes, size_t{5} << 20);

  // The default kind (one event per batch) is uncapped: file, stdout, pipe
  // and the one-event-per-request kinds take larger batches when asked.
  got = ResolveBatch(higher, sinks::BatchLimits{});
  EXPECT_EQ(got.max_events, 2000u);
}

TEST(ResolveBatch, TheLingerKeyAlwaysReplacesTheKinds) {
  DeliveryConfig d;
  d.batch_linger = milliseconds(250);
  EXPECT_EQ(ResolveBatch(d, kCapped).linger, milliseconds(250));
  EXPECT_EQ(ResolveBatch(d, kUncapped).linger, milliseconds(250));
}

}  // namespace
}  // namespace kv::delivery
