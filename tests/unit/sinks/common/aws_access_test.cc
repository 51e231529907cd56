#include "sinks/common/aws_access.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace kv::sinks::common {
namespace {

// STS's documented pattern for RoleSessionName.
const std::regex kStsSessionName(R"([\w+=,.@-]{2,64})");

TEST(AwsRoleSessionName, IsTheReceiverNameInStsCharset) {
  EXPECT_EQ(RoleSessionName("prod logs"), "kubevents-prod-logs");
  EXPECT_EQ(RoleSessionName("my receiver/1"), "kubevents-my-receiver-1");
  EXPECT_EQ(RoleSessionName("a_b+c=d,e.f@g-h"), "kubevents-a_b+c=d,e.f@g-h");
  EXPECT_EQ(RoleSessionName("ünï"), "kubevents---n--");  // each byte of a UTF-8 sequence
  for (std::string name : {"prod logs", "tab\there", "q\"uote", "ünï", ""}) {
    EXPECT_TRUE(std::regex_match(RoleSessionName(name), kStsSessionName)) << name;
  }
}

TEST(AwsRoleSessionName, IsCutToStsLimit) {
  std::string long_name(100, 'a');
  EXPECT_EQ(RoleSessionName(long_name).size(), kMaxRoleSessionNameChars);
  EXPECT_EQ(RoleSessionName(long_name), RoleSessionName(long_name + "more"));
  EXPECT_TRUE(std::regex_match(RoleSessionName(long_name + " x y"), kStsSessionName));
}

TEST(AwsAccess, ConfiguredRegionIsUsedWithoutLookingItUp) {
  FakeClock clock;
  AwsAccessConfig config;
  config.region = "eu-west-1";
  config.role_arn = "arn:aws:iam::123456789012:role/r";
  config.sts_endpoint = "http://127.0.0.1:1";
  auto access = ResolveAwsAccess(config, "prod logs", clock);
  ASSERT_TRUE(access) << access.error().message;
  EXPECT_EQ(access->region, "eu-west-1");
  EXPECT_NE(access->credentials, nullptr);
}

TEST(AwsAccessPool, ReceiversOfOneRegionShareOneCredentialChain) {
  FakeClock clock;
  AwsAccessPool pool(clock);
  AwsAccessConfig eu;
  eu.region = "eu-west-1";
  AwsAccessConfig us;
  us.region = "us-east-1";
  auto a = pool.Resolve(eu, "sqs events");
  auto b = pool.Resolve(eu, "sns alerts");
  auto c = pool.Resolve(us, "kinesis");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->credentials, b->credentials);  // one chain fetches for both
  EXPECT_NE(a->credentials, c->credentials);  // another region, another chain
}

TEST(AwsAccessPool, AnAssumedRoleStaysTheReceiversOwn) {
  FakeClock clock;
  AwsAccessPool pool(clock);
  AwsAccessConfig plain;
  plain.region = "eu-west-1";
  AwsAccessConfig role = plain;
  role.role_arn = "arn:aws:iam::123456789012:role/r";
  auto base = pool.Resolve(plain, "a");
  auto x = pool.Resolve(role, "x");
  auto y = pool.Resolve(role, "y");
  ASSERT_TRUE(base && x && y);
  EXPECT_NE(x->credentials, base->credentials);
  EXPECT_NE(x->credentials, y->credentials);  // each with its own session name
}

}  // namespace
}  // namespace kv::sinks::common
