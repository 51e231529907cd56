#include "sinks/search/sniff.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>

namespace kv::sinks::search {

namespace {

// Characters allowed in a host name or an IPv4 address of a URL authority.
bool HostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

bool V6Char(char c) {
  return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') || c == ':' ||
         c == '.';
}

Result<void> CheckHost(std::string_view host) {
  if (host.empty()) return Fail(ErrorCode::kCorrupt, "empty host");
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return Fail(ErrorCode::kCorrupt, "unterminated IPv6 address");
    }
    std::string_view inner = host.substr(1, host.size() - 2);
    if (!std::all_of(inner.begin(), inner.end(), V6Char)) {
      return Fail(ErrorCode::kCorrupt, "invalid IPv6 address");
    }
    return {};
  }
  if (!std::all_of(host.begin(), host.end(), HostChar)) {
    return Fail(ErrorCode::kCorrupt, "invalid host name");
  }
  return {};
}

}  // namespace

std::string SniffUrl(std::string_view host) {
  std::string url(host);
  url += "/_nodes/http?";
  url += kSniffQuery;
  return url;
}

http::Request BuildSniffRequest(std::string_view host, const SearchConfig& config,
                                const HeaderAuth& auth) {
  http::Request req = BuildBulkRequest(host, std::string(), config, auth);
  req.method = "GET";
  req.url = SniffUrl(host);
  std::erase_if(req.headers, [](const auto& h) { return h.first == "Content-Type"; });
  return req;
}

std::string SniffUrlBase(std::string_view host) {
  size_t scheme = host.find("://");
  if (scheme == std::string_view::npos) return "http://";
  size_t start = scheme + 3;
  size_t end = host.find('/', start);
  std::string_view authority =
      host.substr(start, end == std::string_view::npos ? end : end - start);
  size_t at = authority.rfind('@');
  std::string base(host.substr(0, start));
  if (at != std::string_view::npos) base += authority.substr(0, at + 1);
  return base;
}

Result<std::string> PublishAddressAuthority(std::string_view address) {
  std::string_view name;
  size_t slash = address.find('/');
  if (slash != std::string_view::npos) {
    name = address.substr(0, slash);
    address.remove_prefix(slash + 1);
    if (address.find('/') != std::string_view::npos) {
      return Fail(ErrorCode::kCorrupt, "more than one '/'");
    }
  }
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == address.size() ||
      (address.front() == '[' && address.rfind(']') != std::string_view::npos &&
       address.rfind(']') > colon)) {
    return Fail(ErrorCode::kCorrupt, "no port");
  }
  std::string_view port_text = address.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return Fail(ErrorCode::kCorrupt, "invalid port");
  }
  std::string_view host = address.substr(0, colon);
  if (!host.empty() && host.front() != '[' && host.find(':') != std::string_view::npos) {
    return Fail(ErrorCode::kCorrupt, "IPv6 address without brackets");
  }
  if (auto r = CheckHost(host); !r) return tl::unexpected(r.error());
  if (!name.empty()) {
    // The published host name: what a server certificate names.
    if (auto r = CheckHost(name); !r) return tl::unexpected(r.error());
    host = name;
  }
  return std::string(host) + ":" + std::to_string(port);
}

Result<SniffedNodes> ParseSniffedNodes(std::string_view body, std::string_view base) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kCorrupt, "_nodes/http answer is not JSON");
  }
  simdjson::dom::object top;
  if (root.get_object().get(top) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kCorrupt, "_nodes/http answer is not a JSON object");
  }
  SniffedNodes out;
  simdjson::dom::object nodes;
  if (top["nodes"].get_object().get(nodes) != simdjson::SUCCESS) {
    // filter_path drops "nodes" when no node has an HTTP address: "{}".
    if (top.size() == 0) return out;
    return Fail(ErrorCode::kCorrupt, "_nodes/http answer has no \"nodes\" object");
  }
  for (auto field : nodes) {
    std::string_view address;
    if (field.value.at_pointer("/http/publish_address").get_string().get(address) !=
        simdjson::SUCCESS) {
      ++out.skipped;
      continue;
    }
    auto authority = PublishAddressAuthority(address);
    if (!authority) {
      ++out.skipped;
      continue;
    }
    std::string url = std::string(base) + *authority;
    if (std::find(out.urls.begin(), out.urls.end(), url) == out.urls.end()) {
      out.urls.push_back(std::move(url));
    }
  }
  return out;
}

}  // namespace kv::sinks::search
