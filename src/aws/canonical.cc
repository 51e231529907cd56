#include "aws/canonical.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

namespace kv::aws {

namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX; a '%' not followed by two hex digits stays as it is.
std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]);
      int lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// Python's str.isspace() over ASCII, which botocore's value.split() uses.
bool IsSpace(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

std::string CollapseWhitespace(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (unsigned char c : value) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += static_cast<char>(c);
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsUnsignedHeader(std::string_view name) {
  return name == "user-agent" || name == "expect" || name == "transfer-encoding" ||
         name == "x-amzn-trace-id";
}

}  // namespace

UrlParts SplitUrl(std::string_view url) {
  UrlParts parts;
  if (size_t hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  if (size_t colon = url.find("://"); colon != std::string_view::npos) {
    parts.scheme = Lower(url.substr(0, colon));
    url.remove_prefix(colon + 3);
  }
  size_t authority_end = url.find_first_of("/?");
  std::string_view authority = url.substr(0, authority_end);
  url = authority_end == std::string_view::npos ? std::string_view() : url.substr(authority_end);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string host = Lower(authority);
  if ((parts.scheme == "https" && host.ends_with(":443")) ||
      (parts.scheme == "http" && host.ends_with(":80"))) {
    host.erase(host.rfind(':'));
  }
  parts.host = std::move(host);
  size_t q = url.find('?');
  parts.path = std::string(url.substr(0, q));
  if (q != std::string_view::npos) parts.query = std::string(url.substr(q + 1));
  return parts;
}

std::string UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string CanonicalPath(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string normalized = path.front() == '/' ? "/" : "";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) normalized += '/';
    normalized.append(segments[i]);
  }
  if (path.back() == '/' && !segments.empty()) normalized += '/';
  return UriEncode(normalized, /*keep_slash=*/true);
}

std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t start = 0;
  while (start < query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    pairs.emplace_back(UriEncode(PercentDecode(name), false),
                       UriEncode(PercentDecode(value), false));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out += '&';
    out.append(name).append("=").append(value);
  }
  return out;
}

CanonicalHeaders CanonicalizeHeaders(const http::Headers& headers) {
  std::map<std::string, std::string> merged;  // sorted by lower-case name
  for (const auto& [name, value] : headers) {
    std::string key = Lower(name);
    if (IsUnsignedHeader(key)) continue;
    std::string v = CollapseWhitespace(value);
    auto [it, inserted] = merged.try_emplace(std::move(key), v);
    if (!inserted) it->second.append(",").append(v);
  }
  CanonicalHeaders out;
  for (const auto& [name, value] : merged) {
    out.canonical.append(name).append(":").append(value).append("\n");
    if (!out.signed_names.empty()) out.signed_names += ';';
    out.signed_names.append(name);
  }
  return out;
}

}  // namespace kv::aws
