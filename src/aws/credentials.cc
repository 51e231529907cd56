// The public entry points of credentials.h: the default chain, AssumeRole
// for receivers, and the region.
#include "aws/credentials.h"

#include <utility>

#include "aws/imds.h"
#include "aws/profile.h"
#include "aws/providers.h"

namespace kv::aws {

std::shared_ptr<CredentialProvider> DefaultChain(const ChainOptions& options, Clock& clock) {
  // IRSA's environment variables come before the profile, as in botocore,
  // the Java SDK and the Go SDK (when AWS_PROFILE is unset): a pod that has
  // them means them, whatever ~/.aws holds.
  return ChainOf({
      EnvironmentProvider(options),
      WebIdentityProvider(options, clock),
      ProfileProvider(options, clock),
      ContainerProvider(options, clock),
      ImdsProvider(options, clock),
  });
}

std::shared_ptr<CredentialProvider> AssumeRole(std::shared_ptr<CredentialProvider> base,
                                               std::string role_arn, std::string session_name,
                                               const ChainOptions& options, Clock& clock) {
  sts::AssumeRoleParams params;
  params.role_arn = std::move(role_arn);
  params.session_name = std::move(session_name);
  return AssumeRoleProvider(std::move(base), std::move(params), options, clock);
}

std::string RegionWithoutImds(const ChainOptions& options) {
  if (!options.region.empty()) return options.region;
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::string v = EnvValue(options.getenv, name);
    if (!v.empty()) return v;
  }
  Result<ProfileSet> profiles = ProfileSet::Load(options.getenv);
  if (!profiles) return "";
  return profiles->Value(ResolveProfileName(options.profile, options.getenv).name, "region");
}

Result<std::string> DefaultRegion(const ChainOptions& options) {
  std::string region = RegionWithoutImds(options);
  if (!region.empty()) return region;
  if (ImdsDisabled(options)) {
    return Fail(ErrorCode::kNotFound,
                "no AWS region: set AWS_REGION, a profile region, or enable IMDS");
  }
  SystemClock clock;
  ImdsClient imds(ImdsEndpoint(options), options.imds_v1_fallback, clock);
  Result<std::string> answer = imds.Get("/latest/meta-data/placement/region");
  if (!answer) {
    return Fail(ErrorCode::kNotFound,
                "no AWS region: not in AWS_REGION, AWS_DEFAULT_REGION or "
                "the profile, and IMDS: " +
                    answer.error().message);
  }
  while (!answer->empty() && (answer->back() == '\n' || answer->back() == ' ')) answer->pop_back();
  if (answer->empty()) return Fail(ErrorCode::kNotFound, "no AWS region: IMDS answered empty");
  return *answer;
}

}  // namespace kv::aws
