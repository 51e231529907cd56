#include "sinks/search/sniff.h"

#include <gtest/gtest.h>

namespace kv::sinks::search {
namespace {

std::string Authority(std::string_view address) {
  auto r = PublishAddressAuthority(address);
  return r ? *r : "error: " + r.error().message;
}

TEST(Sniff, PublishAddressForms) {
  EXPECT_EQ(Authority("10.0.0.1:9200"), "10.0.0.1:9200");
  EXPECT_EQ(Authority("node-1.example/10.0.0.1:9201"), "node-1.example:9201");
  EXPECT_EQ(Authority("[::1]:9200"), "[::1]:9200");
  EXPECT_EQ(Authority("[fe80::1%eth0]:9200"), "error: invalid IPv6 address");  // zone ids: no
  EXPECT_EQ(Authority("node-1/[2001:db8::5]:9200"), "node-1:9200");
  EXPECT_EQ(Authority("search.example:443"), "search.example:443");
}

TEST(Sniff, UnusablePublishAddressesSayWhy) {
  EXPECT_EQ(Authority(""), "error: no port");
  EXPECT_EQ(Authority("10.0.0.1"), "error: no port");
  EXPECT_EQ(Authority("10.0.0.1:"), "error: no port");
  EXPECT_EQ(Authority("[::1]"), "error: no port");
  EXPECT_EQ(Authority(":9200"), "error: empty host");
  EXPECT_EQ(Authority("10.0.0.1:0"), "error: invalid port");
  EXPECT_EQ(Authority("10.0.0.1:65536"), "error: invalid port");
  EXPECT_EQ(Authority("10.0.0.1:92x0"), "error: invalid port");
  EXPECT_EQ(Authority("::1:9200"), "error: IPv6 address without brackets");
  EXPECT_EQ(Authority("[::1:9200"), "error: unterminated IPv6 address");
  EXPECT_EQ(Authority("a/b/10.0.0.1:9200"), "error: more than one '/'");
  EXPECT_EQ(Authority("evil@host:9200"), "error: invalid host name");
  EXPECT_EQ(Authority("bad name/10.0.0.1:9200"), "error: invalid host name");
  EXPECT_EQ(Authority("[::g]:9200"), "error: invalid IPv6 address");
}

TEST(Sniff, UrlBaseKeepsSchemeAndUserinfoOnly) {
  EXPECT_EQ(SniffUrlBase("http://a:9200"), "http://");
  EXPECT_EQ(SniffUrlBase("https://search.example/prefix"), "https://");
  EXPECT_EQ(SniffUrlBase("https://u:p@search.example:9200"), "https://u:p@");
  EXPECT_EQ(SniffUrlBase("https://search.example/a@b"), "https://");
}

// The shape OpenSearch 2.19 and Elasticsearch 8 answer with
// filter_path=nodes.*.http.publish_address.
constexpr std::string_view kThreeNodes = R"({"nodes":{
  "a1":{"http":{"publish_address":"10.0.0.1:9200"}},
  "b2":{"http":{"publish_address":"node-2.example/10.0.0.2:9200"}},
  "c3":{"http":{"publish_address":"[fd00::3]:9200"}}}})";

TEST(Sniff, ParsesEveryNodeUnderTheBase) {
  auto r = ParseSniffedNodes(kThreeNodes, "https://");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->urls,
            (std::vector<std::string>{"https://10.0.0.1:9200", "https://node-2.example:9200",
                                      "https://[fd00::3]:9200"}));
  EXPECT_EQ(r->skipped, 0u);
  auto with_user = ParseSniffedNodes(kThreeNodes, "http://kube:pw@");
  ASSERT_TRUE(with_user);
  EXPECT_EQ(with_user->urls.front(), "http://kube:pw@10.0.0.1:9200");
}

TEST(Sniff, NodesWithoutHttpOrWithBadAddressesAreSkipped) {
  auto r = ParseSniffedNodes(R"({"_nodes":{"total":4},"cluster_name":"c","nodes":{
    "a":{"name":"data-only","roles":["data"]},
    "b":{"http":{"bound_address":["10.0.0.2:9200"]}},
    "c":{"http":{"publish_address":42}},
    "d":{"http":{"publish_address":"10.0.0.4"}},
    "e":{"http":{"publish_address":"10.0.0.5:9200"}},
    "f":{"http":{"publish_address":"10.0.0.5:9200"}}}})",
                             "http://");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->urls, (std::vector<std::string>{"http://10.0.0.5:9200"}));
  EXPECT_EQ(r->skipped, 4u);
}

TEST(Sniff, NoNodeWithHttpIsAnEmptyListNotAnError) {
  // filter_path leaves "{}" when no node matched.
  auto r = ParseSniffedNodes("{}", "http://");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->urls.empty());
  r = ParseSniffedNodes(R"({"nodes":{}})", "http://");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->urls.empty());
}

TEST(Sniff, GarbageIsAClearError) {
  for (std::string_view body :
       {std::string_view(""), std::string_view("<html>403 Forbidden</html>"),
        std::string_view("{\"nodes\":"), std::string_view("[1,2]"), std::string_view("\"x\""),
        std::string_view("{\"error\":{\"type\":\"security_exception\"},\"status\":403}"),
        std::string_view("{\"nodes\":[\"10.0.0.1:9200\"]}"), std::string_view("\0\xff", 2)}) {
    auto r = ParseSniffedNodes(body, "http://");
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, ErrorCode::kCorrupt);
    EXPECT_NE(r.error().message.find("_nodes/http answer"), std::string::npos) << r.error().message;
  }
}

TEST(Sniff, RequestIsAGetWithTheSameAuthAndHeaders) {
  SearchConfig config;
  config.headers.emplace_back("X-Tenant", "kube");
  config.timeout = std::chrono::seconds(7);
  HeaderAuth auth;
  auth.bearer_token = "tok";
  http::Request req = BuildSniffRequest("http://a:9200", config, auth);
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.url, "http://a:9200/_nodes/http?filter_path=nodes.%2A.http.publish_address");
  EXPECT_TRUE(req.body.empty());
  EXPECT_EQ(req.timeout, std::chrono::milliseconds(7000));
  EXPECT_EQ(req.headers, (http::Headers{{"X-Tenant", "kube"}, {"Authorization", "Bearer tok"}}));
}

}  // namespace
}  // namespace kv::sinks::search
