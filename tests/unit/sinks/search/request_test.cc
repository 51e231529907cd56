#include "sinks/search/request.h"

#include <gtest/gtest.h>

#include "sinks/search/elasticsearch/cloud_id.h"
#include "test_events.h"
#include "util/base64.h"

namespace kv::sinks::search {
namespace {

std::string Header(const http::Request& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<none>";
}

TEST(SearchRequest, BulkPostWithNdjsonAndFilteredAnswer) {
  SearchConfig c;
  http::Request r = BuildBulkRequest("https://h:9200/prefix", "{}\n{}\n", c, {});
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://h:9200/prefix/_bulk?" + std::string(kBulkQuery));
  EXPECT_EQ(Header(r, "Content-Type"), "application/x-ndjson");
  EXPECT_EQ(Header(r, "Authorization"), "<none>");
  EXPECT_EQ(r.body, "{}\n{}\n");
}

TEST(SearchRequest, AuthorizationHeaders) {
  SearchConfig c;
  c.headers = {{"X-Tenant", "t1"}};
  HeaderAuth basic{"kube", "s3cret", "", ""};
  http::Request r = BuildBulkRequest("http://h", "", c, basic);
  EXPECT_EQ(Header(r, "Authorization"), "Basic " + base64::Encode("kube:s3cret"));
  EXPECT_EQ(Header(r, "X-Tenant"), "t1");
  HeaderAuth key{"kube", "s3cret", "aWQ6a2V5", ""};
  EXPECT_EQ(Header(BuildBulkRequest("http://h", "", c, key), "Authorization"), "ApiKey aWQ6a2V5");
  HeaderAuth bearer{"", "", "", "tok"};
  EXPECT_EQ(Header(BuildBulkRequest("http://h", "", c, bearer), "Authorization"), "Bearer tok");
}

TEST(SearchRequest, DisplayHostDropsUserInfo) {
  EXPECT_EQ(DisplayHost("https://admin:s3cret@search.example:443/p"),
            "https://search.example:443/p");
  EXPECT_EQ(DisplayHost("http://h:9200"), "http://h:9200");
  EXPECT_EQ(DisplayHost("http://h:9200/a@b"), "http://h:9200/a@b");
}

TEST(SearchRequest, DefaultBatchShape) {
  EXPECT_EQ(kDefaultBatchEvents, 500u);
  EXPECT_EQ(kDefaultBatchBytes, 5u << 20);
  EXPECT_EQ(kDefaultBatchLinger, std::chrono::seconds(1));
}

TEST(CloudId, DecodesToTheElasticsearchUrl) {
  std::string id = "prod:" + base64::Encode("eu-west-1.aws.found.io$abc123$def456");
  EXPECT_EQ(*CloudIdUrl(id), "https://abc123.eu-west-1.aws.found.io");
  std::string with_port = "x:" + base64::Encode("host.example:9243$es1$kb1");
  EXPECT_EQ(*CloudIdUrl(with_port), "https://es1.host.example:9243");
  EXPECT_FALSE(CloudIdUrl("no-colon"));
  EXPECT_FALSE(CloudIdUrl("x:!!!"));
  EXPECT_FALSE(CloudIdUrl("x:" + base64::Encode("nodollar")));
}

}  // namespace
}  // namespace kv::sinks::search
