// `webhook` receiver settings: the reference's keys (endpoint, headers,
// layout, tls) plus kubevents's own (method, timeoutSeconds, basicAuth,
// bearerToken, batch). Every default lives here, in the initializers.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "config/node.h"
#include "http/client.h"
#include "sinks/chat/http_target.h"
#include "tmpl/layout.h"

namespace kv::sinks::chat::webhook {

enum class BatchFormat {
  kNone,    // one event per request, as the reference does (default)
  kArray,   // a JSON array of events per request
  kNdjson,  // one JSON event per line (application/x-ndjson)
};

struct WebhookConfig {
  std::string endpoint;                       // required: http:// or https:// URL
  std::string method = "POST";                // POST, PUT or PATCH
  std::vector<chat::HeaderTemplate> headers;  // value templates, rendered per event
  std::optional<tmpl::Layout> layout;         // none: the full event (reference shape)
  http::TlsOptions tls;                       // tls.{caFile,certFile,keyFile,insecureSkipVerify}
  std::chrono::milliseconds timeout{chat::kDefaultTimeoutSeconds * 1000};  // timeoutSeconds
  std::string basic_username;                                              // basicAuth.username
  std::string basic_password;              // basicAuth.password (secret)
  std::string bearer_token;                // bearerToken (secret)
  BatchFormat batch = BatchFormat::kNone;  // batch.format: array | ndjson
  size_t batch_max_events = 100;           // batch.maxEvents, 1..10000
  size_t batch_max_bytes = 1 << 20;        // batch.maxBytes (an event bigger goes alone)
};

// Reads a `webhook:` block (no I/O). Problems go to the node's diagnostics.
WebhookConfig ParseConfig(const config::Node& node);

}  // namespace kv::sinks::chat::webhook
