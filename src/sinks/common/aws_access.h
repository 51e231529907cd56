// Where a receiver that signs with SigV4 gets its region and credentials:
// the six AWS receivers (sinks/aws/) and opensearch/elasticsearch with
// `aws` (sinks/search/). One home for the region lookup, the credential
// chain, AssumeRole and the RoleSessionName it sends.
//
// Called from a Builder, at `run`; does no network I/O itself (providers
// fetch at their first Get()). The providers it returns are thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "aws/credentials.h"
#include "util/clock.h"
#include "util/result.h"

namespace kv::sinks::common {

struct AwsAccessConfig {
  // The receiver's region; "" = the default chain's ($AWS_REGION,
  // $AWS_DEFAULT_REGION, the profile, IMDS).
  std::string region;
  // A role to assume with STS AssumeRole on top of the chain's
  // credentials; "" = the chain's credentials directly.
  std::string role_arn;
  // STS URL override (VPC endpoints, tests); "" = $AWS_ENDPOINT_URL_STS,
  // $AWS_ENDPOINT_URL, else the regional STS endpoint.
  std::string sts_endpoint;
  // The key that sets `region` in this receiver's config ("region",
  // "aws.region"), named in the error when no region is found.
  std::string_view region_key = "region";
};

struct AwsAccess {
  std::string region;                                          // never empty
  std::shared_ptr<::kv::aws::CredentialProvider> credentials;  // never null
};

// Hands out region and credentials to the receivers of one process. The
// default chain for a (region, STS endpoint) is made once and shared by
// every receiver that asks for it, so it fetches and refreshes credentials
// (IMDS, IRSA's STS call, a credential_process) once, not once per
// receiver; an AssumeRole provider stays per receiver (its session name is
// the receiver's). `kubevents run` keeps one (app::Receivers) and passes it
// in every SinkContext. Thread-safe.
class AwsAccessPool {
 public:
  // `clock` must outlive the pool and every provider it hands out.
  explicit AwsAccessPool(Clock& clock) : clock_(clock) {}

  // Resolves the region (the config's, else the default chain's) and the
  // credentials: the shared default chain, behind AssumeRole with
  // RoleSessionName(receiver) when role_arn is set. Error kInvalidConfig
  // when no region can be found; kInternal when a provider cannot be made.
  Result<AwsAccess> Resolve(const AwsAccessConfig& config, std::string_view receiver);

 private:
  Clock& clock_;
  std::mutex mu_;  // guards chains_
  std::map<std::pair<std::string, std::string>, std::shared_ptr<::kv::aws::CredentialProvider>>
      chains_;  // by (region, STS endpoint)
};

// One receiver's access with a chain of its own (a pool of one).
Result<AwsAccess> ResolveAwsAccess(const AwsAccessConfig& config, std::string_view receiver,
                                   Clock& clock);

// STS's limit on RoleSessionName.
inline constexpr size_t kMaxRoleSessionNameChars = 64;

// The RoleSessionName AssumeRole gets: "kubevents-<receiver>" with every
// character outside STS's charset ([\w+=,.@-]) replaced by '-', cut to
// kMaxRoleSessionNameChars. The same receiver always gets the same name.
std::string RoleSessionName(std::string_view receiver);

}  // namespace kv::sinks::common
