#include "kube/watcher.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fake_api_server.h"

namespace kv::kube {
namespace {

using namespace std::chrono_literals;
using testing::FakeApiServer;
using Piece = FakeApiServer::Piece;
using Stream = FakeApiServer::Stream;

// A core/v1 Event; `second` orders events in time (a list is emitted in
// the order events happened).
std::string Ev(const std::string& uid, const std::string& rv, int count = 1, int second = 0) {
  std::string ts =
      "2026-12-03T09:59:" + std::string(second < 10 ? "0" : "") + std::to_string(second) + "Z";
  return R"({"metadata":{"name":"pod-x.)" + uid + R"(","namespace":"default","uid":")" + uid +
         R"(","resourceVersion":")" + rv + R"(","creationTimestamp":")" + ts +
         R"("},"involvedObject":{"kind":"Pod","namespace":"default","name":"pod-x"},)"
         R"("reason":"BackOff","message":"restarting","type":"Warning","count":)" +
         std::to_string(count) + R"(,"firstTimestamp":")" + ts + R"(","lastTimestamp":")" + ts +
         R"("})";
}

std::string List(const std::string& rv, const std::vector<std::string>& items,
                 const std::string& continue_token = "") {
  std::string out = R"({"kind":"EventList","apiVersion":"v1","metadata":{"resourceVersion":")" +
                    rv + R"(","continue":")" + continue_token + R"("},"items":[)";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  return out + "]}";
}

std::string Frame(const std::string& type, const std::string& object) {
  return R"({"type":")" + type + R"(","object":)" + object + "}\n";
}
std::string Bookmark(const std::string& rv) {
  return Frame("BOOKMARK", R"({"kind":"Event","apiVersion":"v1","metadata":{"resourceVersion":")" +
                               rv + "\"}}");
}
std::string Status(int code, const std::string& reason) {
  return R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource )"
         R"(version","reason":")" +
         reason + R"(","code":)" + std::to_string(code) + "}";
}

class ZeroRng final : public Rng {
 public:
  double Uniform() override { return 0.0; }  // shortest watch timeout, backoff = base/4
};

struct Emitted {
  std::string uid;
  std::string rv;
  int count;
  bool update;
  bool operator==(const Emitted&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Emitted& e) {
  return os << e.uid << "@" << e.rv << " count " << e.count << (e.update ? " (update)" : "");
}

// Records what the watcher hands on: the events it emits and the changes
// of its state the pipeline would make durable.
class Recorder final : public WatchConsumer {
 public:
  void Emit(event::Event ev, bool update, const EmittedSet::State&, const std::string& position,
            const EmittedSet&) override {
    std::lock_guard lock(mu_);
    emitted_.push_back({ev.metadata.uid, ev.metadata.resource_version, ev.count, update});
    seen_.push_back(ev.metadata.uid + "@" + position);
    changed_.notify_all();
  }
  void Remember(const std::string& uid, const EmittedSet::State&, const std::string& position,
                const EmittedSet&) override {
    std::lock_guard lock(mu_);
    seen_.push_back(uid + "@" + position);
  }
  void Forget(const std::string& uid, const std::string&, const EmittedSet&) override {
    std::lock_guard lock(mu_);
    forgotten_.push_back(uid);
  }
  void Position(const std::string& position, const EmittedSet&, bool snapshot) override {
    std::lock_guard lock(mu_);
    positions_.push_back(position + (snapshot ? " snapshot" : ""));
  }
  std::vector<std::string> positions() {
    std::lock_guard lock(mu_);
    return positions_;
  }
  // Waits (10 s at most) until `n` events were emitted; returns them all.
  std::vector<Emitted> AwaitEmitted(size_t n) {
    std::unique_lock lock(mu_);
    changed_.wait_for(lock, 10s, [&] { return emitted_.size() >= n; });
    return emitted_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<Emitted> emitted_;
  std::vector<std::string> seen_;
  std::vector<std::string> forgotten_;
  std::vector<std::string> positions_;
};

class WatcherTest : public ::testing::Test {
 protected:
  WatcherTest() {
    ClientConfig config;
    config.server = server_.url();
    client_ =
        std::make_unique<Client>(std::make_shared<Credentials>(config, clock_), nullptr, &stop_);
    options_.max_event_age = 0s;
    options_.page_size = 2;
  }
  ~WatcherTest() override {
    stop_.Stop();
    server_.Close();
    if (thread_.joinable()) thread_.join();
    server_.Stop();
  }

  Watcher& watcher() {
    if (!watcher_) {
      watcher_ = std::make_unique<Watcher>(options_, *client_, clock_, rng_, stop_, log_);
    }
    return *watcher_;
  }
  // Start() must succeed; then Run() on its own thread.
  void StartAndRun() {
    auto started = watcher().Start();
    ASSERT_TRUE(started.has_value()) << started.error().message;
    thread_ = std::thread([this] { watcher().Run(); });
  }
  // Waits (10 s at most) until `n` events were emitted; returns them all.
  std::vector<Emitted> AwaitEmitted(size_t n) { return log_.AwaitEmitted(n); }
  const WatcherStats& stats() { return watcher().stats(); }

  // Scripts a first list, `first_watch` (which says 410), the relist and a
  // second watch; runs the watcher and checks that the relist emitted only
  // what is new or changed, and forgot what the server no longer has.
  void ExpectRelistAfter(Stream first_watch) {
    server_.AddList(
        {200, List("20", {Ev("gone", "10", 1, 1), Ev("a", "11", 1, 2), Ev("b", "12", 1, 3)})});
    server_.AddWatch(std::move(first_watch));
    server_.AddList(
        {200, List("30", {Ev("a", "11", 1, 2), Ev("b", "25", 2, 5), Ev("new", "24", 1, 4)})});
    server_.AddWatch(FakeApiServer::Held());
    StartAndRun();
    ASSERT_TRUE(server_.AwaitRequests("watch=1", 2));
    EXPECT_EQ(AwaitEmitted(5), (std::vector<Emitted>{{"gone", "10", 1, false},
                                                     {"a", "11", 1, false},
                                                     {"b", "12", 1, false},
                                                     {"new", "24", 1, false},
                                                     {"b", "25", 2, true}}));
    auto watches = server_.RequestsWith("watch=1");
    EXPECT_NE(watches[0].find("resourceVersion=20&"), std::string::npos) << watches[0];
    EXPECT_NE(watches[1].find("resourceVersion=30&"), std::string::npos) << watches[1];
    EXPECT_EQ(server_.RequestsWith("resourceVersionMatch").size(), 0u) << "a list needs no check";
    EXPECT_EQ(stats().gone.load(), 1u);
    EXPECT_EQ(stats().lists.load(), 2u);
    EXPECT_EQ(stats().reconnects.load(), 0u) << "a relist is no error";
    EXPECT_EQ(watcher().emitted().size(), 3u);
    EXPECT_EQ(watcher().emitted().Find("gone"), nullptr);
  }

  FakeApiServer server_;
  FakeClock clock_{std::chrono::system_clock::time_point(1796292000s)};  // 2026-12-03T10:00Z
  ZeroRng rng_;
  StopSignal stop_;
  std::unique_ptr<Client> client_;
  Recorder log_;
  WatcherOptions options_;

  std::unique_ptr<Watcher> watcher_;
  std::thread thread_;
};

TEST_F(WatcherTest, FirstStartListsEveryPageThenWatchesAndEmitsEachEventOnce) {
  server_.AddList({200, List("", {Ev("a", "11", 1, 1), Ev("b", "12", 1, 2)}, "page2")});
  server_.AddList({200, List("20", {Ev("c", "13", 1, 3)})});
  server_.AddWatch(FakeApiServer::Held({{Frame("ADDED", Ev("c", "13", 1, 3))},  // already listed
                                        {Frame("ADDED", Ev("d", "21", 1, 4))}}));
  StartAndRun();
  auto got = AwaitEmitted(4);
  EXPECT_EQ(got, (std::vector<Emitted>{{"a", "11", 1, false},
                                       {"b", "12", 1, false},
                                       {"c", "13", 1, false},
                                       {"d", "21", 1, false}}));
  EXPECT_EQ(server_.RequestsWith("limit="),
            (std::vector<std::string>{"/api/v1/events?limit=2",
                                      "/api/v1/events?limit=2&continue=page2"}));
  auto watches = server_.RequestsWith("watch=1");
  ASSERT_EQ(watches.size(), 1u);
  EXPECT_NE(watches[0].find("allowWatchBookmarks=true&resourceVersion=20&timeoutSeconds=300"),
            std::string::npos)
      << watches[0];
  EXPECT_EQ(stats().emitted_new.load(), 4u);
  EXPECT_EQ(stats().unchanged.load(), 1u);
  EXPECT_EQ(stats().lists.load(), 1u);
  EXPECT_TRUE(stats().connected.load());
}

// Readiness reads the list's progress (app::WatchReadiness); once it ends,
// the counts stay and `listing` is false.
TEST_F(WatcherTest, AListCountsItsPagesAndEventsForReadiness) {
  server_.AddList({200, List("", {Ev("a", "11", 1, 1), Ev("b", "12", 1, 2)}, "page2")});
  server_.AddList({200, List("20", {Ev("c", "13", 1, 3)})});
  server_.AddWatch(FakeApiServer::Held({{Frame("ADDED", Ev("d", "21", 1, 4))}}));
  StartAndRun();
  AwaitEmitted(4);
  EXPECT_FALSE(stats().listing.load());
  EXPECT_EQ(stats().list_pages.load(), 2u);
  EXPECT_EQ(stats().list_events.load(), 3u);
  EXPECT_EQ(stats().list_handled.load(), 3u);
}

TEST_F(WatcherTest, AStartRefusedByRbacFailsWithTheServersReason) {
  server_.AddList({403, R"({"kind":"Status","code":403,"reason":"Forbidden",)"
                        R"("message":"events is forbidden"})"});
  auto started = watcher().Start();
  ASSERT_FALSE(started.has_value());
  EXPECT_EQ(started.error().code, ErrorCode::kUnauthorized);
  EXPECT_NE(started.error().message.find("403 Forbidden: events is forbidden"), std::string::npos)
      << started.error().message;
}

TEST_F(WatcherTest, AGoneErrorFrameRelistsAndEmitsOnlyWhatIsNewOrChanged) {
  ExpectRelistAfter(FakeApiServer::Held({{Frame("ERROR", Status(410, "Expired"))}}));
}

TEST_F(WatcherTest, AWatchAnsweredWithGoneRelistsAndEmitsOnlyWhatIsNewOrChanged) {
  ExpectRelistAfter(FakeApiServer::Refused(410, Status(410, "Gone")));
}

// The API server restarted and compacted: the check before a resumed
// watch finds the version gone, so the watcher relists instead of
// watching from it (and missing events).
TEST_F(WatcherTest, AVersionTheResumeCheckFindsGoneIsRelisted) {
  server_.AddList({200, List("20", {Ev("a", "11", 1, 1)})});
  server_.AddWatch(FakeApiServer::Ending());  // 200, then closed without a frame
  server_.AddCheck({410, Status(410, "Gone")});
  server_.AddList({200, List("40", {Ev("a", "11", 1, 1), Ev("b", "35", 1, 2)})});
  server_.AddWatch(FakeApiServer::Held());
  StartAndRun();
  ASSERT_TRUE(server_.AwaitRequests("watch=1", 2));
  EXPECT_EQ(AwaitEmitted(2), (std::vector<Emitted>{{"a", "11", 1, false}, {"b", "35", 1, false}}));
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[2], "/api/v1/events?limit=1&resourceVersionMatch=Exact&resourceVersion=20");
  EXPECT_EQ(requests[3], "/api/v1/events?limit=2");
  EXPECT_NE(requests[4].find("watch=1"), std::string::npos);
  EXPECT_NE(requests[4].find("resourceVersion=40&"), std::string::npos) << requests[4];
  EXPECT_EQ(stats().expired_on_resume.load(), 1u);
  EXPECT_EQ(stats().lists.load(), 2u);
}

// A resume check that fails (an API server still starting answers 503) is
// retried after the backoff, never skipped: a just-restarted server may
// accept the watch from a compacted version and stay silent.
TEST_F(WatcherTest, AFailedResumeCheckIsRetriedBeforeAnyWatch) {
  server_.AddList({200, List("20", {Ev("a", "11", 1, 1)})});
  server_.AddWatch(FakeApiServer::Ending());
  server_.AddCheck({503, Status(503, "ServiceUnavailable")});
  server_.AddCheck({410, Status(410, "Gone")});
  server_.AddList({200, List("40", {Ev("a", "11", 1, 1), Ev("b", "35", 1, 2)})});
  server_.AddWatch(FakeApiServer::Held());
  StartAndRun();
  ASSERT_TRUE(server_.AwaitRequests("resourceVersionMatch", 1));
  // Backing off (base/4 with this rng), not watching.
  ASSERT_TRUE(clock_.AwaitWaitersFor(1, 10s)) << "watched from an unchecked version";
  EXPECT_EQ(server_.RequestsWith("watch=1").size(), 1u) << "watched from an unchecked version";
  clock_.Advance(options_.backoff_base);
  ASSERT_TRUE(server_.AwaitRequests("watch=1", 2));
  EXPECT_EQ(AwaitEmitted(2), (std::vector<Emitted>{{"a", "11", 1, false}, {"b", "35", 1, false}}));
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 6u);
  EXPECT_EQ(requests[2], "/api/v1/events?limit=1&resourceVersionMatch=Exact&resourceVersion=20");
  EXPECT_EQ(requests[3], "/api/v1/events?limit=1&resourceVersionMatch=Exact&resourceVersion=20");
  EXPECT_EQ(requests[4], "/api/v1/events?limit=2");
  EXPECT_NE(requests[5].find("resourceVersion=40&"), std::string::npos) << requests[5];
  EXPECT_EQ(stats().reconnects.load(), 1u);
  EXPECT_EQ(stats().expired_on_resume.load(), 1u);
}

TEST_F(WatcherTest, AWatchThatEndsWithoutFramesReconnectsFromTheSameVersion) {
  server_.AddList({200, List("20", {Ev("a", "11", 1, 1)})});
  server_.AddWatch(FakeApiServer::Ending());  // 200, then closed without a frame
  server_.AddWatch(FakeApiServer::Held());
  StartAndRun();
  ASSERT_TRUE(server_.AwaitRequests("watch=1", 2));
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[2], "/api/v1/events?limit=1&resourceVersionMatch=Exact&resourceVersion=20");
  EXPECT_NE(requests[1].find("resourceVersion=20&"), std::string::npos) << requests[1];
  EXPECT_NE(requests[3].find("resourceVersion=20&"), std::string::npos) << requests[3];
  EXPECT_EQ(stats().lists.load(), 1u);
  EXPECT_EQ(stats().reconnects.load(), 0u);
  EXPECT_EQ(AwaitEmitted(1).size(), 1u);
}

// A checkpoint's version that is gone when the process starts: Start
// relists (not a first start: what the checkpoint remembers is not
// emitted again).
TEST_F(WatcherTest, ARestoredVersionThatIsGoneIsRelistedAtStart) {
  EmittedSet::State a;
  a.resource_version = "11";
  a.count = 1;
  a.last_seen_micros = 1796291941000000;  // 09:59:01
  watcher().Restore("15", {{"a", a}});
  server_.AddCheck({410, Status(410, "Gone")});
  server_.AddList({200, List("40", {Ev("a", "11", 1, 1), Ev("b", "35", 1, 2)})});
  server_.AddWatch(FakeApiServer::Held());
  StartAndRun();
  ASSERT_TRUE(server_.AwaitRequests("watch=1", 1));
  EXPECT_EQ(AwaitEmitted(1), (std::vector<Emitted>{{"b", "35", 1, false}}));
  EXPECT_EQ(server_.requests()[0],
            "/api/v1/events?limit=1&resourceVersionMatch=Exact&resourceVersion=15");
  EXPECT_EQ(stats().expired_on_resume.load(), 1u);
  EXPECT_EQ(stats().unchanged.load(), 1u);
}

// A cluster copy keeps only what is above its resume point: a relist
// judges versions at or below it observed (not emitted, even when the set
// does not know them) and emits what changed after it.
TEST_F(WatcherTest, ARelistTreatsVersionsAtOrBelowTheResumePointAsObserved) {
  watcher().Restore("30", {});
  server_.AddCheck({410, Status(410, "Gone")});
  server_.AddList(
      {200, List("40", {Ev("a", "11", 1, 1), Ev("c", "25", 2, 2), Ev("b", "35", 1, 3)})});
  server_.AddWatch(FakeApiServer::Held());
  StartAndRun();
  ASSERT_TRUE(server_.AwaitRequests("watch=1", 1));
  EXPECT_EQ(AwaitEmitted(1), (std::vector<Emitted>{{"b", "35", 1, false}}));
  EXPECT_EQ(stats().unchanged.load(), 2u);
  EXPECT_EQ(stats().emitted_new.load(), 1u);
  stop_.Stop();
  server_.Close();
  thread_.join();
  EXPECT_EQ(watcher().emitted().size(), 3u) << "what is below the watermark is remembered";
}

// A restored state without a resume point (its writer died during its first
// list) is listed with the lineage's own first-start cutoff, not as a new
// first start (which would skip what is older than maxEventAge from now).
TEST_F(WatcherTest, AListWithoutAResumePointSkipsByTheRestoredCutoff) {
  options_.max_event_age = 3600s;  // from now: would let every event through
  watcher().Restore("", {}, int64_t{1796291943} * 1000000);  // 09:59:03
  server_.AddList({200, List("40", {Ev("old", "11", 1, 1), Ev("new", "35", 1, 5)})});
  server_.AddWatch(FakeApiServer::Held());
  StartAndRun();
  ASSERT_TRUE(server_.AwaitRequests("watch=1", 1));
  EXPECT_EQ(AwaitEmitted(1), (std::vector<Emitted>{{"new", "35", 1, false}}));
  EXPECT_EQ(stats().too_old.load(), 1u);
}

// Without any cutoff (a degraded hand-over) everything listed is emitted.
TEST_F(WatcherTest, AListWithoutAResumePointOrCutoffEmitsEverything) {
  options_.max_event_age = 60s;
  watcher().Restore("", {}, 0);
  server_.AddList({200, List("40", {Ev("old", "11", 1, 1), Ev("new", "35", 1, 5)})});
  server_.AddWatch(FakeApiServer::Held());
  StartAndRun();
  ASSERT_TRUE(server_.AwaitRequests("watch=1", 1));
  EXPECT_EQ(AwaitEmitted(2).size(), 2u);
  EXPECT_EQ(stats().too_old.load(), 0u);
}

TEST_F(WatcherTest, BookmarksMoveTheResumePointWithoutEmitting) {
  server_.AddList({200, List("20", {})});
  server_.AddWatch(FakeApiServer::Ending({Bookmark("50")}));
  server_.AddWatch(FakeApiServer::Held());
  StartAndRun();
  ASSERT_TRUE(server_.AwaitRequests("watch=1", 2));
  EXPECT_EQ(log_.positions(), (std::vector<std::string>{"20 snapshot", "50"}));
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[2], "/api/v1/events?limit=1&resourceVersionMatch=Exact&resourceVersion=50");
  EXPECT_NE(requests[3].find("resourceVersion=50&"), std::string::npos) << requests[3];
  EXPECT_EQ(watcher().stats().received.load(), 0u);
  EXPECT_TRUE(AwaitEmitted(0).empty());
}

// Frame "b" starts in the read that ends frame "a" and ends in a read the
// server sends only once "a" was handled: it is cut across reads for sure.
TEST_F(WatcherTest, AFrameCutAcrossReadsIsReassembled) {
  std::string a = Frame("ADDED", Ev("a", "21", 1, 1));
  std::string b = Frame("ADDED", Ev("b", "22", 1, 2));
  server_.AddList({200, List("20", {})});
  server_.AddWatch(FakeApiServer::Held({{a.substr(0, 30)},
                                        {a.substr(30) + b.substr(0, 40)},
                                        {b.substr(40), [this] { AwaitEmitted(1); }}}));
  StartAndRun();
  EXPECT_EQ(AwaitEmitted(2), (std::vector<Emitted>{{"a", "21", 1, false}, {"b", "22", 1, false}}));
  EXPECT_EQ(stats().decode_errors.load(), 0u);
}

TEST_F(WatcherTest, AMalformedFrameIsCountedAndSkippedWithoutEndingTheWatch) {
  server_.AddList({200, List("20", {})});
  server_.AddWatch(FakeApiServer::Held({{"{\"type\":\"ADDED\",\"object\":{\"metadata\":\n"},
                                        {Frame("ADDED", Ev("a", "21", 1, 1))}}));
  StartAndRun();
  EXPECT_EQ(AwaitEmitted(1), (std::vector<Emitted>{{"a", "21", 1, false}}));
  EXPECT_EQ(stats().decode_errors.load(), 1u);
  EXPECT_EQ(stats().watches.load(), 1u);
  EXPECT_EQ(stats().reconnects.load(), 0u);
}

// Peak resident memory of this process so far, in bytes.
[[maybe_unused]] size_t PeakRssBytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<size_t>(usage.ru_maxrss) * 1024;  // Linux: KiB
}

// A 100 MB line (streamed 1 MiB at a time by the server) is over the cap:
// the watcher drops the connection without buffering it, counts it, backs
// off on the clock and resumes from the last good version.
TEST_F(WatcherTest, AnOversizedLineDropsTheWatchAndResumesFromTheLastGoodVersion) {
  server_.AddList({200, List("20", {})});
  server_.AddWatch(FakeApiServer::Held({{Frame("ADDED", Ev("a", "21", 1, 1))},
                                        {R"({"type":"ADDED","object":{"message":")"},
                                        Piece::Repeated(std::string(size_t{1} << 20, 'x'), 100),
                                        {"\"}}\n" + Frame("ADDED", Ev("unseen", "22", 1, 2))}}));
  server_.AddWatch(FakeApiServer::Held({{Frame("ADDED", Ev("b", "23", 1, 3))}}));
  StartAndRun();
  ASSERT_TRUE(server_.AwaitRequests("watch=1", 1));
  clock_.AwaitWaiters(1);  // backing off: base/4 = 125 ms with this rng, not reset
  clock_.Advance(125ms);
  ASSERT_TRUE(server_.AwaitRequests("watch=1", 2));
  EXPECT_EQ(AwaitEmitted(2), (std::vector<Emitted>{{"a", "21", 1, false}, {"b", "23", 1, false}}));
  auto watches = server_.RequestsWith("watch=1");
  EXPECT_NE(watches[1].find("resourceVersion=21&"), std::string::npos) << watches[1];
  EXPECT_EQ(stats().oversized_lines.load(), 1u);
  EXPECT_EQ(stats().reconnects.load(), 1u);
  EXPECT_EQ(stats().decode_errors.load(), 0u);
#ifndef __SANITIZE_ADDRESS__  // ASan's quarantine keeps freed memory resident
  EXPECT_LT(PeakRssBytes(), size_t{100} << 20) << "the line was held whole";
#endif
}

TEST_F(WatcherTest, ACountBumpOfAnEmittedEventIsOneUpdate) {
  server_.AddList({200, List("20", {Ev("a", "11", 1, 1)})});
  server_.AddWatch(
      FakeApiServer::Held({{Frame("MODIFIED", Ev("a", "21", 2, 1))},
                           {Frame("MODIFIED", Ev("a", "22", 2, 1))},  // no count change
                           {Frame("ADDED", Ev("z", "23", 1, 2))}}));
  StartAndRun();
  EXPECT_EQ(
      AwaitEmitted(3),
      (std::vector<Emitted>{{"a", "11", 1, false}, {"a", "21", 2, true}, {"z", "23", 1, false}}));
  EXPECT_EQ(stats().emitted_updates.load(), 1u);
  EXPECT_EQ(stats().unchanged.load(), 1u);
}

// A refused watch (5xx, or an ERROR frame other than 410) backs off on the
// clock, checks that its version still exists, and watches from it again.
class WatcherBackoffTest : public WatcherTest, public ::testing::WithParamInterface<Stream> {};

TEST_P(WatcherBackoffTest, ARefusedWatchBacksOffOnTheClockThenResumes) {
  server_.AddList({200, List("20", {})});
  server_.AddWatch(GetParam());
  server_.AddWatch(FakeApiServer::Held());
  StartAndRun();
  ASSERT_TRUE(server_.AwaitRequests("watch=1", 1));
  clock_.AwaitWaiters(1);  // backing off: base/4 = 125 ms with this rng
  clock_.Advance(124ms);
  EXPECT_EQ(server_.requests().size(), 2u) << "reconnected before the backoff was over";
  clock_.Advance(1ms);
  ASSERT_TRUE(server_.AwaitRequests("watch=1", 2));
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[2], "/api/v1/events?limit=1&resourceVersionMatch=Exact&resourceVersion=20");
  EXPECT_NE(requests[3].find("resourceVersion=20&"), std::string::npos) << requests[3];
  EXPECT_EQ(stats().reconnects.load(), 1u);
  EXPECT_EQ(stats().gone.load(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Refusals, WatcherBackoffTest,
    ::testing::Values(FakeApiServer::Refused(500, Status(500, "InternalError")),
                      FakeApiServer::Refused(429, Status(429, "TooManyRequests")),
                      FakeApiServer::Held({{Frame("ERROR", Status(500, "InternalError"))}})));

}  // namespace
}  // namespace kv::kube
