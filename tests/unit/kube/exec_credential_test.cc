#include "kube/exec_credential.h"

#include <gtest/gtest.h>

namespace kv::kube {
namespace {

TEST(ParseExecCredential, TokenWithExpiry) {
  auto c = ParseExecCredential(
      R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t0k","expirationTimestamp":"2030-01-01T00:00:00Z"}})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->token, "t0k");
  EXPECT_EQ(c->expires, std::chrono::system_clock::time_point(std::chrono::seconds(1893456000)));
}

TEST(ParseExecCredential, ClientCertificateNeedsItsKey) {
  auto ok = ParseExecCredential(
      R"({"kind":"ExecCredential","status":{"clientCertificateData":"C","clientKeyData":"K"}})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->client_key_pem, "K");
  EXPECT_EQ(ok->expires, std::chrono::system_clock::time_point::max());
  EXPECT_FALSE(
      ParseExecCredential(R"({"kind":"ExecCredential","status":{"clientCertificateData":"C"}})"));
}

TEST(ParseExecCredential, ErrorsNeverQuoteTheInput) {
  for (const char* bad :
       {"secret-token-text", R"({"kind":"Other","status":{"token":"secret"}})",
        R"({"kind":"ExecCredential"})", R"({"kind":"ExecCredential","status":{}})",
        R"({"kind":"ExecCredential","status":{"token":"secret","expirationTimestamp":"soon"}})"}) {
    auto c = ParseExecCredential(bad);
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(c.error().message.find("secret"), std::string::npos) << c.error().message;
  }
}

}  // namespace
}  // namespace kv::kube
