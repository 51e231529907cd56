// Receivers' update policies (app/updates.h): the `updates:` key, the
// defaults per kind, the throttle's memory, and the pipeline's routing
// decisions under each policy with a FakeClock.
#include "app/updates.h"

#include <gtest/gtest.h>

#include "../support/temp_dir.h"
#include "app/config.h"
#include "app/pipeline.h"

namespace kv::app {
namespace {

using std::chrono::seconds;

std::string Errors(const std::string& yaml) {
  try {
    Parse(yaml, "c.yaml");
  } catch (const config::Error& e) {
    return e.what();
  }
  return "";
}

UpdatesConfig UpdatesOf(const std::string& receiver) {
  Config cfg = Parse("route: {}\nreceivers:\n  - " + receiver + "\n", "c.yaml");
  EXPECT_EQ(cfg.receivers.size(), 1u);
  return cfg.receivers.empty() ? UpdatesConfig{} : cfg.receivers[0].updates;
}

const UpdatesConfig kAll{UpdatePolicy::kAll, seconds(300)};
const UpdatesConfig kNew{UpdatePolicy::kNew, seconds(300)};
const UpdatesConfig kThrottled5m{UpdatePolicy::kThrottled, seconds(300)};

TEST(UpdatesConfig, ChatKindsAreThrottledAndStoresAndStreamsGetEveryUpdate) {
  EXPECT_EQ(UpdatesOf("{name: c, chime: {endpoint: 'https://h/x'}}"), kThrottled5m);
  EXPECT_EQ(UpdatesOf("{name: c, slack: {webhookURL: 'https://h/x'}}"), kThrottled5m);
  EXPECT_EQ(UpdatesOf("{name: c, teams: {endpoint: 'https://h/x'}}"), kThrottled5m);
  EXPECT_EQ(UpdatesOf("{name: c, opsgenie: {apiKey: k}}"), kThrottled5m);
  EXPECT_EQ(UpdatesOf("{name: c, stdout: {}}"), kAll);
  EXPECT_EQ(UpdatesOf("{name: c, file: {path: /tmp/x}}"), kAll);
  EXPECT_EQ(UpdatesOf("{name: c, webhook: {endpoint: 'https://h/x'}}"), kAll);
  EXPECT_EQ(UpdatesOf("{name: c, sqs: {queueName: q}}"), kAll);
  EXPECT_EQ(UpdatesOf("{name: c, opensearch: {hosts: ['https://h'], index: i}}"), kAll);
}

TEST(UpdatesConfig, APolicyNameOrAMapOverridesTheDefault) {
  EXPECT_EQ(UpdatesOf("{name: c, updates: new, chime: {endpoint: 'https://h/x'}}"), kNew);
  EXPECT_EQ(UpdatesOf("{name: c, updates: all, chime: {endpoint: 'https://h/x'}}"), kAll);
  EXPECT_EQ(UpdatesOf("{name: c, updates: throttled, stdout: {}}"), kThrottled5m);
  EXPECT_EQ(UpdatesOf("{name: c, updates: {policy: throttled, intervalSeconds: 60}, stdout: {}}"),
            (UpdatesConfig{UpdatePolicy::kThrottled, seconds(60)}));
  // Only the interval: a chat kind stays throttled, every 10 minutes.
  EXPECT_EQ(UpdatesOf("{name: c, updates: {intervalSeconds: 600}, chime: {endpoint: 'https://h'}}"),
            (UpdatesConfig{UpdatePolicy::kThrottled, seconds(600)}));
}

TEST(UpdatesConfig, MistakesNameTheFileLineAndKey) {
  const std::string head = "route: {}\nreceivers:\n  - name: c\n    stdout: {}\n";
  std::string e = Errors(head + "    updates: sometimes\n");
  EXPECT_NE(e.find("c.yaml:5:14: receivers[0].updates: expected all, new or throttled, got "
                   "'sometimes'"),
            std::string::npos)
      << e;
  e = Errors(head + "    updates: {policy: often}\n");
  EXPECT_NE(e.find("c.yaml:5:"), std::string::npos) << e;
  EXPECT_NE(e.find("receivers[0].updates.policy: expected all, new or throttled, got 'often'"),
            std::string::npos)
      << e;
  e = Errors(head + "    updates: {policy: throttled, intervalSeconds: 0}\n");
  EXPECT_NE(e.find("receivers[0].updates.intervalSeconds"), std::string::npos) << e;
  e = Errors(head + "    updates: {policy: throttled, interval: 5m}\n");
  EXPECT_NE(e.find("c.yaml:5:34: receivers[0].updates.interval: unknown key"), std::string::npos)
      << e;
  e = Errors(head + "    updates: [new]\n");
  EXPECT_NE(e.find("receivers[0].updates: expected a policy"), std::string::npos) << e;
  // An interval without throttling is accepted with a warning.
  Config cfg = Parse(head + "    updates: {policy: new, intervalSeconds: 60}\n", "c.yaml");
  ASSERT_EQ(cfg.warnings.size(), 1u);
  EXPECT_NE(cfg.warnings[0].message.find("does nothing unless policy is throttled"),
            std::string::npos);
}

TEST(UpdatesConfig, ChangingTheUpdatesKeyKeepsTheRunningReceiver) {
  auto fingerprint = [](const std::string& updates) {
    Config cfg =
        Parse("route: {}\nreceivers:\n  - {name: c, " + updates + "stdout: {}}\n", "c.yaml");
    return cfg.receivers.at(0).fingerprint;
  };
  EXPECT_EQ(fingerprint(""), fingerprint("updates: new, "));
}

TEST(UpdateThrottle, AnUpdateInsideTheIntervalIsHeldBackTheFirstAfterItGoesOut) {
  FakeClock clock;
  UpdateThrottle t;
  const seconds interval(300);
  EXPECT_TRUE(t.Admit("a", false, interval, clock.SteadyNow()));  // new: starts the interval
  clock.Advance(seconds(10));
  EXPECT_FALSE(t.Admit("a", true, interval, clock.SteadyNow()));
  clock.Advance(seconds(289));
  EXPECT_FALSE(t.Admit("a", true, interval, clock.SteadyNow()));  // 299 s after
  clock.Advance(seconds(1));
  EXPECT_TRUE(t.Admit("a", true, interval, clock.SteadyNow()));  // 300 s: out, a new interval
  clock.Advance(seconds(1));
  EXPECT_FALSE(t.Admit("a", true, interval, clock.SteadyNow()));
}

TEST(UpdateThrottle, ANewEventIsNeverHeldBackAndEventsAreThrottledApart) {
  FakeClock clock;
  UpdateThrottle t;
  const seconds interval(60);
  EXPECT_TRUE(t.Admit("a", false, interval, clock.SteadyNow()));
  EXPECT_TRUE(t.Admit("a", false, interval, clock.SteadyNow()));  // seen again as new
  EXPECT_TRUE(t.Admit("b", false, interval, clock.SteadyNow()));
  EXPECT_FALSE(t.Admit("b", true, interval, clock.SteadyNow()));
  // An update of an event this receiver never got (e.g. it reached the
  // receiver only once its count passed a minCount) goes out.
  EXPECT_TRUE(t.Admit("c", true, interval, clock.SteadyNow()));
  EXPECT_FALSE(t.Admit("c", true, interval, clock.SteadyNow()));
}

TEST(UpdateThrottle, ItsMemoryIsBoundedInTimeAndSize) {
  FakeClock clock;
  UpdateThrottle t(/*max_entries=*/3);
  const seconds interval(60);
  for (const char* uid : {"a", "b", "c", "d"}) {
    EXPECT_TRUE(t.Admit(uid, false, interval, clock.SteadyNow()));
    clock.Advance(seconds(1));
  }
  EXPECT_EQ(t.size(), 3u);
  // The oldest was forgotten early: its update goes out (one message more,
  // never one less); the others are still held back.
  EXPECT_TRUE(t.Admit("a", true, interval, clock.SteadyNow()));
  EXPECT_FALSE(t.Admit("d", true, interval, clock.SteadyNow()));
  clock.Advance(seconds(60));
  EXPECT_TRUE(t.Admit("x", false, interval, clock.SteadyNow()));
  EXPECT_EQ(t.size(), 1u);  // every other interval is over
}

class NullSink final : public sinks::Sink {
 public:
  sinks::SendOutcome Send(std::span<const event::EventPtr>) override { return {}; }
};

class ZeroRng final : public Rng {
 public:
  double Uniform() override { return 0.0; }
};

// Three receivers every event reaches: `all` (every update), `new` (no
// update) and `throttled` (every 60 s). Their workers are not started, so
// what Emit routes to each stays in its spool.
struct Rig {
  explicit Rig(const std::string& receivers = R"(
  - name: all
    stdout: {}
  - name: new
    updates: new
    stdout: {}
  - name: throttled
    updates: {policy: throttled, intervalSeconds: 60}
    stdout: {}
)")
      : cfg(Parse("route:\n  routes:\n    - match:\n        - receiver: all\n"
                  "        - receiver: new\n        - receiver: throttled\nreceivers:\n" +
                      receivers,
                  "c.yaml")),
        hub(tmp.path(), delivery::FsyncPolicy::kNever, seconds(1), env, rng, clock) {
    for (const auto& rc : cfg.receivers) {
      EXPECT_TRUE(hub.Add(rc.name, std::make_unique<NullSink>(), rc.delivery));
    }
    kube::CheckpointerOptions options;
    options.journal = tmp.path() / "checkpoint.journal";
    checkpointer = std::move(*kube::Checkpointer::Open(
        std::make_unique<kube::FileCheckpointStore>(env, tmp.path() / "checkpoint.json"), options,
        env, clock));
    pipeline = std::make_unique<Pipeline>(nullptr, hub, *checkpointer, stats, clock);
    pipeline->SetRouting(MakeRouting(cfg, hub));
  }

  // Emits the event `uid` with `count` as the watcher would: count 1 new,
  // a higher count an update.
  void Emit(const std::string& uid, int count) {
    event::Event ev;
    ev.metadata.uid = uid;
    ev.metadata.resource_version = std::to_string(count);
    ev.count = count;
    ev.type = "Warning";
    emitted.Observe(ev);
    pipeline->Emit(std::move(ev), count > 1, *emitted.Find(uid), "rv", emitted);
  }
  // The counts of the events spooled for hub receiver `r` since the last
  // call, in order.
  std::vector<int> Counts(size_t r) {
    std::vector<int> out;
    // The workers are not started: the test takes their place.
    auto& spool = const_cast<delivery::Spool&>(hub.spool(r));
    for (const auto& e :
         spool.Take(1000, 1 << 30, std::chrono::milliseconds(0), clock.SteadyNow())) {
      out.push_back(static_cast<int>(e.event->count));
    }
    EXPECT_TRUE(spool.Ack());
    return out;
  }

  kv::testing::TempDir tmp;
  PosixEnv env;
  FakeClock clock;
  ZeroRng rng;
  Config cfg;
  delivery::Hub hub;
  std::unique_ptr<kube::Checkpointer> checkpointer;
  PipelineStats stats;
  kube::EmittedSet emitted;
  std::unique_ptr<Pipeline> pipeline;
};

TEST(UpdatePolicyRouting, AllGetsEveryUpdateNewNoneThrottledOnePerIntervalWithTheCurrentCount) {
  Rig rig;
  rig.Emit("e", 1);
  rig.clock.Advance(seconds(1));
  rig.Emit("e", 2);
  rig.Emit("e", 3);
  rig.clock.Advance(seconds(58));
  rig.Emit("e", 4);  // 59 s after the first went out: still held back
  rig.clock.Advance(seconds(1));
  rig.Emit("e", 5);  // 60 s: goes out with count 5
  rig.clock.Advance(seconds(30));
  rig.Emit("e", 6);  // inside the new interval
  EXPECT_EQ(rig.Counts(0), (std::vector<int>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(rig.Counts(1), (std::vector<int>{1}));
  EXPECT_EQ(rig.Counts(2), (std::vector<int>{1, 5}));
  // 5 updates held back from `new`, 4 from `throttled`.
  EXPECT_EQ(rig.stats.updates_suppressed.load(), 9u);
  // Every emission is committed, whoever got it.
  EXPECT_EQ(rig.checkpointer->committed_event_seq(), 6u);
  EXPECT_EQ(rig.stats.no_route.load(), 0u);
}

TEST(UpdatePolicyRouting, ANewEventIsNeverSuppressed) {
  Rig rig;
  for (int i = 0; i < 5; ++i) rig.Emit("n" + std::to_string(i), 1);
  EXPECT_EQ(rig.Counts(1).size(), 5u);
  EXPECT_EQ(rig.Counts(2).size(), 5u);
  EXPECT_EQ(rig.stats.updates_suppressed.load(), 0u);
}

TEST(UpdatePolicyRouting, AnUpdateHeldBackFromEveryReceiverIsStillCommitted) {
  Rig rig(R"(
  - name: all
    updates: new
    stdout: {}
  - name: new
    updates: new
    stdout: {}
  - name: throttled
    updates: throttled
    stdout: {}
)");
  rig.Emit("e", 1);
  rig.Emit("e", 2);
  EXPECT_EQ(rig.Counts(0).size() + rig.Counts(1).size() + rig.Counts(2).size(), 3u);
  EXPECT_EQ(rig.checkpointer->committed_event_seq(), 2u);
  EXPECT_EQ(rig.stats.no_route.load(), 0u);  // it had a route; its policies held it back
  EXPECT_EQ(rig.stats.updates_suppressed.load(), 3u);
}

TEST(UpdatePolicyRouting, AReloadKeepsAThrottledReceiversMemory) {
  Rig rig;
  rig.Emit("e", 1);
  rig.pipeline->SetRouting(MakeRouting(rig.cfg, rig.hub));  // as a config reload does
  rig.Emit("e", 2);
  EXPECT_EQ(rig.Counts(2), (std::vector<int>{1}));
  // A reload that makes it `all` lets the next update through at once.
  auto routing = std::make_shared<Routing>(*MakeRouting(rig.cfg, rig.hub));
  routing->updates[2] = UpdatesConfig{};
  rig.pipeline->SetRouting(routing);
  rig.Emit("e", 3);
  EXPECT_EQ(rig.Counts(2), (std::vector<int>{3}));
}

}  // namespace
}  // namespace kv::app
