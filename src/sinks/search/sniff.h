// Node sniffing (key `sniff`): the cluster's own list of its HTTP nodes,
// read from `GET <host>/_nodes/http`, becomes the host list. Pure: the
// request is built here and parsed here; the sink sends it (signed like
// every other request) and hands the pool the result.
//
// Each node's `http.publish_address` is one of
//   "10.0.0.1:9200"            address:port
//   "node-1/10.0.0.1:9200"     name/address:port (the node publishes its host
//                              name too); the name is used, as the official
//                              clients do, so TLS certificates naming the
//                              host verify
//   "[::1]:9200", "node-1/[::1]:9200"  IPv6 in brackets
// and becomes "<scheme>://[userinfo@]<host>:<port>" with the scheme (and
// any user:password@) of the configured host that answered: sniffing
// assumes every node is reached the same way, directly (not through a
// path-prefixed proxy).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/client.h"
#include "sinks/search/config.h"
#include "sinks/search/request.h"
#include "util/result.h"

namespace kv::sinks::search {

// Only the publish addresses come back.
inline constexpr std::string_view kSniffQuery = "filter_path=nodes.%2A.http.publish_address";

// "<host>/_nodes/http?<kSniffQuery>".
std::string SniffUrl(std::string_view host);

// GET SniffUrl(host) with the config's extra headers and `auth`'s
// Authorization header, exactly as BuildBulkRequest sets them.
http::Request BuildSniffRequest(std::string_view host, const SearchConfig& config,
                                const HeaderAuth& auth);

// "http://" or "https://", followed by the host's "user:password@" if it
// has one: the start of every sniffed URL.
std::string SniffUrlBase(std::string_view host);

// A publish address (forms above) -> "host:port" ("[v6]:port"); an error
// saying why for anything else (no port, a port out of 1..65535, empty
// parts, characters that do not belong in a URL authority).
Result<std::string> PublishAddressAuthority(std::string_view address);

struct SniffedNodes {
  std::vector<std::string> urls;  // unique, in the answer's order
  size_t skipped = 0;             // nodes without HTTP or with an unusable address
};

// A `_nodes/http` answer body -> the nodes' URLs under `base` (SniffUrlBase).
// kCorrupt when the body is not JSON or has no "nodes" object; an
// empty `urls` when no node publishes a usable HTTP address (the caller
// keeps its hosts then).
Result<SniffedNodes> ParseSniffedNodes(std::string_view body, std::string_view base);

}  // namespace kv::sinks::search
