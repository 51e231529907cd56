#include "delivery/worker.h"

#include <gtest/gtest.h>

#include <fstream>
#include <mutex>

#include "../support/temp_dir.h"

namespace kv::delivery {
namespace {

// A sink that answers from a script of outcomes and records what it saw.
class ScriptedSink final : public sinks::Sink {
 public:
  ScriptedSink(std::vector<sinks::SendOutcome> script, size_t batch)
      : script_(std::move(script)), batch_(batch) {}
  sinks::SendOutcome Send(std::span<const event::EventPtr> batch) override {
    std::lock_guard lock(mu_);
    std::vector<std::string> uids;
    for (const auto& ev : batch) uids.push_back(ev->metadata.uid);
    calls_.push_back(uids);
    if (next_ < script_.size()) return script_[next_++];
    return {};
  }
  sinks::BatchLimits limits() const override { return {.max_events = batch_}; }
  std::vector<std::vector<std::string>> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::vector<sinks::SendOutcome> script_;
  size_t batch_;
  size_t next_ = 0;
  std::vector<std::vector<std::string>> calls_;
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

// A spool, a dead-letter file and a worker over a scripted sink.
struct Rig {
  explicit Rig(std::vector<sinks::SendOutcome> script, size_t batch = 10,
               std::chrono::seconds max_age = std::chrono::seconds(0)) {
    SpoolOptions o;
    o.dir = tmp.path() / "spool";
    o.fsync = FsyncPolicy::kNever;
    spool = std::move(*Spool::Open(o));
    dead = std::make_unique<DeadLetter>("r", tmp.path() / "dead.jsonl", clock);
    auto s = std::make_unique<ScriptedSink>(std::move(script), batch);
    sink = s.get();
    WorkerOptions wo;
    wo.batch = s->limits();
    wo.backoff_base = std::chrono::milliseconds(1);
    wo.max_retry_age = max_age;
    worker = std::make_unique<Worker>("r", std::move(s), *spool, *dead, wo, stats, rng);
  }
  void Put(const std::vector<std::string>& uids) {
    static uint64_t seq = 0;
    for (const auto& u : uids) ASSERT_TRUE(spool->Append(Ev(u), ++seq));
    spool->Publish();
  }
  std::string DeadLetters() {
    std::ifstream in(tmp.path() / "dead.jsonl");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  kv::testing::TempDir tmp;
  FakeClock clock;
  ZeroRng rng;
  WorkerStats stats;
  std::unique_ptr<Spool> spool;
  std::unique_ptr<DeadLetter> dead;
  ScriptedSink* sink = nullptr;
  std::unique_ptr<Worker> worker;
};

sinks::SendOutcome Retry(const std::string& why = "503") {
  sinks::SendOutcome o;
  o.request = sinks::Verdict::kRetry;
  o.reason = why;
  return o;
}

TEST(Worker, DeliversEverythingSpooledBeforeStop) {
  Rig rig({}, 3);
  rig.Put({"0", "1", "2", "3", "4", "5", "6"});
  rig.worker->Start();
  rig.worker->Stop(std::chrono::seconds(5));
  size_t total = 0;
  for (const auto& c : rig.sink->calls()) {
    EXPECT_LE(c.size(), 3u);
    total += c.size();
  }
  EXPECT_EQ(total, 7u);
  EXPECT_EQ(rig.worker->stats().delivered.load(), 7u);
  EXPECT_TRUE(rig.spool->Empty());
}

TEST(Worker, RetriesTheWholeBatchUntilDelivered) {
  Rig rig({Retry(), Retry()});
  rig.Put({"a"});
  rig.worker->Start();
  rig.worker->Stop(std::chrono::seconds(5));
  ASSERT_EQ(rig.sink->calls().size(), 3u);
  EXPECT_EQ(rig.worker->stats().retried.load(), 2u);
  EXPECT_EQ(rig.worker->stats().delivered.load(), 1u);
}

TEST(Worker, RetriesOnlyTheItemsThePeerAskedForAndDeadLettersRejects) {
  sinks::SendOutcome partial;
  partial.items = {sinks::Verdict::kDelivered, sinks::Verdict::kRetry, sinks::Verdict::kReject};
  partial.item_reasons = {"", "429", "mapper_parsing_exception"};
  Rig rig({partial});
  rig.Put({"a", "b", "c"});
  rig.worker->Start();
  rig.worker->Stop(std::chrono::seconds(5));
  auto calls = rig.sink->calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1], std::vector<std::string>{"b"});
  EXPECT_EQ(rig.worker->stats().delivered.load(), 2u);
  EXPECT_EQ(rig.worker->stats().dead_lettered.load(), 1u);
  std::string dead = rig.DeadLetters();
  EXPECT_NE(dead.find("\"idempotencyKey\":\"c/1\""), std::string::npos) << dead;
  EXPECT_NE(dead.find("mapper_parsing_exception"), std::string::npos) << dead;
  EXPECT_EQ(dead.find("\"a/1\""), std::string::npos);
}

TEST(Worker, ARejectedBatchDoesNotBlockLaterEvents) {
  sinks::SendOutcome bad;
  bad.request = sinks::Verdict::kReject;
  bad.reason = "HTTP 400: bad document";
  Rig rig({bad}, 1);
  rig.Put({"bad", "good1", "good2"});
  rig.worker->Start();
  rig.worker->Stop(std::chrono::seconds(5));
  EXPECT_EQ(rig.worker->stats().dead_lettered.load(), 1u);
  EXPECT_EQ(rig.worker->stats().delivered.load(), 2u);
}

TEST(Worker, GivesUpAfterTheRetryAgeAndDeadLetters) {
  std::vector<sinks::SendOutcome> forever(100000, Retry("connection refused"));
  Rig rig(forever, 10, std::chrono::seconds(1));
  rig.Put({"a"});
  rig.worker->Start();
  rig.worker->Stop(std::chrono::seconds(30));
  EXPECT_EQ(rig.worker->stats().dead_lettered.load(), 1u);
  EXPECT_NE(rig.DeadLetters().find("gave up after retrying"), std::string::npos);
}

TEST(Worker, ShutdownGraceBoundsAReceiverThatNeverRecoversAndKeepsTheEventsSpooled) {
  std::vector<sinks::SendOutcome> forever(100000, Retry());
  Rig rig(forever);
  rig.Put({"a"});
  rig.worker->Start();
  rig.worker->Stop(std::chrono::milliseconds(50));  // returns; does not hang
  EXPECT_EQ(rig.worker->stats().delivered.load(), 0u);
  EXPECT_FALSE(rig.spool->Empty());
}

}  // namespace
}  // namespace kv::delivery
