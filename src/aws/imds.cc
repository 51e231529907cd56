#include "aws/imds.h"

#include <simdjson.h>

#include <memory>
#include <utility>

#include "aws/providers.h"
#include "aws/refreshing.h"
#include "util/time.h"

namespace kv::aws {

namespace {

constexpr std::string_view kDefaultEndpoint = "http://169.254.169.254";
constexpr std::string_view kIpv6Endpoint = "http://[fd00:ec2::254]";
constexpr std::string_view kCredentialsPath = "/latest/meta-data/iam/security-credentials/";

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t start = s.find_first_not_of(" \r\n");
  return start == std::string::npos ? "" : s.substr(start);
}

}  // namespace

std::string ImdsEndpoint(const ChainOptions& options) {
  std::string endpoint = options.imds_endpoint;
  if (endpoint.empty()) endpoint = EnvValue(options.getenv, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
  if (endpoint.empty()) {
    std::string mode = EnvValue(options.getenv, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    endpoint = (mode == "IPv6" || mode == "ipv6") ? kIpv6Endpoint : kDefaultEndpoint;
  }
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  return endpoint;
}

bool ImdsDisabled(const ChainOptions& options) {
  return EnvTrue(options.getenv, "AWS_EC2_METADATA_DISABLED");
}

ImdsClient::ImdsClient(std::string endpoint, bool v1_fallback, Clock& clock)
    : endpoint_(std::move(endpoint)), v1_fallback_(v1_fallback), clock_(clock) {}

Result<http::Response> ImdsClient::Send(http::Request request) {
  // The metadata service is a hop away and answers at once; a slow answer
  // means it is not there (or the hop limit drops our packets).
  request.connect_timeout = std::chrono::seconds(1);
  request.timeout = std::chrono::seconds(2);
  Result<http::Response> response = client_.Do(request, {});
  if (!response) {
    return Fail(ErrorCode::kUnavailable, "imds " + endpoint_ + ": " + response.error().message);
  }
  return response;
}

Result<std::string> ImdsClient::Token() {
  if (token_ && clock_.SteadyNow() < token_expiry_) return *token_;
  http::Request request;
  request.method = "PUT";
  request.url = endpoint_ + "/latest/api/token";
  request.headers.emplace_back("x-aws-ec2-metadata-token-ttl-seconds",
                               std::to_string(kImdsTokenTtl.count()));
  Result<http::Response> response = Send(request);
  if (!response) return tl::unexpected(response.error());
  if (response->status == 200 && !response->body.empty()) {
    token_ = Trim(response->body);
    // Renewed a minute early so a GET never carries a token about to lapse.
    token_expiry_ = clock_.SteadyNow() + kImdsTokenTtl - std::chrono::seconds(60);
    return *token_;
  }
  const long status = response->status;
  // 403: IMDSv2 turned off; 404/405: an old or proxied IMDS without tokens.
  if (v1_fallback_ && (status == 403 || status == 404 || status == 405)) {
    token_ = "";
    token_expiry_ = clock_.SteadyNow() + std::chrono::minutes(5);
    return *token_;
  }
  ErrorCode code = status >= 500 ? ErrorCode::kUnavailable : ErrorCode::kUnauthorized;
  return Fail(code,
              "imds: token request answered HTTP " + std::to_string(status) +
                  (v1_fallback_ ? "" : " (IMDSv1 fallback is off)"),
              static_cast<int>(status));
}

Result<std::string> ImdsClient::Get(const std::string& path) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    Result<std::string> token = Token();
    if (!token) return tl::unexpected(token.error());
    http::Request request;
    request.url = endpoint_ + path;
    if (!token->empty()) request.headers.emplace_back("x-aws-ec2-metadata-token", *token);
    Result<http::Response> response = Send(request);
    if (!response) return tl::unexpected(response.error());
    const long status = response->status;
    if (status == 200) return std::move(response->body);
    if (status == 401 && attempt == 0) {
      token_.reset();  // expired or revoked: one new token, one more try
      continue;
    }
    ErrorCode code = status == 404                    ? ErrorCode::kNotFound
                     : status >= 500                  ? ErrorCode::kUnavailable
                     : status == 401 || status == 403 ? ErrorCode::kUnauthorized
                                                      : ErrorCode::kRejected;
    return Fail(code, "imds: GET " + path + " answered HTTP " + std::to_string(status),
                static_cast<int>(status));
  }
  return Fail(ErrorCode::kUnauthorized, "imds: token refused twice");
}

Result<Credentials> ParseImdsCredentials(std::string_view body) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(object)) {
    return Fail(ErrorCode::kCorrupt, "imds: credentials are not a JSON object");
  }
  Credentials creds;
  std::string code, expiration;
  for (auto field : object) {
    std::string_view key, value;
    if (field.unescaped_key().get(key) || field.value().get_string().get(value)) continue;
    if (key == "Code") code = std::string(value);
    if (key == "AccessKeyId") creds.access_key_id = std::string(value);
    if (key == "SecretAccessKey") creds.secret_access_key = std::string(value);
    if (key == "Token") creds.session_token = std::string(value);
    if (key == "Expiration") expiration = std::string(value);
  }
  if (!code.empty() && code != "Success") {
    return Fail(ErrorCode::kUnavailable, "imds: credentials Code is " + code);
  }
  if (creds.access_key_id.empty() || creds.secret_access_key.empty()) {
    return Fail(ErrorCode::kCorrupt, "imds: credentials lack AccessKeyId or SecretAccessKey");
  }
  if (!expiration.empty()) {
    std::optional<int64_t> micros = timeutil::ParseRfc3339Micros(expiration);
    if (!micros) return Fail(ErrorCode::kCorrupt, "imds: bad Expiration " + expiration);
    creds.expiration = timeutil::FromMicros(*micros);
  }
  creds.source = "imds";
  return creds;
}

std::shared_ptr<CredentialProvider> ImdsProvider(const ChainOptions& options, Clock& clock) {
  std::shared_ptr<ImdsClient> client;  // made on the first fetch: options may say "disabled"
  auto fetch = [client, options, &clock]() mutable -> Result<Credentials> {
    if (ImdsDisabled(options)) {
      return Fail(ErrorCode::kNotFound, "imds: AWS_EC2_METADATA_DISABLED is true");
    }
    if (!client) {
      client = std::make_shared<ImdsClient>(ImdsEndpoint(options), options.imds_v1_fallback, clock);
    }
    Result<std::string> roles = client->Get(std::string(kCredentialsPath));
    if (!roles) {
      if (roles.error().code == ErrorCode::kNotFound) {
        return Fail(ErrorCode::kNotFound, "imds: the instance has no IAM instance profile");
      }
      return tl::unexpected(roles.error());
    }
    std::string role = Trim(roles->substr(0, roles->find('\n')));
    if (role.empty()) return Fail(ErrorCode::kNotFound, "imds: the instance has no IAM role");
    Result<std::string> doc = client->Get(std::string(kCredentialsPath) + role);
    if (!doc) return tl::unexpected(doc.error());
    return ParseImdsCredentials(*doc);
  };
  return std::make_shared<RefreshingProvider>(std::move(fetch), clock);
}

}  // namespace kv::aws
