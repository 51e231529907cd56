// The environment-variable source and the static one.
#include <utility>

#include "aws/providers.h"

namespace kv::aws {

namespace {

class Static final : public CredentialProvider {
 public:
  explicit Static(Credentials credentials) : credentials_(std::move(credentials)) {}
  Result<Credentials> Get() override { return credentials_; }

 private:
  const Credentials credentials_;
};

class Environment final : public CredentialProvider {
 public:
  explicit Environment(Getenv getenv) : getenv_(std::move(getenv)) {}
  Result<Credentials> Get() override {
    Credentials creds;
    creds.access_key_id = EnvValue(getenv_, "AWS_ACCESS_KEY_ID");
    creds.secret_access_key = EnvValue(getenv_, "AWS_SECRET_ACCESS_KEY");
    creds.session_token = EnvValue(getenv_, "AWS_SESSION_TOKEN");
    creds.source = "environment";
    if (creds.access_key_id.empty() && creds.secret_access_key.empty()) {
      return Fail(ErrorCode::kNotFound, "environment: AWS_ACCESS_KEY_ID not set");
    }
    if (creds.access_key_id.empty() || creds.secret_access_key.empty()) {
      return Fail(ErrorCode::kInvalidConfig,
                  "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
    }
    return creds;
  }

 private:
  const Getenv getenv_;
};

}  // namespace

std::shared_ptr<CredentialProvider> StaticProvider(Credentials credentials) {
  return std::make_shared<Static>(std::move(credentials));
}

std::shared_ptr<CredentialProvider> EnvironmentProvider(const ChainOptions& options) {
  return std::make_shared<Environment>(options.getenv);
}

}  // namespace kv::aws
