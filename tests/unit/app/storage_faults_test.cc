// Storage faults through the whole commit path (app::Pipeline over
// delivery::Hub and kube::Checkpointer), in the manner of LevelDB's
// fault-injection test: a workload is run once to enumerate every file
// system call it makes, then again once per call site and fault (ENOSPC,
// EIO, a short write) with that one call failing, then the process
// "crashes" — and in a second variant the machine loses power too (every
// unsynced byte and name dropped) — and a new process recovers and takes
// the API server's events again, as the watcher does after a restart.
//
// What must hold in every case: each event ends up exactly once in the
// spool of every receiver its route reaches (nothing lost, nothing
// doubled), i.e. the checkpoint on disk never covered an event that was not
// durably in its spools. With fsync: never a power loss may lose events, so
// that policy is only crashed, not powered off.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "../support/temp_dir.h"
#include "../testing/fault_env.h"
#include "app/pipeline.h"

namespace kv::app {
namespace {

using delivery::FsyncPolicy;
using kv::testing::Fault;
using kv::testing::FaultEnv;
using kv::testing::FsOp;
using kv::testing::PowerLossMode;

class NullSink final : public sinks::Sink {
 public:
  sinks::SendOutcome Send(std::span<const event::EventPtr>) override { return {}; }
};

class ZeroRng final : public Rng {
 public:
  double Uniform() override { return 0.0; }
};

constexpr int kEvents = 10;
constexpr int kSyncEvery = 3;  // events between two syncer rounds (fsync: interval)

std::string Uid(int i) { return "u" + std::to_string(i); }
bool IsWarning(int i) { return i % 3 == 0; }

const Config& TwoReceivers() {
  static const Config cfg = Parse(R"(
route:
  routes:
    - match:
        - receiver: warnings
          type: Warning
        - receiver: all
receivers:
  - name: warnings
    stdout: {}
  - name: all
    stdout: {}
)",
                                  "c.yaml");
  return cfg;
}

// Runs `fn` on a thread and moves the clock on whenever a thread waits on
// it (a commit waiting for the disk), so a retried commit goes ahead.
void RunAdvancingClock(FakeClock& clock, const std::function<void()>& fn) {
  std::atomic<bool> done{false};
  std::thread t([&] {
    fn();
    done = true;
  });
  while (!done.load()) {
    if (clock.waiters() > 0) {
      clock.Advance(Pipeline::kDiskRetry);
    } else {
      std::this_thread::yield();
    }
  }
  t.join();
}

// One life of the process: checkpoint, receivers' spools (workers not
// started: what is spooled stays) and the pipeline, recovered from `dir`.
struct Life {
  Life(const std::filesystem::path& dir, Env& env, FakeClock& clock, Rng& rng, FsyncPolicy fsync)
      : hub(dir, fsync, std::chrono::seconds(1), env, rng, clock), clock(clock), fsync(fsync) {
    for (const auto& rc : TwoReceivers().receivers) {
      EXPECT_TRUE(hub.Add(rc.name, std::make_unique<NullSink>(), rc.delivery));
    }
    kube::CheckpointerOptions o;
    o.journal = dir / "checkpoint.journal";
    o.fsync_every_line = fsync == FsyncPolicy::kAlways;
    o.compact_lines = 4;  // snapshots happen within the workload
    o.compact_interval = std::chrono::hours(1);
    auto cp = kube::Checkpointer::Open(
        std::make_unique<kube::FileCheckpointStore>(env, dir / "checkpoint.json"), o, env, clock);
    EXPECT_TRUE(cp.has_value()) << cp.error().message;
    checkpointer = std::move(*cp);
    emitted = kube::EmittedSet(checkpointer->TakeRecovered().emitted);
    EXPECT_TRUE(hub.Recover(checkpointer->committed_event_seq()));
    pipeline = std::make_unique<Pipeline>(nullptr, hub, *checkpointer, stats, clock);
    pipeline->SetRouting(MakeRouting(TwoReceivers(), hub));
  }

  // Event i from the API server, emitted unless the watcher remembers it.
  void Offer(int i) {
    if (emitted.Find(Uid(i))) return;
    event::Event ev;
    ev.metadata.uid = Uid(i);
    ev.metadata.name = "ev" + std::to_string(i);
    ev.metadata.resource_version = std::to_string(100 + i);
    ev.type = IsWarning(i) ? "Warning" : "Normal";
    emitted.Observe(ev);
    const std::string position = std::to_string(100 + i);
    RunAdvancingClock(clock, [&] {
      pipeline->Emit(std::move(ev), false, *emitted.Find(Uid(i)), position, emitted);
    });
  }

  // The workload: the events in order, with a syncer round every few.
  void Run(int steps = kEvents) {
    for (int i = 0; i < steps; ++i) {
      Offer(i);
      if (fsync == FsyncPolicy::kInterval && i % kSyncEvery == kSyncEvery - 1) hub.SyncAll();
    }
  }

  delivery::Hub hub;
  FakeClock& clock;
  const FsyncPolicy fsync;
  std::unique_ptr<kube::Checkpointer> checkpointer;
  PipelineStats stats;
  kube::EmittedSet emitted;
  std::unique_ptr<Pipeline> pipeline;
};

// The uids in the spool of `receiver` under `dir`, sorted.
std::vector<std::string> Spooled(const std::filesystem::path& dir, const std::string& receiver) {
  PosixEnv env;
  FakeClock clock;
  delivery::SpoolOptions o;
  o.dir = dir / "spool" / delivery::Hub::DirName(receiver);
  auto s = delivery::Spool::Open(o, env, clock);
  EXPECT_TRUE(s.has_value());
  std::vector<std::string> out;
  if (!s) return out;
  for (const auto& e : (*s)->Take(1000, 1 << 30, std::chrono::milliseconds(0), clock.SteadyNow())) {
    out.push_back(e.event->metadata.uid);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Expected(bool warnings_only) {
  std::vector<std::string> out;
  for (int i = 0; i < kEvents; ++i) {
    if (!warnings_only || IsWarning(i)) out.push_back(Uid(i));
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Case {
  FsyncPolicy fsync;
  FsOp op;
  Fault fault;
  int nth;  // the nth call of `op` within the workload fails
  bool power_loss;
};

std::string Describe(const Case& c) {
  static const std::map<FsOp, const char*> ops = {
      {FsOp::kOpen, "open"},         {FsOp::kAppend, "append"},   {FsOp::kWrite, "write"},
      {FsOp::kTruncate, "truncate"}, {FsOp::kSync, "sync"},       {FsOp::kSize, "size"},
      {FsOp::kClose, "close"},       {FsOp::kRename, "rename"},   {FsOp::kUnlink, "unlink"},
      {FsOp::kSyncDir, "syncdir"},   {FsOp::kFileExists, "stat"}, {FsOp::kCreateDirs, "mkdir"}};
  const char* fault = c.fault == Fault::kNoSpace ? "ENOSPC"
                      : c.fault == Fault::kIo    ? "EIO"
                                                 : "short write";
  const char* fsync = c.fsync == FsyncPolicy::kAlways     ? "always"
                      : c.fsync == FsyncPolicy::kInterval ? "interval"
                                                          : "never";
  return std::string("fsync ") + fsync + ", " + fault + " at " + ops.at(c.op) + " #" +
         std::to_string(c.nth) + (c.power_loss ? ", then power loss" : ", then a crash");
}

// Runs one case: every event must end up spooled exactly once where routed.
void RunCase(const Case& c) {
  SCOPED_TRACE(Describe(c));
  kv::testing::TempDir tmp;
  PosixEnv posix;
  FaultEnv env(posix);
  FakeClock clock;
  ZeroRng rng;
  {
    Life life(tmp.path(), env, clock, rng, c.fsync);
    env.Inject({.op = c.op, .fault = c.fault, .nth = c.nth});
    life.Run();
  }
  env.ClearFaults();
  if (c.power_loss) env.PowerLoss(PowerLossMode::kDropUnsyncedDataAndNames);
  {
    Life after(tmp.path(), env, clock, rng, c.fsync);
    for (int i = 0; i < kEvents; ++i) after.Offer(i);
  }
  EXPECT_EQ(Spooled(tmp.path(), "warnings"), Expected(true));
  EXPECT_EQ(Spooled(tmp.path(), "all"), Expected(false));
}

// How often the workload calls `op` (a fault-free run).
std::map<FsOp, int> CountCalls(FsyncPolicy fsync, const std::vector<FsOp>& ops) {
  kv::testing::TempDir tmp;
  PosixEnv posix;
  FaultEnv env(posix);
  FakeClock clock;
  ZeroRng rng;
  Life life(tmp.path(), env, clock, rng, fsync);
  std::map<FsOp, size_t> before;
  for (FsOp op : ops) before[op] = env.calls(op);
  life.Run();
  std::map<FsOp, int> out;
  for (FsOp op : ops) out[op] = static_cast<int>(env.calls(op) - before[op]);
  return out;
}

class StorageFaults : public ::testing::TestWithParam<FsyncPolicy> {};

TEST_P(StorageFaults, EveryCallSiteAndFaultLosesNothingAndDoublesNothing) {
  const std::vector<FsOp> ops = {FsOp::kOpen,       FsOp::kAppend,    FsOp::kWrite,
                                 FsOp::kTruncate,   FsOp::kSync,      FsOp::kSize,
                                 FsOp::kRename,     FsOp::kUnlink,    FsOp::kSyncDir,
                                 FsOp::kFileExists, FsOp::kCreateDirs};
  const FsyncPolicy fsync = GetParam();
  auto counts = CountCalls(fsync, ops);
  int sites = 0;
  int cases = 0;
  for (FsOp op : ops) {
    for (int nth = 1; nth <= counts[op]; ++nth) {
      ++sites;
      std::vector<Fault> faults = {Fault::kNoSpace, Fault::kIo};
      if (op == FsOp::kAppend || op == FsOp::kWrite) faults.push_back(Fault::kShortWrite);
      for (Fault fault : faults) {
        for (bool power_loss : {false, true}) {
          if (power_loss && fsync == FsyncPolicy::kNever) continue;  // no promise there
          RunCase({fsync, op, fault, nth, power_loss});
          ++cases;
          if (HasFailure()) return;  // the first failing case says enough
        }
      }
    }
  }
  EXPECT_GT(counts[FsOp::kAppend], kEvents);  // the workload reached the disk
  std::cout << "call sites: " << sites << ", cases: " << cases << "\n";
}

TEST_P(StorageFaults, APowerLossAtAnyPointLosesNothing) {
  // No injected fault: the machine goes down after each step in turn.
  const FsyncPolicy fsync = GetParam();
  if (fsync == FsyncPolicy::kNever) GTEST_SKIP() << "fsync: never makes no power-loss promise";
  for (int steps = 0; steps <= kEvents; ++steps) {
    SCOPED_TRACE("power loss after " + std::to_string(steps) + " events");
    kv::testing::TempDir tmp;
    PosixEnv posix;
    FaultEnv env(posix);
    FakeClock clock;
    ZeroRng rng;
    { Life(tmp.path(), env, clock, rng, fsync).Run(steps); }
    env.PowerLoss(PowerLossMode::kDropUnsyncedDataAndNames);
    {
      Life after(tmp.path(), env, clock, rng, fsync);
      for (int i = 0; i < kEvents; ++i) after.Offer(i);
    }
    EXPECT_EQ(Spooled(tmp.path(), "warnings"), Expected(true));
    EXPECT_EQ(Spooled(tmp.path(), "all"), Expected(false));
    if (HasFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(Fsync, StorageFaults,
                         ::testing::Values(FsyncPolicy::kAlways, FsyncPolicy::kInterval,
                                           FsyncPolicy::kNever),
                         [](const auto& info) {
                           return info.param == FsyncPolicy::kAlways     ? std::string("Always")
                                  : info.param == FsyncPolicy::kInterval ? std::string("Interval")
                                                                         : std::string("Never");
                         });

TEST(StorageHealthState, AFullDiskPausesTheCommitShowsAsFailingAndClearsOnceWritesGoThrough) {
  kv::testing::TempDir tmp;
  PosixEnv posix;
  FaultEnv env(posix);
  FakeClock clock;
  ZeroRng rng;
  Life life(tmp.path(), env, clock, rng, FsyncPolicy::kInterval);
  env.Inject({.op = FsOp::kAppend, .fault = Fault::kNoSpace, .times = 5});
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    event::Event ev;
    ev.metadata.uid = "u0";
    ev.type = "Warning";
    life.emitted.Observe(ev);
    life.pipeline->Emit(std::move(ev), false, *life.emitted.Find("u0"), "1", life.emitted);
    done = true;
  });
  clock.AwaitWaiters(1);  // the commit waits for the disk
  EXPECT_TRUE(life.hub.storage().failing());
  EXPECT_NE(life.hub.storage().reason().find("No space left on device"), std::string::npos);
  EXPECT_FALSE(done.load());
  EXPECT_EQ(life.hub.spool(0).stats().pending_events.load(), 0u);  // rolled back
  while (!done.load()) {
    if (clock.waiters() > 0) clock.Advance(Pipeline::kDiskRetry);
    std::this_thread::yield();
  }
  watcher.join();
  EXPECT_FALSE(life.hub.storage().failing());
  EXPECT_GE(life.hub.storage().errors(), 5u);
  EXPECT_EQ(life.hub.spool(0).stats().pending_events.load(), 1u);
  EXPECT_EQ(life.hub.spool(1).stats().pending_events.load(), 1u);
  EXPECT_EQ(life.checkpointer->committed_event_seq(), 1u);
}

TEST(StorageHealthState, ShutdownEndsACommitWaitingForTheDisk) {
  kv::testing::TempDir tmp;
  PosixEnv posix;
  FaultEnv env(posix);
  FakeClock clock;
  ZeroRng rng;
  Life life(tmp.path(), env, clock, rng, FsyncPolicy::kInterval);
  env.Inject({.op = FsOp::kAppend, .fault = Fault::kNoSpace, .times = 1000000});
  std::thread watcher([&] {
    event::Event ev;
    ev.metadata.uid = "u0";
    ev.type = "Normal";
    life.emitted.Observe(ev);
    life.pipeline->Emit(std::move(ev), false, *life.emitted.Find("u0"), "1", life.emitted);
  });
  clock.AwaitWaiters(1);
  life.hub.AbandonStaging();  // what SIGTERM does
  watcher.join();
  EXPECT_EQ(life.checkpointer->last_commit_micros(), 0);  // nothing committed
  EXPECT_EQ(life.hub.spool(1).stats().pending_events.load(), 0u);
}

}  // namespace
}  // namespace kv::app
