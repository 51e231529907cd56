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

TEST(SpoolFaults, AShortWriteIsCutOffAtTheNextOpenAndTheRestSurvives) {
  Rig rig;
  auto s = rig.Open();
  ASSERT_TRUE(s->Append(Ev("e0"), 1).has_value());
  rig.env.Inject({.op = FsOp::kAppend, .fault = kv::testing::Fault::kShortWrite});
  ASSERT_FALSE(s->Append(Ev("e1"), 2).has_value());  // half a record is on disk
  ASSERT_TRUE(s->Append(Ev("e1"), 2).has_value());   // in a fresh segment
  ASSERT_TRUE(s->Append(Ev("e2"), 3).has_value());
  s.reset();

  s = rig.Open();
  EXPECT_EQ(s->stats().corrupt.load(), 1u);
  EXPECT_EQ(s->stats().recovered.load(), 3u);
  EXPECT_EQ(Drain(*s, rig.clock), (std::vector<std::string>{"e0", "e1", "e2"}));
}

TEST(SpoolFaults, APowerLossDropsAnUnsyncedRecordAndKeepsTheSyncedOnes) {
  Rig rig;
  auto s = rig.Open();
  ASSERT_TRUE(s->Append(Ev("synced1"), 1).has_value());
  ASSERT_TRUE(s->Append(Ev("synced2"), 2).has_value());
  s->Sync();
  ASSERT_TRUE(s->Append(Ev("unsynced"), 3).has_value());
  s.reset();                                                         // the process dies...
  rig.env.PowerLoss(kv::testing::PowerLossMode::kDropUnsyncedData);  // ...and the machine

  s = rig.Open();
  EXPECT_EQ(s->stats().recovered.load(), 2u);
  EXPECT_EQ(Drain(*s, rig.clock), (std::vector<std::string>{"synced1", "synced2"}));
}

// Known gap (ARCHITECTURE.md guarantee 6), left for the storage-faults
// issue: the spool never syncs its directory, so a segment created since
// the last directory sync may vanish whole at a power loss, synced records
// and all. Enable once the spool syncs its directory.
TEST(SpoolFaults, DISABLED_SyncedRecordsSurviveAPowerLossThatDropsUnsyncedNames) {
  Rig rig;
  auto s = rig.Open();
  ASSERT_TRUE(s->Append(Ev("synced"), 1).has_value());
  s->Sync();
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
