// AWS credentials and where they come from. A CredentialProvider answers
// with the current credentials, fetching or refreshing them as needed
// (providers that fetch cache their answer and refresh it ahead of its
// expiry, so a request never goes out with credentials about to lapse).
//
// Thread-safe: one provider may serve several receivers' worker threads.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "aws/environment.h"
#include "util/clock.h"
#include "util/result.h"

namespace kv::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  // When these stop working; nullopt for keys that do not expire.
  std::optional<std::chrono::system_clock::time_point> expiration;
  std::string source;  // which provider produced them ("environment", "imds", ...); for logs
};

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  // Current credentials. kUnavailable when the source is reachable in
  // principle but failed now (retry later); kUnauthorized when it refused
  // (a bad role, a rejected web identity token); kNotFound when this source
  // is not configured at all (the chain then asks the next one);
  // kInvalidConfig when it is configured wrongly (one key without the
  // other, a named profile that does not exist); kCorrupt when its answer
  // cannot be read. Messages never hold secrets.
  virtual Result<Credentials> Get() = 0;
};

// Where the chain looks, in the order the AWS SDKs use. Every field has the
// value the real environment would give; tests override them.
struct ChainOptions {
  std::string profile;  // "" = $AWS_PROFILE, else "default"
  // Endpoint overrides (tests, VPC endpoints). "" = the real AWS one.
  std::string sts_endpoint;
  std::string imds_endpoint;  // "" = $AWS_EC2_METADATA_SERVICE_ENDPOINT or http://169.254.169.254
  bool imds_v1_fallback = false;
  std::string region;  // for STS; "" = from the environment / profile
  // Added for tests (defaults are the real environment):
  Getenv getenv;  // where environment variables come from; null = the process's
  // Base URL for $AWS_CONTAINER_CREDENTIALS_RELATIVE_URI; "" = http://169.254.170.2
  std::string ecs_endpoint;
};

// The default chain: environment keys, IRSA web identity from the
// environment, shared config/credentials files (role_arn + source_profile,
// web identity, static keys, credential_process), container credentials
// (ECS and EKS Pod Identity), IMDSv2 (docs/aws.md; IRSA before the profile
// as botocore and the Java and Go SDKs order them). Each lookup walks the
// chain until one source answers; the winner is remembered and refreshed.
// A source that is configured but fails stops the walk with its error.
// No I/O until the first Get().
std::shared_ptr<CredentialProvider> DefaultChain(const ChainOptions& options, Clock& clock);

// Assumes `role_arn` with STS AssumeRole using `base` credentials (a
// receiver's `roleArn`), cached and refreshed before expiry.
std::shared_ptr<CredentialProvider> AssumeRole(std::shared_ptr<CredentialProvider> base,
                                               std::string role_arn, std::string session_name,
                                               const ChainOptions& options, Clock& clock);

// The region to use when a receiver sets none: $AWS_REGION,
// $AWS_DEFAULT_REGION, the profile's `region`, then IMDS. kNotFound if none.
Result<std::string> DefaultRegion(const ChainOptions& options);

}  // namespace kv::aws
