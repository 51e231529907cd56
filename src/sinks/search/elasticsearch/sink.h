// `elasticsearch` receiver: events into Elasticsearch (or anything that
// speaks its `_bulk` API) . Keys: the reference's hosts, username,
// password, cloudID, apiKey, headers, useEventID, deDot, index,
// indexFormat, type, tls, layout, and those in search/config.h. See
// search/README.md.
#pragma once

#include "sinks/sink.h"

namespace kv::sinks::search::elasticsearch {

Builder Parse(const config::Node& node);

}  // namespace kv::sinks::search::elasticsearch
