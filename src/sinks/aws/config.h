// The keys every AWS receiver shares (region, endpoint, roleArn) and how
// they become the URL a receiver posts to. Pure: no I/O at parse time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aws/environment.h"
#include "config/node.h"

namespace kv::sinks::aws {

struct AwsConfig {
  // AWS region (`region`); "" = the default chain's region at build time
  // ($AWS_REGION, $AWS_DEFAULT_REGION, the profile, IMDS).
  std::string region;
  // Endpoint override (`endpoint`): a VPC endpoint or a test server, e.g.
  // "http://127.0.0.1:5000". "" = $AWS_ENDPOINT_URL_<SERVICE>, else
  // $AWS_ENDPOINT_URL, else https://<service>.<region>.amazonaws.com.
  std::string endpoint;
  // A role to assume with STS AssumeRole (`roleArn`) using the default
  // chain's credentials; "" = use the chain's credentials directly.
  std::string role_arn;
};

// The shared keys, for RejectUnknownKeys lists.
inline const std::vector<std::string_view>& AwsKeys() {
  static const std::vector<std::string_view> keys{"region", "endpoint", "roleArn"};
  return keys;
}

// Reads region, endpoint and roleArn; reports an endpoint that is not an
// http(s) URL and a roleArn that is not an IAM role ARN.
AwsConfig ParseAwsConfig(const config::Node& node);

// The AWS SDKs' service id of the endpoint prefix `service_prefix`
// ("logs" -> "CloudWatch Logs", "events" -> "EventBridge"), which names
// its AWS_ENDPOINT_URL_<SERVICE> variable; the prefix itself when unknown.
std::string_view ServiceId(std::string_view service_prefix);

// The base URL (no trailing slash) for `service_prefix` ("sns", "logs",
// ...), the first set of: the receiver's `endpoint`, the environment's
// AWS_ENDPOINT_URL_<SERVICE> (AWS_ENDPOINT_URL_SQS,
// AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, ...), AWS_ENDPOINT_URL (both as the AWS
// SDKs read them, aws::ConfiguredEndpointUrl), the public regional
// endpoint (amazonaws.com.cn for cn-* regions). Every AWS receiver's URL
// comes from here.
std::string EndpointUrl(std::string_view endpoint_override, std::string_view service_prefix,
                        std::string_view region, const ::kv::aws::Getenv& getenv);

}  // namespace kv::sinks::aws
