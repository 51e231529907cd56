// The spool under storage faults, injected through a FaultEnv.
#include <gtest/gtest.h>

#include "../support/temp_dir.h"
#include "../testing/fault_env.h"
#include "delivery/spool.h"

namespace kv::delivery {
namespace {

using kv::testing::FaultEnv;
using kv::testing::FaultRule;
using kv::testing::FsOp;
using std::chrono::milliseconds;

event::EventPtr Ev(const std::string& uid) {
  auto ev = std::make_shared<event::Event>();
  ev->metadata.uid = uid;
  ev->metadata.resource_version = "1";
  ev->metadata.name = "ev-" + uid;
  ev->message = "container started";
  return ev;
}

SpoolOptions Opts(const std::filesystem::path& dir) {
  SpoolOptions o;
  o.dir = dir;
  o.fsync = FsyncPolicy::kInterval;  // synced only by Sync()
  return o;
}

// Everything readable now, in order.
std::vector<std::string> Drain(Spool& s, Clock& clock) {
  std::vector<std::string> out;
  for (const auto& e : s.Take(1000, 1 << 30, milliseconds(0), clock.SteadyNow())) {
    out.push_back(e.event->metadata.uid);
  }
  return out;
}

struct Rig {
  kv::testing::TempDir tmp;
  PosixEnv posix;
  FaultEnv env{posix};
  FakeClock clock;
  std::unique_ptr<Spool> Open() {
    auto s = Spool::Open(Opts(tmp.path()), env, clock);
    EXPECT_TRUE(s.has_value()) << s.error().message;
    return s ? std::move(*s) : nullptr;
  }
};

TEST(SpoolFaults, AnAppendUnderEnospcFailsAndARetrySucceeds) {
  Rig rig;
  auto s = rig.Open();
  rig.env.Inject({.op = FsOp::kAppend, .fault = kv::testing::Fault::kNoSpace});
  auto failed = s->Append(Ev("a"), 1);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, ErrorCode::kIo);
  EXPECT_NE(failed.error().message.find("No space left on device"), std::string::npos)
      << failed.error().message;
  EXPECT_EQ(s->stats().appended.load(), 0u);
  ASSERT_TRUE(s->Append(Ev("a"), 1).has_value());
  ASSERT_TRUE(s->Append(Ev("b"), 2).has_value());
  s->Publish();
  EXPECT_EQ(Drain(*s, rig.clock), (std::vector<std::string>{"a", "b"}));

  s.reset();
  s = rig.Open();
  EXPECT_EQ(s->stats().corrupt.load(), 0u);
  EXPECT_EQ(Drain(*s, rig.clock), (std::vector<std::string>{"a", "b"}));
}

TEST(SpoolFaults, AShortWriteIsCutOffAtOnceAndTheSegmentGoesOn) {
  Rig rig;
  auto s = rig.Open();
  ASSERT_TRUE(s->Append(Ev("e0"), 1).has_value());
  rig.env.Inject({.op = FsOp::kAppend, .fault = kv::testing::Fault::kShortWrite});
  ASSERT_FALSE(s->Append(Ev("e1"), 2).has_value());  // half a record went in, and out again
  ASSERT_TRUE(s->Append(Ev("e1"), 2).has_value());   // same segment, same seq
  ASSERT_TRUE(s->Append(Ev("e2"), 3).has_value());
  s.reset();

  s = rig.Open();
  EXPECT_EQ(s->stats().corrupt.load(), 0u);
  EXPECT_EQ(s->stats().recovered.load(), 3u);
  EXPECT_EQ(Drain(*s, rig.clock), (std::vector<std::string>{"e0", "e1", "e2"}));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(rig.tmp.path()),
                          std::filesystem::directory_iterator{}),
            2);  // ack + one segment
}

TEST(SpoolFaults, AShortWriteThatCannotBeCutOffSealsTheSegmentAndIsCutAtTheNextOpen) {
  Rig rig;
  auto s = rig.Open();
  ASSERT_TRUE(s->Append(Ev("e0"), 1).has_value());
  rig.env.Inject({.op = FsOp::kAppend, .fault = kv::testing::Fault::kShortWrite});
  rig.env.Inject({.op = FsOp::kTruncate, .fault = kv::testing::Fault::kIo});
  ASSERT_FALSE(s->Append(Ev("e1"), 2).has_value());  // half a record stays on disk
  ASSERT_TRUE(s->Append(Ev("e1"), 2).has_value());   // in a new segment
  ASSERT_TRUE(s->Append(Ev("e2"), 3).has_value());
  s.reset();

  s = rig.Open();
  EXPECT_EQ(s->stats().corrupt.load(), 1u);
  EXPECT_EQ(s->stats().recovered.load(), 3u);
  EXPECT_EQ(Drain(*s, rig.clock), (std::vector<std::string>{"e0", "e1", "e2"}));
}

TEST(SpoolFaults, AFailedFirstWriteOfASegmentNeverLeavesTwoSegmentsWithOneName) {
  // The disk-full loss: each failed write used to open a new segment with
  // the same name, and removing the earlier (empty) one unlinked the live
  // file. Here the first write of a new segment fails and cannot be cut.
  Rig rig;
  SpoolOptions o = Opts(rig.tmp.path());
  o.segment_bytes = 1;  // every record opens a new segment
  auto opened = Spool::Open(o, rig.env, rig.clock);
  ASSERT_TRUE(opened);
  auto s = std::move(*opened);
  ASSERT_TRUE(s->Append(Ev("e0"), 1));
  s->Publish();
  rig.env.Inject({.op = FsOp::kAppend, .fault = kv::testing::Fault::kNoSpace, .times = 3});
  rig.env.Inject({.op = FsOp::kTruncate, .fault = kv::testing::Fault::kIo, .times = 3});
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(s->Append(Ev("e1"), 2).has_value());
  ASSERT_TRUE(s->Append(Ev("e1"), 2));
  ASSERT_TRUE(s->Append(Ev("e2"), 3));
  s->Publish();
  ASSERT_EQ(Drain(*s, rig.clock), (std::vector<std::string>{"e0", "e1", "e2"}));
  ASSERT_TRUE(s->Ack());  // removes the segments behind: never the live one
  ASSERT_TRUE(s->Append(Ev("e3"), 4));
  s.reset();

  s = rig.Open();
  EXPECT_EQ(s->stats().recovered.load(), 1u);
  EXPECT_EQ(Drain(*s, rig.clock), std::vector<std::string>{"e3"});
}

TEST(SpoolFaults, AFailedSyncIsReportedAndTriedAgainNextTime) {
  Rig rig;
  auto s = rig.Open();
  ASSERT_TRUE(s->Append(Ev("a"), 1));
  rig.env.Inject({.op = FsOp::kSync, .fault = kv::testing::Fault::kIo});
  auto r = s->Sync();
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("Input/output error"), std::string::npos);
  size_t syncs = rig.env.calls(FsOp::kSync);
  ASSERT_TRUE(s->Sync());
  EXPECT_GT(rig.env.calls(FsOp::kSync), syncs);  // the segment was still dirty
  s.reset();
  rig.env.PowerLoss();
  s = rig.Open();
  EXPECT_EQ(Drain(*s, rig.clock), std::vector<std::string>{"a"});
}

TEST(SpoolFaults, APowerLossDropsAnUnsyncedRecordAndKeepsTheSyncedOnes) {
  Rig rig;
  auto s = rig.Open();
  ASSERT_TRUE(s->Append(Ev("synced1"), 1).has_value());
  ASSERT_TRUE(s->Append(Ev("synced2"), 2).has_value());
  ASSERT_TRUE(s->Sync());
  ASSERT_TRUE(s->Append(Ev("unsynced"), 3).has_value());
  s.reset();                                                         // the process dies...
  rig.env.PowerLoss(kv::testing::PowerLossMode::kDropUnsyncedData);  // ...and the machine

  s = rig.Open();
  EXPECT_EQ(s->stats().recovered.load(), 2u);
  EXPECT_EQ(Drain(*s, rig.clock), (std::vector<std::string>{"synced1", "synced2"}));
}

// A new segment's name is synced with its data (Sync syncs the directory
// after a segment was created), so it survives a power loss.
TEST(SpoolFaults, SyncedRecordsSurviveAPowerLossThatDropsUnsyncedNames) {
  Rig rig;
  auto s = rig.Open();
  ASSERT_TRUE(s->Append(Ev("synced"), 1).has_value());
  ASSERT_TRUE(s->Sync());
  s.reset();
  rig.env.PowerLoss(kv::testing::PowerLossMode::kDropUnsyncedDataAndNames);
  s = rig.Open();
  EXPECT_EQ(Drain(*s, rig.clock), std::vector<std::string>{"synced"});
}

TEST(SpoolFaults, OpenFailsWithKIoWhenTheDirectoryCannotBeListed) {
  Rig rig;
  rig.env.Inject({.op = FsOp::kListDir, .fault = kv::testing::Fault::kIo});
  auto s = Spool::Open(Opts(rig.tmp.path()), rig.env, rig.clock);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_NE(s.error().message.find("Input/output error"), std::string::npos) << s.error().message;
}

TEST(SpoolFaults, TruncateAfterReportsAFailedTruncate) {
  Rig rig;
  {
    auto s = rig.Open();
    ASSERT_TRUE(s->Append(Ev("a"), 1).has_value());
    ASSERT_TRUE(s->Append(Ev("b"), 2).has_value());
  }
  auto s = rig.Open();
  rig.env.Inject({.op = FsOp::kTruncate, .fault = kv::testing::Fault::kIo});
  auto removed = s->TruncateAfter(1);
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace kv::delivery
