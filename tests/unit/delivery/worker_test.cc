#include "delivery/worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "../support/log_capture.h"
#include "../support/temp_dir.h"

namespace kv::delivery {
namespace {

// A sink that answers from a script of outcomes and records what it saw.
// Each send takes `took` of the fake clock's time.
class ScriptedSink final : public sinks::Sink {
 public:
  ScriptedSink(std::vector<sinks::SendOutcome> script, size_t batch, FakeClock& clock,
               std::chrono::milliseconds took)
      : script_(std::move(script)), batch_(batch), clock_(clock), took_(took) {}
  sinks::SendOutcome Send(std::span<const event::EventPtr> batch) override {
    clock_.Advance(took_);
    std::lock_guard lock(mu_);
    std::vector<std::string> uids;
    for (const auto& ev : batch) uids.push_back(ev->metadata.uid);
    calls_.push_back(uids);
    called_.notify_all();
    if (next_ < script_.size()) return script_[next_++];
    return {};
  }
  sinks::BatchLimits limits() const override { return {.max_events = batch_}; }
  std::vector<std::vector<std::string>> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  // Blocks until Send was called `n` times; false after a generous real
  // bound (only so a broken worker fails the test instead of hanging it).
  bool AwaitCalls(size_t n) {
    std::unique_lock lock(mu_);
    return called_.wait_for(lock, std::chrono::seconds(30), [&] { return calls_.size() >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable called_;
  std::vector<sinks::SendOutcome> script_;
  size_t batch_;
  FakeClock& clock_;
  const std::chrono::milliseconds took_;
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

// A spool, a dead-letter file and a worker over a scripted sink, all on a
// fake clock: each send takes `took` (10 ms) of it, and nothing sleeps in
// real time.
struct Rig {
  explicit Rig(std::vector<sinks::SendOutcome> script, size_t batch = 10,
               std::chrono::seconds max_age = std::chrono::seconds(0),
               std::chrono::milliseconds backoff_cap = std::chrono::milliseconds(60000),
               std::chrono::milliseconds took = std::chrono::milliseconds(10),
               bool log_deliveries = false) {
    SpoolOptions o;
    o.dir = tmp.path() / "spool";
    o.fsync = FsyncPolicy::kNever;
    spool = std::move(*Spool::Open(o, env, clock));
    dead = std::make_unique<DeadLetter>("r", tmp.path() / "dead.jsonl", env, clock);
    auto s = std::make_unique<ScriptedSink>(std::move(script), batch, clock, took);
    sink = s.get();
    WorkerOptions wo;
    wo.batch = s->limits();
    wo.backoff_base = std::chrono::milliseconds(1);
    wo.backoff_cap = backoff_cap;
    wo.max_retry_age = max_age;
    wo.log_deliveries = log_deliveries;
    worker = std::make_unique<Worker>("r", std::move(s), *spool, *dead, wo, stats, rng, clock);
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
  PosixEnv env;
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

TEST(Worker, WaitsForRetryAfterOnItsClock) {
  sinks::SendOutcome throttled = Retry("429");
  throttled.retry_after = std::chrono::seconds(3);
  Rig rig({throttled});
  rig.Put({"a"});
  rig.worker->Start();
  rig.clock.AwaitWaiters(1);  // asleep before its retry
  rig.clock.Advance(std::chrono::milliseconds(2990));
  EXPECT_EQ(rig.sink->calls().size(), 1u);  // 3 s have not passed on its clock
  rig.clock.Advance(std::chrono::milliseconds(10));
  EXPECT_TRUE(rig.sink->AwaitCalls(2));
  rig.worker->Stop(std::chrono::seconds(5));
  EXPECT_EQ(rig.worker->stats().delivered.load(), 1u);
}

TEST(Worker, CapsRetryAfterAtTheBackoffCap) {
  sinks::SendOutcome throttled = Retry("429");
  throttled.retry_after = std::chrono::seconds(86400);
  Rig rig({throttled}, 10, std::chrono::seconds(0), std::chrono::milliseconds(2000));
  rig.Put({"a"});
  rig.worker->Start();
  rig.clock.AwaitWaiters(1);
  rig.clock.Advance(std::chrono::milliseconds(2000));  // the cap, not a day
  EXPECT_TRUE(rig.sink->AwaitCalls(2));
  rig.worker->Stop(std::chrono::seconds(5));
  EXPECT_EQ(rig.worker->stats().delivered.load(), 1u);
}

TEST(Worker, StopCutsARetrySleepShortAtTheGraceDeadline) {
  sinks::SendOutcome throttled = Retry("429");
  throttled.retry_after = std::chrono::hours(1);
  Rig rig({throttled}, 10, std::chrono::seconds(0), std::chrono::hours(1));
  rig.Put({"a"});
  rig.worker->Start();
  rig.clock.AwaitWaiters(1);  // asleep for an hour before its retry
  const uint64_t waits = rig.clock.waits_begun();
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    rig.worker->Stop(std::chrono::seconds(5));
    stopped.store(true);
  });
  // Once Stop has moved the deadline the worker sleeps anew, now only
  // until the 5 s grace deadline, long before the hour the peer asked for.
  rig.clock.AwaitWaitsBegun(waits + 1);
  while (!stopped.load()) {
    rig.clock.Advance(std::chrono::milliseconds(100));
    std::this_thread::yield();
  }
  stopper.join();
  // Had it slept the hour, it would have sent again (and delivered).
  EXPECT_EQ(rig.sink->calls().size(), 1u);
  EXPECT_FALSE(rig.spool->Empty());
}

// What a proxy in front of a webhook answers while the webhook is down,
// quoted whole the way a careless formatter would.
constexpr const char* kProxyPage =
    "POST https://hooks.example/x: HTTP 502: <html>\r\n<head><title>502 Bad "
    "Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
    "<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n";

TEST(WorkerLog, AnOutageIsOneStartLineAPeriodicLineAndOneRecoveredLine) {
  kv::testing::LogCapture log;
  // 63 failed sends of 1 s each (the zero jitter retries at once), then one
  // that delivers: an outage of 63 s on the worker's clock.
  std::vector<sinks::SendOutcome> script(63, Retry(kProxyPage));
  Rig rig(script, 10, std::chrono::seconds(0), std::chrono::milliseconds(60000),
          std::chrono::seconds(1));
  rig.Put({"a", "b", "c"});
  rig.worker->Start();
  ASSERT_TRUE(rig.sink->AwaitCalls(64));
  rig.worker->Stop(std::chrono::seconds(5));
  ASSERT_EQ(rig.worker->stats().delivered.load(), 3u);

  EXPECT_EQ(log.Count("receiver r: delivery failing: POST https://hooks.example/x: HTTP 502 "
                      "(HTML page: 502 Bad Gateway); 3 events waiting, retrying with backoff"),
            1u)
      << log.text();
  // The first failure at 1 s, the report at 61 s: 61 failed sends by then,
  // the oldest event spooled at 0.
  EXPECT_EQ(log.Count("receiver r: delivery still failing after 60s: 61 failed attempts, 3 events "
                      "waiting, the oldest for 61s: POST https://hooks.example/x: HTTP 502 "
                      "(HTML page: 502 Bad Gateway)"),
            1u)
      << log.text();
  EXPECT_EQ(log.Count("still failing"), 1u) << log.text();
  EXPECT_EQ(log.Count("receiver r: delivery recovered after 63s (63 failed attempts); 3 events "
                      "delivered by the first good send, 0 still waiting"),
            1u)
      << log.text();
  EXPECT_EQ(log.Count("recovered"), 1u) << log.text();
  const std::string text = log.text();
  for (const char* markup : {"<html", "<body", "<center", "nginx", "\r"}) {
    EXPECT_EQ(text.find(markup), std::string::npos) << markup << " in " << text;
  }
}

TEST(WorkerLog, ALongOutageIsReportedOncePerPeriodWhateverTheRetryCount) {
  kv::testing::LogCapture log;
  // 200 failed sends of 1 s: reports at 61, 121 and 181 s.
  std::vector<sinks::SendOutcome> script(200, Retry("connection refused"));
  Rig rig(script, 10, std::chrono::seconds(0), std::chrono::milliseconds(60000),
          std::chrono::seconds(1));
  rig.Put({"a"});
  rig.worker->Start();
  ASSERT_TRUE(rig.sink->AwaitCalls(201));
  rig.worker->Stop(std::chrono::seconds(5));
  EXPECT_EQ(log.Count("delivery failing: connection refused"), 1u) << log.text();
  EXPECT_EQ(log.Count("still failing"), 3u) << log.text();
  EXPECT_EQ(log.Count("still failing after 180s: 181 failed attempts"), 1u) << log.text();
  EXPECT_EQ(log.Count("delivery recovered after 200s (200 failed attempts)"), 1u) << log.text();
}

TEST(WorkerLog, ASendThatDeliversSomeIsNotAnOutage) {
  kv::testing::LogCapture log;
  sinks::SendOutcome partial;
  partial.items = {sinks::Verdict::kDelivered, sinks::Verdict::kRetry};
  partial.item_reasons = {"", "429"};
  Rig rig({partial});
  rig.Put({"a", "b"});
  rig.worker->Start();
  rig.worker->Stop(std::chrono::seconds(5));
  EXPECT_EQ(rig.worker->stats().delivered.load(), 2u);
  EXPECT_EQ(log.Count("failing"), 0u) << log.text();
  EXPECT_EQ(log.Count("recovered"), 0u) << log.text();
}

TEST(WorkerLog, LogDeliveriesNamesEachDeliveredBatchByItsKeys) {
  kv::testing::LogCapture log;
  Rig rig({}, 2, std::chrono::seconds(0), std::chrono::milliseconds(60000),
          std::chrono::milliseconds(10), /*log_deliveries=*/true);
  rig.Put({"a", "b", "c"});
  rig.worker->Start();
  rig.worker->Stop(std::chrono::seconds(5));
  EXPECT_EQ(log.Count("receiver r: delivered 2 events, keys a/1 .. b/1"), 1u) << log.text();
  EXPECT_EQ(log.Count("receiver r: delivered 1 event, key c/1"), 1u) << log.text();
  EXPECT_EQ(log.Count("delivered"), 2u) << log.text();
}

TEST(WorkerLog, DeliveriesAreNotLoggedByDefault) {
  kv::testing::LogCapture log;
  Rig rig({}, 2);
  rig.Put({"a", "b", "c"});
  rig.worker->Start();
  rig.worker->Stop(std::chrono::seconds(5));
  EXPECT_EQ(rig.worker->stats().delivered.load(), 3u);
  EXPECT_EQ(log.Count("delivered"), 0u) << log.text();
}

}  // namespace
}  // namespace kv::delivery
