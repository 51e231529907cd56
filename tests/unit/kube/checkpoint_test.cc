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
