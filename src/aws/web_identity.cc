// Web identity (IRSA and profiles' web_identity_token_file) through STS
// AssumeRoleWithWebIdentity.
#include <memory>
#include <utility>

#include "aws/providers.h"
#include "aws/refreshing.h"
#include "util/files.h"

namespace kv::aws {

namespace {

struct WebIdentityConfig {
  std::string role_arn;
  std::string token_file;
  std::string session_name;  // "" = a fresh default per call
};

// Reads the token anew (the kubelet rotates it) and calls STS.
Result<Credentials> Fetch(http::Client& client, const WebIdentityConfig& config,
                          const ChainOptions& options, Clock& clock) {
  Result<std::string> token = files::Read(config.token_file);
  if (!token) {
    return Fail(ErrorCode::kUnavailable, "web identity token file: " + token.error().message);
  }
  while (!token->empty() && (token->back() == '\n' || token->back() == '\r' ||
                             token->back() == ' ' || token->back() == '\t')) {
    token->pop_back();
  }
  if (token->empty()) {
    return Fail(ErrorCode::kUnavailable,
                "web identity token file " + config.token_file + " is empty");
  }
  sts::AssumeRoleParams params;
  params.role_arn = config.role_arn;
  params.session_name =
      config.session_name.empty() ? sts::DefaultSessionName(clock.WallNow()) : config.session_name;
  sts::Endpoint endpoint =
      sts::ResolveEndpoint(options.sts_endpoint, RegionWithoutImds(options), options.getenv);
  return sts::CallAssumeRoleWithWebIdentity(client, endpoint, params, *token);
}

}  // namespace

std::shared_ptr<CredentialProvider> WebIdentityFromFile(std::string role_arn,
                                                        std::string token_file,
                                                        std::string session_name,
                                                        const ChainOptions& options, Clock& clock) {
  auto client = std::make_shared<http::Client>();
  WebIdentityConfig config{std::move(role_arn), std::move(token_file), std::move(session_name)};
  auto fetch = [client, config, options, &clock]() {
    return Fetch(*client, config, options, clock);
  };
  return std::make_shared<RefreshingProvider>(std::move(fetch), clock);
}

std::shared_ptr<CredentialProvider> WebIdentityProvider(const ChainOptions& options, Clock& clock) {
  auto client = std::make_shared<http::Client>();
  auto fetch = [client, options, &clock]() -> Result<Credentials> {
    WebIdentityConfig config;
    config.token_file = EnvValue(options.getenv, "AWS_WEB_IDENTITY_TOKEN_FILE");
    config.role_arn = EnvValue(options.getenv, "AWS_ROLE_ARN");
    config.session_name = EnvValue(options.getenv, "AWS_ROLE_SESSION_NAME");
    if (config.token_file.empty()) {
      return Fail(ErrorCode::kNotFound, "web identity: AWS_WEB_IDENTITY_TOKEN_FILE not set");
    }
    if (config.role_arn.empty()) {
      return Fail(ErrorCode::kInvalidConfig,
                  "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
    }
    return Fetch(*client, config, options, clock);
  };
  return std::make_shared<RefreshingProvider>(std::move(fetch), clock);
}

}  // namespace kv::aws
