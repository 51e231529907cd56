#include "kube/leader_election.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "kube/client.h"
#include "util/clock.h"
#include "util/stop.h"
#include "util/time.h"

namespace kv::kube {
namespace {

// A Lease as kube-apiserver v1.35 returns it (kubectl get lease -o json).
constexpr const char* kLeaseJson = R"({
  "apiVersion": "coordination.k8s.io/v1",
  "kind": "Lease",
  "metadata": {
    "creationTimestamp": "2026-05-01T10:00:00Z",
    "labels": {"app": "kubevents"},
    "annotations": {"note": "a \"quoted\" value"},
    "name": "kubernetes-event-exporter",
    "namespace": "monitoring",
    "resourceVersion": "4711",
    "uid": "0b7c6c55-6a7e-4b6a-9a55-6d6b3f1f0c11"
  },
  "spec": {
    "acquireTime": "2026-05-01T10:00:00.123456Z",
    "holderIdentity": "pod-a_0123456789abcdef",
    "leaseDurationSeconds": 15,
    "leaseTransitions": 3,
    "renewTime": "2026-05-01T10:05:02.000001Z"
  }
})";

TEST(Lease, ParsesTheSpecAndTheMetadataToKeep) {
  auto r = ParseLease(kLeaseJson);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->holder, "pod-a_0123456789abcdef");
  EXPECT_EQ(r->lease_duration_seconds, 15);
  EXPECT_EQ(r->transitions, 3);
  EXPECT_EQ(r->resource_version, "4711");
  EXPECT_EQ(r->labels_json, R"({"app":"kubevents"})");
  EXPECT_EQ(r->annotations_json, R"({"note":"a \"quoted\" value"})");
  ASSERT_TRUE(r->acquire_us);
  EXPECT_EQ(FormatMicroTime(*r->acquire_us), "2026-05-01T10:00:00.123456Z");
  EXPECT_EQ(FormatMicroTime(*r->renew_us), "2026-05-01T10:05:02.000001Z");
}

TEST(Lease, AnEmptySpecIsAReleasedLease) {
  auto r = ParseLease(R"({"kind":"Lease","metadata":{"resourceVersion":"1"},"spec":{}})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->holder, "");
  EXPECT_FALSE(r->renew_us);
}

TEST(Lease, RejectsWhatIsNotALease) {
  EXPECT_FALSE(ParseLease("not json"));
  EXPECT_FALSE(ParseLease("[]"));
  EXPECT_FALSE(ParseLease(R"({"kind":"Status","status":"Failure"})"));
}

TEST(Lease, EncodeRoundTripsThroughParse) {
  auto r = ParseLease(kLeaseJson);
  ASSERT_TRUE(r);
  std::string json = EncodeLease("monitoring", "kubernetes-event-exporter", *r);
  EXPECT_NE(json.find(R"("metadata":{"name":"kubernetes-event-exporter","namespace":"monitoring",)"
                      R"("resourceVersion":"4711","labels":{"app":"kubevents"})"),
            std::string::npos)
      << json;
  auto back = ParseLease(json);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->SameSpec(*r));
  EXPECT_EQ(back->annotations_json, r->annotations_json);
}

TEST(Lease, MicroTimeHasSixFractionDigitsInUtc) {
  EXPECT_EQ(FormatMicroTime(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatMicroTime(1700000000123000), "2023-11-14T22:13:20.123000Z");
  EXPECT_EQ(FormatMicroTime(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(*timeutil::ParseRfc3339Micros(FormatMicroTime(1700000000123456)), 1700000000123456);
}

TEST(NextRecord, CreatesAFirstLease) {
  auto next = NextRecord(std::nullopt, false, "me", 15, 1000);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->holder, "me");
  EXPECT_EQ(next->lease_duration_seconds, 15);
  EXPECT_EQ(next->acquire_us, 1000);
  EXPECT_EQ(next->renew_us, 1000);
  EXPECT_EQ(next->transitions, 0);
}

TEST(NextRecord, DoesNotTakeALeaseHeldByAnotherUntilItExpires) {
  LeaseRecord held;
  held.holder = "other";
  held.transitions = 4;
  held.resource_version = "9";
  EXPECT_FALSE(NextRecord(held, false, "me", 15, 5000));
  auto next = NextRecord(held, true, "me", 15, 5000);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->holder, "me");
  EXPECT_EQ(next->transitions, 5);  // a take-over is a transition
  EXPECT_EQ(next->acquire_us, 5000);
  EXPECT_EQ(next->resource_version, "9");  // the write is conditional on what was read
}

TEST(NextRecord, RenewalKeepsTheTerm) {
  LeaseRecord mine;
  mine.holder = "me";
  mine.acquire_us = 100;
  mine.renew_us = 200;
  mine.transitions = 2;
  auto next = NextRecord(mine, false, "me", 15, 300);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->acquire_us, 100);
  EXPECT_EQ(next->renew_us, 300);
  EXPECT_EQ(next->transitions, 2);
}

TEST(NextRecord, AReleasedLeaseIsFreeAtOnce) {
  LeaseRecord released;
  released.lease_duration_seconds = 1;
  released.transitions = 7;
  auto next = NextRecord(released, false, "me", 15, 300);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->holder, "me");
  EXPECT_EQ(next->lease_duration_seconds, 15);
  EXPECT_EQ(next->transitions, 8);
}

TEST(LeaderElectionOptions, DurationsMustLeaveRoomForRetries) {
  LeaderElectionOptions o;
  o.namespace_ = "default";
  o.name = "kubernetes-event-exporter";
  o.identity = "me";
  EXPECT_TRUE(Validate(o));  // client-go's defaults: 15s / 10s / 2s
  auto bad = o;
  bad.renew_deadline = bad.lease_duration;
  EXPECT_FALSE(Validate(bad));
  bad = o;
  bad.retry_period = std::chrono::milliseconds(9000);  // 1.2 * 9 > 10
  EXPECT_FALSE(Validate(bad));
  bad = o;
  bad.identity.clear();
  EXPECT_FALSE(Validate(bad));
  bad = o;
  bad.name = "Not_A_Name";
  EXPECT_FALSE(Validate(bad));
}

TEST(LeaderElectionOptions, IdentitiesDifferPerProcess) {
  DefaultRng rng(1);
  std::string a = MakeIdentity(rng), b = MakeIdentity(rng);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size() - a.rfind('_'), 17u) << a;
}

TEST(LeaderElectionOptions, TheLeaseNamespaceIsTheFirstSetOfPodServiceAccountContextDefault) {
  EXPECT_EQ(ChooseLeaseNamespace("pods", "sa", "ctx"), "pods");
  EXPECT_EQ(ChooseLeaseNamespace("", "sa", "ctx"), "sa");
  // kubevents run outside a cluster: the kubeconfig context's namespace,
  // not "default" (where the run had no rights and exported nothing).
  EXPECT_EQ(ChooseLeaseNamespace("", "", "ctx"), "ctx");
  EXPECT_EQ(ChooseLeaseNamespace("", "", ""), "default");
}

TEST(LeaderElectionOptions, ARefusalNamesTheLeaseAndHowToChooseItsNamespace) {
  http::Response forbidden;
  forbidden.status = 403;
  forbidden.body =
      R"({"kind":"Status","code":403,"reason":"Forbidden","message":"leases.coordination.k8s.io \"kubevents\" is forbidden"})";
  std::string m = DescribeLeaseFailure("get", "default", "kubevents", forbidden);
  EXPECT_EQ(m.rfind("cannot get lease default/kubevents: 403 Forbidden: leases.", 0), 0u) << m;
  EXPECT_NE(m.find("set POD_NAMESPACE or the kubeconfig context's namespace"), std::string::npos)
      << m;

  http::Response unavailable;
  unavailable.status = 503;
  m = DescribeLeaseFailure("update", "monitoring", "kubevents", unavailable);
  EXPECT_EQ(m, "cannot update lease monitoring/kubevents: 503");
}

// ---- The elector against a Lease server, on fake time

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// A FakeClock that also knows the deadlines its waiters wait for, so a test
// can move time straight to the next thing that happens.
class SimClock final : public Clock {
 public:
  SimClock() : fake_(WallTime(std::chrono::seconds(1780000000))) {}
  WallTime WallNow() override { return fake_.WallNow(); }
  SteadyTime SteadyNow() override { return fake_.SteadyNow(); }
  bool WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 SteadyTime deadline, const std::function<bool()>& done) override {
    {
      std::lock_guard g(mu_);
      deadlines_.push_back(deadline);
    }
    bool r = fake_.WaitUntil(lock, cv, deadline, done);
    std::lock_guard g(mu_);
    deadlines_.erase(std::find(deadlines_.begin(), deadlines_.end(), deadline));
    return r;
  }
  SteadyTime NextDeadline() {
    std::lock_guard g(mu_);
    return deadlines_.empty() ? SteadyTime::max()
                              : *std::min_element(deadlines_.begin(), deadlines_.end());
  }
  void AdvanceTo(SteadyTime t) {
    if (t > SteadyNow()) fake_.Advance(t - SteadyNow());
  }
  FakeClock& fake() { return fake_; }

 private:
  FakeClock fake_;
  std::mutex mu_;
  std::vector<SteadyTime> deadlines_;
};

// One Lease (default/lease) on 127.0.0.1: GET, PUT (409 on a stale
// resourceVersion), POST, and a watch that streams every later version and
// ends at its timeoutSeconds of fake time. The test plays the other holder
// with Renew().
class LeaseServer {
 public:
  static constexpr const char* kItem =
      "/apis/coordination.k8s.io/v1/namespaces/default/leases/lease";
  static constexpr const char* kCollection =
      "/apis/coordination.k8s.io/v1/namespaces/default/leases";

  struct Options {
    bool allow_watch = true;
    bool refuse_writes = false;    // every PUT is answered 403 (RBAC without update)
    bool end_watches_now = false;  // a watch sends what it has and ends at once
  };
  LeaseServer(SimClock& clock, Options options) : clock_(clock), options_(options) {
    server_.Get(kItem, [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mu_);
      if (versions_.empty()) {
        res.status = 404;
        res.set_content(R"({"kind":"Status","code":404})", "application/json");
      } else {
        res.set_content(versions_.back(), "application/json");
        reads_.push_back({clock_.SteadyNow(), static_cast<int>(versions_.size())});
      }
      Done();
    });
    server_.Put(kItem, [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      auto r = ParseLease(req.body);
      ++puts_;
      if (options_.refuse_writes) {
        res.status = 403;
        res.set_content(R"({"kind":"Status","code":403})", "application/json");
      } else if (!r || versions_.empty() ||
                 r->resource_version != std::to_string(versions_.size())) {
        res.status = 409;
        res.set_content(R"({"kind":"Status","code":409})", "application/json");
      } else {
        res.set_content(StoreLocked(*r), "application/json");
        if (r->holder == "me" && !acquired_at_) acquired_at_ = clock_.SteadyNow();
      }
      Done();
    });
    server_.Get(kCollection, [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mu_);
        Done();  // a watch is not a request in flight: it waits on the clock
      }
      ++watches_;
      if (!options_.allow_watch) {
        res.status = 403;
        res.set_content(R"({"kind":"Status","code":403})", "application/json");
        return;
      }
      size_t from = std::stoul(req.get_param_value("resourceVersion"));
      auto deadline = clock_.SteadyNow() +
                      std::chrono::seconds(std::stoi(req.get_param_value("timeoutSeconds")));
      res.set_chunked_content_provider(
          "application/json;stream=watch", [this, from, deadline](size_t, httplib::DataSink& sink) {
            size_t sent = from;
            std::unique_lock lock(mu_);
            for (;;) {
              while (sent < versions_.size()) {
                std::string frame = R"({"type":"MODIFIED","object":)" + versions_[sent++] + "}\n";
                lock.unlock();
                bool ok = sink.write(frame.data(), frame.size());
                lock.lock();
                if (!ok) return false;
              }
              if (options_.end_watches_now || !clock_.WaitUntil(lock, changed_, deadline, [&] {
                    return closing_ || sent < versions_.size();
                  })) {
                break;
              }
              if (closing_) break;
            }
            lock.unlock();
            sink.done();
            return true;
          });
    });
    server_.set_pre_routing_handler([this](const httplib::Request&, httplib::Response&) {
      std::lock_guard lock(mu_);
      ++in_flight_;
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server_.set_keep_alive_max_count(1);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~LeaseServer() {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    changed_.notify_all();
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The other replica renews (or creates) the Lease now.
  void Renew(const std::string& holder) {
    {
      std::lock_guard lock(mu_);
      LeaseRecord r;
      if (!versions_.empty()) r = *ParseLease(versions_.back());
      if (r.holder != holder) r.acquire_us = timeutil::ToMicros(clock_.WallNow());
      r.holder = holder;
      r.lease_duration_seconds = 15;
      r.renew_us = timeutil::ToMicros(clock_.WallNow());
      StoreLocked(r);
    }
    changed_.notify_all();
  }
  size_t versions() {
    std::lock_guard lock(mu_);
    return versions_.size();
  }
  int in_flight() {
    std::lock_guard lock(mu_);
    return in_flight_;
  }
  int puts() {
    std::lock_guard lock(mu_);
    return puts_;
  }
  int watches() {
    std::lock_guard lock(mu_);
    return watches_;
  }
  std::optional<Clock::SteadyTime> acquired_at() {
    std::lock_guard lock(mu_);
    return acquired_at_;
  }
  // When a GET first answered with version `v` (1-based), if one did.
  std::optional<Clock::SteadyTime> FirstReadOf(int v) {
    std::lock_guard lock(mu_);
    for (auto& [at, version] : reads_) {
      if (version == v) return at;
    }
    return std::nullopt;
  }

 private:
  std::string StoreLocked(LeaseRecord r) {
    r.resource_version = std::to_string(versions_.size() + 1);
    versions_.push_back(EncodeLease("default", "lease", r));
    changed_.notify_all();
    return versions_.back();
  }
  void Done() { --in_flight_; }

  SimClock& clock_;
  const Options options_;
  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
  std::mutex mu_;  // guards everything below
  std::condition_variable changed_;
  std::vector<std::string> versions_;  // versions_[i] has resourceVersion i + 1
  std::vector<std::pair<Clock::SteadyTime, int>> reads_;
  std::optional<Clock::SteadyTime> acquired_at_;
  int in_flight_ = 0;
  int puts_ = 0;
  int watches_ = 0;
  bool closing_ = false;
};

double Seconds(Clock::SteadyTime::duration d) { return std::chrono::duration<double>(d).count(); }

struct TakeOver {
  Clock::SteadyTime last_renewal;
  std::optional<Clock::SteadyTime> last_observed;  // by a GET (without the watch)
  Clock::SteadyTime acquired;
  int puts = 0;     // writes tried
  int watches = 0;  // watches asked for
};

// The other replica holds the Lease (15 s) and renews it every retry
// period (2 s) for 31 s, then dies; a standby ("me") runs meanwhile. Time
// moves only when every thread waits, straight to the next deadline or
// renewal, so the standby observes everything at the fake time it happens.
// The run ends at the take-over or after 60 s (when every write is refused).
TakeOver RunTakeOver(LeaseServer::Options options, uint64_t seed) {
  const bool allow_watch = options.allow_watch && !options.end_watches_now;
  SimClock clock;
  LeaseServer server(clock, options);
  server.Renew("other");
  const auto start = clock.SteadyNow();
  auto last_renewal = start;

  ClientConfig config;
  config.server = server.url();
  Client client(std::make_shared<Credentials>(config, clock), nullptr, nullptr);
  LeaderElectionOptions o;
  o.namespace_ = "default";
  o.name = "lease";
  o.identity = "me";
  DefaultRng rng(seed);
  StopSignal stop;
  LeaderElector elector(o, client, clock, rng, stop, {});
  std::thread thread([&] { EXPECT_TRUE(elector.Run()); });

  // Every thread waits on the clock (one waiter: the standby, or the
  // watch it holds open), no request is in flight, and with the watch the
  // standby has seen every version.
  // False (and a failure) when they do not within 10 s: a busy loop.
  auto settle = [&](uint64_t waits_before) {
    for (int i = 0; i < 10000; ++i) {
      if (clock.fake().waits_begun() > waits_before && clock.fake().waiters() == 1 &&
          server.in_flight() == 0 &&
          (!allow_watch || elector.stats().observed.load() == server.versions())) {
        return true;
      }
      std::this_thread::sleep_for(1ms);  // not time under test: waiting for threads to settle
    }
    ADD_FAILURE() << "the elector did not settle: waits " << clock.fake().waits_begun() << " > "
                  << waits_before << ", waiters " << clock.fake().waiters() << ", in flight "
                  << server.in_flight() << ", observed " << elector.stats().observed.load()
                  << " of " << server.versions() << " at " << Seconds(clock.SteadyNow() - start);
    return false;
  };
  bool settled = settle(0);
  auto next_renewal = start + 2s;
  for (int step = 0;
       settled && step < 1000 && !server.acquired_at() && clock.SteadyNow() < start + 60s; ++step) {
    auto deadline = clock.NextDeadline();
    bool renew = next_renewal <= start + 31s && next_renewal <= deadline;
    auto to = renew ? next_renewal : deadline;
    uint64_t waits = clock.fake().waits_begun();
    clock.AdvanceTo(to);
    if (renew) {
      server.Renew("other");
      last_renewal = clock.SteadyNow();
      next_renewal += 2s;
    }
    bool wakes = to >= deadline || (renew && allow_watch);
    settled = settle(wakes ? waits : 0);
  }
  stop.Stop();
  thread.join();
  TakeOver t{last_renewal, std::nullopt, Clock::SteadyTime::max()};
  if (auto a = server.acquired_at()) t.acquired = *a;
  if (auto r = server.FirstReadOf(16)) t.last_observed = *r;  // the last renewal's version
  t.puts = server.puts();
  t.watches = server.watches();
  return t;
}

TEST(LeaderElector, WithTheWatchAKilledHolderIsReplacedALeaseDurationAfterItsLastRenewal) {
  for (uint64_t seed : {1, 2, 3}) {
    TakeOver t = RunTakeOver({}, seed);
    ASSERT_NE(t.acquired, Clock::SteadyTime::max()) << "never acquired";
    // Never early (the holder may still be working), and not rounded up to
    // a poll: the renewals seen on the watch keep the observed time exact.
    EXPECT_GE(t.acquired, t.last_renewal + 15s);
    EXPECT_LE(t.acquired, t.last_renewal + 15s + 10ms) << Seconds(t.acquired - t.last_renewal);
  }
}

TEST(LeaderElector, WithoutTheWatchAStandbyWakesExactlyAtTheExpiryItObserved) {
  for (uint64_t seed : {1, 2, 3}) {
    TakeOver t = RunTakeOver({.allow_watch = false}, seed);
    ASSERT_NE(t.acquired, Clock::SteadyTime::max()) << "never acquired";
    ASSERT_TRUE(t.last_observed) << "the last renewal was never read";
    // Renewals are seen at the polls only (up to 2.2 retry periods late);
    // from that observation the take-over is exact, not the next poll.
    EXPECT_GE(t.acquired, *t.last_observed + 15s);
    EXPECT_LE(t.acquired, *t.last_observed + 15s + 10ms) << Seconds(t.acquired - *t.last_observed);
    EXPECT_LE(t.acquired, t.last_renewal + 15s + 2s * 2.2);
  }
}

TEST(LeaderElector, AFailingTakeOverIsTriedAgainAfterTheRetryPeriodNotAtOnce) {
  // The Lease expires at 30 + 15 s; from then on every PUT is refused.
  TakeOver t = RunTakeOver({.refuse_writes = true}, 1);
  EXPECT_EQ(t.acquired, Clock::SteadyTime::max());
  EXPECT_GE(t.puts, 1);
  EXPECT_LE(t.puts, (60 - 45) / 2 + 1);  // one per retry period (2 s and more), no busy loop
}

TEST(LeaderElector, AWatchTheServerEndsAtOnceIsNotAskedForAgainInALoop) {
  TakeOver t = RunTakeOver({.end_watches_now = true}, 1);
  ASSERT_NE(t.acquired, Clock::SteadyTime::max()) << "never acquired";
  EXPECT_GE(t.acquired, t.last_renewal + 15s);
  // Two at most per poll (2 s and more apart) in the 45 s it takes.
  EXPECT_LE(t.watches, 2 * 45 / 2 + 2);
}

}  // namespace
}  // namespace kv::kube
