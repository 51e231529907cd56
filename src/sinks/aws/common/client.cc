#include "sinks/aws/common/client.h"

namespace kv::sinks::aws_common {

Client::Client(std::string base_url, ::kv::aws::SignOptions sign,
               std::shared_ptr<::kv::aws::CredentialProvider> credentials, Clock& clock)
    : base_url_(std::move(base_url)),
      credentials_(std::move(credentials)),
      clock_(clock),
      signer_(std::move(sign)) {}

Result<http::Response> Client::PostJson(std::string_view target, std::string_view json_version,
                                        std::string body) {
  http::Request request;
  request.method = "POST";
  request.url = base_url_ + "/";
  request.headers = {{"Content-Type", "application/x-amz-json-" + std::string(json_version)},
                     {"X-Amz-Target", std::string(target)}};
  request.body = std::move(body);
  return Do(std::move(request));
}

Result<http::Response> Client::PostForm(std::string body) {
  http::Request request;
  request.method = "POST";
  request.url = base_url_ + "/";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = std::move(body);
  return Do(std::move(request));
}

Result<http::Response> Client::Do(http::Request request) {
  if (!credentials_) return Fail(ErrorCode::kNotFound, "no AWS credential provider");
  auto creds = credentials_->Get();
  if (!creds) {
    return Fail(creds.error().code, "AWS credentials: " + creds.error().message);
  }
  signer_.Sign(request, *creds, clock_.WallNow());
  return http_.Do(request, http::TlsOptions{});
}

std::string RoleSessionName(std::string_view receiver) {
  std::string out = "kubevents-";
  for (char c : receiver) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
    out += ok ? c : '-';
  }
  if (out.size() > 64) out.resize(64);
  return out;
}

Result<std::unique_ptr<Client>> Connect(const AwsConfig& config, std::string_view service,
                                        const SinkContext& ctx) {
  ::kv::aws::ChainOptions chain;
  chain.region = config.region;
  std::string region = config.region;
  if (region.empty()) {
    auto found = ::kv::aws::DefaultRegion(chain);
    if (!found) {
      return Fail(ErrorCode::kInvalidConfig,
                  "no AWS region: set `region` on the receiver or AWS_REGION");
    }
    region = *found;
    chain.region = region;
  }
  auto credentials = ::kv::aws::DefaultChain(chain, *ctx.clock);
  if (!credentials) return Fail(ErrorCode::kInternal, "AWS credential chain unavailable");
  if (!config.role_arn.empty()) {
    credentials = ::kv::aws::AssumeRole(std::move(credentials), config.role_arn,
                                        RoleSessionName(ctx.receiver_name), chain, *ctx.clock);
    if (!credentials) return Fail(ErrorCode::kInternal, "AWS AssumeRole provider unavailable");
  }
  ::kv::aws::SignOptions sign;
  sign.region = region;
  sign.service = std::string(service);
  return std::make_unique<Client>(EndpointUrl(config.endpoint, service, region), std::move(sign),
                                  std::move(credentials), *ctx.clock);
}

}  // namespace kv::sinks::aws_common
