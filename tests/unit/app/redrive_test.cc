#include "app/redrive.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include "../support/temp_dir.h"
#include "../testing/fault_env.h"
#include "app/data_dir.h"
#include "delivery/dead_letter.h"
#include "delivery/hub.h"
#include "delivery/spool.h"
#include "kube/checkpoint.h"
#include "server/metrics.h"
#include "util/files.h"

namespace kv::app {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;

class RedriveTest : public ::testing::Test {
 protected:
  RedriveTest() : clock(Clock::WallTime(std::chrono::seconds(1'800'000'000))) {}

  fs::path Dir() const { return tmp.path(); }
  fs::path DeadLetters() const { return Dir() / "deadletter" / "hook.jsonl"; }
  fs::path SpoolDir() const { return Dir() / "spool" / "hook"; }

  static event::Event Make(const std::string& uid) {
    event::Event ev;
    ev.metadata.uid = uid;
    ev.metadata.resource_version = "7";
    ev.metadata.name = "n-" + uid;
    ev.metadata.namespace_ = "default";
    ev.reason = "Failed";
    ev.type = "Warning";
    return ev;
  }

  // Dead-letters `uid` now, then moves the clock an hour on.
  void DeadLetter(const std::string& uid, delivery::DeadLetter& dl) {
    ASSERT_TRUE(dl.Write(Make(uid), "400 Bad Request"));
    clock.Advance(hours(1));
  }

  // A checkpoint that has committed event seqs up to 5 (the watcher's).
  void CommitSomeEvents() {
    auto cp = OpenLocalCheckpoint(Dir(), true, env, clock);
    ASSERT_TRUE(cp);
    for (int i = 0; i < 5; ++i) (*cp)->NextEventSeq();
    ASSERT_TRUE((*cp)->Position("1234"));
  }

  Result<RedriveReport> DoRedrive(RedriveOptions options) {
    auto cp = OpenLocalCheckpoint(Dir(), true, env, clock);
    EXPECT_TRUE(cp);
    options.receiver = "hook";
    return Redrive(Dir(), options, **cp, env, clock);
  }

  // What the next `run` finds: the checkpoint, then the spool recovered
  // up to its committed seq (Hub::Recover); the keys it would deliver.
  std::vector<std::string> NextRunDelivers(uint64_t* committed = nullptr,
                                           std::string* position = nullptr) {
    auto cp = OpenLocalCheckpoint(Dir(), true, env, clock);
    EXPECT_TRUE(cp);
    EXPECT_TRUE(ResolveInterruptedRedrives(Dir(), (*cp)->committed_event_seq(), env));
    if (committed) *committed = (*cp)->committed_event_seq();
    if (position) *position = (*cp)->TakeRecovered().resource_version;
    delivery::SpoolOptions so;
    so.dir = SpoolDir();
    auto spool = delivery::Spool::Open(so, env, clock);
    EXPECT_TRUE(spool);
    EXPECT_TRUE((*spool)->TruncateAfter((*cp)->committed_event_seq()));
    (*spool)->Publish();
    std::vector<std::string> keys;
    while (!(*spool)->Empty()) {
      for (const auto& e :
           (*spool)->Take(100, 1 << 30, std::chrono::milliseconds(0), clock.SteadyNow())) {
        keys.push_back(e.event->IdempotencyKey());
      }
      EXPECT_TRUE((*spool)->Ack());
    }
    return keys;
  }

  std::string Read(const fs::path& p) { return files::Read(p).value_or("<absent>"); }

  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
};

TEST_F(RedriveTest, QueuesEveryDeadLetterWithItsKeyAndTheySurviveTheNextStart) {
  CommitSomeEvents();
  delivery::DeadLetter dl("hook", DeadLetters(), env, clock);
  DeadLetter("a", dl);
  DeadLetter("b", dl);
  auto report = DoRedrive({});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->selected, 2u);
  EXPECT_EQ(report->first_key, "a/7");
  EXPECT_EQ(report->last_key, "b/7");
  EXPECT_EQ(report->first_event_seq, 6u);
  EXPECT_EQ(report->last_event_seq, 7u);
  uint64_t committed = 0;
  std::string position;
  EXPECT_EQ(NextRunDelivers(&committed, &position), (std::vector<std::string>{"a/7", "b/7"}));
  EXPECT_EQ(committed, 7u);            // the next watcher's events come after them
  EXPECT_EQ(position, "1234");         // the resume point is unchanged
  EXPECT_EQ(Read(DeadLetters()), "");  // moved out, nothing left
  ASSERT_EQ(report->redriven_files.size(), 1u);
  EXPECT_NE(Read(report->redriven_files[0]).find("\"idempotencyKey\":\"a/7\""), std::string::npos);
  // A second redrive has nothing to queue, and records nothing.
  auto again = DoRedrive({});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->selected, 0u);
  auto history = ReadRedriveHistory(Dir(), env);
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].receiver_dir, "hook");
  EXPECT_EQ((*history)[0].first_event_seq, 6u);
  EXPECT_EQ((*history)[0].last_event_seq, 7u);
  EXPECT_EQ((*history)[0].events(), 2u);
  EXPECT_NE(report->redriven_files[0].string().find((*history)[0].stamp), std::string::npos);
}

class NullSink final : public sinks::Sink {
 public:
  sinks::SendOutcome Send(std::span<const event::EventPtr>) override { return {}; }
};

class ZeroRng final : public Rng {
 public:
  double Uniform() override { return 0.0; }
};

TEST_F(RedriveTest, TheHubsRecoveryKeepsThemAndNewEventsComeAfter) {
  CommitSomeEvents();
  delivery::DeadLetter dl("hook", DeadLetters(), env, clock);
  DeadLetter("a", dl);
  ASSERT_TRUE(DoRedrive({}));
  // As `run` starts: checkpoint, hub, Recover at the committed seq.
  auto cp = OpenLocalCheckpoint(Dir(), true, env, clock);
  ASSERT_TRUE(cp);
  ZeroRng rng;
  delivery::Hub hub(Dir(), delivery::FsyncPolicy::kAlways, std::chrono::seconds(1), env, rng,
                    clock);
  ASSERT_TRUE(hub.Add("hook", std::make_unique<NullSink>(), delivery::DeliveryConfig{}));
  ASSERT_TRUE(hub.Recover((*cp)->committed_event_seq()));
  EXPECT_EQ(hub.spool(0).stats().pending_events.load(), 1u);
  EXPECT_EQ(hub.spool(0).OldestPendingEventSeq(), 6u);
  EXPECT_EQ((*cp)->NextEventSeq(), 7u);  // the watcher's next event
  // `run` counts what the history says was redriven.
  server::Registry registry;
  ReportRedrives(Dir(), hub, registry, env);
  EXPECT_NE(
      registry.Render().find("kubevents_deadletter_redriven_events_total{receiver=\"hook\"} 1"),
      std::string::npos)
      << registry.Render();
}

TEST(RedriveHistoryTest, UnreadableLinesAreSkipped) {
  const auto records = ParseRedriveHistory(
      "{\"receiver\":\"hook\",\"stamp\":\"A\",\"firstEventSeq\":3,\"lastEventSeq\":9}\n"
      "not json\n"
      "{\"receiver\":\"x\",\"stamp\":\"B\",\"firstEventSeq\":9,\"lastEventSeq\":3}\n"
      "{\"receiver\":\"x\",\"stamp\":\"C\",\"firstEventSeq\":1,\"lastEventSeq\":1}");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].events(), 7u);
  EXPECT_EQ(records[1].stamp, "C");
}

TEST_F(RedriveTest, SinceSelectsByDeadLetterTimeAndTheRestStays) {
  CommitSomeEvents();
  delivery::DeadLetter dl("hook", DeadLetters(), env, clock);
  DeadLetter("old", dl);  // now - 3h
  DeadLetter("mid", dl);  // now - 2h
  DeadLetter("new", dl);  // now - 1h
  auto since = ParseSince("150m", clock.WallNow());
  ASSERT_TRUE(since);
  auto report = DoRedrive({.since_micros = since});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->selected, 2u);
  EXPECT_EQ(report->kept, 1u);
  EXPECT_EQ(NextRunDelivers(), (std::vector<std::string>{"mid/7", "new/7"}));
  std::string rest = Read(DeadLetters());
  EXPECT_NE(rest.find("\"old\""), std::string::npos);
  EXPECT_EQ(rest.find("\"mid\""), std::string::npos);
  EXPECT_EQ(std::count(rest.begin(), rest.end(), '\n'), 1);
  // The file still takes new dead letters after the old line.
  DeadLetter("later", dl);
  EXPECT_NE(Read(DeadLetters()).find("\"later\""), std::string::npos);
}

TEST_F(RedriveTest, ReadsTheRotatedFileFirst) {
  CommitSomeEvents();
  delivery::DeadLetter dl("hook", DeadLetters(), env, clock);
  DeadLetter("u1", dl);
  DeadLetter("u2", dl);
  ASSERT_TRUE(env.Rename(DeadLetters(), fs::path(DeadLetters()) += ".1"));  // as a rotation does
  delivery::DeadLetter after("hook", DeadLetters(), env, clock);
  DeadLetter("u3", after);
  auto report = DoRedrive({});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(NextRunDelivers(), (std::vector<std::string>{"u1/7", "u2/7", "u3/7"}));
  EXPECT_FALSE(*env.FileExists(fs::path(DeadLetters()) += ".1"));
  EXPECT_EQ(report->redriven_files.size(), 2u);
}

TEST_F(RedriveTest, DryRunChangesNothing) {
  CommitSomeEvents();
  delivery::DeadLetter dl("hook", DeadLetters(), env, clock);
  DeadLetter("a", dl);
  DeadLetter("b", dl);
  const std::string before = Read(DeadLetters());
  const std::string journal = Read(Dir() / "checkpoint.journal");
  auto report = DoRedrive({.dry_run = true});
  ASSERT_TRUE(report);
  EXPECT_EQ(report->selected, 2u);
  EXPECT_EQ(report->first_key, "a/7");
  EXPECT_EQ(report->last_key, "b/7");
  EXPECT_EQ(Read(DeadLetters()), before);
  EXPECT_EQ(Read(Dir() / "checkpoint.journal"), journal);
  EXPECT_FALSE(*env.FileExists(SpoolDir()));
  EXPECT_EQ(env.ListDir(Dir() / "deadletter")->size(), 1u);
}

TEST_F(RedriveTest, UnreadableLinesStayAndDoNotStopTheRest) {
  CommitSomeEvents();
  delivery::DeadLetter dl("hook", DeadLetters(), env, clock);
  DeadLetter("a", dl);
  {
    auto f = env.OpenFile(DeadLetters(), {.append = true});
    ASSERT_TRUE(f);
    ASSERT_TRUE((*f)->Append("{\"torn\n"));
  }
  auto report = DoRedrive({});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->selected, 1u);
  EXPECT_EQ(report->unreadable, 1u);
  EXPECT_EQ(Read(DeadLetters()), "{\"torn\n");
}

TEST_F(RedriveTest, ACrashBeforeTheCommitLosesNothingAndQueuesNothing) {
  CommitSomeEvents();
  delivery::DeadLetter dl("hook", DeadLetters(), env, clock);
  DeadLetter("a", dl);
  const std::string before = Read(DeadLetters());
  // What steps 1 and 2 leave: the rest and pending files, and a record
  // past the committed seq.
  ASSERT_TRUE(files::WriteAtomic(fs::path(DeadLetters()) += ".rest", ""));
  ASSERT_TRUE(files::WriteAtomic(fs::path(DeadLetters()) += ".redrive-pending", "S 6 6\n"));
  {
    delivery::SpoolOptions so;
    so.dir = SpoolDir();
    auto spool = delivery::Spool::Open(so, env, clock);
    ASSERT_TRUE(spool);
    ASSERT_TRUE((*spool)->Append(std::make_shared<event::Event>(Make("a")), 6));
    ASSERT_TRUE((*spool)->Sync());
  }
  EXPECT_TRUE(NextRunDelivers().empty());
  EXPECT_EQ(Read(DeadLetters()), before);
  EXPECT_EQ(env.ListDir(Dir() / "deadletter")->size(), 1u);
  // And a redrive then queues it once.
  ASSERT_TRUE(DoRedrive({}));
  EXPECT_EQ(NextRunDelivers(), (std::vector<std::string>{"a/7"}));
}

TEST_F(RedriveTest, ACrashAfterTheCommitIsFinishedWithoutQueuingTwice) {
  CommitSomeEvents();
  delivery::DeadLetter dl("hook", DeadLetters(), env, clock);
  DeadLetter("a", dl);
  DeadLetter("b", dl);
  ASSERT_TRUE(DoRedrive({}));
  // Put back what the rotation did, as if the crash came right after the
  // journal line: the dead letters in place, rest and pending files there.
  auto redriven = env.ListDir(Dir() / "deadletter");
  ASSERT_TRUE(redriven);
  std::string moved;
  for (const auto& n : *redriven) {
    if (n.find(".redriven-") != std::string::npos) moved = n;
  }
  ASSERT_FALSE(moved.empty());
  ASSERT_TRUE(env.Rename(Dir() / "deadletter" / moved, DeadLetters()));
  ASSERT_TRUE(files::WriteAtomic(fs::path(DeadLetters()) += ".rest", ""));
  ASSERT_TRUE(files::WriteAtomic(fs::path(DeadLetters()) += ".redrive-pending", "S 6 7\n"));
  // A redrive now settles it first: nothing is left to queue.
  auto again = DoRedrive({});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->selected, 0u);
  EXPECT_EQ(NextRunDelivers(), (std::vector<std::string>{"a/7", "b/7"}));
  EXPECT_EQ(Read(DeadLetters()), "");
  EXPECT_TRUE(*env.FileExists(Dir() / "deadletter" / ("hook.jsonl.redriven-S")));
  // The finished rotation is in the history once, however often it is
  // finished (a crash after the history line, before the pending file
  // went, finishes it twice).
  ASSERT_TRUE(files::WriteAtomic(fs::path(DeadLetters()) += ".redrive-pending", "S 6 7\n"));
  ASSERT_TRUE(ResolveInterruptedRedrives(Dir(), 7, env));
  auto history = ReadRedriveHistory(Dir(), env);
  ASSERT_TRUE(history);
  size_t s_records = 0;
  for (const auto& r : *history) s_records += r.stamp == "S" ? 1 : 0;
  EXPECT_EQ(s_records, 1u);
}

TEST_F(RedriveTest, RefusedWithoutACheckpoint) {
  delivery::DeadLetter dl("hook", DeadLetters(), env, clock);
  DeadLetter("a", dl);
  const std::string before = Read(DeadLetters());
  auto report = DoRedrive({});
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().message.find("no checkpoint"), std::string::npos);
  EXPECT_EQ(Read(DeadLetters()), before);
}

TEST_F(RedriveTest, ADryRunRefusesWhileARedriveIsPending) {
  CommitSomeEvents();
  delivery::DeadLetter dl("hook", DeadLetters(), env, clock);
  DeadLetter("a", dl);
  ASSERT_TRUE(files::WriteAtomic(fs::path(DeadLetters()) += ".redrive-pending", "S 6 6\n"));
  auto report = DoRedrive({.dry_run = true});
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().message.find("interrupted redrive is pending"), std::string::npos);
  EXPECT_TRUE(*env.FileExists(fs::path(DeadLetters()) += ".redrive-pending"));
}

TEST_F(RedriveTest, RefusedWhileAnInstanceHoldsTheDataDir) {
  CommitSomeEvents();
  auto held = LockDataDir(Dir());
  ASSERT_TRUE(held);
  auto second = LockDataDir(Dir());
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("in use by another kubevents process"), std::string::npos);
  // The command itself, on a config with the receiver.
  auto config = tmp.Write("c.yaml",
                          "receivers:\n  - name: hook\n    stdout: {}\nroute:\n"
                          "  routes:\n    - match:\n        - receiver: hook\n");
  delivery::DeadLetter dl("hook", DeadLetters(), env, clock);
  DeadLetter("a", dl);
  const std::string before = Read(DeadLetters());
  EXPECT_EQ(
      RunRedrive({.receiver = "hook", .config_file = config.string(), .data_dir = Dir().string()}),
      1);
  EXPECT_EQ(Read(DeadLetters()), before);
  ::close(*held);
  EXPECT_EQ(
      RunRedrive({.receiver = "hook", .config_file = config.string(), .data_dir = Dir().string()}),
      0);
  EXPECT_EQ(Read(DeadLetters()), "");
}

// A redrive that fails at any file system call (it stops there, as after a
// crash) followed by a power loss: the next start (and a redrive after it)
// finds each dead letter either queued or still dead-lettered, never both,
// never neither, and never queued twice.
TEST(RedriveFaultTest, AFailureAndAPowerLossAtAnyCallLosesAndDoublesNothing) {
  using kv::testing::FaultEnv;
  using kv::testing::FsOp;
  const std::vector<std::string> all = {"a/7", "b/7", "c/7"};
  auto setup = [](const fs::path& dir, Env& env, FakeClock& clock) {
    auto cp = OpenLocalCheckpoint(dir, true, env, clock);
    ASSERT_TRUE(cp);
    for (int i = 0; i < 5; ++i) (*cp)->NextEventSeq();
    ASSERT_TRUE((*cp)->Position("1234"));
    delivery::DeadLetter dl("hook", dir / "deadletter" / "hook.jsonl", env, clock);
    for (const char* uid : {"a", "b", "c"}) {
      event::Event ev;
      ev.metadata.uid = uid;
      ev.metadata.resource_version = "7";
      ASSERT_TRUE(dl.Write(ev, "400"));
    }
  };
  auto redrive = [](const fs::path& dir, Env& env, FakeClock& clock) -> Result<RedriveReport> {
    auto cp = OpenLocalCheckpoint(dir, true, env, clock);
    if (!cp) return tl::unexpected(cp.error());
    return Redrive(dir, {.receiver = "hook"}, **cp, env, clock);
  };
  // What the next start finds: the keys queued, and those still dead-lettered.
  auto state = [](const fs::path& dir, Env& env, FakeClock& clock) {
    std::pair<std::vector<std::string>, std::vector<std::string>> out;
    auto cp = OpenLocalCheckpoint(dir, true, env, clock);
    EXPECT_TRUE(cp);
    EXPECT_TRUE(ResolveInterruptedRedrives(dir, (*cp)->committed_event_seq(), env));
    delivery::SpoolOptions so;
    so.dir = dir / "spool" / "hook";
    auto spool = delivery::Spool::Open(so, env, clock);
    EXPECT_TRUE(spool);
    EXPECT_TRUE((*spool)->TruncateAfter((*cp)->committed_event_seq()));
    (*spool)->Publish();
    for (const auto& e :
         (*spool)->Take(100, 1 << 30, std::chrono::milliseconds(0), clock.SteadyNow())) {
      out.first.push_back(e.event->IdempotencyKey());
    }
    for (const char* name : {"hook.jsonl.1", "hook.jsonl"}) {
      auto text = files::Read(dir / "deadletter" / name);
      if (!text) continue;
      size_t at = 0;
      while ((at = text->find("\"idempotencyKey\":\"", at)) != std::string::npos) {
        at += 18;
        out.second.push_back(text->substr(at, text->find('"', at) - at));
      }
    }
    std::sort(out.first.begin(), out.first.end());
    std::sort(out.second.begin(), out.second.end());
    return out;
  };

  const std::vector<FsOp> ops = {FsOp::kOpen,       FsOp::kAppend,    FsOp::kWrite,
                                 FsOp::kTruncate,   FsOp::kSync,      FsOp::kRename,
                                 FsOp::kUnlink,     FsOp::kSyncDir,   FsOp::kReadFile,
                                 FsOp::kFileExists, FsOp::kCreateDirs};
  std::map<FsOp, size_t> counts;
  {
    kv::testing::TempDir tmp;
    PosixEnv posix;
    FakeClock clock;
    setup(tmp.path(), posix, clock);
    FaultEnv env(posix);
    ASSERT_TRUE(redrive(tmp.path(), env, clock));
    for (FsOp op : ops) counts[op] = env.calls(op);
  }
  size_t cases = 0;
  for (FsOp op : ops) {
    for (size_t nth = 1; nth <= counts[op]; ++nth) {
      SCOPED_TRACE("op " + std::to_string(static_cast<int>(op)) + " call " + std::to_string(nth));
      kv::testing::TempDir tmp;
      PosixEnv posix;
      FakeClock clock(Clock::WallTime(std::chrono::seconds(1'800'000'000)));
      setup(tmp.path(), posix, clock);
      FaultEnv env(posix);
      env.Inject({.op = op, .nth = static_cast<int>(nth)});
      (void)redrive(tmp.path(), env, clock);
      env.ClearFaults();
      env.PowerLoss();
      auto [queued, dead] = state(tmp.path(), posix, clock);
      std::vector<std::string> both = queued;
      both.insert(both.end(), dead.begin(), dead.end());
      std::sort(both.begin(), both.end());
      EXPECT_EQ(both, all) << "queued " << queued.size() << ", dead " << dead.size();
      // A redrive then queues whatever is left, once.
      ASSERT_TRUE(redrive(tmp.path(), posix, clock));
      auto [finally_queued, finally_dead] = state(tmp.path(), posix, clock);
      EXPECT_EQ(finally_queued, all);
      EXPECT_TRUE(finally_dead.empty());
      ++cases;
    }
  }
  EXPECT_GT(cases, 20u);
}

TEST(ParseSinceTest, TimesAndDurations) {
  const Clock::WallTime now{std::chrono::seconds(1000000)};
  EXPECT_EQ(ParseSince("90m", now), (1000000 - 5400) * int64_t{1000000});
  EXPECT_EQ(ParseSince("2h", now), (1000000 - 7200) * int64_t{1000000});
  EXPECT_EQ(ParseSince("1d", now), (1000000 - 86400) * int64_t{1000000});
  EXPECT_EQ(ParseSince("1970-01-01T00:00:10Z", now), 10 * int64_t{1000000});
  EXPECT_FALSE(ParseSince("2x", now));
  EXPECT_FALSE(ParseSince("h", now));
  EXPECT_FALSE(ParseSince("-1h", now));
  EXPECT_FALSE(ParseSince("yesterday", now));
}

}  // namespace
}  // namespace kv::app
