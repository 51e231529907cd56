#include "kube/checkpoint.h"

#include <gtest/gtest.h>

#include <fstream>

#include "../support/temp_dir.h"

namespace kv::kube {
namespace {

EmittedSet::State St(const std::string& rv, int count) {
  EmittedSet::State s;
  s.resource_version = rv;
  s.count = count;
  s.last_seen_micros = 1700000000000000 + count;
  return s;
}

std::unique_ptr<Checkpointer> OpenIn(const std::filesystem::path& dir, Env& env, Clock& clock,
                                     uint64_t compact_lines = 1000000) {
  CheckpointerOptions o;
  o.journal = dir / "checkpoint.journal";
  o.compact_lines = compact_lines;
  o.compact_interval = std::chrono::hours(1);
  auto cp = Checkpointer::Open(std::make_unique<FileCheckpointStore>(env, dir / "checkpoint.json"),
                               o, env, clock);
  EXPECT_TRUE(cp.has_value()) << cp.error().message;
  return std::move(*cp);
}

TEST(Checkpoint, EncodeDecodeRoundTrip) {
  Checkpoint cp;
  cp.resource_version = "123";
  cp.event_seq = 7;
  cp.journal_seq = 9;
  cp.emitted["u1"] = St("100", 2);
  cp.emitted["u2"] = St("", 0);
  auto back = DecodeCheckpoint(EncodeCheckpoint(cp));
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->resource_version, "123");
  EXPECT_EQ(back->event_seq, 7u);
  EXPECT_EQ(back->journal_seq, 9u);
  EXPECT_EQ(back->emitted, cp.emitted);
}

TEST(Checkpoint, TheFirstStartCutoffSurvivesEncodingAndIsOptional) {
  Checkpoint cp;
  cp.skip_before_micros = 1796292000000000;
  auto back = DecodeCheckpoint(EncodeCheckpoint(cp));
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->skip_before_micros, 1796292000000000);
  cp.skip_before_micros = 0;
  EXPECT_EQ(EncodeCheckpoint(cp).find("skipBeforeMicros"), std::string::npos);
}

TEST(Checkpoint, NumericVersionsOnly) {
  EXPECT_EQ(NumericVersion("12345"), 12345u);
  EXPECT_EQ(NumericVersion(""), std::nullopt);
  EXPECT_EQ(NumericVersion("12a"), std::nullopt);
  EXPECT_EQ(NumericVersion("-1"), std::nullopt);
}

// The cluster's copy keeps what is above the watermark and the newest few
// below it, whatever the number of events: its size is bounded.
TEST(ClusterView, KeepsWhatIsAboveTheWatermarkAndTheNewestBelowIt) {
  for (int events : {1000, 40000, 200000}) {
    Checkpoint cp;
    cp.resource_version = std::to_string(events);
    cp.event_seq = 9;
    cp.writer = "me";
    cp.skip_before_micros = 5;
    for (int i = 1; i <= events; ++i)
      cp.emitted["u" + std::to_string(i)] = St(std::to_string(i), 1);
    // Above the watermark (emitted during a list that has not ended).
    cp.emitted["above"] = St(std::to_string(events + 5), 1);
    cp.emitted["odd"] = St("not-a-number", 1);
    Checkpoint view = ClusterView(cp, 10);
    EXPECT_EQ(view.emitted.size(), 12u) << events;
    EXPECT_EQ(view.emitted.count("above"), 1u);
    EXPECT_EQ(view.emitted.count("odd"), 1u) << "a version that is not a number is always kept";
    for (int i = events - 9; i <= events; ++i) {
      EXPECT_EQ(view.emitted.count("u" + std::to_string(i)), 1u) << i;
    }
    EXPECT_EQ(view.resource_version, cp.resource_version);
    EXPECT_EQ(view.event_seq, 9u);
    EXPECT_EQ(view.writer, "me");
    EXPECT_EQ(view.skip_before_micros, 5);
    EXPECT_LT(EncodeCheckpoint(view).size(), 2000u) << events;
  }
}

TEST(ClusterView, WithoutAResumePointKeepsAllButWhatTheCutoffRederives) {
  Checkpoint cp;
  cp.skip_before_micros = 1700000000000005;  // St's last seen is 1700000000000000 + count
  cp.emitted["too-old"] = St("7", 1);
  cp.emitted["emitted"] = St("8", 9);
  Checkpoint view = ClusterView(cp, 0);
  EXPECT_EQ(view.emitted.size(), 1u);
  EXPECT_EQ(view.emitted.count("emitted"), 1u);
  cp.skip_before_micros = 0;  // unknown: keep everything
  EXPECT_EQ(ClusterView(cp, 0).emitted.size(), 2u);
}

TEST(Checkpoint, DecodeRejectsGarbageWithAReason) {
  EXPECT_FALSE(DecodeCheckpoint("").has_value());
  EXPECT_FALSE(DecodeCheckpoint("{\"version\":2}").has_value());
  EXPECT_FALSE(DecodeCheckpoint("{\"version\":1,\"resourceVersion\":\"1\",\"eventSeq\":1,"
                                "\"journalSeq\":1,\"emitted\":[[\"u\"]]}")
                   .has_value());
}

TEST(Checkpointer, AFirstStartHasNoState) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  auto cp = OpenIn(tmp.path(), env, clock);
  EXPECT_FALSE(cp->had_state());
  EXPECT_EQ(cp->committed_event_seq(), 0u);
}

TEST(Checkpointer, JournalLinesAreReplayedAfterACrash) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  {
    auto cp = OpenIn(tmp.path(), env, clock);
    EmittedSet set;
    cp->NextEventSeq();
    ASSERT_TRUE(cp->Seen("u1", St("10", 1), "10"));
    cp->NextEventSeq();
    ASSERT_TRUE(cp->Seen("u2", St("11", 1), "11"));
    ASSERT_TRUE(cp->Forgotten("u1", "12"));
    ASSERT_TRUE(cp->Position("15"));
    // no snapshot: the process "dies" here
  }
  auto cp = OpenIn(tmp.path(), env, clock);
  EXPECT_TRUE(cp->had_state());
  EXPECT_EQ(cp->committed_event_seq(), 2u);
  Checkpoint got = cp->TakeRecovered();
  EXPECT_EQ(got.resource_version, "15");
  ASSERT_EQ(got.emitted.size(), 1u);
  EXPECT_EQ(got.emitted.at("u2"), St("11", 1));
}

TEST(Checkpointer, ATornJournalLineIsCutOff) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  {
    auto cp = OpenIn(tmp.path(), env, clock);
    EmittedSet set;
    cp->NextEventSeq();
    ASSERT_TRUE(cp->Seen("u1", St("10", 1), "10"));
  }
  {
    std::ofstream j(tmp.path() / "checkpoint.journal", std::ios::app);
    j << "2 S 2 11 u2 11 1";  // no newline: torn
  }
  auto cp = OpenIn(tmp.path(), env, clock);
  Checkpoint got = cp->TakeRecovered();
  EXPECT_EQ(got.emitted.size(), 1u);
  EXPECT_EQ(got.resource_version, "10");
  EXPECT_EQ(cp->committed_event_seq(), 1u);
}

TEST(Checkpointer, AShortSeenLineIsCutOffNotReadPastItsEnd) {
  // Found by fuzz_checkpoint_journal: an S line with too few fields.
  kv::testing::TempDir tmp;
  tmp.Write("checkpoint.journal", "1 S 1 -\n");
  PosixEnv env;
  FakeClock clock;
  auto cp = OpenIn(tmp.path(), env, clock);
  EXPECT_FALSE(cp->had_state());
}

TEST(Checkpointer, SnapshotFoldsTheJournalAndLaterLinesStillCount) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  {
    auto cp = OpenIn(tmp.path(), env, clock, /*compact_lines=*/3);
    EmittedSet set;
    for (int i = 0; i < 5; ++i) {
      cp->NextEventSeq();
      ASSERT_TRUE(
          cp->Seen("u" + std::to_string(i), St(std::to_string(20 + i), 1), std::to_string(20 + i)));
      // The pipeline compacts when due (after syncing the spools).
      if (cp->SnapshotDue()) {
        ASSERT_TRUE(cp->Snapshot(std::to_string(20 + i), set));
      }
    }
  }
  // Snapshot after 3 lines held the set passed in (empty here: the caller
  // owns the set); the 2 later journal lines are replayed over it.
  auto cp = OpenIn(tmp.path(), env, clock);
  Checkpoint got = cp->TakeRecovered();
  EXPECT_EQ(got.resource_version, "24");
  EXPECT_EQ(got.emitted.size(), 2u);
  EXPECT_EQ(cp->committed_event_seq(), 5u);
}

}  // namespace
}  // namespace kv::kube
