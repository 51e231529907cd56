#include "delivery/worker.h"

#include <gtest/gtest.h>

#include <mutex>

namespace kv::delivery {
namespace {

// A sink that answers from a script of outcomes and records what it saw.
class ScriptedSink final : public sinks::Sink {
 public:
  explicit ScriptedSink(std::vector<sinks::SendOutcome> script) : script_(std::move(script)) {}
  sinks::SendOutcome Send(std::span<const event::EventPtr> batch) override {
    std::lock_guard lock(mu_);
    std::vector<std::string> uids;
    for (const auto& ev : batch) uids.push_back(ev->metadata.uid);
    calls_.push_back(uids);
    if (next_ < script_.size()) return script_[next_++];
    return {};
  }
  std::vector<std::vector<std::string>> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::vector<sinks::SendOutcome> script_;
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
  return ev;
}

TEST(Worker, DeliversEverythingQueuedBeforeStop) {
  auto sink = std::make_unique<ScriptedSink>(std::vector<sinks::SendOutcome>{});
  auto* raw = sink.get();
  ZeroRng rng;
  Worker w("r", std::move(sink), {.max_queue = 100, .max_batch = 3}, rng);
  w.Start();
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(w.Enqueue(Ev(std::to_string(i))));
  w.Stop(std::chrono::seconds(5));
  size_t total = 0;
  for (const auto& c : raw->calls()) {
    EXPECT_LE(c.size(), 3u);
    total += c.size();
  }
  EXPECT_EQ(total, 7u);
  EXPECT_EQ(w.stats().delivered.load(), 7u);
  EXPECT_FALSE(w.Enqueue(Ev("late")));
}

TEST(Worker, RetriesTheWholeBatchUntilDelivered) {
  sinks::SendOutcome retry;
  retry.request = sinks::Verdict::kRetry;
  retry.reason = "503";
  auto sink = std::make_unique<ScriptedSink>(std::vector<sinks::SendOutcome>{retry, retry});
  auto* raw = sink.get();
  ZeroRng rng;
  Worker w("r", std::move(sink), {.max_batch = 10, .backoff_base = std::chrono::milliseconds(1)},
           rng);
  w.Start();
  w.Enqueue(Ev("a"));
  w.Stop(std::chrono::seconds(5));
  ASSERT_EQ(raw->calls().size(), 3u);
  EXPECT_EQ(w.stats().retries.load(), 2u);
  EXPECT_EQ(w.stats().delivered.load(), 1u);
}

TEST(Worker, RetriesOnlyTheItemsThePeerAskedFor) {
  sinks::SendOutcome partial;
  partial.items = {sinks::Verdict::kDelivered, sinks::Verdict::kRetry, sinks::Verdict::kReject};
  auto sink = std::make_unique<ScriptedSink>(std::vector<sinks::SendOutcome>{partial});
  auto* raw = sink.get();
  ZeroRng rng;
  Worker w("r", std::move(sink), {.max_batch = 10, .backoff_base = std::chrono::milliseconds(1)},
           rng);
  // Queue all three before the worker starts so they form one batch.
  w.Enqueue(Ev("a"));
  w.Enqueue(Ev("b"));
  w.Enqueue(Ev("c"));
  w.Start();
  w.Stop(std::chrono::seconds(5));
  auto calls = raw->calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1], std::vector<std::string>{"b"});
  EXPECT_EQ(w.stats().delivered.load(), 2u);
  EXPECT_EQ(w.stats().rejected.load(), 1u);
}

TEST(Worker, ShutdownGraceBoundsAReceiverThatNeverRecovers) {
  sinks::SendOutcome retry;
  retry.request = sinks::Verdict::kRetry;
  std::vector<sinks::SendOutcome> forever(1000, retry);
  ZeroRng rng;
  Worker w("r", std::make_unique<ScriptedSink>(forever),
           {.backoff_base = std::chrono::milliseconds(5)}, rng);
  w.Start();
  w.Enqueue(Ev("a"));
  w.Stop(std::chrono::milliseconds(50));  // returns; does not hang
  EXPECT_EQ(w.stats().delivered.load(), 0u);
  EXPECT_EQ(w.stats().abandoned.load(), 1u);
}

}  // namespace
}  // namespace kv::delivery
