// The credential sources one by one, for the default chain (credentials.h)
// and for tests that exercise one source alone. Every provider is
// thread-safe, does no I/O when built (Parse is not Build), and reads its
// environment variables from options.getenv on each Get(), so a source
// that is not configured answers kNotFound.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "aws/sts.h"

namespace kv::aws {

// Always answers `credentials`.
std::shared_ptr<CredentialProvider> StaticProvider(Credentials credentials);

// $AWS_ACCESS_KEY_ID, $AWS_SECRET_ACCESS_KEY, optional $AWS_SESSION_TOKEN
// (source "environment"). kInvalidConfig when only one of the keys is set.
std::shared_ptr<CredentialProvider> EnvironmentProvider(const ChainOptions& options);

// The profile of the shared files (profile.h), in the AWS CLI's order:
// role_arn with source_profile or credential_source (AssumeRole, chained
// through source profiles), role_arn with web_identity_token_file, static
// keys, credential_process. Files are read on the first Get() that finds
// the profile usable. kNotFound if the default profile has no
// credentials; kInvalidConfig if a named profile is missing or broken.
std::shared_ptr<CredentialProvider> ProfileProvider(const ChainOptions& options, Clock& clock);

// IRSA: $AWS_ROLE_ARN + $AWS_WEB_IDENTITY_TOKEN_FILE (+ $AWS_ROLE_SESSION_NAME)
// through STS AssumeRoleWithWebIdentity. The token file is read again for
// every refresh (the kubelet rotates it). Source "web-identity".
std::shared_ptr<CredentialProvider> WebIdentityProvider(const ChainOptions& options, Clock& clock);

// The same for explicit values (a profile's web_identity_token_file).
std::shared_ptr<CredentialProvider> WebIdentityFromFile(std::string role_arn,
                                                        std::string token_file,
                                                        std::string session_name,
                                                        const ChainOptions& options, Clock& clock);

// Container credentials: $AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (ECS, on
// 169.254.170.2) or $AWS_CONTAINER_CREDENTIALS_FULL_URI (EKS Pod Identity;
// http only to loopback or the ECS/EKS link-local agents, else https),
// with the Authorization header from $AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
// (re-read each time) or $AWS_CONTAINER_AUTHORIZATION_TOKEN. Source
// "eks-pod-identity" for a FULL_URI, "ecs" for a RELATIVE_URI.
std::shared_ptr<CredentialProvider> ContainerProvider(const ChainOptions& options, Clock& clock);

// EC2 instance metadata, IMDSv2 (imds.h). kNotFound when
// $AWS_EC2_METADATA_DISABLED is true. Source "imds".
std::shared_ptr<CredentialProvider> ImdsProvider(const ChainOptions& options, Clock& clock);

// Runs `command` (split like a shell word list, not through a shell) and
// reads the credential_process JSON it prints (Version 1). Source
// "credential-process".
std::shared_ptr<CredentialProvider> ProcessProvider(std::string command, Clock& clock);

// STS AssumeRole over `base`, cached and refreshed (credentials.h AssumeRole).
std::shared_ptr<CredentialProvider> AssumeRoleProvider(std::shared_ptr<CredentialProvider> base,
                                                       sts::AssumeRoleParams params,
                                                       const ChainOptions& options, Clock& clock);

// Asks `providers` in order; the first that answers wins and is asked
// alone from then on (until it answers kNotFound). A source that is
// configured but fails stops the walk with its error, so a broken
// configuration is not hidden by a later source. When none is
// configured: kNotFound naming every source tried (for IMDS, the last,
// its own error code and message).
std::shared_ptr<CredentialProvider> ChainOf(
    std::vector<std::shared_ptr<CredentialProvider>> providers);

// One source by name: "chain" (DefaultChain), "environment", "profile",
// "web-identity", "container", "imds". kInvalidConfig for another name.
Result<std::shared_ptr<CredentialProvider>> ProviderByName(std::string_view name,
                                                           const ChainOptions& options,
                                                           Clock& clock);

// The region for STS and signing when IMDS must not be asked: options.region,
// $AWS_REGION, $AWS_DEFAULT_REGION, then the profile's `region`. "" if none.
std::string RegionWithoutImds(const ChainOptions& options);

}  // namespace kv::aws
