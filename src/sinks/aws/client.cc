#include "sinks/aws/client.h"

#include "sinks/common/aws_access.h"

namespace kv::sinks::aws {

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

Result<std::unique_ptr<Client>> Connect(const AwsConfig& config, std::string_view service,
                                        const SinkContext& ctx) {
  common::AwsAccessConfig wanted;
  wanted.region = config.region;
  wanted.role_arn = config.role_arn;
  if (!ctx.aws) return Fail(ErrorCode::kInternal, "no AWS access in this receiver's context");
  auto access = ctx.aws->Resolve(wanted, ctx.receiver_name);
  if (!access) return tl::unexpected(access.error());
  ::kv::aws::SignOptions sign;
  sign.region = access->region;
  sign.service = std::string(service);
  return std::make_unique<Client>(
      EndpointUrl(config.endpoint, service, access->region, ::kv::aws::ProcessEnvironment()),
      std::move(sign), std::move(access->credentials), *ctx.clock);
}

}  // namespace kv::sinks::aws
