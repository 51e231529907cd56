#include "delivery/spool.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "../support/temp_dir.h"

namespace kv::delivery {
namespace {

using std::chrono::milliseconds;

event::EventPtr Ev(const std::string& uid, const std::string& rv = "1") {
  auto ev = std::make_shared<event::Event>();
  ev->metadata.uid = uid;
  ev->metadata.resource_version = rv;
  ev->metadata.name = "ev-" + uid;
  ev->metadata.namespace_ = "default";
  ev->reason = "Started";
  ev->message = "container started";
  ev->count = 3;
  ev->involved_object.kind = "Pod";
  ev->involved_object.name = "web";
  ev->involved_object.labels["app"] = "web";
  ev->cluster_name = "prod";
  return ev;
}

SpoolOptions Opts(const std::filesystem::path& dir) {
  SpoolOptions o;
  o.dir = dir;
  o.fsync = FsyncPolicy::kNever;
  return o;
}

// Take's deadline in these tests is the fake clock's now: it hands out
// what is readable and never waits.

std::vector<std::string> Uids(const std::vector<Entry>& batch) {
  std::vector<std::string> out;
  for (const auto& e : batch) out.push_back(e.event->metadata.uid);
  return out;
}

TEST(Spool, PayloadRoundTripKeepsEnrichmentClusterAndGroup) {
  auto ev = Ev("u1");
  auto copy = std::make_shared<event::Event>(*ev);
  copy->api_group = "events.k8s.io";
  event::Decoder d;
  auto back = Spool::DecodePayload(Spool::EncodePayload(*copy), d);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->metadata.uid, "u1");
  EXPECT_EQ(back->involved_object.labels.at("app"), "web");
  EXPECT_EQ(back->cluster_name, "prod");
  EXPECT_EQ(back->api_group, "events.k8s.io");
  EXPECT_EQ(Spool::EncodePayload(*back), Spool::EncodePayload(*copy));
}

TEST(Spool, AppendedRecordsAreInvisibleUntilPublished) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  auto s = Spool::Open(Opts(tmp.path()), env, clock);
  ASSERT_TRUE(s.has_value());
  ASSERT_TRUE((*s)->Append(Ev("a"), 1).has_value());
  EXPECT_TRUE((*s)->Take(10, 1 << 20, milliseconds(0), clock.SteadyNow()).empty());
  (*s)->Publish();
  EXPECT_EQ(Uids((*s)->Take(10, 1 << 20, milliseconds(0), clock.SteadyNow())),
            std::vector<std::string>{"a"});
}

TEST(Spool, PublishUpToShowsOnlyRecordsUpToThatEvent) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  auto s = Spool::Open(Opts(tmp.path()), env, clock);
  ASSERT_TRUE(s.has_value());
  ASSERT_TRUE((*s)->Append(Ev("a"), 3).has_value());
  ASSERT_TRUE((*s)->Append(Ev("b"), 5).has_value());
  ASSERT_TRUE((*s)->Append(Ev("c"), 8).has_value());
  (*s)->PublishUpTo(6);
  EXPECT_FALSE((*s)->NothingReadable());
  EXPECT_EQ(Uids((*s)->Take(10, 1 << 20, milliseconds(0), clock.SteadyNow())),
            (std::vector<std::string>{"a", "b"}));
  (*s)->Ack();
  EXPECT_TRUE((*s)->NothingReadable()) << "c is appended but not published";
  EXPECT_FALSE((*s)->Empty());
  (*s)->PublishUpTo(8);
  EXPECT_EQ(Uids((*s)->Take(10, 1 << 20, milliseconds(0), clock.SteadyNow())),
            std::vector<std::string>{"c"});
}

TEST(Spool, TryAppendSaysFullAndWaitForRoomWakesOnAck) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  SpoolOptions o = Opts(tmp.path());
  o.max_bytes = 1;  // the first record is accepted alone; the second must wait
  o.overflow = OverflowPolicy::kBlock;
  auto s = Spool::Open(o, env, clock);
  ASSERT_TRUE(s.has_value());
  ASSERT_TRUE((*s)->TryAppend(Ev("a"), 1).has_value());
  auto full = (*s)->TryAppend(Ev("b"), 2);
  ASSERT_FALSE(full.has_value());
  EXPECT_EQ(full.error().code, ErrorCode::kFull);
  EXPECT_FALSE((*s)->WaitForRoom(milliseconds(0)));
  (*s)->Publish();
  ASSERT_EQ((*s)->Take(10, 1 << 20, milliseconds(0), clock.SteadyNow()).size(), 1u);
  (*s)->Ack();
  EXPECT_TRUE((*s)->WaitForRoom(milliseconds(0)));
  EXPECT_TRUE((*s)->TryAppend(Ev("b"), 2).has_value());
  EXPECT_EQ((*s)->stats().blocked_appends.load(), 1u);
}

TEST(Spool, UnackedRecordsComeBackAfterReopenInOrder) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  {
    auto s = Spool::Open(Opts(tmp.path()), env, clock);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*s)->Append(Ev("e" + std::to_string(i)), i + 1));
    (*s)->Publish();
    auto first = (*s)->Take(2, 1 << 20, milliseconds(0), clock.SteadyNow());
    ASSERT_EQ(first.size(), 2u);
    (*s)->Ack();
    (*s)->Take(2, 1 << 20, milliseconds(0),
               clock.SteadyNow());  // in flight at the "crash": not acked
  }
  auto s = Spool::Open(Opts(tmp.path()), env, clock);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ((*s)->stats().recovered.load(), 3u);
  EXPECT_EQ(Uids((*s)->Take(10, 1 << 20, milliseconds(0), clock.SteadyNow())),
            (std::vector<std::string>{"e2", "e3", "e4"}));
}

TEST(Spool, TruncateAfterRemovesUncommittedTail) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  {
    auto s = Spool::Open(Opts(tmp.path()), env, clock);
    for (int i = 1; i <= 4; ++i) ASSERT_TRUE((*s)->Append(Ev("e" + std::to_string(i)), i * 10));
    (*s)->Publish();
  }
  {
    auto s = Spool::Open(Opts(tmp.path()), env, clock);
    auto removed = (*s)->TruncateAfter(20);
    ASSERT_TRUE(removed.has_value());
    EXPECT_EQ(*removed, 2u);
    ASSERT_TRUE((*s)->Append(Ev("e5"), 21));
    (*s)->Publish();
  }
  auto s = Spool::Open(Opts(tmp.path()), env, clock);
  EXPECT_EQ(Uids((*s)->Take(10, 1 << 20, milliseconds(0), clock.SteadyNow())),
            (std::vector<std::string>{"e1", "e2", "e5"}));
}

TEST(Spool, ATornTailIsCutOffAndTheRestSurvives) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  {
    auto s = Spool::Open(Opts(tmp.path()), env, clock);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*s)->Append(Ev("e" + std::to_string(i)), i + 1));
  }
  std::filesystem::path seg;
  for (const auto& f : std::filesystem::directory_iterator(tmp.path())) {
    if (f.path().extension() == ".seg") seg = f.path();
  }
  ASSERT_FALSE(seg.empty());
  auto size = std::filesystem::file_size(seg);
  std::filesystem::resize_file(seg, size - 7);  // the last record loses its end
  auto s = Spool::Open(Opts(tmp.path()), env, clock);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ((*s)->stats().corrupt.load(), 1u);
  EXPECT_EQ(Uids((*s)->Take(10, 1 << 20, milliseconds(0), clock.SteadyNow())),
            (std::vector<std::string>{"e0", "e1"}));
}

TEST(Spool, BatchesAreCutByCountAndBytes) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  auto s = Spool::Open(Opts(tmp.path()), env, clock);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*s)->Append(Ev("e" + std::to_string(i)), i + 1));
  (*s)->Publish();
  EXPECT_EQ((*s)->Take(4, 1 << 20, milliseconds(0), clock.SteadyNow()).size(), 4u);
  (*s)->Ack();
  auto one = (*s)->Take(100, 10, milliseconds(0), clock.SteadyNow());  // tiny byte limit: still one
  EXPECT_EQ(one.size(), 1u);
  (*s)->Ack();
  auto two = (*s)->Take(100, 2 * one[0].bytes, milliseconds(0), clock.SteadyNow());
  EXPECT_EQ(two.size(), 2u);
}

TEST(Spool, LingerWaitsForAFullerBatch) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  auto s = Spool::Open(Opts(tmp.path()), env, clock);
  ASSERT_TRUE((*s)->Append(Ev("a"), 1));
  (*s)->Publish();
  std::vector<Entry> batch;
  std::thread worker([&] {
    batch = (*s)->Take(2, 1 << 20, milliseconds(10000), clock.SteadyNow() + milliseconds(20000));
  });
  clock.AwaitWaiters(1);  // the worker lingers for a fuller batch
  ASSERT_TRUE((*s)->Append(Ev("b"), 2));
  (*s)->Publish();
  worker.join();
  EXPECT_EQ(Uids(batch), (std::vector<std::string>{"a", "b"}));
}

TEST(Spool, LingerEndsOnTheClockWithWhatThereIs) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  auto s = Spool::Open(Opts(tmp.path()), env, clock);
  ASSERT_TRUE((*s)->Append(Ev("a"), 1));
  (*s)->Publish();
  std::vector<Entry> batch;
  std::thread worker([&] {
    batch = (*s)->Take(2, 1 << 20, milliseconds(10000), clock.SteadyNow() + milliseconds(20000));
  });
  clock.AwaitWaiters(1);
  clock.Advance(milliseconds(10000));  // the oldest record has lingered long enough
  worker.join();
  EXPECT_EQ(Uids(batch), std::vector<std::string>{"a"});
}

TEST(Spool, AnEmptyTakeReturnsNothingAtItsDeadline) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  auto s = Spool::Open(Opts(tmp.path()), env, clock);
  std::vector<Entry> batch{Entry{}};
  std::thread worker([&] {
    batch = (*s)->Take(2, 1 << 20, milliseconds(0), clock.SteadyNow() + milliseconds(500));
  });
  clock.AwaitWaiters(1);
  clock.Advance(milliseconds(500));
  worker.join();
  EXPECT_TRUE(batch.empty());
}

TEST(Spool, WaitForRoomGivesUpAfterItsTimeOnTheClock) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  SpoolOptions o = Opts(tmp.path());
  o.max_bytes = 1;
  auto s = Spool::Open(o, env, clock);
  ASSERT_TRUE((*s)->TryAppend(Ev("a"), 1).has_value());
  ASSERT_FALSE((*s)->TryAppend(Ev("b"), 2).has_value());
  bool room = true;
  std::thread watcher([&] { room = (*s)->WaitForRoom(milliseconds(200)); });
  clock.AwaitWaiters(1);
  clock.Advance(milliseconds(200));
  watcher.join();
  EXPECT_FALSE(room);
}

TEST(Spool, BlockPolicyWaitsForRoom) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  SpoolOptions o = Opts(tmp.path());
  o.max_bytes = 1 << 16;
  auto s = Spool::Open(o, env, clock);
  int appended = 0;
  while ((*s)->stats().pending_bytes.load() + 2000 < o.max_bytes) {
    ASSERT_TRUE((*s)->Append(Ev("e" + std::to_string(appended)), appended + 1));
    ++appended;
  }
  (*s)->Publish();
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*s)->Append(Ev("late" + std::to_string(i)), 1000 + i));
    done = true;
  });
  clock.AwaitWaiters(1);  // the writer waits for room
  EXPECT_FALSE(done.load());
  EXPECT_GE((*s)->stats().blocked_appends.load(), 1u);
  (*s)->Take(100000, 1 << 30, milliseconds(0), clock.SteadyNow());
  (*s)->Ack();
  writer.join();
  EXPECT_TRUE(done.load());
  EXPECT_EQ((*s)->stats().dropped.load(), 0u);
}

TEST(Spool, DropOldestCountsEveryDropAndKeepsTheNewest) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  SpoolOptions o = Opts(tmp.path());
  o.max_bytes = 1 << 16;
  o.overflow = OverflowPolicy::kDropOldest;
  auto s = Spool::Open(o, env, clock);
  const int n = 500;
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE((*s)->Append(Ev("e" + std::to_string(i)), i + 1));
    (*s)->Publish();
  }
  auto rest = (*s)->Take(100000, 1 << 30, milliseconds(0), clock.SteadyNow());
  EXPECT_EQ(rest.size() + (*s)->stats().dropped.load(), static_cast<size_t>(n));
  EXPECT_GT((*s)->stats().dropped.load(), 0u);
  EXPECT_EQ(rest.back().event->metadata.uid, "e" + std::to_string(n - 1));
}

TEST(Spool, AckedSegmentsAreDeleted) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  SpoolOptions o = Opts(tmp.path());
  o.segment_bytes = 4096;
  auto s = Spool::Open(o, env, clock);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE((*s)->Append(Ev("e" + std::to_string(i)), i + 1));
  (*s)->Publish();
  auto count_segments = [&] {
    int n = 0;
    for (const auto& f : std::filesystem::directory_iterator(tmp.path())) {
      n += f.path().extension() == ".seg";
    }
    return n;
  };
  EXPECT_GT(count_segments(), 5);
  (*s)->Take(1000, 1 << 30, milliseconds(0), clock.SteadyNow());
  (*s)->Ack();
  EXPECT_EQ(count_segments(), 1);
  EXPECT_TRUE((*s)->Empty());
}

TEST(Spool, EventsBeyondTheMemoryBudgetAreReadBackFromDisk) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  SpoolOptions o = Opts(tmp.path());
  o.memory_bytes = 0;
  auto s = Spool::Open(o, env, clock);
  ASSERT_TRUE((*s)->Append(Ev("disk-only", "77"), 1));
  (*s)->Publish();
  auto batch = (*s)->Take(1, 1 << 20, milliseconds(0), clock.SteadyNow());
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].event->metadata.resource_version, "77");
  EXPECT_EQ(batch[0].event->involved_object.labels.at("app"), "web");
}

TEST(Spool, ReopenHandsOutAnUnackedBatchAgain) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  auto s = Spool::Open(Opts(tmp.path()), env, clock);
  ASSERT_TRUE((*s)->Append(Ev("a"), 1));
  ASSERT_TRUE((*s)->Append(Ev("b"), 2));
  (*s)->Publish();
  ASSERT_EQ((*s)->Take(1, 1 << 20, milliseconds(0), clock.SteadyNow()).size(), 1u);
  (*s)->Close();  // the worker is replaced mid-batch
  (*s)->Reopen();
  EXPECT_EQ(Uids((*s)->Take(10, 1 << 20, milliseconds(0), clock.SteadyNow())),
            (std::vector<std::string>{"a", "b"}));
}

TEST(Spool, CloseWakesABlockedAppend) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  SpoolOptions o = Opts(tmp.path());
  o.max_bytes = 1 << 16;
  auto s = Spool::Open(o, env, clock);
  while ((*s)->stats().pending_bytes.load() + 2000 < o.max_bytes)
    ASSERT_TRUE((*s)->Append(Ev("x"), 1));
  std::thread writer([&] {
    for (int i = 0; i < 10; ++i) {
      if (!(*s)->Append(Ev("y"), 2)) return;
    }
  });
  clock.AwaitWaiters(1);  // the writer waits for room
  (*s)->Close();
  writer.join();
  SUCCEED();
}

}  // namespace
}  // namespace kv::delivery
