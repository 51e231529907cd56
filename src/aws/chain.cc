// The provider chain: ask each source in turn, remember the one that answered.
#include <spdlog/spdlog.h>

#include <mutex>
#include <utility>

#include "aws/providers.h"

namespace kv::aws {

namespace {

class Chain final : public CredentialProvider {
 public:
  explicit Chain(std::vector<std::shared_ptr<CredentialProvider>> providers)
      : providers_(std::move(providers)) {}

  Result<Credentials> Get() override {
    std::shared_ptr<CredentialProvider> winner;
    {
      std::lock_guard lock(mu_);
      winner = winner_;
    }
    if (winner) {
      Result<Credentials> r = winner->Get();
      if (r || r.error().code != ErrorCode::kNotFound) return r;
      std::lock_guard lock(mu_);
      if (winner_ == winner) winner_.reset();  // its configuration went away: walk again
    }
    std::string tried;
    Error last(ErrorCode::kNotFound, "no credential sources");
    for (const auto& provider : providers_) {
      Result<Credentials> r = provider->Get();
      if (r) {
        std::lock_guard lock(mu_);
        if (winner_ != provider) {
          spdlog::info("aws credentials: using source {}", r->source);
          winner_ = provider;
        }
        return r;
      }
      if (r.error().code != ErrorCode::kNotFound) return r;
      if (!tried.empty()) tried += "; ";
      tried += r.error().message;
      last = r.error();
    }
    // The last source's code (IMDS: unavailable vs. not found) with every
    // source's reason.
    return Fail(last.code, "no AWS credentials found: " + tried, last.http_status);
  }

 private:
  const std::vector<std::shared_ptr<CredentialProvider>> providers_;
  std::mutex mu_;
  std::shared_ptr<CredentialProvider> winner_;  // guarded by mu_
};

}  // namespace

std::shared_ptr<CredentialProvider> ChainOf(
    std::vector<std::shared_ptr<CredentialProvider>> providers) {
  return std::make_shared<Chain>(std::move(providers));
}

Result<std::shared_ptr<CredentialProvider>> ProviderByName(std::string_view name,
                                                           const ChainOptions& options,
                                                           Clock& clock) {
  if (name == "chain") return DefaultChain(options, clock);
  if (name == "environment") return EnvironmentProvider(options);
  if (name == "profile") return ProfileProvider(options, clock);
  if (name == "web-identity") return WebIdentityProvider(options, clock);
  if (name == "container") return ContainerProvider(options, clock);
  if (name == "imds") return ImdsProvider(options, clock);
  return Fail(ErrorCode::kInvalidConfig,
              "unknown credential source " + std::string(name) +
                  " (chain, environment, profile, web-identity, container, imds)");
}

}  // namespace kv::aws
