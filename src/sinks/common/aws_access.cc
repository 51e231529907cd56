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

Result<AwsAccess> AwsAccessPool::Resolve(const AwsAccessConfig& config, std::string_view receiver) {
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
  {
    std::lock_guard lock(mu_);
    auto& shared = chains_[{access.region, config.sts_endpoint}];
    if (!shared) shared = ::kv::aws::DefaultChain(chain, clock_);
    access.credentials = shared;
  }
  if (!access.credentials) return Fail(ErrorCode::kInternal, "AWS credential chain unavailable");
  if (!config.role_arn.empty()) {
    access.credentials = ::kv::aws::AssumeRole(std::move(access.credentials), config.role_arn,
                                               RoleSessionName(receiver), chain, clock_);
    if (!access.credentials) {
      return Fail(ErrorCode::kInternal, "AWS AssumeRole provider unavailable");
    }
  }
  return access;
}

Result<AwsAccess> ResolveAwsAccess(const AwsAccessConfig& config, std::string_view receiver,
                                   Clock& clock) {
  return AwsAccessPool(clock).Resolve(config, receiver);
}

}  // namespace kv::sinks::common
