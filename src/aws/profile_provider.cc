// Credentials from a profile of the shared config/credentials files.
#include <set>
#include <utility>

#include "aws/profile.h"
#include "aws/providers.h"
#include "aws/refreshing.h"

namespace kv::aws {

namespace {

constexpr int kMaxChainDepth = 8;

class ProfileResolver {
 public:
  ProfileResolver(const ProfileSet& profiles, const ChainOptions& options, Clock& clock)
      : profiles_(profiles), options_(options), clock_(clock) {}

  Result<std::shared_ptr<CredentialProvider>> Build(const std::string& name, int depth) {
    const IniSection* values = profiles_.Find(name);
    if (values == nullptr) return Fail(ErrorCode::kInvalidConfig, "profile " + name + " not found");
    if (depth > kMaxChainDepth || !visited_.insert(name).second) {
      return Fail(ErrorCode::kInvalidConfig, "profile " + name + ": source_profile loop");
    }
    auto get = [&](const char* key) { return profiles_.Value(name, key); };
    const std::string role_arn = get("role_arn");
    if (!role_arn.empty()) return BuildRole(name, role_arn, depth);
    if (!get("sso_start_url").empty() || !get("sso_session").empty()) {
      return Fail(ErrorCode::kInvalidConfig,
                  "profile " + name + ": IAM Identity Center (SSO) profiles are not supported");
    }
    if (auto s = Static(name); s || s.error().code != ErrorCode::kNotFound) return s;
    if (std::string command = get("credential_process"); !command.empty()) {
      return ProcessProvider(command, clock_);
    }
    return Fail(ErrorCode::kNotFound, "profile " + name + " has no credentials");
  }

 private:
  Result<std::shared_ptr<CredentialProvider>> Static(const std::string& name) {
    Credentials creds;
    creds.access_key_id = profiles_.Value(name, "aws_access_key_id");
    creds.secret_access_key = profiles_.Value(name, "aws_secret_access_key");
    creds.session_token = profiles_.Value(name, "aws_session_token");
    creds.source = "shared-profile";
    if (creds.access_key_id.empty() && creds.secret_access_key.empty()) {
      return Fail(ErrorCode::kNotFound, "profile " + name + " has no static keys");
    }
    if (creds.access_key_id.empty() || creds.secret_access_key.empty()) {
      return Fail(
          ErrorCode::kInvalidConfig,
          "profile " + name + ": aws_access_key_id and aws_secret_access_key must be set together");
    }
    return StaticProvider(std::move(creds));
  }

  Result<std::shared_ptr<CredentialProvider>> BuildRole(const std::string& name,
                                                        const std::string& role_arn, int depth) {
    auto get = [&](const char* key) { return profiles_.Value(name, key); };
    if (std::string file = get("web_identity_token_file"); !file.empty()) {
      return WebIdentityFromFile(role_arn, file, get("role_session_name"), options_, clock_);
    }
    const std::string source_profile = get("source_profile");
    const std::string credential_source = get("credential_source");
    if (!source_profile.empty() && !credential_source.empty()) {
      return Fail(ErrorCode::kInvalidConfig,
                  "profile " + name + ": source_profile and credential_source are exclusive");
    }
    std::shared_ptr<CredentialProvider> base;
    if (credential_source == "Environment") {
      base = EnvironmentProvider(options_);
    } else if (credential_source == "Ec2InstanceMetadata") {
      base = ImdsProvider(options_, clock_);
    } else if (credential_source == "EcsContainer") {
      base = ContainerProvider(options_, clock_);
    } else if (!credential_source.empty()) {
      return Fail(ErrorCode::kInvalidConfig,
                  "profile " + name + ": unknown credential_source " + credential_source);
    } else if (source_profile == name) {
      // A profile may name itself: its own static keys assume its role.
      auto s = Static(name);
      if (!s) return Fail(ErrorCode::kInvalidConfig, "profile " + name + ": " + s.error().message);
      base = *s;
    } else if (!source_profile.empty()) {
      auto b = Build(source_profile, depth + 1);
      if (!b) {
        return Fail(
            b.error().code == ErrorCode::kNotFound ? ErrorCode::kInvalidConfig : b.error().code,
            "profile " + name + ": " + b.error().message);
      }
      base = *b;
    } else {
      return Fail(ErrorCode::kInvalidConfig,
                  "profile " + name +
                      ": role_arn needs source_profile, credential_source or "
                      "web_identity_token_file");
    }
    sts::AssumeRoleParams params;
    params.role_arn = role_arn;
    params.session_name = get("role_session_name");
    params.external_id = get("external_id");
    if (std::string d = get("duration_seconds"); !d.empty()) {
      try {
        params.duration = std::chrono::seconds(std::stol(d));
      } catch (const std::exception&) {
        return Fail(ErrorCode::kInvalidConfig, "profile " + name + ": bad duration_seconds " + d);
      }
    }
    if (!get("mfa_serial").empty()) {
      return Fail(ErrorCode::kInvalidConfig,
                  "profile " + name + ": mfa_serial needs a person to type a code; not supported");
    }
    return AssumeRoleProvider(std::move(base), std::move(params), options_, clock_);
  }

  const ProfileSet& profiles_;
  const ChainOptions& options_;
  Clock& clock_;
  std::set<std::string> visited_;
};

class Profile final : public CredentialProvider {
 public:
  Profile(ChainOptions options, Clock& clock) : options_(std::move(options)), clock_(clock) {}

  Result<Credentials> Get() override {
    std::shared_ptr<CredentialProvider> inner;
    {
      std::lock_guard lock(mu_);
      if (!inner_) {
        Result<std::shared_ptr<CredentialProvider>> built = Resolve();
        if (!built) return tl::unexpected(built.error());
        inner_ = *built;
      }
      inner = inner_;
    }
    return inner->Get();
  }

 private:
  Result<std::shared_ptr<CredentialProvider>> Resolve() {
    ProfileName name = ResolveProfileName(options_.profile, options_.getenv);
    Result<ProfileSet> profiles = ProfileSet::Load(options_.getenv);
    if (!profiles) return tl::unexpected(profiles.error());
    if (profiles->Find(name.name) == nullptr) {
      if (name.explicit_name) {
        return Fail(ErrorCode::kInvalidConfig,
                    "profile " + name.name + " not found in the shared config/credentials files");
      }
      return Fail(ErrorCode::kNotFound, "profile: no default profile");
    }
    return ProfileResolver(*profiles, options_, clock_).Build(name.name, 0);
  }

  const ChainOptions options_;
  Clock& clock_;
  std::mutex mu_;
  std::shared_ptr<CredentialProvider> inner_;  // guarded by mu_
};

}  // namespace

std::shared_ptr<CredentialProvider> ProfileProvider(const ChainOptions& options, Clock& clock) {
  return std::make_shared<Profile>(options, clock);
}

std::shared_ptr<CredentialProvider> AssumeRoleProvider(std::shared_ptr<CredentialProvider> base,
                                                       sts::AssumeRoleParams params,
                                                       const ChainOptions& options, Clock& clock) {
  auto client = std::make_shared<http::Client>();
  auto fetch = [client, base = std::move(base), params = std::move(params), options,
                &clock]() -> Result<Credentials> {
    Result<Credentials> source = base->Get();
    if (!source) {
      ErrorCode code = source.error().code == ErrorCode::kNotFound ? ErrorCode::kInvalidConfig
                                                                   : source.error().code;
      return Fail(code, "assume role " + params.role_arn +
                            ": no source credentials: " + source.error().message);
    }
    sts::AssumeRoleParams call = params;
    if (call.session_name.empty()) call.session_name = sts::DefaultSessionName(clock.WallNow());
    sts::Endpoint endpoint =
        sts::ResolveEndpoint(options.sts_endpoint, RegionWithoutImds(options), options.getenv);
    return sts::CallAssumeRole(*client, endpoint, call, *source, clock.WallNow());
  };
  return std::make_shared<RefreshingProvider>(std::move(fetch), clock);
}

}  // namespace kv::aws
