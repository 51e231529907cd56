#include "sinks/search/hosts.h"

#include <gtest/gtest.h>

namespace kv::sinks::search {
namespace {

TEST(HostPool, RequestsStartAtTheNextHostInTurn) {
  FakeClock clock;
  HostPool pool({"http://a", "http://b", "http://c"}, clock);
  EXPECT_EQ(pool.Order(), (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(pool.Order(), (std::vector<size_t>{1, 2, 0}));
  EXPECT_EQ(pool.Order(), (std::vector<size_t>{2, 0, 1}));
  EXPECT_EQ(pool.Order(), (std::vector<size_t>{0, 1, 2}));
}

TEST(HostPool, FailedHostRestsAtTheEndAndComesBackAfterItsRest) {
  FakeClock clock;
  HostPool pool({"http://a", "http://b"}, clock);
  pool.MarkFailed(0);
  EXPECT_EQ(pool.Order(), (std::vector<size_t>{1, 0}));
  EXPECT_EQ(pool.Order(), (std::vector<size_t>{1, 0}));
  clock.Advance(std::chrono::milliseconds(1001));
  EXPECT_EQ(pool.Order(), (std::vector<size_t>{0, 1}));
}

TEST(HostPool, RestDoublesPerFailureUpToAMinute) {
  FakeClock clock;
  HostPool pool({"http://a", "http://b"}, clock);
  for (int i = 0; i < 10; ++i) pool.MarkFailed(0);
  clock.Advance(std::chrono::seconds(59));
  EXPECT_EQ(pool.Order().front(), 1u);
  clock.Advance(std::chrono::seconds(2));
  pool.Order();  // b's turn
  EXPECT_EQ(pool.Order().front(), 0u);
  pool.MarkOk(0);
  pool.MarkFailed(0);
  clock.Advance(std::chrono::milliseconds(1001));
  pool.Order();
  EXPECT_EQ(pool.Order().front(), 0u);
}

TEST(HostPool, AllRestingStillTriesTheOneRestedSoonest) {
  FakeClock clock;
  HostPool pool({"http://a", "http://b"}, clock);
  pool.MarkFailed(1);
  pool.MarkFailed(0);
  pool.MarkFailed(0);
  EXPECT_EQ(pool.Order(), (std::vector<size_t>{1, 0}));
}

TEST(HostPool, ReplaceKeepsTheRestOfHostsThatStay) {
  FakeClock clock;
  HostPool pool({"http://a", "http://b"}, clock);
  pool.MarkFailed(1);
  pool.MarkFailed(1);
  pool.Replace({"http://c", "http://b"});
  ASSERT_EQ(pool.size(), 2u);
  EXPECT_EQ(pool.host(0), "http://c");
  EXPECT_EQ(pool.host(1), "http://b");
  EXPECT_TRUE(pool.Contains("http://b"));
  EXPECT_FALSE(pool.Contains("http://a"));
  // b still rests (2 failures: 2 s); c is new and rested.
  EXPECT_EQ(pool.Order(), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(pool.Order(), (std::vector<size_t>{0, 1}));
  clock.Advance(std::chrono::milliseconds(2001));
  EXPECT_EQ(pool.Order(), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(pool.Order(), (std::vector<size_t>{1, 0}));
  // A host that left and comes back starts over.
  pool.Replace({"http://a"});
  EXPECT_EQ(pool.Order(), (std::vector<size_t>{0}));
}

TEST(HostPool, FailOverOnTransportErrorsAndGatewayStatusesOnly) {
  EXPECT_TRUE(ShouldFailOver(Fail(ErrorCode::kUnavailable, "refused")));
  for (long s : {502L, 503L, 504L}) {
    http::Response r;
    r.status = s;
    EXPECT_TRUE(ShouldFailOver(r)) << s;
  }
  for (long s : {200L, 400L, 401L, 429L, 500L}) {
    http::Response r;
    r.status = s;
    EXPECT_FALSE(ShouldFailOver(r)) << s;
  }
}

}  // namespace
}  // namespace kv::sinks::search
