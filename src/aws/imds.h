// EC2 instance metadata (IMDSv2): a session token from
// PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds), then GETs
// that carry it in X-aws-ec2-metadata-token. IMDSv1 (GETs without a token)
// only when allowed. Not thread-safe: one user at a time (the credential
// cache's lock, or a local instance).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "aws/credentials.h"
#include "http/client.h"
#include "util/clock.h"

namespace kv::aws {

inline constexpr std::chrono::seconds kImdsTokenTtl{21600};

// options.imds_endpoint, else $AWS_EC2_METADATA_SERVICE_ENDPOINT, else
// http://[fd00:ec2::254] when $AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE is
// IPv6, else http://169.254.169.254. No trailing slash.
std::string ImdsEndpoint(const ChainOptions& options);

// True when $AWS_EC2_METADATA_DISABLED is "true".
bool ImdsDisabled(const ChainOptions& options);

class ImdsClient {
 public:
  ImdsClient(std::string endpoint, bool v1_fallback, Clock& clock);  // clock outlives it

  // The body of GET `path` (e.g. "/latest/meta-data/placement/region").
  // Fetches or reuses the token (refetched once if the answer is 401).
  // kNotFound for 404; kUnavailable for transport errors and 5xx;
  // kUnauthorized when the token is refused and v1 is not allowed.
  Result<std::string> Get(const std::string& path);

 private:
  Result<std::string> Token();
  Result<http::Response> Send(http::Request request);

  const std::string endpoint_;
  const bool v1_fallback_;
  Clock& clock_;
  http::Client client_;
  std::optional<std::string> token_;  // "" = IMDSv1 (no token)
  std::chrono::steady_clock::time_point token_expiry_{};
};

// Parses the credentials document of
// /latest/meta-data/iam/security-credentials/ROLE. Pure.
Result<Credentials> ParseImdsCredentials(std::string_view body);

}  // namespace kv::aws
