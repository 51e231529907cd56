#include "kube/discovery.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace kv::kube {
namespace {

using std::chrono::seconds;

// Resource lists as kube-apiserver v1.35 sends them (trimmed).
constexpr const char* kCoreV1 = R"({"kind":"APIResourceList","groupVersion":"v1","resources":[
  {"name":"namespaces","singularName":"namespace","namespaced":false,"kind":"Namespace","verbs":["get"]},
  {"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","verbs":["get","list"]},
  {"name":"pods/log","singularName":"","namespaced":true,"kind":"Pod","verbs":["get"]},
  {"name":"nodes","singularName":"node","namespaced":false,"kind":"Node","verbs":["get"]}]})";
constexpr const char* kAppsV1 = R"({"kind":"APIResourceList","groupVersion":"apps/v1","resources":[
  {"name":"deployments","singularName":"deployment","namespaced":true,"kind":"Deployment"},
  {"name":"deployments/scale","singularName":"","namespaced":true,"group":"autoscaling","version":"v1","kind":"Scale"}]})";
constexpr const char* kWidgetsV1 =
    R"({"kind":"APIResourceList","groupVersion":"example.com/v1","resources":[
  {"name":"widgets","singularName":"widget","namespaced":true,"kind":"Widget"}]})";

// A scripted API server: path -> (status, body); records every request.
struct FakeServer {
  std::map<std::string, std::pair<long, std::string>> answers;
  std::vector<std::string> requests;
  bool down = false;

  DiscoveryFetch Fetch() {
    return [this](const std::string& path) -> Result<http::Response> {
      requests.push_back(path);
      if (down) return Fail(ErrorCode::kUnavailable, "connection refused");
      http::Response r;
      auto it = answers.find(path);
      if (it == answers.end()) {
        r.status = 404;
        r.body = R"({"kind":"Status","code":404,"reason":"NotFound"})";
      } else {
        r.status = it->second.first;
        r.body = it->second.second;
      }
      return r;
    };
  }
};

struct DiscoveryTest : ::testing::Test {
  FakeServer server;
  FakeClock clock;
  Discovery discovery{DiscoveryOptions{}, server.Fetch(), clock};

  void SetUp() override {
    server.answers["/api/v1"] = {200, kCoreV1};
    server.answers["/apis/apps/v1"] = {200, kAppsV1};
  }
};

TEST_F(DiscoveryTest, CoreAndGroupKindsMapToTheirResources) {
  auto pod = discovery.Resolve("v1", "Pod");
  ASSERT_TRUE(pod) << pod.error().message;
  EXPECT_EQ(pod->plural, "pods");  // not the pods/log subresource
  EXPECT_TRUE(pod->namespaced);
  auto node = discovery.Resolve("v1", "Node");
  ASSERT_TRUE(node);
  EXPECT_FALSE(node->namespaced);
  auto deploy = discovery.Resolve("apps/v1", "Deployment");
  ASSERT_TRUE(deploy);
  EXPECT_EQ(deploy->plural, "deployments");
  EXPECT_EQ(deploy->group_version, "apps/v1");
  EXPECT_EQ(server.requests, (std::vector<std::string>{"/api/v1", "/apis/apps/v1"}));
}

TEST_F(DiscoveryTest, EmptyApiVersionIsCoreV1) {
  auto pod = discovery.Resolve("", "Pod");
  ASSERT_TRUE(pod);
  EXPECT_EQ(pod->group_version, "v1");
}

TEST_F(DiscoveryTest, KnownGroupVersionIsCachedAndRefreshedAfterTheInterval) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(discovery.Resolve("v1", "Pod"));
  EXPECT_EQ(discovery.fetches(), 1u);
  clock.Advance(seconds(299));
  ASSERT_TRUE(discovery.Resolve("v1", "Pod"));
  EXPECT_EQ(discovery.fetches(), 1u);
  clock.Advance(seconds(2));
  ASSERT_TRUE(discovery.Resolve("v1", "Pod"));
  EXPECT_EQ(discovery.fetches(), 2u);
}

TEST_F(DiscoveryTest, UnknownKindRefetchesAtMostOncePerInterval) {
  server.answers["/apis/example.com/v1"] = {200, R"({"resources":[]})"};
  for (int i = 0; i < 50; ++i) {
    auto r = discovery.Resolve("example.com/v1", "Widget");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kRejected);
  }
  EXPECT_EQ(discovery.fetches(), 1u);
  // The CRD is installed; the next refetch after the interval finds it.
  server.answers["/apis/example.com/v1"] = {200, kWidgetsV1};
  clock.Advance(seconds(29));
  EXPECT_FALSE(discovery.Resolve("example.com/v1", "Widget"));
  clock.Advance(seconds(1));
  auto w = discovery.Resolve("example.com/v1", "Widget");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->plural, "widgets");
  EXPECT_EQ(discovery.fetches(), 2u);
}

TEST_F(DiscoveryTest, UnknownGroupVersionIsRejectedAndRateLimited) {
  for (int i = 0; i < 5; ++i) {
    auto r = discovery.Resolve("nope.example/v9", "Thing");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kRejected);
  }
  EXPECT_EQ(server.requests, (std::vector<std::string>{"/apis/nope.example/v9"}));
}

TEST_F(DiscoveryTest, FailedRefreshKeepsWhatWasKnown) {
  ASSERT_TRUE(discovery.Resolve("v1", "Pod"));
  server.down = true;
  clock.Advance(seconds(301));
  auto pod = discovery.Resolve("v1", "Pod");
  ASSERT_TRUE(pod);
  EXPECT_EQ(pod->plural, "pods");
  EXPECT_EQ(discovery.fetches(), 2u);
}

TEST_F(DiscoveryTest, UnreachableServerIsUnavailableNotUnknown) {
  server.down = true;
  auto r = discovery.Resolve("v1", "Pod");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  // Not retried on every call.
  EXPECT_FALSE(discovery.Resolve("v1", "Pod"));
  EXPECT_EQ(discovery.fetches(), 1u);
  server.down = false;
  clock.Advance(seconds(30));
  EXPECT_TRUE(discovery.Resolve("v1", "Pod"));
}

TEST_F(DiscoveryTest, MalformedApiVersionNeverReachesTheServer) {
  for (const char* v : {"../../api", "a/b/c", "/v1", "V1", "v1?x=1"}) {
    auto r = discovery.Resolve(v, "Pod");
    ASSERT_FALSE(r) << v;
    EXPECT_EQ(r.error().code, ErrorCode::kRejected);
  }
  EXPECT_TRUE(server.requests.empty());
}

TEST(ObjectPath, NamespacedClusterScopedAndEscaped) {
  EXPECT_EQ(ObjectPath({"v1", "pods", true}, "ns", "web-1"), "/api/v1/namespaces/ns/pods/web-1");
  EXPECT_EQ(ObjectPath({"apps/v1", "deployments", true}, "ns", "web"),
            "/apis/apps/v1/namespaces/ns/deployments/web");
  EXPECT_EQ(ObjectPath({"v1", "nodes", false}, "default", "node-a"), "/api/v1/nodes/node-a");
  EXPECT_EQ(ObjectPath({"v1", "pods", true}, "ns", "../x?y"),
            "/api/v1/namespaces/ns/pods/..%2Fx%3Fy");
}

}  // namespace
}  // namespace kv::kube
