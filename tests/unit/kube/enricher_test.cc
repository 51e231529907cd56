#include "kube/enricher.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace kv::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Outcome = Lookup::Outcome;

// Generous: a lookup that is answered at once must never hit it, even on a
// loaded machine. Tests of the deadline use their own short one.
constexpr milliseconds kLongDeadline{30000};

// A scripted API server for lookups: answers by object name, counts calls,
// and can hold every lookup until released.
class FakeLookups {
 public:
  void Answer(const std::string& name, Lookup lookup) {
    std::lock_guard lock(mu_);
    answers_[name] = std::move(lookup);
  }
  void Hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void Release() {
    {
      std::lock_guard lock(mu_);
      held_ = false;
    }
    cv_.notify_all();
  }
  int Calls(const std::string& name) {
    std::lock_guard lock(mu_);
    return calls_[name];
  }
  MetadataFetcher Fetcher() {
    return [this](const event::ObjectReference& ref) {
      std::unique_lock lock(mu_);
      ++calls_[ref.name];
      cv_.wait(lock, [this] { return !held_; });
      auto it = answers_.find(ref.name);
      if (it == answers_.end()) return Lookup{Outcome::kNotFound, {}, ""};
      return it->second;
    };
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool held_ = false;
  std::map<std::string, Lookup> answers_;
  std::map<std::string, int> calls_;
};

Lookup Found(const std::string& uid, event::StringMap labels) {
  Lookup l;
  l.outcome = Outcome::kFound;
  l.meta.uid = uid;
  l.meta.labels = std::move(labels);
  l.meta.annotations = {{"note", "x"}};
  event::OwnerReference owner;
  owner.api_version = "apps/v1";
  owner.kind = "ReplicaSet";
  owner.name = "web-123";
  owner.uid = "rs-uid";
  owner.controller = true;
  l.meta.owner_references.push_back(owner);
  return l;
}

event::Event EventAbout(const std::string& kind, const std::string& name, const std::string& uid,
                        const std::string& api_version = "v1") {
  event::Event ev;
  ev.metadata.namespace_ = "ns";
  ev.involved_object.kind = kind;
  ev.involved_object.api_version = api_version;
  ev.involved_object.namespace_ = "ns";
  ev.involved_object.name = name;
  ev.involved_object.uid = uid;
  return ev;
}

EnricherOptions Options() {
  EnricherOptions o;
  o.deadline = kLongDeadline;
  return o;
}

TEST(Enricher, FoundObjectAddsLabelsAnnotationsAndOwners) {
  FakeClock clock;
  FakeLookups server;
  server.Answer("web-1", Found("pod-uid", {{"app", "web"}}));
  Enricher enricher(Options(), server.Fetcher(), clock);
  auto ev = EventAbout("Pod", "web-1", "pod-uid");
  enricher.Enrich(ev);
  EXPECT_EQ(ev.involved_object.labels, (event::StringMap{{"app", "web"}}));
  EXPECT_EQ(ev.involved_object.annotations, (event::StringMap{{"note", "x"}}));
  ASSERT_EQ(ev.involved_object.owner_references.size(), 1u);
  EXPECT_EQ(ev.involved_object.owner_references[0].name, "web-123");
  EXPECT_FALSE(ev.involved_object.deleted);
  EXPECT_EQ(enricher.stats().misses.load(), 1u);
  EXPECT_EQ(enricher.stats().found.load(), 1u);
}

TEST(Enricher, AListedEventDoesNotWaitButItsLookupFillsTheCache) {
  FakeClock clock;
  FakeLookups server;
  server.Answer("web-1", Found("pod-uid", {{"app", "web"}}));
  Enricher enricher(Options(), server.Fetcher(), clock);
  // The deadline is long and the fake clock does not move: an event that
  // waited would hang here.
  auto listed = EventAbout("Pod", "web-1", "pod-uid");
  enricher.Enrich(listed, /*wait=*/false);
  EXPECT_TRUE(listed.involved_object.labels.empty());
  EXPECT_EQ(enricher.stats().deferred.load(), 1u);
  ASSERT_TRUE(enricher.WaitIdle(std::chrono::seconds(10)));
  auto next = EventAbout("Pod", "web-1", "pod-uid");
  enricher.Enrich(next, /*wait=*/false);
  EXPECT_EQ(next.involved_object.labels.at("app"), "web");
  EXPECT_EQ(server.Calls("web-1"), 1);
  EXPECT_EQ(enricher.stats().hits.load(), 1u);
  EXPECT_EQ(enricher.stats().timeouts.load(), 0u);
}

TEST(Enricher, RepeatedEventsOfOneObjectCostOneLookupUntilTheTtlEnds) {
  FakeClock clock;
  FakeLookups server;
  server.Answer("web-1", Found("pod-uid", {{"app", "web"}}));
  Enricher enricher(Options(), server.Fetcher(), clock);
  for (int i = 0; i < 5; ++i) {
    auto ev = EventAbout("Pod", "web-1", "pod-uid");
    enricher.Enrich(ev);
    EXPECT_EQ(ev.involved_object.labels.at("app"), "web");
  }
  EXPECT_EQ(server.Calls("web-1"), 1);
  EXPECT_EQ(enricher.stats().hits.load(), 4u);

  server.Answer("web-1", Found("pod-uid", {{"app", "web2"}}));
  clock.Advance(seconds(299));
  auto cached = EventAbout("Pod", "web-1", "pod-uid");
  enricher.Enrich(cached);
  EXPECT_EQ(cached.involved_object.labels.at("app"), "web");
  clock.Advance(seconds(1));
  auto fresh = EventAbout("Pod", "web-1", "pod-uid");
  enricher.Enrich(fresh);
  EXPECT_EQ(fresh.involved_object.labels.at("app"), "web2");
  EXPECT_EQ(server.Calls("web-1"), 2);
}

TEST(Enricher, LeastRecentlyUsedEntryIsEvictedAtCacheSize) {
  FakeClock clock;
  FakeLookups server;
  for (const char* n : {"a", "b", "c"}) server.Answer(n, Found(std::string("uid-") + n, {}));
  EnricherOptions o = Options();
  o.cache_size = 2;
  Enricher enricher(o, server.Fetcher(), clock);
  auto enrich = [&](const std::string& n) {
    auto ev = EventAbout("Pod", n, "uid-" + n);
    enricher.Enrich(ev);
  };
  enrich("a");
  enrich("b");
  enrich("a");  // a is now the most recent
  enrich("c");  // evicts b
  enrich("a");
  EXPECT_EQ(server.Calls("a"), 1);
  enrich("b");
  EXPECT_EQ(server.Calls("b"), 2);
}

TEST(Enricher, DeletedObjectIsLookedUpOnceAndEveryEventSaysDeleted) {
  FakeClock clock;
  FakeLookups server;  // no answer: 404
  Enricher enricher(Options(), server.Fetcher(), clock);
  for (int i = 0; i < 5; ++i) {
    auto ev = EventAbout("ConfigMap", "gone", "");
    enricher.Enrich(ev);
    EXPECT_TRUE(ev.involved_object.deleted);
    EXPECT_TRUE(ev.involved_object.labels.empty());
  }
  EXPECT_EQ(server.Calls("gone"), 1);
  EXPECT_EQ(enricher.stats().not_found.load(), 1u);
  EXPECT_EQ(enricher.stats().hits.load(), 4u);
}

TEST(Enricher, ReusedNameWithAnotherUidMeansDeleted) {
  FakeClock clock;
  FakeLookups server;
  server.Answer("web-1", Found("new-uid", {{"app", "other"}}));
  Enricher enricher(Options(), server.Fetcher(), clock);
  auto old_ev = EventAbout("Pod", "web-1", "old-uid");
  enricher.Enrich(old_ev);
  EXPECT_TRUE(old_ev.involved_object.deleted);
  EXPECT_TRUE(old_ev.involved_object.labels.empty());  // not the new object's labels
  auto new_ev = EventAbout("Pod", "web-1", "new-uid");
  enricher.Enrich(new_ev);
  EXPECT_FALSE(new_ev.involved_object.deleted);
  EXPECT_EQ(new_ev.involved_object.labels.at("app"), "other");
  EXPECT_EQ(enricher.stats().not_found.load(), 1u);
}

TEST(Enricher, ForbiddenKindIsNotAskedAgainUntilTheRetryInterval) {
  FakeClock clock;
  FakeLookups server;
  server.Answer("p1", Lookup{Outcome::kForbidden, {}, "403 Forbidden"});
  server.Answer("p2", Lookup{Outcome::kForbidden, {}, "403 Forbidden"});
  server.Answer("d1", Found("d-uid", {{"app", "web"}}));
  Enricher enricher(Options(), server.Fetcher(), clock);
  auto ev1 = EventAbout("Pod", "p1", "u1");
  enricher.Enrich(ev1);
  EXPECT_TRUE(ev1.involved_object.labels.empty());
  EXPECT_FALSE(ev1.involved_object.deleted);
  auto ev2 = EventAbout("Pod", "p2", "u2");  // another Pod: not asked
  enricher.Enrich(ev2);
  EXPECT_EQ(server.Calls("p2"), 0);
  EXPECT_EQ(enricher.stats().forbidden.load(), 1u);
  EXPECT_EQ(enricher.stats().skipped.load(), 1u);
  // Other kinds are still looked up.
  auto d = EventAbout("Deployment", "d1", "d-uid", "apps/v1");
  enricher.Enrich(d);
  EXPECT_EQ(d.involved_object.labels.at("app"), "web");

  clock.Advance(seconds(600));
  auto ev3 = EventAbout("Pod", "p2", "u2");
  enricher.Enrich(ev3);
  EXPECT_EQ(server.Calls("p2"), 1);
  EXPECT_EQ(enricher.stats().forbidden.load(), 2u);
}

TEST(Enricher, ErrorsAreCountedCachedBrieflyAndLeaveTheEventAsItIs) {
  FakeClock clock;
  FakeLookups server;
  server.Answer("p", Lookup{Outcome::kError, {}, "500 InternalError"});
  Enricher enricher(Options(), server.Fetcher(), clock);
  for (int i = 0; i < 3; ++i) {
    auto ev = EventAbout("Pod", "p", "u");
    enricher.Enrich(ev);
    EXPECT_TRUE(ev.involved_object.labels.empty());
    EXPECT_FALSE(ev.involved_object.deleted);
  }
  EXPECT_EQ(server.Calls("p"), 1);
  EXPECT_EQ(enricher.stats().errors.load(), 1u);
  server.Answer("p", Found("u", {{"app", "back"}}));
  clock.Advance(seconds(10));
  auto ev = EventAbout("Pod", "p", "u");
  enricher.Enrich(ev);
  EXPECT_EQ(ev.involved_object.labels.at("app"), "back");
}

TEST(Enricher, SlowLookupMissesTheDeadlineAndFillsTheCacheForLaterEvents) {
  FakeClock clock;
  FakeLookups server;
  server.Answer("slow", Found("u", {{"app", "web"}}));
  server.Hold();
  EnricherOptions o = Options();
  o.deadline = milliseconds(20);
  Enricher enricher(o, server.Fetcher(), clock);
  // Each Enrich returns once the deadline passed on the clock, unenriched.
  auto enrich_past_the_deadline = [&](event::Event& ev) {
    std::thread t([&] { enricher.Enrich(ev); });
    clock.AwaitWaiters(1);
    clock.Advance(milliseconds(20));
    t.join();
  };
  auto first = EventAbout("Pod", "slow", "u");
  enrich_past_the_deadline(first);
  EXPECT_TRUE(first.involved_object.labels.empty());
  EXPECT_EQ(enricher.stats().timeouts.load(), 1u);
  auto second = EventAbout("Pod", "slow", "u");
  enrich_past_the_deadline(second);  // joins the same lookup; still held
  EXPECT_EQ(enricher.stats().shared.load(), 1u);
  EXPECT_EQ(enricher.stats().timeouts.load(), 2u);

  server.Release();
  ASSERT_TRUE(enricher.WaitIdle(kLongDeadline));
  auto third = EventAbout("Pod", "slow", "u");
  enricher.Enrich(third);
  EXPECT_EQ(third.involved_object.labels.at("app"), "web");
  EXPECT_EQ(server.Calls("slow"), 1);
  EXPECT_EQ(enricher.stats().misses.load(), 1u);
}

TEST(Enricher, EventWithoutKindOrNameIsLeftAlone) {
  FakeClock clock;
  FakeLookups server;
  Enricher enricher(Options(), server.Fetcher(), clock);
  auto ev = EventAbout("", "", "");
  enricher.Enrich(ev);
  EXPECT_FALSE(ev.involved_object.deleted);
  EXPECT_EQ(enricher.stats().misses.load(), 0u);
}

TEST(Enricher, AfterStopOnlyTheCacheAnswers) {
  FakeClock clock;
  FakeLookups server;
  server.Answer("a", Found("ua", {{"app", "a"}}));
  Enricher enricher(Options(), server.Fetcher(), clock);
  auto a = EventAbout("Pod", "a", "ua");
  enricher.Enrich(a);
  enricher.Stop();
  auto again = EventAbout("Pod", "a", "ua");
  enricher.Enrich(again);
  EXPECT_EQ(again.involved_object.labels.at("app"), "a");
  auto b = EventAbout("Pod", "b", "ub");
  enricher.Enrich(b);  // returns at once
  EXPECT_EQ(server.Calls("b"), 0);
  EXPECT_EQ(enricher.stats().skipped.load(), 1u);
}

}  // namespace
}  // namespace kv::kube
