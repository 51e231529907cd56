// The reference's `tls:` block of a network receiver (webhook, chat kinds,
// search): insecureSkipVerify, caFile, certFile, keyFile, serverName.
#pragma once

#include "config/node.h"
#include "http/client.h"

namespace kv::sinks::common {

// Reads `body.tls` (absent: defaults, verification on). Problems (unknown
// keys, a key file without a certificate or the reverse) go to the node's
// diagnostics. serverName sets the name sent as SNI and verified against
// the certificate (http::TlsOptions::server_name).
http::TlsOptions ParseTls(const config::Node& body);

}  // namespace kv::sinks::common
