#include "sinks/common/aws_access.h"

namespace kv::sinks::common {

namespace {

bool AllowedInSessionName(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}

}  // namespace

std::string RoleSessionName(std::string_view receiver) {
  std::string out = "kubevents-";
  for (char c : receiver) out += AllowedInSessionName(c) ? c : '-';
  if (out.size() > kMaxRoleSessionNameChars) out.resize(kMaxRoleSessionNameChars);
  return out;
}

Result<AwsAccess> ResolveAwsAccess(const AwsAccessConfig& config, std::string_view receiver,
                                   Clock& clock) {
  ::kv::aws::ChainOptions chain;
  chain.region = config.region;
  chain.sts_endpoint = config.sts_endpoint;
  AwsAccess access;
  access.region = config.region;
  if (access.region.empty()) {
    auto found = ::kv::aws::DefaultRegion(chain);
    if (!found) {
      return Fail(ErrorCode::kInvalidConfig,
                  "no AWS region: set `" + std::string(config.region_key) +
                      "` on the receiver or AWS_REGION (" + found.error().message + ")");
    }
    access.region = *found;
    chain.region = access.region;
  }
  access.credentials = ::kv::aws::DefaultChain(chain, clock);
  if (!access.credentials) return Fail(ErrorCode::kInternal, "AWS credential chain unavailable");
  if (!config.role_arn.empty()) {
    access.credentials = ::kv::aws::AssumeRole(std::move(access.credentials), config.role_arn,
                                               RoleSessionName(receiver), chain, clock);
    if (!access.credentials) {
      return Fail(ErrorCode::kInternal, "AWS AssumeRole provider unavailable");
    }
  }
  return access;
}

}  // namespace kv::sinks::common
