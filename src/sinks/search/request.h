// One `_bulk` request: URL, headers and body; the credentials that are
// plain headers (basic, API key, bearer). SigV4 signing happens in the
// sink, over exactly these bytes, after everything here is set. Pure.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "http/client.h"
#include "sinks/search/config.h"

namespace kv::sinks::search {

// The batches this receiver asks the worker for, unless the config's
// `batch` settings say otherwise: 500 events or 5 MiB, whichever comes
// first, waiting at most 1 s for a batch to fill. Amazon OpenSearch Service
// takes 10 MiB per request on its smallest instance types (100 MiB on the
// others); a self-managed node takes http.max_content_length, 100 MiB.
inline constexpr size_t kDefaultBatchEvents = 500;
inline constexpr size_t kDefaultBatchBytes = size_t{5} << 20;
inline constexpr std::chrono::milliseconds kDefaultBatchLinger{1000};

// Only what classification needs comes back: statuses and errors.
inline constexpr std::string_view kBulkQuery =
    "filter_path=errors%2Citems.%2A.status%2Citems.%2A.error";

// "<host>/_bulk?<kBulkQuery>".
std::string BulkUrl(std::string_view host);

// `host` for logs and reasons: any "user:password@" in it removed.
std::string DisplayHost(std::string_view host);

// Credentials resolved for this request (file-backed ones already read).
struct HeaderAuth {
  std::string username;
  std::string password;
  std::string api_key;       // "ApiKey <api_key>"
  std::string bearer_token;  // "Bearer <bearer_token>"
};

// POST BulkUrl(host) with `body`, Content-Type application/x-ndjson, the
// config's extra headers and the Authorization header `auth` calls for
// (API key over bearer over basic; none when all are empty).
http::Request BuildBulkRequest(std::string_view host, std::string body, const SearchConfig& config,
                               const HeaderAuth& auth);

}  // namespace kv::sinks::search
