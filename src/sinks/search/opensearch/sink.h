// `opensearch` receiver: events into OpenSearch (self-managed, Amazon
// OpenSearch Service with basic auth or SigV4 service `es`, OpenSearch
// Serverless with SigV4 service `aoss`) through `_bulk`. Keys: the
// reference's hosts, username, password, useEventID, deDot, index,
// indexFormat, type, tls, layout, and those in search/config.h. See
// search/README.md.
#pragma once

#include "sinks/sink.h"

namespace kv::sinks::search::opensearch {

Builder Parse(const config::Node& node);

}  // namespace kv::sinks::search::opensearch
