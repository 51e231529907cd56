#include "kube/client_config.h"

#include <gtest/gtest.h>

#include "../support/temp_dir.h"
#include "util/base64.h"

namespace kv::kube {
namespace {

constexpr char kTwoContexts[] = R"(apiVersion: v1
kind: Config
current-context: cert
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority: pki/ca.crt
- name: insecure
  cluster:
    server: https://10.1.2.3:443
    insecure-skip-tls-verify: true
contexts:
- name: cert
  context: {cluster: local, user: cert-user}
- name: token
  context: {cluster: insecure, user: token-user, namespace: monitoring}
- name: exec
  context: {cluster: local, user: exec-user}
users:
- name: cert-user
  user:
    client-certificate: pki/client.crt
    client-key-data: S0VZLURBVEE=
- name: token-user
  user:
    token: s3cret
- name: exec-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: ./bin/get-token
      args: ["--cluster", "c1"]
      env: [{name: FOO, value: bar}]
      provideClusterInfo: true
)";

class KubeconfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("pki/ca.crt", "CA");
    dir_.Write("pki/client.crt", "CERT");
    path_ = dir_.Write("config", kTwoContexts);
  }
  kv::testing::TempDir dir_;
  std::filesystem::path path_;
};

TEST_F(KubeconfigTest, CurrentContextWithClientCertificate) {
  auto cfg = LoadKubeconfig(path_, "");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->server, "https://127.0.0.1:6443");                    // trailing slash dropped
  EXPECT_EQ(cfg->tls.ca_file, (dir_.path() / "pki/ca.crt").string());  // relative to the file
  EXPECT_EQ(cfg->tls.client_cert_file, (dir_.path() / "pki/client.crt").string());
  EXPECT_EQ(cfg->tls.client_key_pem, "KEY-DATA");
  EXPECT_FALSE(cfg->tls.insecure_skip_verify);
  EXPECT_EQ(cfg->namespace_, "");  // the context names none
}

TEST_F(KubeconfigTest, TheContextsNamespaceIsKept) {
  auto cfg = LoadKubeconfig(path_, "token");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->namespace_, "monitoring");
}

TEST_F(KubeconfigTest, ExplicitContextWithTokenAndInsecureCluster) {
  auto cfg = LoadKubeconfig(path_, "token");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->token, "s3cret");
  EXPECT_TRUE(cfg->tls.insecure_skip_verify);
}

TEST_F(KubeconfigTest, ExecPluginSettings) {
  auto cfg = LoadKubeconfig(path_, "exec");
  ASSERT_TRUE(cfg) << cfg.error().message;
  ASSERT_TRUE(cfg->exec);
  EXPECT_EQ(cfg->exec->command, (dir_.path() / "bin/get-token").string());
  EXPECT_EQ(cfg->exec->args, (std::vector<std::string>{"--cluster", "c1"}));
  ASSERT_EQ(cfg->exec->env.size(), 1u);
  EXPECT_EQ(cfg->exec->env[0].first, "FOO");
  EXPECT_TRUE(cfg->exec->provide_cluster_info);
}

TEST_F(KubeconfigTest, UnknownContextIsNamed) {
  auto cfg = LoadKubeconfig(path_, "nope");
  ASSERT_FALSE(cfg);
  EXPECT_NE(cfg.error().message.find("context \"nope\" not found"), std::string::npos);
}

TEST_F(KubeconfigTest, MissingReferencedFileNamesTheKey) {
  std::filesystem::remove(dir_.path() / "pki/ca.crt");
  auto cfg = LoadKubeconfig(path_, "");
  ASSERT_FALSE(cfg);
  EXPECT_NE(cfg.error().message.find("certificate-authority"), std::string::npos)
      << cfg.error().message;
}

TEST(Kubeconfig, UnreadableFileIsAnError) {
  auto cfg = LoadKubeconfig("/nonexistent/kubeconfig", "");
  ASSERT_FALSE(cfg);
  EXPECT_NE(cfg.error().message.find("/nonexistent/kubeconfig"), std::string::npos);
}

TEST(Kubeconfig, InvalidYamlGivesTheLine) {
  kv::testing::TempDir dir;
  auto p = dir.Write("config", "clusters:\n  - name: [unterminated\n");
  auto cfg = LoadKubeconfig(p, "");
  ASSERT_FALSE(cfg);
  EXPECT_NE(cfg.error().message.find("line"), std::string::npos) << cfg.error().message;
}

TEST(InCluster, ReadsServiceAccountFiles) {
  kv::testing::TempDir dir;
  dir.Write("token", "tok\n");
  dir.Write("ca.crt", "CA-PEM");
  auto cfg = LoadInCluster("10.0.0.1", "443", dir.path());
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->server, "https://10.0.0.1:443");
  EXPECT_EQ(cfg->tls.ca_pem, "CA-PEM");
  EXPECT_EQ(cfg->token_file, (dir.path() / "token").string());
  EXPECT_EQ(cfg->namespace_, "");  // no namespace file
}

TEST(InCluster, ReadsTheServiceAccountsNamespace) {
  kv::testing::TempDir dir;
  dir.Write("token", "tok\n");
  dir.Write("ca.crt", "CA-PEM");
  dir.Write("namespace", "observability\n");
  auto cfg = LoadInCluster("10.0.0.1", "443", dir.path());
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->namespace_, "observability");
}

TEST(InCluster, Ipv6HostIsBracketed) {
  kv::testing::TempDir dir;
  dir.Write("token", "tok");
  dir.Write("ca.crt", "CA");
  auto cfg = LoadInCluster("fd00::1", "443", dir.path());
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->server, "https://[fd00::1]:443");
}

TEST(InCluster, MissingTokenIsAnError) {
  kv::testing::TempDir dir;
  auto cfg = LoadInCluster("10.0.0.1", "443", dir.path());
  ASSERT_FALSE(cfg);
}

}  // namespace
}  // namespace kv::kube
