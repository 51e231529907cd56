// The checkpoint journal and snapshot under storage faults, injected
// through a FaultEnv.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <thread>

#include "../support/temp_dir.h"
#include "../testing/fault_env.h"
#include "kube/checkpoint.h"

namespace kv::kube {
namespace {

using kv::testing::Fault;
using kv::testing::FaultEnv;
using kv::testing::FsOp;

EmittedSet::State St(const std::string& rv) {
  EmittedSet::State s;
  s.resource_version = rv;
  s.count = 1;
  s.last_seen_micros = 1700000000000000;
  return s;
}

// Sends spdlog's default logger to a string while it lives.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() {
    spdlog::default_logger()->flush();
    return out_.str();
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

struct Rig {
  kv::testing::TempDir tmp;
  PosixEnv posix;
  FaultEnv env{posix};
  FakeClock clock;
  std::unique_ptr<Checkpointer> Open() {
    CheckpointerOptions o;
    o.journal = tmp.path() / "checkpoint.journal";
    o.compact_interval = std::chrono::hours(1);
    auto cp = Checkpointer::Open(
        std::make_unique<FileCheckpointStore>(env, tmp.path() / "checkpoint.json"), o, env, clock);
    EXPECT_TRUE(cp.has_value()) << cp.error().message;
    return cp ? std::move(*cp) : nullptr;
  }
};

TEST(CheckpointFaults, AFailedJournalWriteCommitsNothingAndTheCallerCanRepeatIt) {
  Rig rig;
  auto cp = rig.Open();
  rig.env.Inject({.op = FsOp::kAppend, .fault = Fault::kIo, .path_contains = "journal"});
  cp->NextEventSeq();
  auto r = cp->Seen("u1", St("10"), "10");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_NE(r.error().message.find("Input/output error"), std::string::npos) << r.error().message;
  ASSERT_TRUE(cp->Seen("u1", St("10"), "10"));  // the caller's retry
  cp.reset();

  cp = rig.Open();
  EXPECT_EQ(cp->committed_event_seq(), 1u);
  EXPECT_EQ(cp->TakeRecovered().emitted.count("u1"), 1u);
}

TEST(CheckpointFaults, AShortJournalWriteIsCutOffSoTheRetriedLineIsWhole) {
  Rig rig;
  auto cp = rig.Open();
  rig.env.Inject({.op = FsOp::kAppend, .fault = Fault::kShortWrite, .path_contains = "journal"});
  cp->NextEventSeq();
  ASSERT_FALSE(cp->Seen("u1", St("10"), "10").has_value());
  ASSERT_TRUE(cp->Seen("u1", St("10"), "10"));
  cp->NextEventSeq();
  ASSERT_TRUE(cp->Seen("u2", St("11"), "11"));
  cp.reset();

  cp = rig.Open();
  EXPECT_EQ(cp->committed_event_seq(), 2u);
  Checkpoint got = cp->TakeRecovered();
  EXPECT_EQ(got.emitted.size(), 2u);
  EXPECT_EQ(got.resource_version, "11");
}

TEST(CheckpointFaults, ALineThatCannotBeCutOffBlocksLaterLinesUntilTheCutSucceeds) {
  Rig rig;
  auto cp = rig.Open();
  rig.env.Inject({.op = FsOp::kAppend, .fault = Fault::kShortWrite, .path_contains = "journal"});
  rig.env.Inject(
      {.op = FsOp::kTruncate, .fault = Fault::kIo, .times = 2, .path_contains = "journal"});
  cp->NextEventSeq();
  ASSERT_FALSE(cp->Seen("u1", St("10"), "10").has_value());  // torn, cut fails
  ASSERT_FALSE(cp->Seen("u1", St("10"), "10").has_value());  // the cut fails again
  ASSERT_TRUE(cp->Seen("u1", St("10"), "10"));               // cut, then written
  cp.reset();

  cp = rig.Open();
  EXPECT_EQ(cp->committed_event_seq(), 1u);
  EXPECT_EQ(cp->TakeRecovered().emitted.count("u1"), 1u);
}

TEST(CheckpointFaults, AFailedStatOfTheSnapshotIsAnErrorNotAFirstStart) {
  Rig rig;
  rig.env.Inject(
      {.op = FsOp::kFileExists, .fault = Fault::kIo, .path_contains = "checkpoint.json"});
  CheckpointerOptions o;
  o.journal = rig.tmp.path() / "checkpoint.journal";
  auto cp = Checkpointer::Open(
      std::make_unique<FileCheckpointStore>(rig.env, rig.tmp.path() / "checkpoint.json"), o,
      rig.env, rig.clock);
  ASSERT_FALSE(cp.has_value());
  EXPECT_EQ(cp.error().code, ErrorCode::kIo);
}

TEST(CheckpointFaults, APowerLossDropsTheUnsyncedJournalLines) {
  Rig rig;
  auto cp = rig.Open();
  EmittedSet set;
  cp->NextEventSeq();
  ASSERT_TRUE(cp->Seen("u1", St("10"), "10"));
  ASSERT_TRUE(cp->Sync());
  cp->NextEventSeq();
  ASSERT_TRUE(cp->Seen("u2", St("11"), "11"));
  cp.reset();
  rig.env.PowerLoss(kv::testing::PowerLossMode::kDropUnsyncedData);

  cp = rig.Open();
  EXPECT_EQ(cp->committed_event_seq(), 1u);
  Checkpoint got = cp->TakeRecovered();
  EXPECT_EQ(got.resource_version, "10");
  EXPECT_EQ(got.emitted.count("u2"), 0u);
}

TEST(CheckpointFaults, AFailedSnapshotIsReportedAndKeepsTheJournal) {
  Rig rig;
  auto cp = rig.Open();
  EmittedSet set;
  cp->NextEventSeq();
  ASSERT_TRUE(cp->Seen("u1", St("10"), "10"));
  rig.env.Inject({.op = FsOp::kSync, .fault = Fault::kNoSpace, .path_contains = ".tmp"});
  auto r = cp->Snapshot("10", set);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_NE(r.error().message.find("No space left on device"), std::string::npos);
  cp.reset();

  cp = rig.Open();
  EXPECT_EQ(cp->committed_event_seq(), 1u);
  EXPECT_EQ(cp->TakeRecovered().emitted.count("u1"), 1u);
}

TEST(CheckpointFaults, OpenFailsWithKIoWhenTheJournalCannotBeOpened) {
  Rig rig;
  rig.env.Inject({.op = FsOp::kOpen, .fault = Fault::kIo, .path_contains = "journal"});
  CheckpointerOptions o;
  o.journal = rig.tmp.path() / "checkpoint.journal";
  auto cp = Checkpointer::Open(
      std::make_unique<FileCheckpointStore>(rig.env, rig.tmp.path() / "checkpoint.json"), o,
      rig.env, rig.clock);
  ASSERT_FALSE(cp.has_value());
  EXPECT_EQ(cp.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace kv::kube
