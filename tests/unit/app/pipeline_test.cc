#include "app/pipeline.h"

#include <gtest/gtest.h>

#include "../support/temp_dir.h"
#include "util/files.h"

namespace kv::app {
namespace {

class NullSink final : public sinks::Sink {
 public:
  sinks::SendOutcome Send(std::span<const event::EventPtr>) override { return {}; }
};

class ZeroRng final : public Rng {
 public:
  double Uniform() override { return 0.0; }
};

// Two receivers: `warnings` gets Warning events, `all` everything. Their
// workers are not started, so what Emit leaves in each spool stays there.
struct Rig {
  explicit Rig(bool emit_updates = true)
      : cfg(Parse(std::string("emitUpdates: ") + (emit_updates ? "true" : "false") + R"(
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
                  "c.yaml")),
        hub(tmp.path(), delivery::FsyncPolicy::kNever, std::chrono::seconds(1), env, rng, clock) {
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

  // Emits an event as the watcher would, with what it remembers of it.
  void Emit(const std::string& uid, const std::string& type, bool update = false) {
    event::Event ev;
    ev.metadata.uid = uid;
    ev.metadata.resource_version = update ? "2" : "1";
    ev.type = type;
    emitted.Observe(ev);
    pipeline->Emit(std::move(ev), update, *emitted.Find(uid), "rv-" + uid, emitted);
  }
  uint64_t Pending(size_t receiver) { return hub.spool(receiver).stats().pending_events.load(); }
  bool Readable(size_t receiver) { return !hub.spool(receiver).NothingReadable(); }

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

TEST(Pipeline, RoutesEachEventToItsReceiversSpoolsAndCommitsIt) {
  Rig rig;
  rig.Emit("w", "Warning");
  rig.Emit("n", "Normal");
  EXPECT_EQ(rig.Pending(0), 1u);  // warnings
  EXPECT_EQ(rig.Pending(1), 2u);  // all
  EXPECT_TRUE(rig.Readable(0));
  EXPECT_TRUE(rig.Readable(1));
  EXPECT_EQ(rig.checkpointer->committed_event_seq(), 2u);
  EXPECT_EQ(rig.stats.emitted_warning.load(), 1u);
  EXPECT_EQ(rig.stats.emitted_normal.load(), 1u);
  // The journal remembers both, with the resume point after each.
  auto journal = files::Read(rig.tmp.path() / "checkpoint.journal");
  ASSERT_TRUE(journal);
  EXPECT_NE(journal->find(" rv-w w "), std::string::npos) << *journal;
  EXPECT_NE(journal->find(" rv-n n "), std::string::npos) << *journal;
}

TEST(Pipeline, AnEventNoRouteReachesIsCommittedWithoutSpooling) {
  Rig rig;
  auto routing = std::make_shared<Routing>(*MakeRouting(rig.cfg, rig.hub));
  routing->hub_index = {-1, -1};  // neither receiver is in the hub
  rig.pipeline->SetRouting(routing);
  rig.Emit("x", "Warning");
  EXPECT_EQ(rig.Pending(0) + rig.Pending(1), 0u);
  EXPECT_EQ(rig.stats.no_route.load(), 1u);
  EXPECT_EQ(rig.checkpointer->committed_event_seq(), 1u);
}

TEST(Pipeline, UpdatesAreSkippedButRememberedWhenEmitUpdatesIsOff) {
  Rig rig(/*emit_updates=*/false);
  rig.Emit("u", "Normal");
  rig.Emit("u", "Normal", /*update=*/true);
  EXPECT_EQ(rig.Pending(1), 1u);
  EXPECT_EQ(rig.stats.updates_skipped.load(), 1u);
  EXPECT_EQ(rig.checkpointer->committed_event_seq(), 2u);
}

TEST(Pipeline, UnderAPublishGateCommittedEventsWaitForTheClusterCopy) {
  Rig rig;
  rig.hub.SetPublishGate(true);
  rig.Emit("w", "Warning");
  EXPECT_EQ(rig.Pending(0), 1u);
  EXPECT_FALSE(rig.Readable(0));  // spooled and committed, not yet visible
  EXPECT_EQ(rig.checkpointer->committed_event_seq(), 1u);
  rig.hub.PublishUpTo(1);
  EXPECT_TRUE(rig.Readable(0));
}

TEST(Pipeline, WhatTheWatcherRemembersWithoutEmittingGoesStraightToTheCheckpoint) {
  Rig rig;
  kube::EmittedSet all;
  event::Event old;
  old.metadata.uid = "old";
  old.metadata.resource_version = "1";
  all.Remember(old);
  rig.pipeline->Remember("old", *all.Find("old"), "rv-1", all);
  rig.pipeline->Position("rv-2", all, /*snapshot=*/false);
  rig.pipeline->Forget("old", "rv-3", all);
  EXPECT_EQ(rig.Pending(0) + rig.Pending(1), 0u);
  auto journal = files::Read(rig.tmp.path() / "checkpoint.journal");
  ASSERT_TRUE(journal);
  EXPECT_NE(journal->find(" S 0 rv-1 old "), std::string::npos) << *journal;
  EXPECT_NE(journal->find(" P 0 rv-2"), std::string::npos) << *journal;
  EXPECT_NE(journal->find(" F 0 rv-3 old"), std::string::npos) << *journal;
}

}  // namespace
}  // namespace kv::app
