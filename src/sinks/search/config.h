// The settings the `opensearch` and `elasticsearch` receivers share: where
// the cluster is, how to authenticate, and how events become bulk actions.
// Every key, its default and a one-line description live here; the engine
// folders add only what is theirs (Elasticsearch's cloudID and apiKey).
//
// Parse-time only: nothing here does I/O (files named by passwordFile and
// bearerTokenFile are read when the sink sends; TLS files by libcurl).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "config/node.h"
#include "http/client.h"
#include "sinks/common/document.h"
#include "sinks/search/index_name.h"

namespace kv::sinks::search {

enum class Engine { kOpenSearch, kElasticsearch };

// What becomes a document's `_id` (key `documentId`).
enum class DocumentId {
  kAuto,          // `auto`: the server assigns one; a redelivery duplicates
  kEventVersion,  // `eventVersion`: "<uid>_<resourceVersion>", one document per
                  // version of an event; a redelivery overwrites it
  kEvent,         // `event`: "<uid>", one document per event holding its latest
                  // version (the reference's useEventID: true)
};

enum class OpType {
  kIndex,   // `index`: create or replace (indices and aliases)
  kCreate,  // `create`: only create; required by data streams. A document that
            // exists already (409) counts as delivered.
};

// Which time fills the braces of `indexFormat` (key `indexTime`).
enum class IndexTime {
  kProcessing,  // `processing`: when kubevents sends (the reference's behaviour)
  kEvent,       // `event`: when the event last happened (falls back to processing)
};

// Amazon OpenSearch Service / Serverless request signing (key `aws`).
struct AwsSigning {
  std::string region;          // `region`; "" = from the environment / profile
  std::string service = "es";  // `service`: es (managed domains) or aoss (Serverless)
  std::string role_arn;        // `roleArn`: assumed with STS on top of the chain
  std::string sts_endpoint;    // `stsEndpoint`: STS URL override (VPC endpoints, tests)
};

struct SearchConfig {
  Engine engine = Engine::kOpenSearch;
  std::vector<std::string> hosts;  // `hosts`: base URLs, tried round-robin (no trailing '/')
  std::string username;            // `username`: basic auth
  std::string password;            // `password`: basic auth (secret)
  std::string password_file;       // `passwordFile`: basic-auth password read at each send
  std::string api_key;             // `apiKey` (elasticsearch): sent as "ApiKey <value>" (secret)
  std::string bearer_token;        // `bearerToken`: sent as "Bearer <value>" (secret)
  std::string bearer_token_file;   // `bearerTokenFile`: the same, read at each send
  http::Headers headers;           // `headers`: added to every request
  std::optional<AwsSigning> aws;   // `aws`: SigV4 signing instead of the above
  DocumentId document_id = DocumentId::kEventVersion;  // `documentId` / `useEventID`
  OpType op_type = OpType::kIndex;                     // `opType`
  std::string index;                                   // `index`: fixed index, alias or data stream
  std::optional<IndexPattern> index_format;       // `indexFormat`: e.g. kube-events-{2006-01-02}
  IndexTime index_time = IndexTime::kProcessing;  // `indexTime`
  std::string type;           // `type`: legacy mapping type; dropped when the server refuses it
  std::string pipeline;       // `pipeline`: ingest pipeline to run (none by default)
  http::TlsOptions tls;       // `tls`: caFile, certFile, keyFile, insecureSkipVerify
  common::LineFormat format;  // `deDot`, `layout`
  std::chrono::milliseconds timeout{30000};  // `timeoutSeconds`: one bulk request, connect included
  bool sniff = false;  // `sniff`: replace `hosts` with the nodes the cluster lists (sniff.h)
  std::chrono::seconds sniff_interval{300};  // `sniffIntervalSeconds`: between two sniffs
};

// Reads the shared keys from `node`; `extra_keys` are the engine's own
// (read by the caller). Unknown keys, missing hosts/index and bad values go
// to the node's diagnostics.
SearchConfig ParseSearchConfig(const config::Node& node, Engine engine,
                               const std::vector<std::string_view>& extra_keys);

// The keys ParseSearchConfig reads (for docs and tests).
const std::vector<std::string_view>& SharedKeys();

}  // namespace kv::sinks::search
