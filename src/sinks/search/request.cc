#include "sinks/search/request.h"

#include "util/base64.h"

namespace kv::sinks::search {

std::string BulkUrl(std::string_view host) {
  std::string url(host);
  url += "/_bulk?";
  url += kBulkQuery;
  return url;
}

std::string DisplayHost(std::string_view host) {
  size_t scheme = host.find("://");
  size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t end = host.find('/', start);
  size_t at = host.substr(0, end).rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(host);
  return std::string(host.substr(0, start)) + std::string(host.substr(at + 1));
}

http::Request BuildBulkRequest(std::string_view host, std::string body, const SearchConfig& config,
                               const HeaderAuth& auth) {
  http::Request req;
  req.method = "POST";
  req.url = BulkUrl(host);
  req.body = std::move(body);
  req.timeout = config.timeout;
  req.headers.emplace_back("Content-Type", "application/x-ndjson");
  for (const auto& h : config.headers) req.headers.push_back(h);
  if (!auth.api_key.empty()) {
    req.headers.emplace_back("Authorization", "ApiKey " + auth.api_key);
  } else if (!auth.bearer_token.empty()) {
    req.headers.emplace_back("Authorization", "Bearer " + auth.bearer_token);
  } else if (!auth.username.empty() || !auth.password.empty()) {
    req.headers.emplace_back("Authorization",
                             "Basic " + base64::Encode(auth.username + ":" + auth.password));
  }
  return req;
}

}  // namespace kv::sinks::search
