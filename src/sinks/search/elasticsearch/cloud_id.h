// Elastic Cloud's `cloudID`: "<label>:<base64 of host$es-uuid$kibana-uuid>"
// names the deployment's Elasticsearch URL, https://<es-uuid>.<host> (the
// rule of the official Go client the reference uses). Pure.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace kv::sinks::search {

// The URL for `cloud_id`; kInvalidConfig saying what is wrong with it.
Result<std::string> CloudIdUrl(std::string_view cloud_id);

}  // namespace kv::sinks::search
