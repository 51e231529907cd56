#include "aws/sts.h"

#include <utility>

#include "aws/errors.h"
#include "aws/sigv4.h"
#include "aws/xml.h"
#include "util/time.h"
#include "util/url.h"

namespace kv::aws::sts {

namespace {

constexpr std::string_view kVersion = "2011-06-15";
constexpr std::chrono::seconds kTimeout{15};

void AddParam(std::string& body, std::string_view name, std::string_view value) {
  if (!body.empty()) body += '&';
  body.append(name).append("=").append(url::PercentEncode(value));
}

std::string CommonBody(std::string_view action, const AssumeRoleParams& params) {
  std::string body;
  AddParam(body, "Action", action);
  AddParam(body, "Version", kVersion);
  AddParam(body, "RoleArn", params.role_arn);
  AddParam(body, "RoleSessionName", params.session_name);
  if (params.duration.count() > 0) {
    AddParam(body, "DurationSeconds", std::to_string(params.duration.count()));
  }
  return body;
}

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

http::Request FormPost(const Endpoint& endpoint, std::string body) {
  http::Request request;
  request.method = "POST";
  request.url = endpoint.url + "/";
  request.headers.emplace_back("content-type", "application/x-www-form-urlencoded; charset=utf-8");
  request.headers.emplace_back("accept", "text/xml");
  request.body = std::move(body);
  request.timeout = kTimeout;
  return request;
}

Result<Credentials> Perform(http::Client& client, const http::Request& request,
                            std::string_view what, std::string source) {
  Result<http::Response> response = client.Do(request, {});
  if (!response) {
    return Fail(ErrorCode::kUnavailable, std::string(what) + ": " + response.error().message);
  }
  if (response->status != 200) {
    return tl::unexpected(
        ToError(what, static_cast<int>(response->status),
                ParseAwsError(response->body, response->Header("x-amzn-errortype"))));
  }
  return ParseCredentials(response->body, std::move(source));
}

}  // namespace

Endpoint ResolveEndpoint(const std::string& override_url, const std::string& region,
                         const Getenv& getenv) {
  Endpoint endpoint;
  endpoint.signing_region = region.empty() ? "us-east-1" : region;
  std::string url = override_url;
  if (url.empty()) url = ConfiguredEndpointUrl(getenv, "STS");
  if (url.empty()) {
    if (region.empty()) {
      url = "https://sts.amazonaws.com";
    } else {
      url = "https://sts." + region + ".amazonaws.com";
      if (region.starts_with("cn-")) url += ".cn";
    }
  }
  endpoint.url = TrimSlash(std::move(url));
  return endpoint;
}

std::string AssumeRoleBody(const AssumeRoleParams& params) {
  std::string body = CommonBody("AssumeRole", params);
  if (!params.external_id.empty()) AddParam(body, "ExternalId", params.external_id);
  return body;
}

std::string AssumeRoleWithWebIdentityBody(const AssumeRoleParams& params, std::string_view token) {
  std::string body = CommonBody("AssumeRoleWithWebIdentity", params);
  AddParam(body, "WebIdentityToken", token);
  return body;
}

Result<Credentials> ParseCredentials(std::string_view xml_body, std::string source) {
  std::vector<std::string_view> blocks = xml::Elements(xml_body, "Credentials");
  if (blocks.empty()) return Fail(ErrorCode::kCorrupt, "STS answer without <Credentials>");
  std::string_view block = blocks.front();
  Credentials creds;
  creds.access_key_id = xml::Text(block, "AccessKeyId").value_or("");
  creds.secret_access_key = xml::Text(block, "SecretAccessKey").value_or("");
  creds.session_token = xml::Text(block, "SessionToken").value_or("");
  std::string expiration = xml::Text(block, "Expiration").value_or("");
  if (creds.access_key_id.empty() || creds.secret_access_key.empty() ||
      creds.session_token.empty()) {
    return Fail(ErrorCode::kCorrupt,
                "STS answer lacks AccessKeyId, SecretAccessKey or SessionToken");
  }
  std::optional<int64_t> micros = timeutil::ParseRfc3339Micros(expiration);
  if (!micros) return Fail(ErrorCode::kCorrupt, "STS answer has a bad Expiration: " + expiration);
  creds.expiration = timeutil::FromMicros(*micros);
  creds.source = std::move(source);
  return creds;
}

std::string DefaultSessionName(std::chrono::system_clock::time_point now) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  return "kubevents-" + std::to_string(ms);
}

Result<Credentials> CallAssumeRole(http::Client& client, const Endpoint& endpoint,
                                   const AssumeRoleParams& params, const Credentials& base,
                                   std::chrono::system_clock::time_point now) {
  http::Request request = FormPost(endpoint, AssumeRoleBody(params));
  Signer signer(SignOptions{.region = endpoint.signing_region, .service = "sts"});
  signer.Sign(request, base, now);
  return Perform(client, request, "sts AssumeRole " + params.role_arn, "assume-role");
}

Result<Credentials> CallAssumeRoleWithWebIdentity(http::Client& client, const Endpoint& endpoint,
                                                  const AssumeRoleParams& params,
                                                  std::string_view token) {
  http::Request request = FormPost(endpoint, AssumeRoleWithWebIdentityBody(params, token));
  return Perform(client, request, "sts AssumeRoleWithWebIdentity " + params.role_arn,
                 "web-identity");
}

}  // namespace kv::aws::sts
