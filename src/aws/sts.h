// AWS STS calls the credential chain makes: AssumeRole (signed with the
// caller's credentials) and AssumeRoleWithWebIdentity (unsigned; the web
// identity token is the proof). Query protocol: form-encoded POST, XML
// answer. Request building and answer parsing are pure; Call* do the I/O.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "aws/environment.h"
#include "http/client.h"

namespace kv::aws::sts {

struct Endpoint {
  std::string url;             // "https://sts.eu-west-1.amazonaws.com"
  std::string signing_region;  // "eu-west-1"; "us-east-1" for the global endpoint
};

// Where STS is: `override_url` (ChainOptions::sts_endpoint) if set, else
// $AWS_ENDPOINT_URL_STS, else $AWS_ENDPOINT_URL (both ignored when
// $AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true), else the regional
// endpoint of `region` (amazonaws.com.cn for cn-*), else the global
// https://sts.amazonaws.com.
Endpoint ResolveEndpoint(const std::string& override_url, const std::string& region,
                         const Getenv& getenv);

struct AssumeRoleParams {
  std::string role_arn;
  std::string session_name;
  std::string external_id;           // "" = none
  std::chrono::seconds duration{0};  // 0 = the role's default (1 h)
};

// Form bodies of the two calls.
std::string AssumeRoleBody(const AssumeRoleParams& params);
std::string AssumeRoleWithWebIdentityBody(const AssumeRoleParams& params, std::string_view token);

// Credentials out of a 200 answer's <Credentials> (AccessKeyId,
// SecretAccessKey, SessionToken, Expiration). kCorrupt if one is missing
// or the expiration is not a timestamp. Non-200 answers go through
// aws::ToError instead.
Result<Credentials> ParseCredentials(std::string_view xml_body, std::string source);

// A session name for calls that have none configured:
// "kubevents-<unix milliseconds>" (STS allows [\w+=,.@-]{2,64}).
std::string DefaultSessionName(std::chrono::system_clock::time_point now);

// Performs AssumeRole signed with `base` at `now`. Errors: transport
// failures kUnavailable; STS errors as aws::ToError classifies them.
Result<Credentials> CallAssumeRole(http::Client& client, const Endpoint& endpoint,
                                   const AssumeRoleParams& params, const Credentials& base,
                                   std::chrono::system_clock::time_point now);

// Performs AssumeRoleWithWebIdentity with `token` (unsigned request).
Result<Credentials> CallAssumeRoleWithWebIdentity(http::Client& client, const Endpoint& endpoint,
                                                  const AssumeRoleParams& params,
                                                  std::string_view token);

}  // namespace kv::aws::sts
