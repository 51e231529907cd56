#include "delivery/hub.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "../support/temp_dir.h"
#include "../testing/fault_env.h"

namespace kv::delivery {
namespace {

using std::chrono::milliseconds;

// A sink that delivers everything and lets a test wait for what it got.
class RecordingSink final : public sinks::Sink {
 public:
  sinks::SendOutcome Send(std::span<const event::EventPtr> batch) override {
    {
      std::lock_guard lock(mu_);
      for (const auto& ev : batch) uids_.push_back(ev->metadata.uid);
    }
    cv_.notify_all();
    return {};
  }
  sinks::BatchLimits limits() const override { return {.max_events = 100}; }
  // Blocks until `n` events were sent; returns them.
  std::vector<std::string> AwaitSent(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return uids_.size() >= n; });
    return uids_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> uids_;
};

class ZeroRng final : public Rng {
 public:
  double Uniform() override { return 0.0; }
};

event::EventPtr Ev(const std::string& uid) {
  auto ev = std::make_shared<event::Event>();
  ev->metadata.uid = uid;
  ev->metadata.resource_version = "1";
  return ev;
}

// A hub over `env` whose receivers' sinks the test keeps pointers to.
struct Rig {
  explicit Rig(Env& env, const std::filesystem::path& dir)
      : hub(dir, FsyncPolicy::kNever, milliseconds(1000), env, rng, clock) {}
  RecordingSink* Add(const std::string& name) {
    auto sink = std::make_unique<RecordingSink>();
    RecordingSink* raw = sink.get();
    EXPECT_TRUE(hub.Add(name, std::move(sink), DeliveryConfig{}).has_value());
    return raw;
  }
  FakeClock clock;
  ZeroRng rng;
  Hub hub;
};

const int kFirst[] = {0};
const int kBoth[] = {0, 1};

TEST(Hub, AStagedEventReachesTheWorkerOnlyAfterTheCommit) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  Rig rig(env, tmp.path());
  RecordingSink* sink = rig.Add("r");
  rig.hub.Start();
  ASSERT_EQ(true, rig.hub.Stage(Ev("a"), kFirst, 1));
  EXPECT_TRUE(rig.hub.spool(0).NothingReadable());
  EXPECT_EQ(rig.hub.spool(0).stats().appended.load(), 1u);
  ASSERT_TRUE(rig.hub.SyncStaged());
  rig.hub.PublishStaged();
  EXPECT_EQ(sink->AwaitSent(1), std::vector<std::string>{"a"});
  rig.hub.Stop(milliseconds(0));
}

TEST(Hub, AGatedHubPublishesOnlyWhatPublishUpToCovers) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  Rig rig(env, tmp.path());
  RecordingSink* sink = rig.Add("r");
  rig.hub.SetPublishGate(true);
  rig.hub.Start();
  ASSERT_EQ(true, rig.hub.Stage(Ev("a"), kFirst, 1));
  rig.hub.PublishStaged();
  ASSERT_EQ(true, rig.hub.Stage(Ev("b"), kFirst, 2));
  rig.hub.PublishStaged();
  EXPECT_TRUE(rig.hub.spool(0).NothingReadable()) << "gated: nothing published";
  rig.hub.PublishUpTo(1);
  EXPECT_EQ(sink->AwaitSent(1), std::vector<std::string>{"a"});
  rig.hub.PublishUpTo(2);
  EXPECT_EQ(sink->AwaitSent(2), (std::vector<std::string>{"a", "b"}));
  rig.hub.Stop(milliseconds(0));
}

TEST(Hub, RecoverCutsOffEveryReceiversUncommittedRecords) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  {
    Rig rig(env, tmp.path());
    rig.Add("r0");
    rig.Add("r1");
    ASSERT_EQ(true, rig.hub.Stage(Ev("a"), kBoth, 1));
    rig.hub.PublishStaged();
    ASSERT_EQ(true, rig.hub.Stage(Ev("b"), kBoth, 2));
    // The process dies before b's journal line: b was never committed.
  }
  Rig rig(env, tmp.path());
  RecordingSink* r0 = rig.Add("r0");
  RecordingSink* r1 = rig.Add("r1");
  EXPECT_EQ(rig.hub.spool(0).stats().recovered.load(), 2u);
  ASSERT_TRUE(rig.hub.Recover(1).has_value());
  EXPECT_EQ(rig.hub.spool(0).stats().pending_events.load(), 1u);
  EXPECT_EQ(rig.hub.spool(1).stats().pending_events.load(), 1u);
  rig.hub.Start();
  EXPECT_EQ(r0->AwaitSent(1), std::vector<std::string>{"a"});
  EXPECT_EQ(r1->AwaitSent(1), std::vector<std::string>{"a"});
  rig.hub.Stop(milliseconds(0));
}

TEST(Hub, AFailingDiskIsReportedNotRetriedAndUnstageRollsTheEventBack) {
  kv::testing::TempDir tmp;
  PosixEnv posix;
  kv::testing::FaultEnv env(posix);
  Rig rig(env, tmp.path());
  rig.Add("r0");
  rig.Add("r1");
  // r0 takes the record, r1's disk is full.
  env.Inject({.op = kv::testing::FsOp::kAppend,
              .fault = kv::testing::Fault::kNoSpace,
              .path_contains = "r1"});
  auto staged = rig.hub.Stage(Ev("a"), kBoth, 1);
  ASSERT_FALSE(staged.has_value());
  EXPECT_EQ(staged.error().code, ErrorCode::kIo);
  EXPECT_NE(staged.error().message.find("receiver r1"), std::string::npos);
  EXPECT_EQ(rig.hub.spool(0).stats().pending_events.load(), 1u);
  rig.hub.Unstage(1);
  EXPECT_EQ(rig.hub.spool(0).stats().pending_events.load(), 0u);
  // The same event again, once the disk takes it: once in each spool.
  ASSERT_EQ(true, rig.hub.Stage(Ev("a"), kBoth, 1));
  rig.hub.PublishStaged();
  EXPECT_EQ(rig.hub.spool(0).stats().pending_events.load(), 1u);
  EXPECT_EQ(rig.hub.spool(1).stats().pending_events.load(), 1u);
}

}  // namespace
}  // namespace kv::delivery
