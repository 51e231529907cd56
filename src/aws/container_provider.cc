// Container credentials: the ECS agent and the EKS Pod Identity agent.
#include <simdjson.h>

#include <memory>
#include <utility>

#include "aws/canonical.h"
#include "aws/errors.h"
#include "aws/providers.h"
#include "aws/refreshing.h"
#include "util/files.h"
#include "util/time.h"

namespace kv::aws {

namespace {

constexpr std::string_view kEcsHost = "http://169.254.170.2";
constexpr int kAttempts = 3;

// Plain http is allowed only to the agents' link-local addresses and to
// loopback, as the SDKs allow: anything else could be a stranger who would
// receive our authorization token.
bool AllowedHttpHost(std::string host) {
  if (host.starts_with("[")) {
    size_t close = host.find(']');
    host = host.substr(1, close == std::string::npos ? std::string::npos : close - 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string::npos) {
    host.erase(colon);
  }
  return host == "localhost" || host.starts_with("127.") || host == "::1" ||
         host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23";
}

Result<Credentials> ParseAnswer(std::string_view body, std::string source) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(object)) {
    return Fail(ErrorCode::kCorrupt, source + ": answer is not a JSON object");
  }
  Credentials creds;
  std::string expiration;
  for (auto field : object) {
    std::string_view key, value;
    if (field.unescaped_key().get(key) || field.value().get_string().get(value)) continue;
    if (key == "AccessKeyId") creds.access_key_id = std::string(value);
    if (key == "SecretAccessKey") creds.secret_access_key = std::string(value);
    if (key == "Token") creds.session_token = std::string(value);
    if (key == "Expiration") expiration = std::string(value);
  }
  if (creds.access_key_id.empty() || creds.secret_access_key.empty()) {
    return Fail(ErrorCode::kCorrupt, source + ": answer lacks AccessKeyId or SecretAccessKey");
  }
  if (!expiration.empty()) {
    std::optional<int64_t> micros = timeutil::ParseRfc3339Micros(expiration);
    if (!micros) return Fail(ErrorCode::kCorrupt, source + ": bad Expiration " + expiration);
    creds.expiration = timeutil::FromMicros(*micros);
  }
  creds.source = std::move(source);
  return creds;
}

Result<Credentials> Fetch(http::Client& client, const ChainOptions& options) {
  const std::string relative = EnvValue(options.getenv, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  const std::string full = EnvValue(options.getenv, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
  std::string url, source;
  if (!relative.empty()) {
    url = (options.ecs_endpoint.empty() ? std::string(kEcsHost) : options.ecs_endpoint) + relative;
    source = "ecs";
  } else if (!full.empty()) {
    UrlParts parts = SplitUrl(full);
    if (parts.scheme != "https" && !(parts.scheme == "http" && AllowedHttpHost(parts.host))) {
      return Fail(ErrorCode::kInvalidConfig,
                  "container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or "
                  "http to loopback or the ECS/EKS agent address; got host " +
                      parts.host);
    }
    url = full;
    source = "eks-pod-identity";
  } else {
    return Fail(ErrorCode::kNotFound,
                "container credentials: AWS_CONTAINER_CREDENTIALS_*_URI not set");
  }

  std::string token;
  if (std::string file = EnvValue(options.getenv, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
      !file.empty()) {
    Result<std::string> read = files::Read(file);  // again each time: the agent rotates it
    if (!read)
      return Fail(ErrorCode::kUnavailable, source + ": token file: " + read.error().message);
    token = std::move(*read);
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  } else {
    token = EnvValue(options.getenv, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
  }
  if (token.find_first_of("\r\n") != std::string::npos) {
    return Fail(ErrorCode::kInvalidConfig, source + ": authorization token holds a line break");
  }

  http::Request request;
  request.url = url;
  request.headers.emplace_back("accept", "application/json");
  if (!token.empty()) request.headers.emplace_back("authorization", token);
  request.timeout = std::chrono::seconds(5);
  request.connect_timeout = std::chrono::seconds(2);
  Error last;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    Result<http::Response> response = client.Do(request, {});
    if (!response) {
      last = Error(ErrorCode::kUnavailable, source + ": " + response.error().message);
      continue;
    }
    if (response->status == 200) return ParseAnswer(response->body, source);
    last = ToError(source, static_cast<int>(response->status), ParseAwsError(response->body));
    if (response->status < 500) break;
  }
  return tl::unexpected(last);
}

}  // namespace

std::shared_ptr<CredentialProvider> ContainerProvider(const ChainOptions& options, Clock& clock) {
  auto client = std::make_shared<http::Client>();
  auto fetch = [client, options]() { return Fetch(*client, options); };
  return std::make_shared<RefreshingProvider>(std::move(fetch), clock);
}

}  // namespace kv::aws
