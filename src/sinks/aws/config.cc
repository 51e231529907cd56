#include "sinks/aws/config.h"

#include <utility>

namespace kv::sinks::aws {

AwsConfig ParseAwsConfig(const config::Node& node) {
  AwsConfig c;
  c.region = node.String("region");
  c.endpoint = node.String("endpoint");
  while (!c.endpoint.empty() && c.endpoint.back() == '/') c.endpoint.pop_back();
  if (!c.endpoint.empty() && c.endpoint.rfind("http://", 0) != 0 &&
      c.endpoint.rfind("https://", 0) != 0) {
    node.Report("expected an http:// or https:// URL", "endpoint");
  }
  c.role_arn = node.String("roleArn");
  if (!c.role_arn.empty() &&
      (c.role_arn.rfind("arn:", 0) != 0 || c.role_arn.find(":role/") == std::string::npos)) {
    node.Report("expected an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", "roleArn");
  }
  return c;
}

std::string_view ServiceId(std::string_view service_prefix) {
  static constexpr std::pair<std::string_view, std::string_view> kIds[] = {
      {"sns", "SNS"},
      {"sqs", "SQS"},
      {"kinesis", "Kinesis"},
      {"firehose", "Firehose"},
      {"events", "EventBridge"},
      {"logs", "CloudWatch Logs"},
  };
  for (const auto& [prefix, id] : kIds) {
    if (prefix == service_prefix) return id;
  }
  return service_prefix;
}

std::string EndpointUrl(std::string_view endpoint_override, std::string_view service_prefix,
                        std::string_view region, const ::kv::aws::Getenv& getenv) {
  if (!endpoint_override.empty()) return std::string(endpoint_override);
  std::string configured = ::kv::aws::ConfiguredEndpointUrl(getenv, ServiceId(service_prefix));
  while (!configured.empty() && configured.back() == '/') configured.pop_back();
  if (!configured.empty()) return configured;
  std::string url =
      "https://" + std::string(service_prefix) + "." + std::string(region) + ".amazonaws.com";
  if (region.rfind("cn-", 0) == 0) url += ".cn";
  return url;
}

}  // namespace kv::sinks::aws
