#include "kube/checkpoint_mirror.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

#include "../support/temp_dir.h"

namespace kv::kube {
namespace {

using namespace std::chrono_literals;

EmittedSet::State St(const std::string& rv) {
  EmittedSet::State s;
  s.resource_version = rv;
  s.count = 1;
  return s;
}

// A cluster stand-in: records what was saved, fails while told to, and
// lets the test wait (without polling) for the mirror thread's next step.
struct FakeCluster {
  std::mutex mu;
  std::condition_variable changed;
  std::vector<Checkpoint> saved;
  std::vector<uint64_t> published;
  std::optional<ErrorCode> fail_with;
  int fail_status = 0;
  int attempts = 0;            // Save calls, failed ones included
  FakeClock* clock = nullptr;  // when set, each save takes `save_takes` on it
  std::chrono::milliseconds save_takes{0};

  Result<void> Save(const Checkpoint& cp) {
    if (clock != nullptr) clock->Advance(save_takes);
    std::lock_guard lock(mu);
    ++attempts;
    changed.notify_all();
    if (fail_with) return Fail(*fail_with, "refused", fail_status);
    saved.push_back(cp);
    return {};
  }
  void Publish(uint64_t seq) {
    std::lock_guard lock(mu);
    published.push_back(seq);
    changed.notify_all();
  }
  uint64_t last_published() {
    std::lock_guard lock(mu);
    return published.empty() ? 0 : published.back();
  }
  size_t saves() {
    std::lock_guard lock(mu);
    return saved.size();
  }
  void FailWith(std::optional<ErrorCode> code, int status = 0) {
    std::lock_guard lock(mu);
    fail_with = code;
    fail_status = status;
  }
  // Waits until `done` holds (the 10 s bound only turns a bug into a failure).
  template <typename F>
  bool Await(F done) {
    std::unique_lock lock(mu);
    return changed.wait_for(lock, 10s, [&] { return done(); });
  }
  bool AwaitAttempts(int n) {
    return Await([&] { return attempts >= n; });
  }
  bool AwaitPublished(uint64_t seq) {
    return Await([&] { return !published.empty() && published.back() == seq; });
  }
};

constexpr auto kInterval = 1s;

std::unique_ptr<CheckpointMirror> MakeMirror(FakeCluster& c, Clock& clock) {
  return std::make_unique<CheckpointMirror>(
      CheckpointMirrorOptions{kInterval}, [&c](const Checkpoint& cp) { return c.Save(cp); },
      [&c](uint64_t seq) { c.Publish(seq); }, clock);
}

// Once the cluster has seen `attempts` saves, the mirror thread has finished
// that turn (published or not) as soon as it pauses on the clock: it takes
// its pause only after a save, and left the previous one before saving.
void AwaitTurnDone(FakeCluster& c, FakeClock& clock, int attempts) {
  ASSERT_TRUE(c.AwaitAttempts(attempts));
  clock.AwaitWaiters(1);
}

TEST(CheckpointMirror, PublishesOnlyWhatASavedCopyCovers) {
  FakeCluster c;
  FakeClock clock;
  auto m = MakeMirror(c, clock);
  Checkpoint start;
  start.resource_version = "10";
  start.event_seq = 4;
  start.journal_seq = 7;
  start.writer = "me";
  m->Start(start);
  // The first turn saves the starting state (the new leader's claim).
  AwaitTurnDone(c, clock, 1);
  EXPECT_EQ(c.saves(), 1u);

  m->Seen("u1", St("11"));
  m->Committed("11", 5, 8);
  clock.Advance(kInterval);
  ASSERT_TRUE(c.AwaitPublished(5));
  {
    std::lock_guard lock(c.mu);
    const Checkpoint& last = c.saved.back();
    EXPECT_EQ(last.resource_version, "11");
    EXPECT_EQ(last.event_seq, 5u);
    EXPECT_EQ(last.writer, "me");
    ASSERT_EQ(last.emitted.count("u1"), 1u);
    EXPECT_EQ(last.emitted.at("u1").resource_version, "11");
  }
  EXPECT_EQ(m->saved_event_seq(), 5u);
  m->Stop();
}

TEST(CheckpointMirror, SavesAreSpacedByTheMinimumInterval) {
  FakeCluster c;
  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::seconds(1800000000)));
  auto m = MakeMirror(c, clock);
  m->Start(Checkpoint{});
  AwaitTurnDone(c, clock, 1);
  EXPECT_EQ(m->last_saved_micros(), int64_t{1800000000} * 1000000) << "stamped on the clock";
  m->Committed("2", 1, 1);
  clock.Advance(kInterval - 1ms);
  EXPECT_EQ(c.saves(), 1u) << "saved before the interval was over";
  clock.Advance(1ms);
  ASSERT_TRUE(c.AwaitPublished(1));
  m->Stop();
}

// A save that took long (a large state) spaces the next by twice as long,
// so the mirror does not keep the API server busy.
TEST(CheckpointMirror, ASlowSaveLengthensThePause) {
  FakeCluster c;
  FakeClock clock;
  c.clock = &clock;
  c.save_takes = 3s;
  auto m = MakeMirror(c, clock);
  m->Start(Checkpoint{});
  AwaitTurnDone(c, clock, 1);
  m->Committed("2", 1, 1);
  clock.Advance(6s - 1ms);
  EXPECT_EQ(c.saves(), 1u) << "the pause after a 3 s save is 6 s";
  clock.Advance(1ms);
  ASSERT_TRUE(c.AwaitPublished(1));
  m->Stop();
}

TEST(CheckpointMirror, AFailingSaveHoldsEventsBackUntilItSucceeds) {
  FakeCluster c;
  FakeClock clock;
  auto m = MakeMirror(c, clock);
  m->Start(Checkpoint{});
  AwaitTurnDone(c, clock, 1);
  c.FailWith(ErrorCode::kUnavailable);
  m->Seen("u1", St("2"));
  m->Committed("2", 1, 1);
  m->Seen("u2", St("3"));
  m->Committed("3", 2, 2);
  clock.Advance(kInterval);
  AwaitTurnDone(c, clock, 2);
  EXPECT_LT(c.last_published(), 1u) << "published before the cluster covered it";
  EXPECT_EQ(m->failed_saves(), 1u);
  // The next turn tries again, with nothing new committed.
  c.FailWith(std::nullopt);
  clock.Advance(kInterval);
  ASSERT_TRUE(c.AwaitPublished(2));
  m->Stop();
}

TEST(CheckpointMirror, AConflictHoldsBackButATooLargeStateIsDeliveredAnyway) {
  FakeCluster c;
  FakeClock clock;
  auto m = MakeMirror(c, clock);
  m->Start(Checkpoint{});
  AwaitTurnDone(c, clock, 1);
  c.FailWith(ErrorCode::kRejected, 409);  // another leader wrote it
  m->Committed("2", 1, 1);
  clock.Advance(kInterval);
  AwaitTurnDone(c, clock, 2);
  EXPECT_EQ(c.last_published(), 0u);
  c.FailWith(ErrorCode::kRejected);  // too large for a ConfigMap
  m->Committed("3", 2, 2);
  clock.Advance(kInterval);
  ASSERT_TRUE(c.AwaitPublished(2));
  EXPECT_EQ(m->saved_event_seq(), 0u) << "nothing was saved after the start";
  m->Stop();
}

// RBAC that denies writing the ConfigMap must not stop delivery: the events
// are published without a saved copy (a new leader re-sends them), and the
// save is tried again only every refused_retry.
TEST(CheckpointMirror, AForbiddenSaveIsDeliveredAnywayAndRetriedSeldom) {
  FakeCluster c;
  FakeClock clock;
  auto m = MakeMirror(c, clock);
  m->Start(Checkpoint{});
  AwaitTurnDone(c, clock, 1);
  c.FailWith(ErrorCode::kUnauthorized, 403);
  m->Committed("2", 1, 1);
  clock.Advance(kInterval);
  ASSERT_TRUE(c.AwaitPublished(1));
  AwaitTurnDone(c, clock, 2);
  m->Committed("3", 2, 2);
  clock.Advance(CheckpointMirrorOptions{}.refused_retry - 1ms);
  EXPECT_EQ(c.last_published(), 1u) << "retried before refused_retry";
  clock.Advance(1ms);
  ASSERT_TRUE(c.AwaitPublished(2));
  EXPECT_EQ(m->saved_event_seq(), 0u);
  m->Stop();
}

// What the mirror saves is the bounded cluster view, not the whole set.
TEST(CheckpointMirror, SavesOnlyTheClusterView) {
  FakeCluster c;
  FakeClock clock;
  auto m = MakeMirror(c, clock);
  Checkpoint start;
  start.resource_version = "100000";
  for (int i = 1; i <= 5000; ++i) start.emitted["u" + std::to_string(i)] = St(std::to_string(i));
  m->Start(start);
  AwaitTurnDone(c, clock, 1);
  std::lock_guard lock(c.mu);
  EXPECT_EQ(c.saved.back().emitted.size(), CheckpointMirrorOptions{}.recent_entries);
  EXPECT_EQ(c.saved.back().emitted.count("u5000"), 1u);
}

TEST(CheckpointMirror, FlushSavesTheLastStateAndPublishesIt) {
  FakeCluster c;
  FakeClock clock;
  auto m = MakeMirror(c, clock);
  m->Start(Checkpoint{});
  m->Committed("9", 3, 3);
  ASSERT_TRUE(m->Flush().has_value());
  EXPECT_EQ(c.last_published(), 3u);
  {
    std::lock_guard lock(c.mu);
    EXPECT_EQ(c.saved.back().resource_version, "9");
  }
}

TEST(CheckpointMirror, AFailedFlushPublishesNothing) {
  FakeCluster c;
  FakeClock clock;
  auto m = MakeMirror(c, clock);
  m->Start(Checkpoint{});
  ASSERT_TRUE(c.AwaitAttempts(1));
  c.FailWith(ErrorCode::kUnavailable);
  m->Committed("9", 3, 3);
  EXPECT_FALSE(m->Flush().has_value());
  EXPECT_LT(c.last_published(), 3u);
}

TEST(CheckpointMirror, CoveredUpToReadsTheWriterOrItsHandOver) {
  Checkpoint cp;
  cp.writer = "b";
  cp.event_seq = 50;
  cp.handovers = {{"a", 7}, {"c", 9}, {"a", 12}};
  EXPECT_EQ(CheckpointMirror::CoveredUpTo(cp, "b"), std::optional<uint64_t>(50));
  EXPECT_EQ(CheckpointMirror::CoveredUpTo(cp, "a"), std::optional<uint64_t>(12)) << "the newest";
  EXPECT_EQ(CheckpointMirror::CoveredUpTo(cp, "c"), std::optional<uint64_t>(9));
  EXPECT_EQ(CheckpointMirror::CoveredUpTo(cp, "d"), std::nullopt);
  EXPECT_EQ(CheckpointMirror::CoveredUpTo(cp, ""), std::nullopt);
}

TEST(CheckpointMirror, HandOversSurviveEncoding) {
  Checkpoint cp;
  cp.resource_version = "5";
  cp.writer = "b";
  cp.handovers = {{"a", 7}};
  auto back = DecodeCheckpoint(EncodeCheckpoint(cp));
  ASSERT_TRUE(back.has_value()) << back.error().message;
  ASSERT_EQ(back->handovers.size(), 1u);
  EXPECT_EQ(back->handovers[0].writer, "a");
  EXPECT_EQ(back->handovers[0].event_seq, 7u);
  EXPECT_FALSE(DecodeCheckpoint(R"({"version":1,"resourceVersion":"","eventSeq":0,)"
                                R"("journalSeq":0,"emitted":[],"handovers":[["a"]]})")
                   .has_value());
}

// The Checkpointer feeds the mirror at every journal line, after the line.
TEST(CheckpointMirror, TheCheckpointerReportsEachCommittedEvent) {
  kv::testing::TempDir tmp;
  FakeClock clock;
  CheckpointerOptions o;
  o.journal = tmp.path() / "checkpoint.journal";
  o.compact_interval = std::chrono::hours(1);
  PosixEnv env;
  auto cp = Checkpointer::Open(
      std::make_unique<FileCheckpointStore>(env, tmp.path() / "checkpoint.json"), o, env, clock);
  ASSERT_TRUE(cp.has_value());
  FakeCluster c;
  auto m = MakeMirror(c, clock);
  m->Start(Checkpoint{});
  AwaitTurnDone(c, clock, 1);
  (*cp)->SetMirror(m.get());
  EmittedSet set;
  uint64_t seq = (*cp)->NextEventSeq();
  ASSERT_TRUE((*cp)->Seen("u1", St("20"), "20"));
  clock.Advance(kInterval);
  ASSERT_TRUE(c.AwaitPublished(seq));
  {
    std::lock_guard lock(c.mu);
    EXPECT_EQ(c.saved.back().resource_version, "20");
    EXPECT_EQ(c.saved.back().emitted.count("u1"), 1u);
  }
  AwaitTurnDone(c, clock, 2);
  ASSERT_TRUE((*cp)->Forgotten("u1", "21"));
  clock.Advance(kInterval);
  ASSERT_TRUE(c.Await(
      [&] { return c.saved.back().resource_version == "21" && c.saved.back().emitted.empty(); }));
  m->Stop();
}

}  // namespace
}  // namespace kv::kube
