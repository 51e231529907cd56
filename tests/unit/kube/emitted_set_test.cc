#include "kube/emitted_set.h"

#include <gtest/gtest.h>

namespace kv::kube {
namespace {

event::Event Make(const std::string& uid, const std::string& rv, int count,
                  int64_t last_micros = 1000) {
  event::Event ev;
  ev.metadata.uid = uid;
  ev.metadata.resource_version = rv;
  ev.count = count;
  ev.last_timestamp_micros = last_micros;
  return ev;
}

TEST(EmittedSet, FirstSightingIsNew) {
  EmittedSet set;
  EXPECT_EQ(set.Observe(Make("a", "1", 1)), Novelty::kNew);
  EXPECT_EQ(set.size(), 1u);
}

TEST(EmittedSet, SameVersionAgainIsUnchanged) {
  EmittedSet set;
  set.Observe(Make("a", "1", 1));
  EXPECT_EQ(set.Observe(Make("a", "1", 1)), Novelty::kUnchanged);
}

TEST(EmittedSet, CountBumpIsAnUpdate) {
  EmittedSet set;
  set.Observe(Make("a", "1", 1));
  EXPECT_EQ(set.Observe(Make("a", "2", 2, 2000)), Novelty::kUpdate);
  EXPECT_EQ(set.Observe(Make("a", "2", 2, 2000)), Novelty::kUnchanged);
}

TEST(EmittedSet, MetadataOnlyChangeIsNotReEmitted) {
  EmittedSet set;
  set.Observe(Make("a", "1", 1));
  EXPECT_EQ(set.Observe(Make("a", "5", 1)), Novelty::kUnchanged);
}

TEST(EmittedSet, SeriesCountChangeIsAnUpdate) {
  EmittedSet set;
  auto ev = Make("a", "1", 0);
  ev.series = event::EventSeries{2, "x"};
  set.Observe(ev);
  ev.metadata.resource_version = "2";
  ev.series->count = 3;
  EXPECT_EQ(set.Observe(ev), Novelty::kUpdate);
}

TEST(EmittedSet, RememberedEventsAreNotNewLater) {
  EmittedSet set;
  set.Remember(Make("old", "1", 1));
  EXPECT_EQ(set.Observe(Make("old", "1", 1)), Novelty::kUnchanged);
  EXPECT_EQ(set.Observe(Make("old", "2", 2, 5000)), Novelty::kUpdate);
}

TEST(EmittedSet, RetainOnlyForgetsWhatTheServerNoLongerHas) {
  EmittedSet set;
  set.Observe(Make("a", "1", 1));
  set.Observe(Make("b", "1", 1));
  set.RetainOnly({"b"});
  EXPECT_EQ(set.size(), 1u);
  EXPECT_EQ(set.Observe(Make("a", "1", 1)), Novelty::kNew);
}

}  // namespace
}  // namespace kv::kube
