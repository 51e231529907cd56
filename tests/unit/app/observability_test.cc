// /readyz's watch check: what it says while the watcher lists, watches or
// cannot reach the API server; the reshaped-documents counter.
#include "app/observability.h"

#include <gtest/gtest.h>

namespace kv::app {
namespace {

TEST(WatchReadiness, ALongFirstListIsProgressNotAFailure) {
  kube::WatcherStats w;
  w.listing.store(true);
  w.list_pages.store(12);
  w.list_events.store(6000);
  w.list_handled.store(0);
  server::CheckResult r = WatchReadiness(w, /*leading=*/true);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.detail, "listing events: 12 pages, 6000 events read, 0 handled");
}

TEST(WatchReadiness, AListWithoutAPageYetIsNotReady) {
  kube::WatcherStats w;
  w.listing.store(true);
  server::CheckResult r = WatchReadiness(w, /*leading=*/true);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.detail, "listing events: waiting for the first page");
}

TEST(WatchReadiness, ConnectedStandbyAndUnreachable) {
  kube::WatcherStats w;
  EXPECT_FALSE(WatchReadiness(w, true).ok);
  EXPECT_EQ(WatchReadiness(w, true).detail, "API server not answering");
  EXPECT_TRUE(WatchReadiness(w, false).ok);
  w.connected.store(true);
  EXPECT_TRUE(WatchReadiness(w, true).ok);
  EXPECT_EQ(WatchReadiness(w, true).detail, "connected");
}

TEST(ReshapedCounter, CountsPerReceiverUnderItsPrefixedName) {
  server::Registry registry;
  server::CounterFamily* family = RegisterReshapedCounter(registry);
  ASSERT_NE(family, nullptr);
  family->WithLabels({"os"}).Inc(2);
  family->WithLabels({"es"});
  std::string text = registry.Render();
  EXPECT_NE(text.find("# TYPE kubevents_receiver_documents_reshaped_total counter"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("kubevents_receiver_documents_reshaped_total{receiver=\"os\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("kubevents_receiver_documents_reshaped_total{receiver=\"es\"} 0"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace kv::app
