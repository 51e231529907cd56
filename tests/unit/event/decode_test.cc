#include "event/decode.h"

#include <gtest/gtest.h>

#include "util/files.h"

namespace kv::event {
namespace {

TEST(Decoder, WatchFrameAddedCarriesTheEvent) {
  Decoder d;
  auto f = d.DecodeWatchFrame(
      R"({"type":"ADDED","object":{"kind":"Event","apiVersion":"v1","metadata":{"name":"p.1","namespace":"ns","uid":"u-1","resourceVersion":"42","creationTimestamp":"2024-01-01T00:00:00Z"},"involvedObject":{"kind":"Pod","namespace":"ns","name":"p","uid":"pu","apiVersion":"v1","resourceVersion":"7"},"reason":"Scheduled","message":"ok","source":{"component":"default-scheduler"},"firstTimestamp":"2024-01-01T00:00:00Z","lastTimestamp":"2024-01-01T00:00:01Z","count":3,"type":"Normal","eventTime":null,"reportingComponent":"","reportingInstance":""}})");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->type, WatchFrame::Type::kAdded);
  const Event& ev = f->event;
  EXPECT_EQ(ev.metadata.uid, "u-1");
  EXPECT_EQ(ev.metadata.resource_version, "42");
  EXPECT_EQ(ev.involved_object.kind, "Pod");
  EXPECT_EQ(ev.involved_object.uid, "pu");
  EXPECT_EQ(ev.reason, "Scheduled");
  EXPECT_EQ(ev.source.component, "default-scheduler");
  EXPECT_EQ(ev.count, 3);
  EXPECT_EQ(ev.event_time, "");
  EXPECT_EQ(ev.last_timestamp_micros, int64_t{1704067201} * 1000000);
  EXPECT_EQ(ev.LastSeenMicros(), ev.last_timestamp_micros);
  EXPECT_EQ(ev.IdempotencyKey(), "u-1/42");
  EXPECT_FALSE(ev.raw.empty());
}

TEST(Decoder, BookmarkCarriesOnlyTheResourceVersion) {
  Decoder d;
  auto f = d.DecodeWatchFrame(
      R"({"type":"BOOKMARK","object":{"kind":"Event","apiVersion":"v1","metadata":{"resourceVersion":"12345","creationTimestamp":null}}})");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->type, WatchFrame::Type::kBookmark);
  EXPECT_EQ(f->event.metadata.resource_version, "12345");
}

TEST(Decoder, ErrorFrameCarriesTheStatus) {
  Decoder d;
  auto f = d.DecodeWatchFrame(
      R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 [5]","reason":"Expired","code":410}})");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->type, WatchFrame::Type::kError);
  EXPECT_EQ(f->status.code, 410);
  EXPECT_EQ(f->status.reason, "Expired");
}

TEST(Decoder, MalformedInputIsAnErrorNotACrash) {
  Decoder d;
  EXPECT_FALSE(d.DecodeWatchFrame("{not json"));
  EXPECT_FALSE(d.DecodeWatchFrame(R"({"type":"ADDED"})"));
  EXPECT_FALSE(d.DecodeWatchFrame(R"({"type":"WHAT","object":{}})"));
  EXPECT_FALSE(d.DecodeEvent(R"({"metadata":{}})"));  // no uid
  EXPECT_FALSE(d.DecodeEvent("[]"));
}

TEST(Decoder, ListSkipsBadItemsAndKeepsTheRest) {
  Decoder d;
  auto page = d.DecodeList(
      R"({"kind":"EventList","metadata":{"resourceVersion":"99","continue":"tok"},"items":[{"metadata":{"uid":"a","resourceVersion":"1"}},{"metadata":{}},{"metadata":{"uid":"b","resourceVersion":"2"}}]})");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->resource_version, "99");
  EXPECT_EQ(page->continue_token, "tok");
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[1].metadata.uid, "b");
  EXPECT_EQ(page->item_errors.size(), 1u);
}

TEST(Decoder, EventsV1NamesMapOntoTheCoreModel) {
  Decoder d(ApiGroup::kEventsV1);
  auto ev = d.DecodeEvent(
      R"({"metadata":{"name":"x","namespace":"ns","uid":"u","resourceVersion":"5"},"eventTime":"2024-01-01T00:00:00.000001Z","series":{"count":4,"lastObservedTime":"2024-01-01T00:05:00.000000Z"},"reportingController":"default-scheduler","reportingInstance":"sched-1","action":"Scheduling","reason":"FailedScheduling","regarding":{"kind":"Pod","namespace":"ns","name":"p","uid":"pu","apiVersion":"v1"},"note":"0/0 nodes are available","type":"Warning","deprecatedSource":{"component":"default-scheduler"},"deprecatedCount":0})");
  ASSERT_TRUE(ev) << ev.error().message;
  EXPECT_EQ(ev->api_group, "events.k8s.io");
  EXPECT_EQ(ev->involved_object.name, "p");
  EXPECT_EQ(ev->message, "0/0 nodes are available");
  EXPECT_EQ(ev->reporting_component, "default-scheduler");
  EXPECT_EQ(ev->source.component, "default-scheduler");
  EXPECT_EQ(ev->action, "Scheduling");
  EXPECT_EQ(ev->count, 4);  // from the series when deprecatedCount is 0
  EXPECT_EQ(ev->LastSeenMicros(), ev->series_last_observed_micros);
}

TEST(Decoder, StatusBody) {
  Decoder d;
  Status st = d.DecodeStatus(
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"events is forbidden: User \"x\" cannot list resource \"events\"","reason":"Forbidden","code":403})");
  EXPECT_EQ(st.code, 403);
  EXPECT_EQ(st.reason, "Forbidden");
  EXPECT_NE(st.message.find("cannot list"), std::string::npos);
}

// Every item of a list recorded from the test control plane decodes.
TEST(Decoder, RecordedListFromARealApiServer) {
  auto body = files::Read(std::string(KV_TESTDATA) + "/event/core_event_list.json");
  ASSERT_TRUE(body) << body.error().message;
  Decoder d;
  auto page = d.DecodeList(*body);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_GE(page->items.size(), 3u);
  EXPECT_TRUE(page->item_errors.empty());
  for (const auto& ev : page->items) {
    EXPECT_FALSE(ev.metadata.uid.empty());
    EXPECT_FALSE(ev.metadata.resource_version.empty());
    EXPECT_FALSE(ev.reason.empty());
    EXPECT_NE(ev.LastSeenMicros(), 0) << ev.metadata.name;
  }
}

}  // namespace
}  // namespace kv::event
