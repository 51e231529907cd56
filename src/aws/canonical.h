// The pieces of a SigV4 canonical request, exposed so tests can check each
// one against the AWS documentation. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "http/client.h"

namespace kv::aws {

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// A URL cut into the parts SigV4 signs. `host` is what a Host header
// carries: the authority without user info, lower-cased, and without the
// scheme's default port (":443" for https, ":80" for http).
struct UrlParts {
  std::string scheme;
  std::string host;
  std::string path;   // as written, "" if none
  std::string query;  // after '?', before '#', as written
};
UrlParts SplitUrl(std::string_view url);

// Percent-encodes every byte but the unreserved ones (A-Z a-z 0-9 - _ . ~),
// upper-case hex; '/' too unless `keep_slash`.
std::string UriEncode(std::string_view s, bool keep_slash);

// The canonical URI of a non-S3 service: "." and ".." segments resolved,
// empty segments dropped (as botocore does), then each byte of the path as
// sent encoded once more (so "%20" becomes "%2520"). "" becomes "/".
std::string CanonicalPath(std::string_view path);

// The canonical query: each name and value decoded and re-encoded with
// UriEncode, "name=value" pairs (a bare name gets "="), sorted by name then
// value, joined by '&'. A query whose parts are already encoded that way
// comes out with its pairs merely sorted.
std::string CanonicalQuery(std::string_view query);

struct CanonicalHeaders {
  std::string canonical;     // "name:value\n" per header, names sorted
  std::string signed_names;  // "name;name2"
};
// Lower-cases names, trims values and collapses inner whitespace runs to one
// space, joins repeated headers' values with ',' in their order. Leaves
// out the headers proxies may rewrite (user-agent, expect,
// transfer-encoding, x-amzn-trace-id), as botocore does.
CanonicalHeaders CanonicalizeHeaders(const http::Headers& headers);

}  // namespace kv::aws
