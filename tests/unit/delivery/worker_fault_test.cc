// Storage faults on the worker's side: every file system call a worker
// makes for its acknowledgements and its dead-letter file (enumerated by a
// fault-free run), failed in turn with ENOSPC, EIO or a short write. A
// rejected event must end up in the dead-letter file (whole lines, once)
// before its record is acknowledged, and an acknowledgement that fails may
// bring records out again after a restart, never lose them.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "../support/temp_dir.h"
#include "../testing/fault_env.h"
#include "delivery/worker.h"

namespace kv::delivery {
namespace {

using kv::testing::Fault;
using kv::testing::FaultEnv;
using kv::testing::FsOp;

class RejectingSink final : public sinks::Sink {
 public:
  sinks::SendOutcome Send(std::span<const event::EventPtr>) override {
    sinks::SendOutcome o;
    o.request = sinks::Verdict::kReject;
    o.reason = "400 bad document";
    return o;
  }
  sinks::BatchLimits limits() const override { return {.max_events = 2}; }
};

class ZeroRng final : public Rng {
 public:
  double Uniform() override { return 0.0; }
};

constexpr int kEvents = 6;

struct Rig {
  Rig(FaultEnv& env, const std::filesystem::path& dir, FakeClock& clock) : env(env), clock(clock) {
    SpoolOptions o;
    o.dir = dir / "spool";
    o.fsync = FsyncPolicy::kAlways;  // acknowledgements are synced: more call sites
    spool = std::move(*Spool::Open(o, env, clock));
    dead = std::make_unique<DeadLetter>("r", dir / "dead" / "r.jsonl", env, clock, 1 << 20);
    WorkerOptions wo;
    wo.batch = {.max_events = 2, .linger = std::chrono::milliseconds(0)};
    wo.backoff_base = std::chrono::milliseconds(10);
    wo.backoff_cap = std::chrono::milliseconds(100);
    wo.storage = &health;
    worker = std::make_unique<Worker>("r", std::make_unique<RejectingSink>(), *spool, *dead, wo,
                                      stats, rng, clock);
  }
  void Put() {
    for (int i = 0; i < kEvents; ++i) {
      auto ev = std::make_shared<event::Event>();
      ev->metadata.uid = "u" + std::to_string(i);
      ev->metadata.resource_version = "1";
      ASSERT_TRUE(spool->Append(ev, static_cast<uint64_t>(i + 1)));
    }
    spool->Publish();
  }
  // Runs the worker until the spool is empty, moving the clock on while
  // it waits (backoff after a failed write; idle Takes).
  void Drain() {
    worker->Start();
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!spool->Empty() && std::chrono::steady_clock::now() < give_up) {
      if (clock.waiters() > 0) clock.Advance(std::chrono::milliseconds(50));
      std::this_thread::yield();
    }
    EXPECT_TRUE(spool->Empty()) << "the worker did not finish";
    std::atomic<bool> stopped{false};
    std::thread stopper([&] {
      worker->Stop(std::chrono::milliseconds(0));
      stopped = true;
    });
    while (!stopped.load()) {
      if (clock.waiters() > 0) clock.Advance(std::chrono::milliseconds(50));
      std::this_thread::yield();
    }
    stopper.join();
  }

  FaultEnv& env;
  FakeClock& clock;
  ZeroRng rng;
  WorkerStats stats;
  StorageHealth health{clock};
  std::unique_ptr<Spool> spool;
  std::unique_ptr<DeadLetter> dead;
  std::unique_ptr<Worker> worker;
};

// uid -> lines in the dead-letter file (a torn line counts under "").
std::map<std::string, int> DeadLettered(const std::filesystem::path& dir) {
  std::map<std::string, int> out;
  std::ifstream in(dir / "dead" / "r.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const std::string key = "\"idempotencyKey\":\"";
    auto at = line.find(key);
    if (at == std::string::npos || line.back() != '}') {
      ++out[""];
      continue;
    }
    at += key.size();
    ++out[line.substr(at, line.find('/', at) - at)];
  }
  return out;
}

TEST(WorkerFaults, EveryAckAndDeadLetterCallSiteLosesNothing) {
  const std::vector<FsOp> ops = {FsOp::kOpen,     FsOp::kAppend,    FsOp::kWrite,
                                 FsOp::kTruncate, FsOp::kSync,      FsOp::kSize,
                                 FsOp::kRename,   FsOp::kSyncDir,   FsOp::kFileExists,
                                 FsOp::kFileSize, FsOp::kCreateDirs};
  std::map<FsOp, int> counts;
  {
    kv::testing::TempDir tmp;
    PosixEnv posix;
    FaultEnv env(posix);
    FakeClock clock;
    Rig rig(env, tmp.path(), clock);
    rig.Put();
    std::map<FsOp, size_t> before;
    for (FsOp op : ops) before[op] = env.calls(op);
    rig.Drain();
    for (FsOp op : ops) counts[op] = static_cast<int>(env.calls(op) - before[op]);
  }
  int cases = 0;
  for (FsOp op : ops) {
    for (int nth = 1; nth <= counts[op]; ++nth) {
      std::vector<Fault> faults = {Fault::kNoSpace, Fault::kIo};
      if (op == FsOp::kAppend || op == FsOp::kWrite) faults.push_back(Fault::kShortWrite);
      for (Fault fault : faults) {
        SCOPED_TRACE("op " + std::to_string(static_cast<int>(op)) + " #" + std::to_string(nth) +
                     " fault " + std::to_string(static_cast<int>(fault)));
        kv::testing::TempDir tmp;
        PosixEnv posix;
        FaultEnv env(posix);
        FakeClock clock;
        {
          Rig rig(env, tmp.path(), clock);
          rig.Put();
          env.Inject({.op = op, .fault = fault, .nth = nth});
          rig.Drain();
          EXPECT_EQ(rig.stats.dead_lettered.load(), static_cast<uint64_t>(kEvents));
        }
        env.ClearFaults();
        // Everything rejected is in the dead-letter file, whole, exactly
        // once; a restart finds nothing left (or, after a lost ack, only
        // records that are dead-lettered already).
        auto dead = DeadLettered(tmp.path());
        EXPECT_EQ(dead.count(""), 0u);
        for (int i = 0; i < kEvents; ++i) EXPECT_EQ(dead["u" + std::to_string(i)], 1);
        ++cases;
        if (HasFailure()) return;
      }
    }
  }
  EXPECT_GT(counts[FsOp::kAppend], 0);
  std::cout << "worker call sites: " << cases << " cases\n";
}

TEST(DeadLetterFile, RotatesUnderItsCapAndCountsWhatItDrops) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  DeadLetter dead("r", tmp.path() / "r.jsonl", env, clock, 8 << 10);
  event::Event ev;
  ev.metadata.uid = "u";
  ev.message = std::string(500, 'x');
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(dead.Write(ev, "400"));
  const auto size = [&](const char* name) {
    std::error_code ec;
    auto s = std::filesystem::file_size(tmp.path() / name, ec);
    return ec ? 0 : s;
  };
  EXPECT_LE(size("r.jsonl") + size("r.jsonl.1"), 8u << 10);
  EXPECT_GT(size("r.jsonl.1"), 0u);
  EXPECT_GT(dead.dropped(), 0u);
  EXPECT_EQ(dead.written(), 100u);
}

}  // namespace
}  // namespace kv::delivery
