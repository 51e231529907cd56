// IMDSv2, container credentials and web identity against an in-process
// cpp-httplib server that plays the other side, with a FakeClock driving
// refreshes. (The same flows run against botocore-verified peers and moto
// in tests/integration/aws/test_credentials.py.)
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "../support/temp_dir.h"
#include "aws/imds.h"
#include "aws/providers.h"
#include "util/time.h"

namespace kv::aws {
namespace {

using std::chrono::minutes;

const auto kStart = std::chrono::system_clock::time_point(std::chrono::seconds(1767225600));

// An httplib server on a free loopback port, stopped on destruction.
class Peer {
 public:
  Peer() {
    port_ = server.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server.listen_after_bind(); });
  }
  ~Peer() {
    server.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  httplib::Server server;

 private:
  int port_ = 0;
  std::thread thread_;
};

Getenv EnvOf(std::map<std::string, std::string> vars) {
  return [vars](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string CredsJson(const std::string& key, std::chrono::system_clock::time_point exp,
                      bool imds) {
  return std::string("{") + (imds ? "\"Code\":\"Success\",\"Type\":\"AWS-HMAC\"," : "") +
         "\"AccessKeyId\":\"" + key + "\",\"SecretAccessKey\":\"secret-" + key +
         "\",\"Token\":\"token-" + key + "\",\"Expiration\":\"" + timeutil::FormatRfc3339(exp) +
         "\"}";
}

// A strict IMDSv2: tokens required, TTL header required, counts calls.
struct FakeImds {
  explicit FakeImds(Peer& peer, FakeClock& clock) : clock(clock) {
    peer.server.Put("/latest/api/token",
                    [this](const httplib::Request& req, httplib::Response& res) {
                      std::lock_guard lock(mu);
                      ++token_puts;
                      if (!v2_enabled) {
                        res.status = 403;
                        return;
                      }
                      if (req.get_header_value("X-aws-ec2-metadata-token-ttl-seconds") != "21600") {
                        res.status = 400;
                        return;
                      }
                      current_token = "token-" + std::to_string(token_puts);
                      res.set_content(current_token, "text/plain");
                    });
    peer.server.Get(
        R"(/latest/meta-data/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
          std::lock_guard lock(mu);
          std::string token = req.get_header_value("X-aws-ec2-metadata-token");
          if (token.empty() ? !v1_enabled : (token != current_token || reject_next_token)) {
            reject_next_token = false;
            res.status = 401;
            return;
          }
          std::string path = req.matches[1];
          if (path == "iam/security-credentials/") {
            res.set_content("node-role\n", "text/plain");
          } else if (path == "iam/security-credentials/node-role") {
            ++creds_gets;
            res.set_content(CredsJson("IMDS" + std::to_string(creds_gets),
                                      this->clock.WallNow() + minutes(60), true),
                            "text/plain");
          } else if (path == "placement/region") {
            res.set_content("eu-central-1", "text/plain");
          } else {
            res.status = 404;
          }
        });
  }
  FakeClock& clock;
  std::mutex mu;
  int token_puts = 0, creds_gets = 0;
  std::string current_token;
  bool v2_enabled = true, v1_enabled = false, reject_next_token = false;
};

TEST(ImdsSource, TokenThenRoleThenCredentialsAndRefreshReusesTheToken) {
  Peer peer;
  FakeClock clock(kStart);
  FakeImds imds(peer, clock);
  ChainOptions o;
  o.getenv = EnvOf({});
  o.imds_endpoint = peer.url();
  auto p = ImdsProvider(o, clock);
  auto r = p->Get();
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->access_key_id, "IMDS1");
  EXPECT_EQ(r->session_token, "token-IMDS1");
  EXPECT_EQ(r->source, "imds");
  EXPECT_EQ(p->Get()->access_key_id, "IMDS1");  // cached
  EXPECT_EQ(imds.creds_gets, 1);
  clock.Advance(minutes(56));
  EXPECT_EQ(p->Get()->access_key_id, "IMDS2");
  EXPECT_EQ(imds.token_puts, 1);  // the session token lasts 6 h
}

TEST(ImdsSource, RefusedTokenIsRenewedOnce) {
  Peer peer;
  FakeClock clock(kStart);
  FakeImds imds(peer, clock);
  ChainOptions o;
  o.getenv = EnvOf({});
  o.imds_endpoint = peer.url();
  imds.reject_next_token = true;
  auto r = ImdsProvider(o, clock)->Get();
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(imds.token_puts, 2);
}

TEST(ImdsSource, V1FallbackOnlyWhenAllowed) {
  Peer peer;
  FakeClock clock(kStart);
  FakeImds imds(peer, clock);
  imds.v2_enabled = false;
  imds.v1_enabled = true;
  ChainOptions o;
  o.getenv = EnvOf({});
  o.imds_endpoint = peer.url();
  auto r = ImdsProvider(o, clock)->Get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(imds.creds_gets, 0);
  o.imds_v1_fallback = true;
  r = ImdsProvider(o, clock)->Get();
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->access_key_id, "IMDS1");
}

TEST(ImdsSource, DisabledAndUnreachable) {
  FakeClock clock(kStart);
  ChainOptions o;
  o.getenv = EnvOf({{"AWS_EC2_METADATA_DISABLED", "TRUE"}});
  o.imds_endpoint = "http://127.0.0.1:9";
  EXPECT_EQ(ImdsProvider(o, clock)->Get().error().code, ErrorCode::kNotFound);
  o.getenv = EnvOf({});
  EXPECT_EQ(ImdsProvider(o, clock)->Get().error().code, ErrorCode::kUnavailable);
}

TEST(ImdsSource, EndpointFromOptionsThenEnvironment) {
  ChainOptions o;
  o.getenv = EnvOf({});
  EXPECT_EQ(ImdsEndpoint(o), "http://169.254.169.254");
  o.getenv = EnvOf({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}});
  EXPECT_EQ(ImdsEndpoint(o), "http://[fd00:ec2::254]");
  o.getenv = EnvOf({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://e:1/"}});
  EXPECT_EQ(ImdsEndpoint(o), "http://e:1");
  o.imds_endpoint = "http://o:2";
  EXPECT_EQ(ImdsEndpoint(o), "http://o:2");
}

TEST(ImdsSource, RegionFromPlacement) {
  Peer peer;
  FakeClock clock(kStart);
  FakeImds imds(peer, clock);
  ChainOptions o;
  o.getenv = EnvOf({{"HOME", "/nonexistent"}});
  o.imds_endpoint = peer.url();
  auto region = DefaultRegion(o);
  ASSERT_TRUE(region) << region.error().ToString();
  EXPECT_EQ(*region, "eu-central-1");
}

TEST(ImdsSource, ParsesTheDocumentedCredentialsDocument) {
  auto c = ParseImdsCredentials(R"({
  "Code" : "Success",
  "LastUpdated" : "2012-04-26T16:39:16Z",
  "Type" : "AWS-HMAC",
  "AccessKeyId" : "ASIAIOSFODNN7EXAMPLE",
  "SecretAccessKey" : "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "Token" : "token",
  "Expiration" : "2017-05-17T15:09:54Z"
})");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "ASIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(timeutil::FormatRfc3339(*c->expiration), "2017-05-17T15:09:54Z");
  EXPECT_EQ(ParseImdsCredentials(R"({"Code":"Failed"})").error().code, ErrorCode::kUnavailable);
}

TEST(ContainerSource, PodIdentityTokenFileIsReadForEveryFetch) {
  Peer peer;
  FakeClock clock(kStart);
  std::mutex mu;
  std::vector<std::string> seen;
  peer.server.Get("/v1/credentials", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    seen.push_back(req.get_header_value("Authorization"));
    res.set_content(
        CredsJson("POD" + std::to_string(seen.size()), clock.WallNow() + minutes(30), false),
        "application/json");
  });
  kv::testing::TempDir dir;
  auto token = dir.Write("token", "first-token\n");
  ChainOptions o;
  o.getenv = EnvOf({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", peer.url() + "/v1/credentials"},
                    {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token.string()},
                    {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored-when-file-set"}});
  auto p = ContainerProvider(o, clock);
  auto r = p->Get();
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->access_key_id, "POD1");
  EXPECT_EQ(r->source, "eks-pod-identity");
  dir.Write("token", "second-token");
  clock.Advance(minutes(26));
  EXPECT_EQ(p->Get()->access_key_id, "POD2");
  std::lock_guard lock(mu);
  EXPECT_EQ(seen, (std::vector<std::string>{"first-token", "second-token"}));
}

TEST(ContainerSource, RelativeUriGoesToTheEcsAgent) {
  Peer peer;
  FakeClock clock(kStart);
  peer.server.Get("/v2/credentials/abc", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(CredsJson("ECS1", clock.WallNow() + minutes(30), false), "application/json");
  });
  ChainOptions o;
  o.getenv = EnvOf({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"}});
  o.ecs_endpoint = peer.url();
  auto r = ContainerProvider(o, clock)->Get();
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->access_key_id, "ECS1");
  EXPECT_EQ(r->source, "ecs");
}

TEST(ContainerSource, PlainHttpOnlyToLoopbackOrTheAgents) {
  FakeClock clock(kStart);
  ChainOptions o;
  for (const char* uri :
       {"http://example.com/creds", "http://10.0.0.1/creds", "http://169.254.169.254/creds"}) {
    o.getenv = EnvOf({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", uri}});
    EXPECT_EQ(ContainerProvider(o, clock)->Get().error().code, ErrorCode::kInvalidConfig) << uri;
  }
  o.getenv = EnvOf({});
  EXPECT_EQ(ContainerProvider(o, clock)->Get().error().code, ErrorCode::kNotFound);
}

TEST(ContainerSource, RefusedTokenIsUnauthorized) {
  Peer peer;
  FakeClock clock(kStart);
  peer.server.Get("/v1/credentials", [](const httplib::Request&, httplib::Response& res) {
    res.status = 403;
    res.set_content(R"({"message":"bad token"})", "application/json");
  });
  ChainOptions o;
  o.getenv = EnvOf({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", peer.url() + "/v1/credentials"},
                    {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "t"}});
  EXPECT_EQ(ContainerProvider(o, clock)->Get().error().code, ErrorCode::kUnauthorized);
}

// A fake STS answering AssumeRoleWithWebIdentity with the token it got.
TEST(WebIdentitySource, TokenIsReadAgainOnRefresh) {
  Peer peer;
  FakeClock clock(kStart);
  std::mutex mu;
  std::vector<std::string> tokens;
  peer.server.Post("/", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    EXPECT_EQ(req.get_header_value("Authorization"), "");  // unsigned call
    httplib::Params params;
    httplib::detail::parse_query_text(req.body, params);
    EXPECT_EQ(params.find("Action")->second, "AssumeRoleWithWebIdentity");
    EXPECT_EQ(params.find("RoleArn")->second, "arn:aws:iam::123456789012:role/irsa");
    EXPECT_EQ(params.find("RoleSessionName")->second, "my-session");
    tokens.push_back(params.find("WebIdentityToken")->second);
    std::string n = std::to_string(tokens.size());
    res.set_content(
        "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
        "<AccessKeyId>ASIAWEB" +
            n +
            "</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
            "<SessionToken>t</SessionToken><Expiration>" +
            timeutil::FormatRfc3339(clock.WallNow() + minutes(60)) +
            "</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
            "</AssumeRoleWithWebIdentityResponse>",
        "text/xml");
  });
  kv::testing::TempDir dir;
  auto token = dir.Write("token", "jwt-one\n");
  ChainOptions o;
  o.getenv = EnvOf({{"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa"},
                    {"AWS_WEB_IDENTITY_TOKEN_FILE", token.string()},
                    {"AWS_ROLE_SESSION_NAME", "my-session"},
                    {"AWS_ENDPOINT_URL_STS", peer.url()},
                    {"HOME", "/nonexistent"}});
  auto p = WebIdentityProvider(o, clock);
  auto r = p->Get();
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->access_key_id, "ASIAWEB1");
  EXPECT_EQ(r->source, "web-identity");
  dir.Write("token", "jwt-two");  // the kubelet rotated it
  clock.Advance(minutes(30));
  EXPECT_EQ(p->Get()->access_key_id, "ASIAWEB1");
  clock.Advance(minutes(26));
  EXPECT_EQ(p->Get()->access_key_id, "ASIAWEB2");
  std::lock_guard lock(mu);
  EXPECT_EQ(tokens, (std::vector<std::string>{"jwt-one", "jwt-two"}));
}

TEST(WebIdentitySource, RejectedTokenIsUnauthorized) {
  Peer peer;
  FakeClock clock(kStart);
  peer.server.Post("/", [](const httplib::Request&, httplib::Response& res) {
    res.status = 400;
    res.set_content(
        "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>"
        "<Message>Incorrect token "
        "audience</Message></Error><RequestId>1</RequestId></ErrorResponse>",
        "text/xml");
  });
  kv::testing::TempDir dir;
  auto token = dir.Write("token", "jwt");
  ChainOptions o;
  o.sts_endpoint = peer.url();
  o.getenv = EnvOf({{"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"},
                    {"AWS_WEB_IDENTITY_TOKEN_FILE", token.string()},
                    {"HOME", "/nonexistent"}});
  auto r = WebIdentityProvider(o, clock)->Get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthorized);
  EXPECT_NE(r.error().message.find("Incorrect token audience"), std::string::npos);
  EXPECT_EQ(r.error().message.find("jwt"), std::string::npos);
}

TEST(ProfileSource, RoleChainsThroughSourceProfilesToSts) {
  Peer peer;
  FakeClock clock(kStart);
  std::mutex mu;
  std::vector<std::string> auth_keys;
  peer.server.Post("/", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    std::string auth = req.get_header_value("Authorization");
    size_t c = auth.find("Credential=");
    auth_keys.push_back(auth.substr(c + 11, auth.find('/', c) - c - 11));
    std::string n = std::to_string(auth_keys.size());
    res.set_content("<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE" + n +
                        "</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t"
                        "</SessionToken><Expiration>" +
                        timeutil::FormatRfc3339(clock.WallNow() + minutes(60)) +
                        "</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>",
                    "text/xml");
  });
  kv::testing::TempDir dir;
  dir.Write("config",
            "[profile top]\nrole_arn = arn:aws:iam::1:role/top\nsource_profile = middle\n"
            "[profile middle]\nrole_arn = arn:aws:iam::1:role/middle\nsource_profile = base\n"
            "[profile loop1]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = loop2\n"
            "[profile loop2]\nrole_arn = arn:aws:iam::1:role/y\nsource_profile = loop1\n");
  dir.Write("credentials", "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = b\n");
  ChainOptions o;
  o.sts_endpoint = peer.url();
  o.getenv = EnvOf({{"AWS_CONFIG_FILE", (dir.path() / "config").string()},
                    {"AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "credentials").string()},
                    {"AWS_PROFILE", "top"}});
  auto r = ProfileProvider(o, clock)->Get();
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->access_key_id, "ASIAROLE2");
  EXPECT_EQ(r->source, "assume-role");
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(auth_keys, (std::vector<std::string>{"AKIABASE", "ASIAROLE1"}));
  }
  o.profile = "loop1";
  auto loop = ProfileProvider(o, clock)->Get();
  ASSERT_FALSE(loop);
  EXPECT_EQ(loop.error().code, ErrorCode::kInvalidConfig);
  EXPECT_NE(loop.error().message.find("loop"), std::string::npos);
}

TEST(ProfileSource, CredentialProcessOutputIsRead) {
  FakeClock clock(kStart);
  kv::testing::TempDir dir;
  auto script =
      dir.Write("helper.sh",
                "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", "
                "\"SecretAccessKey\": \"x\", \"Expiration\": \"2099-01-01T00:00:00Z\"}'\n",
                std::filesystem::perms::owner_all);
  dir.Write("config", "[default]\ncredential_process = \"" + script.string() + "\" --flag\n");
  ChainOptions o;
  o.getenv = EnvOf({{"AWS_CONFIG_FILE", (dir.path() / "config").string()},
                    {"AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "none").string()}});
  auto r = ProfileProvider(o, clock)->Get();
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->access_key_id, "AKIAPROC");
  EXPECT_EQ(r->source, "credential-process");
  auto bad = ProcessProvider("/bin/sh -c 'echo {\"Version\":2}'", clock)->Get();
  EXPECT_EQ(bad.error().code, ErrorCode::kCorrupt);
  auto failing = ProcessProvider("/bin/sh -c 'echo oops >&2; exit 3'", clock)->Get();
  ASSERT_FALSE(failing);
  EXPECT_NE(failing.error().message.find("exited with 3: oops"), std::string::npos);
}

}  // namespace
}  // namespace kv::aws
