// `webhook` receiver: each event (or, with `batch`, a run of events) is
// POSTed as JSON to `endpoint`; see README.md in this folder and
// docs/receivers/webhook.md. Keys: endpoint, headers, layout, tls, method,
// timeoutSeconds, basicAuth, bearerToken, batch.
#pragma once

#include "sinks/sink.h"

namespace kv::sinks::chat::webhook {

// Validates a `webhook:` block without I/O; the Builder makes the sink.
Builder Parse(const config::Node& node);

}  // namespace kv::sinks::chat::webhook
