#include "kube/leader_election.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace kv::kube
