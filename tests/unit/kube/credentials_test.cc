#include "kube/credentials.h"

#include <gtest/gtest.h>

#include "../support/temp_dir.h"

namespace kv::kube {
namespace {

namespace fs = std::filesystem;
constexpr auto kExec = fs::perms::owner_all;

// A plugin that counts its runs in a file and prints an ExecCredential.
std::string Plugin(const fs::path& counter, const std::string& status) {
  return "#!/bin/sh\necho run >> " + counter.string() + "\ncat <<'EOF'\n" +
         R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":)" +
         status + "}\nEOF\n";
}

int Runs(const fs::path& counter) {
  std::ifstream in(counter);
  int n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

TEST(Credentials, StaticTokenNeedsNoRefresh) {
  FakeClock clock;
  ClientConfig cfg;
  cfg.token = "abc";
  Credentials creds(cfg, clock);
  auto m = creds.Get();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->bearer_token, "abc");
}

TEST(Credentials, TokenFileIsReReadAfterAMinute) {
  kv::testing::TempDir dir;
  auto token = dir.Write("token", "one\n");
  FakeClock clock;
  ClientConfig cfg;
  cfg.token_file = token.string();
  Credentials creds(cfg, clock);
  EXPECT_EQ(creds.Get()->bearer_token, "one");
  dir.Write("token", "two\n");
  EXPECT_EQ(creds.Get()->bearer_token, "one");  // cached
  clock.Advance(std::chrono::seconds(61));
  EXPECT_EQ(creds.Get()->bearer_token, "two");
}

TEST(Credentials, ExecPluginTokenIsReusedUntilItExpires) {
  kv::testing::TempDir dir;
  auto counter = dir.path() / "runs";
  auto plugin = dir.Write(
      "plugin",
      Plugin(counter, R"({"token":"tok-1","expirationTimestamp":"2030-01-01T00:10:00Z"})"), kExec);
  FakeClock clock(
      std::chrono::system_clock::time_point(std::chrono::seconds(1893456000)));  // 2030-01-01
  ClientConfig cfg;
  cfg.exec = ExecConfig{"client.authentication.k8s.io/v1", plugin.string(), {}, {}, false};
  Credentials creds(cfg, clock);
  ASSERT_TRUE(creds.Get()) << creds.Get().error().message;
  EXPECT_EQ(creds.Get()->bearer_token, "tok-1");
  EXPECT_EQ(Runs(counter), 1);
  clock.Advance(std::chrono::minutes(11));
  EXPECT_TRUE(creds.Get());
  EXPECT_EQ(Runs(counter), 2);
}

TEST(Credentials, InvalidateReRunsThePlugin) {
  kv::testing::TempDir dir;
  auto counter = dir.path() / "runs";
  auto plugin = dir.Write("plugin", Plugin(counter, R"({"token":"t"})"), kExec);
  FakeClock clock;
  ClientConfig cfg;
  cfg.exec = ExecConfig{"", plugin.string(), {}, {}, false};
  Credentials creds(cfg, clock);
  creds.Get();
  creds.Get();
  EXPECT_EQ(Runs(counter), 1);
  creds.Invalidate();
  creds.Get();
  EXPECT_EQ(Runs(counter), 2);
}

TEST(Credentials, ExecPluginClientCertificate) {
  kv::testing::TempDir dir;
  auto plugin = dir.Write(
      "plugin",
      Plugin(dir.path() / "runs", R"({"clientCertificateData":"CERT","clientKeyData":"KEY"})"),
      kExec);
  FakeClock clock;
  ClientConfig cfg;
  cfg.exec = ExecConfig{"", plugin.string(), {}, {}, false};
  Credentials creds(cfg, clock);
  auto m = creds.Get();
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->tls.client_cert_pem, "CERT");
  EXPECT_EQ(m->tls.client_key_pem, "KEY");
}

TEST(Credentials, FailingPluginReportsItsStderrNotItsStdout) {
  kv::testing::TempDir dir;
  auto plugin =
      dir.Write("plugin", "#!/bin/sh\necho secret-token\necho 'no session' >&2\nexit 2\n", kExec);
  FakeClock clock;
  ClientConfig cfg;
  cfg.exec = ExecConfig{"", plugin.string(), {}, {}, false};
  Credentials creds(cfg, clock);
  auto m = creds.Get();
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("no session"), std::string::npos);
  EXPECT_EQ(m.error().message.find("secret-token"), std::string::npos);
}

TEST(Credentials, PluginSeesExecInfo) {
  kv::testing::TempDir dir;
  auto plugin =
      dir.Write("plugin",
                "#!/bin/sh\ncase \"$KUBERNETES_EXEC_INFO\" in *'\"interactive\":false'*) ;; *) "
                "exit 9;; esac\n"
                "echo '{\"kind\":\"ExecCredential\",\"status\":{\"token\":\"'\"$FOO\"'\"}}'\n",
                kExec);
  FakeClock clock;
  ClientConfig cfg;
  cfg.exec = ExecConfig{"", plugin.string(), {}, {{"FOO", "from-env"}}, false};
  Credentials creds(cfg, clock);
  auto m = creds.Get();
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->bearer_token, "from-env");
}

}  // namespace
}  // namespace kv::kube
