#include "kube/checkpoint_mirror.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
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

// A cluster stand-in: records what was saved, fails while told to.
struct FakeCluster {
  std::mutex mu;
  std::vector<Checkpoint> saved;
  std::vector<uint64_t> published;
  std::optional<ErrorCode> fail_with;
  int fail_status = 0;

  Result<void> Save(const Checkpoint& cp) {
    std::lock_guard lock(mu);
    if (fail_with) return Fail(*fail_with, "refused", fail_status);
    saved.push_back(cp);
    return {};
  }
  void Publish(uint64_t seq) {
    std::lock_guard lock(mu);
    published.push_back(seq);
  }
  uint64_t last_published() {
    std::lock_guard lock(mu);
    return published.empty() ? 0 : published.back();
  }
  size_t saves() {
    std::lock_guard lock(mu);
    return saved.size();
  }
};

// Waits for a condition the mirror's thread makes true (no timing asserted).
template <typename F>
bool Eventually(F f) {
  for (int i = 0; i < 2000; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

std::unique_ptr<CheckpointMirror> MakeMirror(FakeCluster& c) {
  return std::make_unique<CheckpointMirror>(
      CheckpointMirrorOptions{1ms}, [&c](const Checkpoint& cp) { return c.Save(cp); },
      [&c](uint64_t seq) { c.Publish(seq); });
}

TEST(CheckpointMirror, PublishesOnlyWhatASavedCopyCovers) {
  FakeCluster c;
  auto m = MakeMirror(c);
  Checkpoint start;
  start.resource_version = "10";
  start.event_seq = 4;
  start.journal_seq = 7;
  start.writer = "me";
  m->Start(start);
  // The first turn saves the starting state (the new leader's claim).
  ASSERT_TRUE(Eventually([&] { return c.saves() >= 1; }));

  m->Seen("u1", St("11"));
  m->Committed("11", 5, 8);
  ASSERT_TRUE(Eventually([&] { return c.last_published() == 5; }));
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

TEST(CheckpointMirror, AFailingSaveHoldsEventsBackUntilItSucceeds) {
  FakeCluster c;
  auto m = MakeMirror(c);
  m->Start(Checkpoint{});
  ASSERT_TRUE(Eventually([&] { return c.saves() >= 1; }));
  {
    std::lock_guard lock(c.mu);
    c.fail_with = ErrorCode::kUnavailable;
  }
  m->Seen("u1", St("2"));
  m->Committed("2", 1, 1);
  m->Seen("u2", St("3"));
  m->Committed("3", 2, 2);
  std::this_thread::sleep_for(50ms);
  EXPECT_LT(c.last_published(), 1u) << "published before the cluster covered it";
  {
    std::lock_guard lock(c.mu);
    c.fail_with.reset();
  }
  // A later turn retries once something changes.
  m->Committed("3", 2, 3);
  ASSERT_TRUE(Eventually([&] { return c.last_published() == 2; }));
  m->Stop();
}

TEST(CheckpointMirror, AConflictHoldsBackButATooLargeStateIsDeliveredAnyway) {
  FakeCluster c;
  auto m = MakeMirror(c);
  m->Start(Checkpoint{});
  ASSERT_TRUE(Eventually([&] { return c.saves() >= 1; }));
  {
    std::lock_guard lock(c.mu);
    c.fail_with = ErrorCode::kRejected;
    c.fail_status = 409;  // another leader wrote it
  }
  m->Committed("2", 1, 1);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(c.last_published(), 0u);
  {
    std::lock_guard lock(c.mu);
    c.fail_status = 0;  // too large for a ConfigMap
  }
  m->Committed("3", 2, 2);
  ASSERT_TRUE(Eventually([&] { return c.last_published() == 2; }));
  EXPECT_EQ(m->saved_event_seq(), 0u) << "nothing was saved after the start";
  m->Stop();
}

TEST(CheckpointMirror, FlushSavesTheLastStateAndPublishesIt) {
  FakeCluster c;
  auto m = MakeMirror(c);
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
  auto m = MakeMirror(c);
  m->Start(Checkpoint{});
  ASSERT_TRUE(Eventually([&] { return c.saves() >= 1; }));
  {
    std::lock_guard lock(c.mu);
    c.fail_with = ErrorCode::kUnavailable;
  }
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
  auto cp = Checkpointer::Open(
      std::make_unique<FileCheckpointStore>(tmp.path() / "checkpoint.json"), o, clock);
  ASSERT_TRUE(cp.has_value());
  FakeCluster c;
  auto m = MakeMirror(c);
  m->Start(Checkpoint{});
  (*cp)->SetMirror(m.get());
  EmittedSet set;
  uint64_t seq = (*cp)->NextEventSeq();
  (*cp)->Seen("u1", St("20"), "20", set);
  ASSERT_TRUE(Eventually([&] { return c.last_published() == seq; }));
  {
    std::lock_guard lock(c.mu);
    EXPECT_EQ(c.saved.back().resource_version, "20");
    EXPECT_EQ(c.saved.back().emitted.count("u1"), 1u);
  }
  (*cp)->Forgotten("u1", "21", set);
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(c.mu);
    return c.saved.back().resource_version == "21" && c.saved.back().emitted.empty();
  }));
  m->Stop();
}

}  // namespace
}  // namespace kv::kube
